"""
Filters: which records an object sync takes, with HubSpot's semantics.

A filter set is a tuple of :class:`FilterGroup`; a record passes if ANY group
passes, and a group passes if ALL its filters pass. An empty set passes
everything.

How values compare (HubSpot's search semantics, evaluated locally):

* A property that is missing or empty (``None``, blank text, empty tuple)
  has no value: ``HAS_PROPERTY`` fails and ``NOT_HAS_PROPERTY`` passes;
  every comparison fails, and the negated ones (``NEQ``, ``NOT_IN``,
  ``NOT_CONTAINS_TOKEN``) pass, so each negated operator is exactly the
  complement of its positive one.
* When either value is a date or datetime (or an ISO 8601 date string, or
  epoch milliseconds next to a date), both are compared as instants; a
  date-only value is midnight UTC.
* When both values read as numbers, they compare as numbers.
* Otherwise they compare as text, case-insensitively (``casefold``).
* ``CONTAINS_TOKEN`` splits the record's value into words at whitespace and
  punctuation and passes when every word of the filter's value is one of
  them. A ``*`` in the filter's value is a wildcard matched against each
  word and against the whole value (``*@example.com`` matches e-mail
  addresses of that domain).
"""

from __future__ import annotations

import datetime as dt
import enum
import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import attrs

from hsqbo._errors import ConfigError, ConfigProblem
from hsqbo._mapping import is_empty
from hsqbo._record import FieldValue, Record
from hsqbo._transforms import parse_instant


__all__ = [
    "Filter",
    "FilterFailure",
    "FilterGroup",
    "FilterVerdict",
    "Operator",
    "evaluate",
]


class Operator(enum.Enum):
    """
    The 13 comparison operators of HubSpot's search API.

    .. versionadded:: 0.1.0
    """

    EQ = "EQ"
    NEQ = "NEQ"
    LT = "LT"
    LTE = "LTE"
    GT = "GT"
    GTE = "GTE"
    BETWEEN = "BETWEEN"
    IN = "IN"
    NOT_IN = "NOT_IN"
    HAS_PROPERTY = "HAS_PROPERTY"
    NOT_HAS_PROPERTY = "NOT_HAS_PROPERTY"
    CONTAINS_TOKEN = "CONTAINS_TOKEN"
    NOT_CONTAINS_TOKEN = "NOT_CONTAINS_TOKEN"


_NEEDS_VALUE = frozenset(
    {
        Operator.EQ,
        Operator.NEQ,
        Operator.LT,
        Operator.LTE,
        Operator.GT,
        Operator.GTE,
        Operator.BETWEEN,
        Operator.CONTAINS_TOKEN,
        Operator.NOT_CONTAINS_TOKEN,
    }
)
_NEEDS_VALUES = frozenset({Operator.IN, Operator.NOT_IN})
_NEGATIONS = {
    Operator.NEQ: Operator.EQ,
    Operator.NOT_IN: Operator.IN,
    Operator.NOT_HAS_PROPERTY: Operator.HAS_PROPERTY,
    Operator.NOT_CONTAINS_TOKEN: Operator.CONTAINS_TOKEN,
}
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"^\s*-?\d+\s*$")
_WORD_SPLIT = re.compile(r"[\W_]+")


def canonical_value(value: object) -> FieldValue:
    """
    Return the form a filter or default value is kept in.

    Text, whole numbers, booleans and ``None`` stay as they are; decimals and
    floats become their decimal text, dates and aware datetimes their ISO 8601
    text. That is the form HubSpot's search API takes, and it serialises to
    dicts, JSON and TOML without loss.

    Raises:
        ValueError: A naive datetime or a value of another type.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            msg = "naive datetime (give it a time zone)"
            raise ValueError(msg)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    msg = f"unsupported value type {type(value).__name__}"
    raise ValueError(msg)


def _canonical(value: object) -> FieldValue:
    try:
        return canonical_value(value)
    except ValueError as exc:
        raise ConfigError([ConfigProblem("value", str(exc))]) from None


def _canonical_tuple(values: object) -> tuple[FieldValue, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ConfigError(
            [ConfigProblem("values", "expected a list of values")]
        )
    problems: list[ConfigProblem] = []
    result: list[FieldValue] = []
    for index, item in enumerate(values):
        try:
            result.append(canonical_value(item))
        except ValueError as exc:
            problems.append(ConfigProblem(f"values[{index}]", str(exc)))
    if problems:
        raise ConfigError(problems)
    return tuple(result)


def filter_problems(flt: Filter) -> list[ConfigProblem]:
    """List what is wrong with a filter's shape (empty when valid)."""
    problems: list[ConfigProblem] = []
    op = flt.operator
    if not flt.property.strip():
        problems.append(ConfigProblem("property", "empty property name"))
    if op in _NEEDS_VALUE and flt.value is None:
        problems.append(ConfigProblem("value", f"{op.value} needs a value"))
    if op not in _NEEDS_VALUE and flt.value is not None:
        problems.append(ConfigProblem("value", f"{op.value} takes no value"))
    if op in _NEEDS_VALUES and not flt.values:
        problems.append(
            ConfigProblem("values", f"{op.value} needs at least one value")
        )
    if op not in _NEEDS_VALUES and flt.values:
        problems.append(
            ConfigProblem(
                "values", f"{op.value} takes no list of values (use value)"
            )
        )
    if op is Operator.BETWEEN and flt.high_value is None:
        problems.append(
            ConfigProblem("high_value", "BETWEEN needs a high_value")
        )
    if op is not Operator.BETWEEN and flt.high_value is not None:
        problems.append(
            ConfigProblem(
                "high_value", f"{op.value} takes no high_value (only BETWEEN)"
            )
        )
    problems.extend(
        ConfigProblem(f"values[{i}]", "empty value")
        for i, v in enumerate(flt.values)
        if v is None or (isinstance(v, str) and not v.strip())
    )
    if op in {Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN} and (
        flt.value is not None and not _tokens(str(flt.value).replace("*", "a"))
    ):
        problems.append(
            ConfigProblem("value", f"{op.value} needs a word to look for")
        )
    return problems


def _check_filter(flt: Filter) -> None:
    problems = filter_problems(flt)
    if problems:
        raise ConfigError(problems)


def _show(value: FieldValue) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


@attrs.frozen
class Filter:
    """
    One criterion on one property.

    Args:
        property: A HubSpot property name, or a QBO dotted path for filters
            evaluated on QBO records.
        operator: One of the 13 :class:`Operator` members (or its name).
        value: The value to compare with; needed by every operator but
            ``IN``, ``NOT_IN``, ``HAS_PROPERTY`` and ``NOT_HAS_PROPERTY``.
        values: The list for ``IN`` and ``NOT_IN``.
        high_value: The upper bound of ``BETWEEN`` (inclusive, like ``value``).

    Values are kept as text, whole numbers or booleans (decimals, dates and
    datetimes become their ISO or decimal text), as HubSpot's search API
    takes them.

    Raises:
        ConfigError: The filter's shape does not fit its operator.

    >>> Filter("email", "CONTAINS_TOKEN", value="*@example.com").describe()
    'email CONTAINS_TOKEN *@example.com'

    .. versionadded:: 0.1.0
    """

    property: str
    operator: Operator = attrs.field(converter=Operator)
    value: FieldValue = attrs.field(
        default=None, kw_only=True, converter=_canonical
    )
    values: tuple[FieldValue, ...] = attrs.field(
        default=(), converter=_canonical_tuple, kw_only=True
    )
    high_value: FieldValue = attrs.field(
        default=None, kw_only=True, converter=_canonical
    )

    def __attrs_post_init__(self) -> None:
        _check_filter(self)

    def describe(self) -> str:
        """Say the filter in one line, e.g. ``createdate GT 2026-11-27``."""
        op = self.operator
        if op in {Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY}:
            return f"{self.property} {op.value}"
        if op in _NEEDS_VALUES:
            return f"{self.property} {op.value} {_show(self.values)}"
        text = f"{self.property} {op.value} {_show(self.value)}"
        if op is Operator.BETWEEN:
            text += f" AND {_show(self.high_value)}"
        return text

    def matches(self, record: Record) -> bool:
        """Tell whether *record* passes this filter."""
        return _passes(self, record.fields.get(self.property))


def _to_filters(filters: Iterable[Filter]) -> tuple[Filter, ...]:
    return tuple(filters)


@attrs.frozen
class FilterGroup:
    """
    Filters that must ALL pass.

    .. versionadded:: 0.1.0
    """

    filters: tuple[Filter, ...] = attrs.field(converter=_to_filters)

    def matches(self, record: Record) -> bool:
        """Tell whether *record* passes every filter of this group."""
        return all(f.matches(record) for f in self.filters)


@attrs.frozen(kw_only=True)
class FilterFailure:
    """
    The first filter of one group that a record failed.

    .. versionadded:: 0.1.0
    """

    group: int
    """The group's position in the filter set, from 0."""
    index: int
    """The filter's position in its group, from 0."""
    filter: Filter
    """The filter that failed."""
    value: FieldValue
    """The record's value of the filter's property (``None`` if missing)."""

    def describe(self) -> str:
        """Say which filter failed and on what value, for people."""
        was = "no value" if is_empty(self.value) else _show(self.value)
        return (
            f"filter group {self.group + 1}, filter {self.index + 1}: "
            f"{self.filter.describe()} (was {was})"
        )


@attrs.frozen(kw_only=True)
class FilterVerdict:
    """
    Whether a record passes a filter set, and if not, why.

    .. versionadded:: 0.1.0
    """

    passed: bool
    failures: tuple[FilterFailure, ...] = ()
    """The first failing filter of every group, when the record failed."""

    @property
    def reason(self) -> str:
        """One readable sentence on why the record failed; ``""`` if passed."""
        if self.passed:
            return ""
        return "; ".join(f.describe() for f in self.failures)

    def __bool__(self) -> bool:
        return self.passed


_PASSED = FilterVerdict(passed=True)


def evaluate(groups: Sequence[FilterGroup], record: Record) -> FilterVerdict:
    """
    Evaluate a filter set on a record, with HubSpot's semantics.

    An empty set passes everything; otherwise the record passes if any group
    passes. When it fails, the verdict names the first failing filter of
    every group.

    >>> import datetime as dt
    >>> from hsqbo._filters import evaluate
    >>> when = dt.datetime(2026, 1, 3, tzinfo=dt.UTC)
    >>> r = Record(Side.HUBSPOT, "contacts", "1", {"day": when.date()}, when)
    >>> after = Filter("day", "GT", value="2026-11-27")
    >>> verdict = evaluate((FilterGroup([after]),), r)
    >>> verdict.passed
    False
    >>> print(verdict.reason)
    filter group 1, filter 1: day GT 2026-11-27 (was 2026-01-03)

    .. versionadded:: 0.1.0
    """
    if not groups:
        return _PASSED
    failures: list[FilterFailure] = []
    fields = record.fields
    for g, group in enumerate(groups):
        for i, flt in enumerate(group.filters):
            value = fields.get(flt.property)
            if not _passes(flt, value):
                failures.append(
                    FilterFailure(group=g, index=i, filter=flt, value=value)
                )
                break
        else:
            return _PASSED
    return FilterVerdict(passed=False, failures=tuple(failures))


def _passes(flt: Filter, value: FieldValue) -> bool:
    op = flt.operator
    positive = _NEGATIONS.get(op)
    if positive is not None:
        return not _positive(positive, flt, value)
    return _positive(op, flt, value)


def _positive(op: Operator, flt: Filter, value: FieldValue) -> bool:
    if is_empty(value):
        return False
    if op is Operator.HAS_PROPERTY:
        return True
    if op is Operator.IN:
        return any(_compare(value, v) == 0 for v in flt.values)
    if op is Operator.CONTAINS_TOKEN:
        return _contains_token(value, flt.value)
    return _ordered(op, flt, value)


_ORDER_CHECKS: dict[Operator, Callable[[int], bool]] = {
    Operator.EQ: lambda o: o == 0,
    Operator.LT: lambda o: o < 0,
    Operator.LTE: lambda o: o <= 0,
    Operator.GT: lambda o: o > 0,
    Operator.GTE: lambda o: o >= 0,
}


def _ordered(op: Operator, flt: Filter, value: FieldValue) -> bool:
    order = _compare(value, flt.value)
    if order is None:
        return False
    if op is Operator.BETWEEN:
        upper = _compare(value, flt.high_value)
        return order >= 0 and upper is not None and upper <= 0
    return _ORDER_CHECKS[op](order)


_C = TypeVar("_C", Decimal, dt.datetime, str)


def _sign(a: _C, b: _C) -> int:
    return (a > b) - (a < b)


def _compare(a: FieldValue, b: FieldValue) -> int | None:
    """Compare a record value with a filter value; ``None`` if incomparable."""
    if is_empty(b) or is_empty(a):
        return None
    if _is_temporal(a, b) or _is_temporal(b, a):
        ia, ib = parse_instant(a), parse_instant(b)
        if ia is not None and ib is not None:
            return _sign(ia, ib)
        if isinstance(a, dt.date) or isinstance(b, dt.date):
            return None
        # Two texts that only looked like dates ("2026-11-27-A"): as text.
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return _sign(na, nb)
    return _sign(_text(a), _text(b))


def _is_temporal(a: FieldValue, b: FieldValue) -> bool:
    if isinstance(a, dt.date):
        return True
    # An ISO date string next to another one, or next to epoch milliseconds.
    if not (isinstance(a, str) and _ISO_DATE.match(a)):
        return False
    if isinstance(b, bool):
        return False
    if isinstance(b, int):
        return True
    return isinstance(b, str) and bool(_ISO_DATE.match(b) or _DIGITS.match(b))


def _number(value: FieldValue) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _text(value: FieldValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _show(value).strip().casefold()


def _tokens(text: str) -> list[str]:
    return [t for t in _WORD_SPLIT.split(text.casefold()) if t]


def _contains_token(value: FieldValue, wanted: FieldValue) -> bool:
    if wanted is None:
        return False
    text = _text(value)
    pattern = _text(wanted)
    words = _tokens(text)
    if "*" in pattern:
        glob = pattern.replace("[", "[[]").replace("?", "[?]")
        return fnmatch.fnmatchcase(text, glob) or any(
            fnmatch.fnmatchcase(w, glob) for w in words
        )
    have = set(words)
    needed = _tokens(pattern)
    return bool(needed) and all(w in have for w in needed)
