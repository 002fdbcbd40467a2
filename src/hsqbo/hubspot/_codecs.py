"""
Property value codecs: HubSpot sends and takes every value as a string.

Decoding turns the wire string into a Python value by the property's
:class:`PropertyType`; encoding turns a Python value back into the string
HubSpot accepts. ``date`` properties hold a date at midnight UTC
(``YYYY-MM-DD`` on the way out); ``datetime`` properties accept ISO 8601 or
epoch milliseconds and are always decoded to aware UTC; numbers become
:class:`~decimal.Decimal` so money never passes through a float.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import dateutil.parser

from hsqbo._record import FieldValue


__all__ = [
    "PropertyType",
    "decode_datetime",
    "decode_properties",
    "decode_value",
    "encode_value",
]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS_PER_DAY = 86_400_000
# Properties every object carries whatever the portal's definitions say.
_SYSTEM_TYPES: Mapping[str, str] = {
    "createdate": "datetime",
    "hs_createdate": "datetime",
    "lastmodifieddate": "datetime",
    "hs_lastmodifieddate": "datetime",
}


class PropertyType(enum.Enum):
    """
    The data type of a HubSpot property (its ``type``, not ``fieldType``).

    .. versionadded:: 0.1.0
    """

    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    ENUMERATION = "enumeration"
    BOOL = "bool"
    PHONE_NUMBER = "phone_number"
    OBJECT_COORDINATES = "object_coordinates"
    JSON = "json"

    @classmethod
    def parse(cls, text: str) -> PropertyType:
        """
        Return the type named *text*; unknown names are treated as strings.

        HubSpot adds types over time; a connector that refused them would
        break on a portal it has never seen.

        >>> from hsqbo.hubspot import PropertyType
        >>> PropertyType.parse("datetime")
        <PropertyType.DATETIME: 'datetime'>
        >>> PropertyType.parse("something_new")
        <PropertyType.STRING: 'string'>
        """
        try:
            return cls(text)
        except ValueError:
            return cls.STRING


def _epoch_ms(moment: dt.datetime) -> int:
    delta = moment.astimezone(dt.UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + (
        delta.microseconds // 1000
    )


def decode_datetime(text: str) -> dt.datetime:
    """
    Parse an ISO 8601 string or epoch milliseconds into aware UTC.

    A value without an offset is taken as UTC, which is what HubSpot means.

    Raises:
        ValueError: *text* is neither.

    >>> from hsqbo.hubspot import decode_datetime
    >>> decode_datetime("1430438400000").isoformat()
    '2015-05-01T00:00:00+00:00'
    >>> decode_datetime("2023-03-08T14:54:17.333Z").isoformat()
    '2023-03-08T14:54:17.333000+00:00'

    .. versionadded:: 0.1.0
    """
    stripped = text.strip()
    if stripped.lstrip("-").isdigit():
        return _EPOCH + dt.timedelta(milliseconds=int(stripped))
    try:
        # The stdlib parses HubSpot's own form (``...T14:54:17.333Z``) ten
        # times faster than dateutil, which stays for the odd variants.
        parsed = dt.datetime.fromisoformat(stripped)
    except ValueError:
        parsed = None
    try:
        parsed = parsed or dateutil.parser.isoparse(stripped)
    except (ValueError, OverflowError) as exc:
        msg = f"not an ISO 8601 datetime or epoch milliseconds: {text!r}"
        raise ValueError(msg) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _decode_date(text: str) -> dt.date:
    stripped = text.strip()
    if stripped.lstrip("-").isdigit():
        millis = int(stripped)
        if millis % _MS_PER_DAY:
            msg = f"a date must be midnight UTC, got {text!r}"
            raise ValueError(msg)
        return (_EPOCH + dt.timedelta(milliseconds=millis)).date()
    if len(stripped) == len("YYYY-MM-DD"):
        return dt.date.fromisoformat(stripped)
    moment = decode_datetime(stripped)
    if moment.timetz().replace(tzinfo=None) != dt.time():
        msg = f"a date must be midnight UTC, got {text!r}"
        raise ValueError(msg)
    return moment.date()


def _decode_number(text: str) -> Decimal:
    try:
        number = Decimal(text.strip())
    except InvalidOperation as exc:
        msg = f"not a number: {text!r}"
        raise ValueError(msg) from exc
    if not number.is_finite():
        msg = f"not a finite number: {text!r}"
        raise ValueError(msg)
    return number


def decode_value(text: str | None, type_: PropertyType) -> FieldValue:
    """
    Decode one wire value by its property type.

    An empty string or ``None`` (HubSpot's "no value") decodes to ``None``.

    Raises:
        ValueError: *text* does not fit *type_*.

    >>> from hsqbo.hubspot import PropertyType, decode_value
    >>> decode_value("12.50", PropertyType.NUMBER)
    Decimal('12.50')
    >>> decode_value("2026-03-01", PropertyType.DATE)
    datetime.date(2026, 3, 1)
    >>> decode_value("true", PropertyType.BOOL)
    True

    .. versionadded:: 0.1.0
    """
    if text is None or text == "":
        return None
    match type_:
        case PropertyType.NUMBER:
            return _decode_number(text)
        case PropertyType.DATE:
            return _decode_date(text)
        case PropertyType.DATETIME:
            return decode_datetime(text)
        case PropertyType.BOOL:
            lowered = text.strip().lower()
            if lowered not in {"true", "false"}:
                msg = f"not a boolean: {text!r}"
                raise ValueError(msg)
            return lowered == "true"
        case _:
            return text


def decode_properties(
    properties: Mapping[str, str | None],
    types: Mapping[str, PropertyType],
) -> dict[str, FieldValue]:
    """
    Decode every property of an object, by the given property types.

    Properties without a known type stay strings, except the timestamps every
    object carries (``createdate``, ``hs_lastmodifieddate``...), which become
    aware datetimes.
    """
    decoded: dict[str, FieldValue] = {}
    for name, text in properties.items():
        type_ = types.get(name)
        if type_ is None:
            type_ = PropertyType(_SYSTEM_TYPES.get(name, "string"))
        decoded[name] = decode_value(text, type_)
    return decoded


def _encode_decimal(number: Decimal) -> str:
    if not number.is_finite():
        msg = f"HubSpot numbers must be finite, got {number}"
        raise ValueError(msg)
    # Plain notation: HubSpot refuses exponents ("1E+3") and separators.
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def encode_value(value: FieldValue) -> str:  # noqa: C901, PLR0911 - one case per type
    """
    Encode a Python value as the string HubSpot expects.

    ``None`` becomes ``""``, which clears the property on update; tuples of
    strings become a ``;``-separated multi-select value.

    Raises:
        ValueError: A naive datetime, a non-finite number or a value HubSpot
            cannot store.

    >>> from decimal import Decimal
    >>> from hsqbo.hubspot import encode_value
    >>> encode_value(dt.date(2026, 3, 1))
    '2026-03-01'
    >>> encode_value(dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC))
    '2026-03-01T09:30:00.000Z'
    >>> encode_value(Decimal("12.500"))
    '12.5'
    >>> encode_value(True)
    'true'

    .. versionadded:: 0.1.0
    """
    match value:
        case None:
            return ""
        case bool():
            return "true" if value else "false"
        case str():
            return value
        case dt.datetime():
            if value.tzinfo is None or value.utcoffset() is None:
                msg = "naive datetimes are ambiguous; pass an aware one"
                raise ValueError(msg)
            utc = value.astimezone(dt.UTC)
            millis = utc.microsecond // 1000
            return f"{utc:%Y-%m-%dT%H:%M:%S}.{millis:03d}Z"
        case dt.date():
            return value.isoformat()
        case int():
            return str(value)
        case Decimal():
            return _encode_decimal(value)
        case float():
            return _encode_decimal(Decimal(repr(value)))
        case tuple():
            return ";".join(encode_value(item) for item in value)
        case _:
            msg = f"cannot store a {type(value).__name__} in a property"
            raise ValueError(msg)


def epoch_ms(value: dt.datetime | dt.date) -> int:
    """Return *value* as epoch milliseconds (a date at midnight UTC)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            msg = "naive datetimes are ambiguous; pass an aware one"
            raise ValueError(msg)
        return _epoch_ms(value)
    return _epoch_ms(dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC))
