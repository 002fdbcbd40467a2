"""Records: one object of either system, as the planner sees it."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeAlias

import attrs


__all__ = ["Direction", "FieldValue", "Record", "Side"]

FieldValue: TypeAlias = (
    "str | int | float | Decimal | bool | dt.date | dt.datetime"
    " | tuple[FieldValue, ...] | Mapping[str, FieldValue] | None"
)
"""
A value of one field: a scalar, or (for QBO invoice lines and linked
transactions) a tuple of mappings in the API's own shape.
"""


class Side(enum.Enum):
    """
    One of the two systems hsqbo keeps in sync.

    .. versionadded:: 0.1.0
    """

    HUBSPOT = "hubspot"
    QBO = "qbo"

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.QBO if self is Side.HUBSPOT else Side.HUBSPOT


class Direction(enum.Enum):
    """
    Which way data flows, for an object sync or one field.

    .. versionadded:: 0.1.0
    """

    TWO_WAY = "two_way"
    HUBSPOT_TO_QBO = "hubspot_to_qbo"
    QBO_TO_HUBSPOT = "qbo_to_hubspot"

    def writes_to(self, side: Side) -> bool:
        """
        Tell whether data flowing this way may be written to *side*.

        >>> Direction.QBO_TO_HUBSPOT.writes_to(Side.QBO)
        False
        """
        if self is Direction.TWO_WAY:
            return True
        target = Side.QBO if self is Direction.HUBSPOT_TO_QBO else Side.HUBSPOT
        return side is target

    def reads_from(self, side: Side) -> bool:
        """Tell whether data flowing this way may come from *side*."""
        return self.writes_to(side.other)


def _to_utc(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        msg = f"updated_at must be a datetime, got {type(value).__name__}"
        raise TypeError(msg)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = (
            "updated_at must be timezone-aware (naive datetimes are "
            "ambiguous); pass e.g. datetime(..., tzinfo=datetime.UTC)"
        )
        raise ValueError(msg)
    return value.astimezone(dt.UTC)


def _freeze_fields(value: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    return dict(value)


def _freeze_associations(
    value: Mapping[str, tuple[str, ...] | list[str]],
) -> dict[str, tuple[str, ...]]:
    return {kind: tuple(ids) for kind, ids in value.items()}


@attrs.frozen
class Record:
    """
    One object of HubSpot or QBO, as read through a connector.

    Args:
        side: The system it lives in.
        type: The API's own object name: ``contacts``, ``companies``,
            ``products``, ``invoices``, ``line_items``, ``deals`` on HubSpot;
            ``Customer``, ``Item``, ``Invoice``, ``Payment`` on QBO.
        id: The id the system gave it.
        fields: HubSpot property names, or QBO dotted paths
            (``PrimaryEmailAddr.Address``, ``BillAddr.City``,
            ``CustomField[Crew #]``); ``Line`` holds QBO invoice lines as a
            tuple of mappings in QBO's JSON shape.
        updated_at: When it last changed; converted to aware UTC (naive
            values are refused).
        version: QBO's ``SyncToken``; ``None`` on HubSpot.
        archived: Archived on HubSpot, inactive or voided on QBO.
        associations: HubSpot associations by object type, primary first.

    >>> import datetime as dt
    >>> r = Record(Side.HUBSPOT, "contacts", "1", {"email": "a@b.co"},
    ...            dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    >>> r.fields["email"]
    'a@b.co'

    .. versionadded:: 0.1.0
    """

    side: Side
    type: str
    id: str
    fields: Mapping[str, FieldValue] = attrs.field(converter=_freeze_fields)
    updated_at: dt.datetime = attrs.field(converter=_to_utc)
    version: str | None = attrs.field(default=None, kw_only=True)
    archived: bool = attrs.field(default=False, kw_only=True)
    associations: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, converter=_freeze_associations, kw_only=True
    )

    @property
    def key(self) -> tuple[Side, str, str]:
        """``(side, type, id)``: unique across both systems."""
        return (self.side, self.type, self.id)
