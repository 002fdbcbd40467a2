"""
Property definitions of the fake portal, and value validation.

Every property value is a string on the wire. A definition says how the
string is checked and normalised: numbers without thousands separators,
``date`` as ``YYYY-MM-DD`` (or epoch ms at midnight UTC), ``datetime`` as
ISO 8601 or epoch ms (rendered back as ISO 8601 UTC with milliseconds),
enumerations against their options (``;`` separates the values of a
multi-select checkbox), booleans as ``true``/``false``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from dateutil import parser as date_parser

from hsqbo.testing._hubspot._errors import ApiFailure, ErrorDetail


__all__ = [
    "OBJECT_TYPES",
    "REQUIRED_ON_CREATE",
    "FakeHubSpotProperty",
    "FakeHubSpotPropertyOption",
    "ObjectType",
    "PropertyGroup",
    "PropertyProblem",
    "check_definitions",
    "default_groups",
    "default_properties",
    "format_datetime",
    "normalize_value",
    "object_type",
]

PROPERTY_TYPES = frozenset(
    {
        "string",
        "number",
        "date",
        "datetime",
        "enumeration",
        "bool",
        "phone_number",
    }
)
FIELD_TYPES = frozenset(
    {
        "text",
        "textarea",
        "number",
        "date",
        "select",
        "radio",
        "checkbox",
        "booleancheckbox",
        "phonenumber",
        "html",
        "file",
        "calculation_equation",
    }
)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_EPOCH_MS = re.compile(r"^-?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_MS_PER_DAY = 86_400_000


@attrs.frozen
class ObjectType:
    """A CRM object type the fake knows."""

    name: str
    type_id: str
    singular: str
    #: Properties returned when a request names none.
    default_properties: tuple[str, ...]
    #: Properties a full-text ``query`` looks at.
    searchable: tuple[str, ...]


OBJECT_TYPES: Mapping[str, ObjectType] = {
    t.name: t
    for t in (
        ObjectType(
            name="contacts",
            type_id="0-1",
            singular="contact",
            default_properties=(
                "createdate",
                "email",
                "firstname",
                "hs_object_id",
                "lastmodifieddate",
                "lastname",
            ),
            searchable=("firstname", "lastname", "email", "phone", "company"),
        ),
        ObjectType(
            name="companies",
            type_id="0-2",
            singular="company",
            default_properties=(
                "createdate",
                "domain",
                "hs_lastmodifieddate",
                "hs_object_id",
                "name",
            ),
            searchable=("name", "domain", "phone", "website"),
        ),
        ObjectType(
            name="deals",
            type_id="0-3",
            singular="deal",
            default_properties=(
                "amount",
                "closedate",
                "createdate",
                "dealname",
                "dealstage",
                "hs_lastmodifieddate",
                "hs_object_id",
                "pipeline",
            ),
            searchable=("dealname",),
        ),
        ObjectType(
            name="products",
            type_id="0-7",
            singular="product",
            default_properties=(
                "createdate",
                "description",
                "hs_lastmodifieddate",
                "hs_object_id",
                "name",
                "price",
            ),
            searchable=("name", "description", "hs_sku"),
        ),
        ObjectType(
            name="line_items",
            type_id="0-8",
            singular="line item",
            default_properties=(
                "amount",
                "createdate",
                "hs_lastmodifieddate",
                "hs_object_id",
                "hs_product_id",
                "name",
                "price",
                "quantity",
            ),
            searchable=("name",),
        ),
        ObjectType(
            name="notes",
            type_id="0-46",
            singular="note",
            default_properties=(
                "hs_createdate",
                "hs_lastmodifieddate",
                "hs_object_id",
            ),
            searchable=("hs_note_body",),
        ),
        ObjectType(
            name="invoices",
            type_id="0-53",
            singular="invoice",
            default_properties=(
                "hs_createdate",
                "hs_lastmodifieddate",
                "hs_object_id",
            ),
            searchable=("hs_number", "hs_title"),
        ),
    )
}

_BY_ALIAS: Mapping[str, str] = {
    **{t.type_id: t.name for t in OBJECT_TYPES.values()},
    **{t.name: t.name for t in OBJECT_TYPES.values()},
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "product": "products",
    "line_item": "line_items",
    "note": "notes",
    "invoice": "invoices",
}


def object_type(name: str) -> ObjectType:
    """Resolve an object type by name, singular or id (``0-1``); or 400."""
    resolved = _BY_ALIAS.get(name.lower())
    if resolved is None:
        raise ApiFailure(
            400,
            "VALIDATION_ERROR",
            f"Unable to infer object type from: {name}",
        )
    return OBJECT_TYPES[resolved]


@attrs.frozen
class FakeHubSpotPropertyOption:
    """
    One option of an enumeration property.

    .. versionadded:: 0.1.0
    """

    value: str
    label: str
    display_order: int = 0
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        """Render the option as HubSpot does."""
        return {
            "label": self.label,
            "value": self.value,
            "displayOrder": self.display_order,
            "hidden": self.hidden,
        }


@attrs.frozen
class PropertyGroup:
    """A property group (e.g. the deal group ``accounting``)."""

    name: str
    label: str
    display_order: int = 0

    def to_json(self) -> dict[str, Any]:
        """Render the group as HubSpot does."""
        return {
            "name": self.name,
            "label": self.label,
            "displayOrder": self.display_order,
            "archived": False,
        }


@attrs.frozen
class FakeHubSpotProperty:
    """
    A property definition of the fake portal.

    Args:
        name: Internal name, e.g. ``email``.
        type: ``string``, ``number``, ``date``, ``datetime``,
            ``enumeration``, ``bool`` or ``phone_number``.
        field_type: The form field: ``text``, ``number``, ``select``,
            ``checkbox`` (multi-select), ``booleancheckbox``, ...
        group: The property group, e.g. ``contactinformation``.
        label: What the UI shows.
        options: The allowed values of an enumeration.
        unique: ``hasUniqueValue``: no two objects share a value, and the
            property can be an ``idProperty``.
        read_only: The API may not write it (``hs_object_id``,
            ``createdate``, ``hs_lastmodifieddate``, ...).
        hubspot_defined: A default property rather than a custom one.

    .. versionadded:: 0.1.0
    """

    name: str
    type: str
    field_type: str
    group: str
    label: str
    options: tuple[FakeHubSpotPropertyOption, ...] = ()
    unique: bool = False
    read_only: bool = False
    hubspot_defined: bool = True

    @property
    def multiple(self) -> bool:
        """Whether the property holds several ``;``-separated options."""
        return self.type == "enumeration" and self.field_type == "checkbox"

    def to_json(self, created_at: str) -> dict[str, Any]:
        """Render the definition as the properties API does."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": "",
            "groupName": self.group,
            "options": [option.to_json() for option in self.options],
            "displayOrder": -1,
            "calculated": False,
            "externalOptions": False,
            "hasUniqueValue": self.unique,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
            "formField": not self.read_only,
            "createdAt": created_at,
            "updatedAt": created_at,
            "archived": False,
        }


def _options(*values: str) -> tuple[FakeHubSpotPropertyOption, ...]:
    return tuple(
        FakeHubSpotPropertyOption(
            value=value,
            label=value.replace("_", " ").title(),
            display_order=index,
        )
        for index, value in enumerate(values)
    )


def _default(
    name: str,
    group: str,
    type_: str,
    field_type: str,
    *,
    unique: bool = False,
    options: tuple[FakeHubSpotPropertyOption, ...] = (),
) -> FakeHubSpotProperty:
    """A default property labelled from its name, as HubSpot's look."""
    return FakeHubSpotProperty(
        name=name,
        type=type_,
        field_type=field_type,
        group=group,
        label=name.replace("_", " ").capitalize(),
        unique=unique,
        options=options,
    )


def _text(
    name: str, group: str, *, unique: bool = False
) -> FakeHubSpotProperty:
    return _default(name, group, "string", "text", unique=unique)


def _number(name: str, group: str) -> FakeHubSpotProperty:
    return _default(name, group, "number", "number")


def _date(name: str, group: str) -> FakeHubSpotProperty:
    return _default(name, group, "date", "date")


def _datetime(name: str, group: str) -> FakeHubSpotProperty:
    return _default(name, group, "datetime", "date")


def _select(
    name: str, group: str, *values: str, multiple: bool = False
) -> FakeHubSpotProperty:
    return _default(
        name,
        group,
        "enumeration",
        "checkbox" if multiple else "select",
        options=_options(*values),
    )


def _system(
    info_group: str, *, contacts: bool = False
) -> list[FakeHubSpotProperty]:
    props = [
        FakeHubSpotProperty(
            name="hs_object_id",
            type="number",
            field_type="number",
            group=info_group,
            label="Record ID",
            read_only=True,
        ),
        FakeHubSpotProperty(
            name="createdate",
            type="datetime",
            field_type="date",
            group=info_group,
            label="Create Date",
            read_only=True,
        ),
        FakeHubSpotProperty(
            name="hs_createdate",
            type="datetime",
            field_type="date",
            group=info_group,
            label="Object create date/time",
            read_only=True,
        ),
        FakeHubSpotProperty(
            name="hs_lastmodifieddate",
            type="datetime",
            field_type="date",
            group=info_group,
            label="Last Modified Date",
            read_only=True,
        ),
    ]
    if contacts:
        props.append(
            FakeHubSpotProperty(
                name="lastmodifieddate",
                type="datetime",
                field_type="date",
                group=info_group,
                label="Last Modified Date",
                read_only=True,
            )
        )
    return props


def default_groups(object_type_name: str) -> tuple[PropertyGroup, ...]:
    """Return the default property groups of an object type."""
    info = _info_group(object_type_name)
    groups = [
        PropertyGroup(
            name=info, label=f"{object_type_name} information".capitalize()
        )
    ]
    if object_type_name == "deals":
        # The group HubSpot's QuickBooks app never writes (design B17).
        groups.append(
            PropertyGroup(
                name="accounting", label="Accounting", display_order=1
            )
        )
    return tuple(groups)


def _info_group(object_type_name: str) -> str:
    return {
        "contacts": "contactinformation",
        "companies": "companyinformation",
        "deals": "dealinformation",
        "products": "productinformation",
        "line_items": "lineiteminformation",
        "notes": "engagement",
        "invoices": "invoiceinformation",
    }[object_type_name]


def default_properties(
    object_type_name: str,
) -> tuple[FakeHubSpotProperty, ...]:
    """Return the default property definitions of an object type."""
    group = _info_group(object_type_name)
    props = _system(group, contacts=object_type_name == "contacts")
    props.extend(_DEFAULTS[object_type_name](group))
    return tuple(props)


def _contacts(g: str) -> list[FakeHubSpotProperty]:
    return [
        _text("email", g, unique=True),
        *(
            _text(n, g)
            for n in (
                "firstname",
                "lastname",
                "company",
                "website",
                "address",
                "city",
                "state",
                "zip",
                "country",
                "jobtitle",
            )
        ),
        *(
            FakeHubSpotProperty(
                name=n,
                type="string",
                field_type="phonenumber",
                group=g,
                label=n.capitalize(),
            )
            for n in ("phone", "mobilephone", "fax")
        ),
        _select(
            "lifecyclestage",
            g,
            "subscriber",
            "lead",
            "marketingqualifiedlead",
            "salesqualifiedlead",
            "opportunity",
            "customer",
            "evangelist",
            "other",
        ),
        _select(
            "hs_lead_status",
            g,
            "NEW",
            "OPEN",
            "IN_PROGRESS",
            "OPEN_DEAL",
            "UNQUALIFIED",
            "ATTEMPTED_TO_CONTACT",
            "CONNECTED",
            "BAD_TIMING",
        ),
        FakeHubSpotProperty(
            name="associatedcompanyid",
            type="number",
            field_type="number",
            group=g,
            label="Primary Associated Company ID",
            read_only=True,
        ),
    ]


def _companies(g: str) -> list[FakeHubSpotProperty]:
    return [
        *(
            _text(n, g)
            for n in (
                "name",
                "domain",
                "website",
                "address",
                "city",
                "state",
                "zip",
                "country",
                "description",
                "industry",
            )
        ),
        FakeHubSpotProperty(
            name="phone",
            type="string",
            field_type="phonenumber",
            group=g,
            label="Phone",
        ),
        _number("numberofemployees", g),
        _number("annualrevenue", g),
    ]


def _deals(g: str) -> list[FakeHubSpotProperty]:
    return [
        _text("dealname", g),
        _number("amount", g),
        _datetime("closedate", g),
        _select(
            "dealstage",
            g,
            "appointmentscheduled",
            "qualifiedtobuy",
            "presentationscheduled",
            "decisionmakerboughtin",
            "contractsent",
            "closedwon",
            "closedlost",
        ),
        _select("pipeline", g, "default"),
        _text("description", g),
        # The "Accounting" group; internal names are the fake's own (the
        # real group's names are not documented, hubspot-api.md §1.3).
        _text("accounting_invoice_number", "accounting"),
        _select(
            "accounting_invoice_status",
            "accounting",
            "draft",
            "open",
            "paid",
            "voided",
        ),
        _number("accounting_invoice_balance", "accounting"),
        _date("accounting_invoice_due_date", "accounting"),
        _date("accounting_payment_date", "accounting"),
    ]


def _products(g: str) -> list[FakeHubSpotProperty]:
    return [
        _text("name", g),
        _text("description", g),
        _number("price", g),
        _text("hs_sku", g),
        _number("hs_cost_of_goods_sold", g),
        _text("hs_recurring_billing_period", g),
    ]


def _line_items(g: str) -> list[FakeHubSpotProperty]:
    return [
        _text("name", g),
        _text("description", g),
        _number("hs_product_id", g),
        _number("quantity", g),
        _number("price", g),
        _text("hs_sku", g),
        _text("hs_tax_rate_group_id", g),
        FakeHubSpotProperty(
            name="amount",
            type="number",
            field_type="calculation_equation",
            group=g,
            label="Net price",
            read_only=True,
        ),
    ]


def _notes(g: str) -> list[FakeHubSpotProperty]:
    return [
        FakeHubSpotProperty(
            name="hs_note_body",
            type="string",
            field_type="html",
            group=g,
            label="Note body",
        ),
        _datetime("hs_timestamp", g),
        _text("hubspot_owner_id", g),
    ]


def _invoices(g: str) -> list[FakeHubSpotProperty]:
    return [
        _text("hs_currency", g),
        _select("hs_invoice_status", g, "draft", "open", "paid", "voided"),
        _number("hs_amount_billed", g),
        _number("hs_balance_due", g),
        _number("hs_amount_paid", g),
        _date("hs_due_date", g),
        _date("hs_invoice_date", g),
        _date("hs_payment_date", g),
        _text("hs_number", g),
        _text("hs_title", g),
        _text("hs_comments", g),
        _text("hs_purchase_order_number", g),
        _text("hs_external_invoice_id", g),
        _text("hs_invoice_link", g),
        _select(
            "hs_invoice_source",
            g,
            "hubspot",
            "data_sync",
            "legacy_quickbooks",
        ),
    ]


_DEFAULTS = {
    "contacts": _contacts,
    "companies": _companies,
    "deals": _deals,
    "products": _products,
    "line_items": _line_items,
    "notes": _notes,
    "invoices": _invoices,
}

#: Properties an object type needs on create (hubspot-api.md §3.4).
REQUIRED_ON_CREATE: Mapping[str, tuple[str, ...]] = {
    "invoices": ("hs_currency",)
}


class PropertyProblem(Exception):  # noqa: N818 - a verdict, not a bug
    """A property value HubSpot would refuse."""

    def __init__(self, name: str, code: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.code = code
        self.message = message

    def detail(self) -> ErrorDetail:
        """Render the problem as one entry of an error body."""
        return ErrorDetail(
            message=self.message,
            code=self.code,
            in_=self.name,
            context={"propertyName": [self.name]},
        )

    def legacy(self) -> dict[str, Any]:
        """Render the problem as HubSpot embeds it in the error message."""
        return {
            "isValid": False,
            "message": self.message,
            "error": self.code,
            "name": self.name,
            "localizedErrorMessage": self.message,
        }


def format_datetime(value: dt.datetime) -> str:
    """Render an aware datetime as HubSpot does: ISO 8601 UTC with ms."""
    utc = value.astimezone(dt.UTC)
    return (
        utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    )


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return str(value)


def normalize_value(definition: FakeHubSpotProperty, raw: object) -> str:
    """
    Check one incoming value against its definition; return it normalised.

    ``None`` and ``""`` clear the value (returned as ``""``).

    Raises:
        PropertyProblem: The value is not valid for the property.
    """
    text = "" if raw is None else _as_text(raw)
    if text == "":
        return ""
    check = _CHECKS.get(definition.type, _check_text)
    return check(definition, text)


def _check_number(definition: FakeHubSpotProperty, text: str) -> str:
    if not _NUMBER.match(text):
        # HubSpot names every malformed number INVALID_INTEGER, decimals
        # included (seen on a deal's amount: "... was not a valid number.").
        raise PropertyProblem(
            definition.name,
            "INVALID_INTEGER",
            f"{text} was not a valid number.",
        )
    return text


def _check_bool(definition: FakeHubSpotProperty, text: str) -> str:
    if text.lower() not in {"true", "false"}:
        raise PropertyProblem(
            definition.name,
            "INVALID_BOOLEAN",
            f"{text} was not a valid boolean (true or false).",
        )
    return text.lower()


def _check_text(definition: FakeHubSpotProperty, text: str) -> str:
    if definition.name == "email" and not _EMAIL.match(text):
        raise PropertyProblem(
            definition.name,
            "INVALID_EMAIL",
            f"Email address {text} is invalid",
        )
    return text


def _check_date(definition: FakeHubSpotProperty, text: str) -> str:
    return _normalize_date(definition.name, text)


def _check_datetime(definition: FakeHubSpotProperty, text: str) -> str:
    return _normalize_datetime(definition.name, text)


def _check_options(definition: FakeHubSpotProperty, text: str) -> str:
    allowed = [option.value for option in definition.options]
    values = text.split(";") if definition.multiple else [text]
    for value in values:
        if value not in allowed:
            raise PropertyProblem(
                definition.name,
                "INVALID_OPTION",
                f"{value} was not one of the allowed options: "
                f"[{', '.join(allowed)}]",
            )
    return text


def _normalize_date(name: str, text: str) -> str:
    if _EPOCH_MS.match(text):
        ms = int(text)
        if ms % _MS_PER_DAY:
            raise PropertyProblem(
                name,
                "INVALID_DATE",
                f"{text} is at a time other than midnight! Dates must be "
                "given as midnight UTC.",
            )
        return (
            (
                dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
                + dt.timedelta(milliseconds=ms)
            )
            .date()
            .isoformat()
        )
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise PropertyProblem(
        name,
        "INVALID_DATE",
        f"{text} was not a valid date (YYYY-MM-DD or epoch milliseconds "
        "at midnight UTC).",
    )


def _normalize_datetime(name: str, text: str) -> str:
    if _EPOCH_MS.match(text):
        return format_datetime(
            dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
            + dt.timedelta(milliseconds=int(text))
        )
    try:
        parsed = date_parser.isoparse(text)
    except ValueError:
        raise PropertyProblem(
            name,
            "INVALID_DATETIME",
            f"{text} was not a valid datetime (ISO 8601 or epoch "
            "milliseconds).",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return format_datetime(parsed)


_CHECKS: Mapping[str, Callable[[FakeHubSpotProperty, str], str]] = {
    "number": _check_number,
    "bool": _check_bool,
    "enumeration": _check_options,
    "date": _check_date,
    "datetime": _check_datetime,
}


def check_definitions(
    definitions: Iterable[FakeHubSpotProperty],
) -> None:
    """Refuse definitions with an unknown type or field type."""
    for definition in definitions:
        if definition.type not in PROPERTY_TYPES:
            raise ApiFailure(
                400,
                "VALIDATION_ERROR",
                f"Property type {definition.type!r} is not one of "
                f"{sorted(PROPERTY_TYPES)}",
            )
        if definition.field_type not in FIELD_TYPES:
            raise ApiFailure(
                400,
                "VALIDATION_ERROR",
                f"Field type {definition.field_type!r} is not one of "
                f"{sorted(FIELD_TYPES)}",
            )
