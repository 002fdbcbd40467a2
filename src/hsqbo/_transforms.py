"""
Named transforms: the serialisable value conversions a field map applies.

A transform name is one of :data:`TRANSFORM_NAMES`, ``decimal:N``, or several
of them joined by ``|`` (applied left to right), e.g. ``"strip|lower"``.
Every transform is idempotent and leaves ``None`` alone.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil import parser as date_parser

from hsqbo._errors import HsqboError
from hsqbo._record import FieldValue


__all__ = [
    "TRANSFORM_NAMES",
    "TransformError",
    "compile_transform",
    "transform_problems",
]

_MAX_PLACES = 10
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_MS = re.compile(r"^-?\d{10,}$")
_TRUE = frozenset({"true", "yes", "1", "on", "y", "t"})
_FALSE = frozenset({"false", "no", "0", "off", "n", "f"})


class TransformError(HsqboError, ValueError):
    """
    A value cannot be converted by a field map's transform.

    The planner reports it as an ``INVALID_VALUE`` error on the record.

    Args:
        transform: The transform's name (callables by ``module.qualname``).
        value: The value that could not be converted.
        reason: Why, in a few words.

    .. versionadded:: 0.1.0
    """

    def __init__(self, transform: str, value: object, reason: str) -> None:
        super().__init__(
            f"transform {transform!r} cannot convert {value!r}: {reason}"
        )
        #: The transform's name.
        self.transform = transform
        #: The value that failed.
        self.value = value
        #: Why it failed.
        self.reason = reason


_Fn = Callable[[FieldValue], FieldValue]


def _strip(value: FieldValue) -> FieldValue:
    return value.strip() if isinstance(value, str) else value


def _lower(value: FieldValue) -> FieldValue:
    # lower(), not casefold(): the result is also written to the other
    # side, and "Straße" should stay "straße". Both are idempotent.
    return value.lower() if isinstance(value, str) else value


def _upper(value: FieldValue) -> FieldValue:
    return value.upper() if isinstance(value, str) else value


def _scalar_text(name: str, value: FieldValue) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TransformError(name, value, "expected text or a number")
    return str(value)


def _ascii_digits(text: str) -> str:
    # Unicode decimal digits (e.g. Arabic-Indic) become their ASCII digit.
    return "".join(
        str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal()
    )


def _digits(value: FieldValue) -> FieldValue:
    if value is None:
        return None
    return _ascii_digits(_scalar_text("digits", value))


def _phone(value: FieldValue) -> FieldValue:
    if value is None:
        return None
    text = _scalar_text("phone", value).strip()
    digits = _ascii_digits(text)
    if not digits:
        return ""
    return f"+{digits}" if text.startswith("+") else digits


def _text(value: FieldValue) -> FieldValue:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise TransformError("text", value, "expected a scalar value")


def _to_decimal(name: str, value: FieldValue) -> Decimal:
    if isinstance(value, bool):
        raise TransformError(name, value, "a boolean is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise TransformError(name, value, "not a number") from None
    else:
        raise TransformError(name, value, "expected a number")
    if not result.is_finite():
        raise TransformError(name, value, "not a finite number")
    return result


def _decimal(places: int | None) -> _Fn:
    name = "decimal" if places is None else f"decimal:{places}"
    exponent = None if places is None else Decimal(1).scaleb(-places)

    def convert(value: FieldValue) -> FieldValue:
        if value is None:
            return None
        number = _to_decimal(name, value)
        if exponent is None:
            return number
        try:
            return number.quantize(exponent, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise TransformError(name, value, "too many digits") from None

    return convert


def parse_instant(value: FieldValue) -> dt.datetime | None:
    """
    Read a date or datetime as an aware UTC datetime, or ``None``.

    Dates count as midnight UTC (HubSpot stores ``date`` properties so);
    strings are ISO 8601 (or anything dateutil reads) or epoch milliseconds;
    naive datetimes cannot be placed in time and give ``None``.
    """
    if isinstance(value, dt.datetime):
        aware = value.tzinfo is not None and value.utcoffset() is not None
        return value.astimezone(dt.UTC) if aware else None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_epoch_ms(value)
    if isinstance(value, str):
        return _parse_text_instant(value.strip())
    return None


@functools.lru_cache(maxsize=4096)
def _parse_text_instant(text: str) -> dt.datetime | None:
    # Cached: filter values are parsed once per record they are compared to.
    if _EPOCH_MS.match(text):
        return _from_epoch_ms(int(text))
    try:
        parsed = date_parser.isoparse(text)
    except ValueError:
        try:
            parsed = date_parser.parse(text)
        except (ValueError, OverflowError):
            return None
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        return parsed.astimezone(dt.UTC)
    if _is_date_only(text, parsed):
        return parsed.replace(tzinfo=dt.UTC)
    return None


def _is_date_only(text: str, parsed: dt.datetime) -> bool:
    return parsed.time() == dt.time() and not re.search(r"\d:\d", text)


def _from_epoch_ms(millis: int) -> dt.datetime | None:
    try:
        return _EPOCH + dt.timedelta(milliseconds=millis)
    except OverflowError:
        return None


def _date(value: FieldValue) -> FieldValue:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        instant = parse_instant(value)
        if instant is None:
            raise TransformError("date", value, "naive datetime")
        return instant.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and not value.strip():
        return value
    instant = parse_instant(value)
    if instant is None:
        raise TransformError("date", value, "not a date")
    return instant.date()


def _datetime(value: FieldValue) -> FieldValue:
    if value is None or (isinstance(value, str) and not value.strip()):
        return value
    if isinstance(value, bool):
        raise TransformError("datetime", value, "not a date or time")
    instant = parse_instant(value)
    if instant is None:
        raise TransformError(
            "datetime", value, "not a date or time with a UTC offset"
        )
    return instant


def _bool(value: FieldValue) -> FieldValue:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in {0, 1}:
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if not word:
            return value
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise TransformError("bool", value, "not a yes/no value")


_SIMPLE: dict[str, _Fn] = {
    "bool": _bool,
    "date": _date,
    "datetime": _datetime,
    "decimal": _decimal(None),
    "digits": _digits,
    "lower": _lower,
    "phone": _phone,
    "strip": _strip,
    "text": _text,
    "upper": _upper,
}

TRANSFORM_NAMES: tuple[str, ...] = (*sorted(_SIMPLE), "decimal:N")
"""Every transform name; ``decimal:N`` rounds half up to N places (0-10)."""


def _one(name: str) -> _Fn | str:
    """Return the function for one step, or why the name is invalid."""
    if name in _SIMPLE:
        return _SIMPLE[name]
    head, sep, arg = name.partition(":")
    if head == "decimal" and sep:
        if not arg.isdigit() or int(arg) > _MAX_PLACES:
            return (
                f"invalid places {arg!r} in {name!r}: "
                f"use a whole number from 0 to {_MAX_PLACES}"
            )
        return _decimal(int(arg))
    message = f"unknown transform {name!r}"
    close = difflib.get_close_matches(name, [*_SIMPLE, "decimal:2"], n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message + f"; valid: {', '.join(TRANSFORM_NAMES)}"


def transform_problems(spec: str) -> list[str]:
    """
    List what is wrong with a transform name (empty when valid).

    >>> from hsqbo._transforms import transform_problems
    >>> transform_problems("strip|lowr")[0][:41]
    "unknown transform 'lowr' (did you mean 'l"
    """
    if not spec.strip():
        return ["empty transform name"]
    problems = []
    for step in spec.split("|"):
        found = _one(step.strip())
        if isinstance(found, str):
            problems.append(found)
    return problems


def compile_transform(spec: str) -> _Fn:
    """
    Turn a transform name into a function.

    Raises:
        ValueError: The name is not valid (see :func:`transform_problems`).
    """
    steps: list[_Fn] = []
    for step in spec.split("|"):
        found = _one(step.strip())
        if isinstance(found, str):
            raise ValueError(found)  # noqa: TRY004 - a bad name, not type
        steps.append(found)
    if len(steps) == 1:
        return steps[0]

    def chain(value: FieldValue) -> FieldValue:
        for fn in steps:
            value = fn(value)
        return value

    return chain
