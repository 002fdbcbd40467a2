"""
A small TOML writer for hsqbo's configs.

The standard library reads TOML (:mod:`tomllib`) but does not write it, and
hsqbo takes no runtime dependency for that. This writer covers what
:meth:`hsqbo.SyncConfig.to_dict` produces: tables, arrays of tables, strings,
integers, floats, booleans, dates, datetimes and arrays of those.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence


__all__ = ["dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _key(key: str) -> str:
    # fullmatch, not match: "$" would also match before a trailing newline.
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:  # noqa: PLR2004 - C0 and DEL
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _value(value: object, where: str) -> str:
    text: str
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = _float(value)
    elif isinstance(value, str):
        text = _string(value)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    elif isinstance(value, Mapping):
        items = ", ".join(
            f"{_key(k)} = {_value(v, f'{where}.{k}')}"
            for k, v in value.items()
        )
        text = "{" + items + "}" if items else "{}"
    elif isinstance(value, Sequence):
        text = "[" + ", ".join(_value(v, where) for v in value) + "]"
    else:
        msg = f"{where}: TOML cannot hold {type(value).__name__}"
        raise TypeError(msg)
    return text


def _is_table_array(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _table(
    data: Mapping[str, object], prefix: tuple[str, ...], lines: list[str]
) -> None:
    nested: list[tuple[str, object]] = []
    for key, value in data.items():
        if value is None:
            msg = f"{'.'.join((*prefix, key))}: TOML has no null"
            raise TypeError(msg)
        if isinstance(value, Mapping) or _is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value, key)}")
    for key, value in nested:
        path = (*prefix, key)
        header = ".".join(_key(p) for p in path)
        if isinstance(value, Mapping):
            lines.extend(("", f"[{header}]"))
            _table(value, path, lines)
            continue
        assert isinstance(value, Sequence)  # noqa: S101 - _is_table_array
        for item in value:
            lines.extend(("", f"[[{header}]]"))
            _table(item, path, lines)


def dumps(data: Mapping[str, object]) -> str:
    """
    Write a mapping as TOML text that :func:`tomllib.loads` reads back.

    >>> from hsqbo._toml import dumps
    >>> print(dumps({"a": 1, "t": {"b": "x y"}}), end="")
    a = 1
    <BLANKLINE>
    [t]
    b = "x y"

    Raises:
        TypeError: A value TOML cannot hold (``None``, other objects).
    """
    lines: list[str] = []
    _table(data, (), lines)
    return "\n".join(lines).lstrip("\n") + "\n"
