"""
The wire format: JSON with Decimal money, and times as QBO writes them.

QBO stamps ``MetaData`` times in US Pacific time with the offset of the day
(``-08:00`` in winter, ``-07:00`` in summer), whatever the company's time
zone. The offset is computed here from the US daylight-saving rules rather
than a time zone database, so the fake behaves the same on every platform.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from dateutil import parser as date_parser


__all__ = [
    "dumps",
    "loads",
    "pacific",
    "parse_datetime",
    "to_decimal",
    "wire_time",
    "wire_time_ms",
]

_SUNDAY = 6


def _nth_sunday(year: int, month: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    days = (_SUNDAY - first.weekday()) % 7
    return first + dt.timedelta(days=days + 7 * (nth - 1))


def _pacific_offset(moment: dt.datetime) -> dt.timedelta:
    """Return Pacific time's UTC offset at the aware instant *moment*."""
    utc = moment.astimezone(dt.UTC)
    # Daylight time runs from 02:00 PST on the second Sunday of March
    # (10:00 UTC) to 02:00 PDT on the first Sunday of November (09:00 UTC).
    start = dt.datetime.combine(
        _nth_sunday(utc.year, 3, 2), dt.time(10), tzinfo=dt.UTC
    )
    end = dt.datetime.combine(
        _nth_sunday(utc.year, 11, 1), dt.time(9), tzinfo=dt.UTC
    )
    hours = -7 if start <= utc < end else -8
    return dt.timedelta(hours=hours)


def pacific(moment: dt.datetime) -> dt.datetime:
    """Return the aware *moment* expressed in US Pacific time."""
    return moment.astimezone(dt.timezone(_pacific_offset(moment)))


def wire_time(moment: dt.datetime) -> str:
    """Format a ``MetaData`` time: Pacific, whole seconds, with offset."""
    return pacific(moment).isoformat(timespec="seconds")


def wire_time_ms(moment: dt.datetime) -> str:
    """Format a response ``time``: Pacific, milliseconds, with offset."""
    return pacific(moment).isoformat(timespec="milliseconds")


def parse_datetime(text: str) -> dt.datetime:
    """
    Parse a QBO date or datetime into an aware datetime.

    A value without an offset is read as Pacific time, the time zone QBO's
    own servers use. Raises ValueError when *text* is not a date.
    """
    parsed = date_parser.isoparse(text.strip())
    if parsed.tzinfo is not None:
        return parsed
    guess = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    return parsed.replace(tzinfo=dt.timezone(_pacific_offset(guess)))


def to_decimal(value: object) -> decimal.Decimal:
    """
    Read a JSON number (or a numeric string, as some clients send) exactly.

    Raises ValueError when *value* is not a number.
    """
    if isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            result = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
        if result.is_finite():
            return result
    raise ValueError(f"not a number: {value!r}")


def _default(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        # Money has at most a few decimals, which float's shortest repr
        # writes back exactly; QBO writes amounts as JSON numbers too.
        return (
            int(value)
            if value == value.to_integral_value()
            and (value.as_tuple().exponent == 0)
            else float(value)
        )
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(payload: object) -> bytes:
    """Serialise *payload* as compact UTF-8 JSON (Decimal as numbers)."""
    return json.dumps(
        payload, default=_default, separators=(",", ":"), ensure_ascii=False
    ).encode()


def loads(body: bytes | str) -> Any:  # noqa: ANN401 - JSON is untyped
    """Parse a JSON request body, reading fractions as Decimal."""
    return json.loads(body, parse_float=decimal.Decimal)
