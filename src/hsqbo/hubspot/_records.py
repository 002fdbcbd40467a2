"""Turn HubSpot objects into the :class:`~hsqbo.Record` the planner reads."""

from __future__ import annotations

from collections.abc import Mapping

from hsqbo._record import Record, Side
from hsqbo.hubspot._codecs import PropertyType, decode_properties
from hsqbo.hubspot._models import HubSpotObject, PropertyDefinition


__all__ = ["property_types", "to_record"]


def property_types(
    definitions: tuple[PropertyDefinition, ...] | list[PropertyDefinition],
) -> dict[str, PropertyType]:
    """
    Return property name → type, for :func:`to_record`.

    .. versionadded:: 0.1.0
    """
    return {definition.name: definition.type for definition in definitions}


def to_record(
    obj: HubSpotObject,
    object_type: str,
    *,
    types: Mapping[str, PropertyType] | None = None,
) -> Record:
    """
    Convert a HubSpot object into a :class:`~hsqbo.Record`.

    Property values are decoded by *types* (numbers to
    :class:`~decimal.Decimal`, dates to :class:`datetime.date`, datetimes to
    aware UTC); properties without a type stay strings. Associations keep
    their primary-first order; ``updatedAt`` becomes
    :attr:`~hsqbo.Record.updated_at`.

    Args:
        obj: The object as read.
        object_type: Its type name (``contacts``...).
        types: Property types, e.g. from :func:`property_types`.

    Raises:
        ValueError: A value does not fit its property's type.

    >>> import datetime as dt
    >>> from hsqbo.hubspot import HubSpotObject, PropertyType, to_record
    >>> obj = HubSpotObject(id="7", properties={"amount": "1.50"},
    ...     created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    ...     updated_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    >>> to_record(obj, "deals", types={"amount": PropertyType.NUMBER}).fields
    {'amount': Decimal('1.50')}

    .. versionadded:: 0.1.0
    """
    return Record(
        Side.HUBSPOT,
        object_type,
        obj.id,
        decode_properties(obj.properties, types or {}),
        obj.updated_at,
        archived=obj.archived,
        associations=obj.associations,
    )
