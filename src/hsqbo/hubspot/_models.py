"""
Typed models of HubSpot's CRM responses, and the converter that builds them.

Property values stay strings here, exactly as HubSpot sent them: decoding
needs the property's type, which :func:`~hsqbo.hubspot.to_record` applies.
One private cattrs converter does all structuring; camelCase field names
are mapped by overrides, unknown keys ignored (HubSpot adds fields).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.gen import (
    make_dict_structure_fn,
    make_dict_unstructure_fn,
    override,
)

from hsqbo._errors import ApiError, TransportError
from hsqbo._record import FieldValue
from hsqbo.hubspot._codecs import PropertyType, decode_datetime


__all__ = [
    "Association",
    "AssociationCategory",
    "AssociationSpec",
    "BatchOutcome",
    "BatchResult",
    "HubSpotObject",
    "NewObject",
    "NewProperty",
    "PropertyDefinition",
    "PropertyGroup",
    "PropertyOption",
]


def _frozen_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


class AssociationCategory(enum.Enum):
    """
    Who defined an association type.

    .. versionadded:: 0.1.0
    """

    HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
    USER_DEFINED = "USER_DEFINED"
    INTEGRATOR_DEFINED = "INTEGRATOR_DEFINED"


@attrs.frozen
class AssociationSpec:
    """
    One association type: its category, id and (for labelled types) label.

    The constants on :class:`~hsqbo.hubspot.AssociationTypes` cover the
    pairs hsqbo writes.

    .. versionadded:: 0.1.0
    """

    type_id: int
    """HubSpot's ``associationTypeId``."""
    category: AssociationCategory = attrs.field(
        default=AssociationCategory.HUBSPOT_DEFINED, kw_only=True
    )
    """Who defined the type."""
    label: str | None = attrs.field(default=None, kw_only=True)
    """The label HubSpot shows (``"Primary"``), if any."""


@attrs.frozen(kw_only=True)
class Association:
    """
    A link from one object to another, with all its types.

    .. versionadded:: 0.1.0
    """

    to_id: str
    """The id of the associated object."""
    types: tuple[AssociationSpec, ...] = ()
    """Every type the link has (unlabelled, labelled, primary)."""

    @property
    def is_primary(self) -> bool:
        """Tell whether this is the primary association (label ``Primary``)."""
        return any(
            (spec.label or "").lower() == "primary"
            or spec.type_id in PRIMARY_TYPE_IDS
            for spec in self.types
        )


# HubSpot-defined "primary" type ids: contact→company 1, company→contact 2
# (reverse), deal→company 5, ticket→company 26.
PRIMARY_TYPE_IDS = frozenset({1, 5, 26})


@attrs.frozen(kw_only=True)
class HubSpotObject:
    """
    One CRM object as HubSpot returned it; property values are strings.

    .. versionadded:: 0.1.0
    """

    id: str
    """HubSpot's record id (``hs_object_id``)."""
    properties: Mapping[str, str | None] = attrs.field(
        factory=dict, converter=_frozen_mapping
    )
    """Property name → wire value (a string; ``None`` when empty)."""
    created_at: dt.datetime
    """``createdAt``, aware UTC."""
    updated_at: dt.datetime
    """``updatedAt``, aware UTC."""
    archived: bool = False
    """Whether the object is in the recycling bin."""
    archived_at: dt.datetime | None = None
    """``archivedAt``, when archived."""
    associations: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, converter=_frozen_mapping
    )
    """Associated ids by object type, primary first (when requested)."""
    write_trace_id: str | None = None
    """The ``objectWriteTraceId`` a batch write echoed back."""


def _field_values(value: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    return dict(value)


def _association_tuple(
    value: Iterable[Association],
) -> tuple[Association, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class NewObject:
    """
    An object to create: its properties and, optionally, associations.

    >>> from hsqbo.hubspot import NewObject
    >>> NewObject(properties={"email": "ada@example.com"}).properties
    {'email': 'ada@example.com'}

    .. versionadded:: 0.1.0
    """

    properties: Mapping[str, FieldValue] = attrs.field(converter=_field_values)
    """Property name → value (encoded for the wire by the client)."""
    associations: tuple[Association, ...] = attrs.field(
        default=(), converter=_association_tuple
    )
    """Objects to associate it with on creation."""


@attrs.frozen(kw_only=True)
class BatchOutcome:
    """
    What happened to one input of a batch call.

    .. versionadded:: 0.1.0
    """

    index: int
    """The input's position in the caller's sequence."""
    object: HubSpotObject | None = None
    """The object written or read, on success."""
    error: ApiError | TransportError | None = attrs.field(
        default=None, eq=False
    )
    """Why the input failed, as a typed exception (not raised)."""
    created: bool | None = None
    """For upserts: ``True`` if created, ``False`` if updated."""

    @property
    def ok(self) -> bool:
        """Tell whether this input succeeded."""
        return self.error is None


@attrs.frozen
class BatchResult:
    """
    The outcome of a batch call, one :class:`BatchOutcome` per input.

    A batch is never all-or-nothing: some inputs may fail while others are
    written. Check :attr:`errors` (or :meth:`raise_for_errors`).

    .. versionadded:: 0.1.0
    """

    outcomes: tuple[BatchOutcome, ...]
    """One per input, in input order."""

    @property
    def objects(self) -> tuple[HubSpotObject, ...]:
        """The objects of the inputs that succeeded, in input order."""
        return tuple(o.object for o in self.outcomes if o.object is not None)

    @property
    def errors(self) -> tuple[BatchOutcome, ...]:
        """The outcomes of the inputs that failed."""
        return tuple(o for o in self.outcomes if o.error is not None)

    @property
    def ok(self) -> bool:
        """Tell whether every input succeeded."""
        return not self.errors

    def raise_for_errors(self) -> None:
        """
        Raise the first input's error, if any failed.

        Raises:
            ApiError: The error of the first failed input.
            TransportError: The first failed input got no answer.
        """
        for outcome in self.outcomes:
            if outcome.error is not None:
                raise outcome.error


@attrs.frozen(kw_only=True)
class PropertyOption:
    """
    One option of an enumeration property.

    .. versionadded:: 0.1.0
    """

    label: str
    value: str
    display_order: int | None = None
    hidden: bool = False
    description: str | None = None


@attrs.frozen(kw_only=True)
class PropertyDefinition:
    """
    A property of an object type, as the Properties API describes it.

    .. versionadded:: 0.1.0
    """

    name: str
    label: str
    type: PropertyType
    field_type: str
    group_name: str = ""
    description: str = ""
    options: tuple[PropertyOption, ...] = ()
    has_unique_value: bool = False
    hubspot_defined: bool = False
    calculated: bool = False
    read_only_value: bool = False
    archived: bool = False


@attrs.frozen(kw_only=True)
class PropertyGroup:
    """
    A property group (``contactinformation``, the deal group ``accounting``).

    .. versionadded:: 0.1.0
    """

    name: str
    label: str
    display_order: int | None = None
    archived: bool = False


@attrs.frozen(kw_only=True)
class NewProperty:
    """
    A property to create through the Properties API.

    >>> from hsqbo.hubspot import NewProperty, PropertyType
    >>> NewProperty(name="qbo_id", label="QBO id", type=PropertyType.STRING,
    ...             field_type="text", group_name="contactinformation",
    ...             has_unique_value=True).has_unique_value
    True

    .. versionadded:: 0.1.0
    """

    name: str
    """Internal name (lower case, ``_``)."""
    label: str
    """Label shown in HubSpot."""
    type: PropertyType
    """Data type."""
    field_type: str
    """Form control: ``text``, ``number``, ``date``, ``select``..."""
    group_name: str
    """The group it belongs to."""
    description: str = ""
    options: tuple[PropertyOption, ...] = ()
    """Options, for enumerations."""
    has_unique_value: bool = False
    """Whether HubSpot refuses a value another object already has."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=False)
    converter.register_structure_hook(
        dt.datetime, lambda value, _: decode_datetime(str(value))
    )
    converter.register_unstructure_hook(
        dt.datetime, lambda value: value.isoformat()
    )
    converter.register_structure_hook(
        PropertyType, lambda value, _: PropertyType.parse(str(value))
    )
    for cls in (
        PropertyOption,
        PropertyDefinition,
        PropertyGroup,
        NewProperty,
    ):
        renames: dict[str, Any] = {
            field.name: override(rename=_camel(field.name))
            for field in attrs.fields(cls)
            if "_" in field.name
        }
        converter.register_structure_hook(
            cls, make_dict_structure_fn(cls, converter, **renames)
        )
        converter.register_unstructure_hook(
            cls,
            make_dict_unstructure_fn(
                cls, converter, _cattrs_omit_if_default=True, **renames
            ),
        )
    return converter


CONVERTER = _make_converter()
"""The one converter of the HubSpot connector."""


def structure_property(body: Mapping[str, Any]) -> PropertyDefinition:
    """Build a :class:`PropertyDefinition` from the API's JSON."""
    data = dict(body)
    # ``readOnlyValue`` sits one level down in ``modificationMetadata``.
    meta = data.get("modificationMetadata")
    if isinstance(meta, Mapping):
        data["readOnlyValue"] = bool(meta.get("readOnlyValue", False))
    data["options"] = [
        option
        for option in data.get("options") or ()
        if isinstance(option, Mapping)
    ]
    return CONVERTER.structure(data, PropertyDefinition)


def structure_group(body: Mapping[str, Any]) -> PropertyGroup:
    """Build a :class:`PropertyGroup` from the API's JSON."""
    return CONVERTER.structure(dict(body), PropertyGroup)


def unstructure_new_property(prop: NewProperty) -> dict[str, Any]:
    """Return the JSON body that creates *prop*."""
    body: dict[str, Any] = CONVERTER.unstructure(prop)
    # Required keys must be sent even when they equal the defaults.
    body["type"] = prop.type.value
    body["fieldType"] = prop.field_type
    body["groupName"] = prop.group_name
    body["hasUniqueValue"] = prop.has_unique_value
    return body
