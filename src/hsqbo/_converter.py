"""
The one cattrs converter for hsqbo's declarative objects.

Configs, filters and field maps register their hooks here (in their own
modules); the planner registers its plan and operation hooks too. Datetimes
become ISO 8601 text with their offset, dates ISO text, decimals their exact
text, and enums their value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import cattrs
from dateutil import parser as date_parser


__all__ = ["converter"]

converter = cattrs.Converter()
"""hsqbo's private converter; never :data:`cattrs.global_converter`."""


def _structure_datetime(value: object, _: type) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = date_parser.isoparse(value)
    else:
        msg = f"expected an ISO 8601 datetime, got {type(value).__name__}"
        raise TypeError(msg)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        msg = f"datetime {value!r} has no UTC offset"
        raise ValueError(msg)
    return parsed


def _structure_date(value: object, _: type) -> dt.date:
    if isinstance(value, dt.datetime):
        msg = "expected a date, got a datetime"
        raise TypeError(msg)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    msg = f"expected an ISO 8601 date, got {type(value).__name__}"
    raise TypeError(msg)


def _structure_decimal(value: object, _: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        msg = f"expected a decimal as text, got {type(value).__name__}"
        raise TypeError(msg)
    return Decimal(value)


converter.register_unstructure_hook(dt.datetime, lambda v: v.isoformat())
converter.register_structure_hook(dt.datetime, _structure_datetime)
converter.register_unstructure_hook(dt.date, lambda v: v.isoformat())
converter.register_structure_hook(dt.date, _structure_date)
converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(Decimal, _structure_decimal)
