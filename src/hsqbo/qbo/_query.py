"""
A typed builder for QBO's query language.

Queries are data (:class:`Query`, :class:`Condition`) compiled to text in
one place, and every name and value in that text goes through one function,
:func:`escape`, so no value can change what a query means.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Generic, Literal, TypeAlias, TypeVar

import attrs

from hsqbo.qbo._models import Entity


__all__ = [
    "MAX_PAGE_SIZE",
    "Condition",
    "Query",
    "QueryOperator",
    "QueryValue",
    "escape",
    "select",
]

MAX_PAGE_SIZE = 1000
"""QBO answers at most this many rows per query."""

QueryValue: TypeAlias = str | bool | int | Decimal | dt.date | dt.datetime
"""A value a condition compares with."""

E = TypeVar("E", bound=Entity)

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*")


class QueryOperator(enum.Enum):
    """
    The comparison operators QBO's query language has.

    .. versionadded:: 0.1.0
    """

    EQ = "="
    LT = "<"
    GT = ">"
    LTE = "<="
    GTE = ">="
    IN = "IN"
    LIKE = "LIKE"


def escape(text: str, *, kind: Literal["value", "name"]) -> str:
    r"""
    Return *text* safe to place in a query, as a value or as a name.

    A value becomes a quoted string in which backslashes and apostrophes are
    escaped with a backslash, so it always ends where it was meant to. A
    name (an entity or a dotted property path) cannot be quoted in QBO's
    language, so anything but letters, digits and dots is refused.

    >>> from hsqbo.qbo import escape
    >>> print(escape("O'Brien \\ Sons", kind="value"))
    'O\'Brien \\ Sons'
    >>> escape("MetaData.LastUpdatedTime", kind="name")
    'MetaData.LastUpdatedTime'

    Raises:
        ValueError: A name with other characters.

    .. versionadded:: 0.1.0
    """
    if kind == "name":
        if not _NAME.fullmatch(text):
            msg = f"not a QBO property name: {text!r}"
            raise ValueError(msg)
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _render_value(value: QueryValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            msg = f"not a finite number: {value}"
            raise ValueError(msg)
        return escape(str(value), kind="value")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            msg = "query datetimes must be timezone-aware"
            raise ValueError(msg)
        return escape(value.isoformat(), kind="value")
    if isinstance(value, dt.date):
        return escape(value.isoformat(), kind="value")
    if not isinstance(value, str):
        # Callers without type checking can pass anything.
        msg = f"cannot compare with {type(value).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    return escape(value, kind="value")


def _values(value: object) -> tuple[QueryValue, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        msg = "IN needs a sequence of values"
        raise TypeError(msg)
    return tuple(value)


@attrs.frozen(kw_only=True)
class Condition:
    """
    One ``<property> <operator> <value>`` test; conditions are ANDed.

    .. versionadded:: 0.1.0
    """

    field: str = attrs.field()
    operator: QueryOperator
    value: QueryValue | tuple[QueryValue, ...]

    @field.validator
    def _check_field(self, _: attrs.Attribute[str], value: str) -> None:
        escape(value, kind="name")

    def to_text(self) -> str:
        """Render the condition."""
        name = escape(self.field, kind="name")
        if self.operator is QueryOperator.IN:
            values = _values(self.value)
            if not values:
                msg = f"IN on {self.field} needs at least one value"
                raise ValueError(msg)
            inner = ", ".join(_render_value(v) for v in values)
            return f"{name} IN ({inner})"
        if isinstance(self.value, tuple):
            msg = f"{self.operator.name} takes one value, not a tuple"
            raise TypeError(msg)
        return f"{name} {self.operator.value} {_render_value(self.value)}"


@attrs.frozen(kw_only=True)
class Query(Generic[E]):
    r"""
    A ``SELECT`` on one entity: conditions, ordering, inactive rows.

    Build one with :func:`select`; every method returns a new query.

    >>> from hsqbo.qbo import Customer, select
    >>> q = (select(Customer).where("DisplayName", "=", "O'Brien")
    ...      .order_by("MetaData.LastUpdatedTime"))
    >>> print(q.to_text())  # doctest: +NORMALIZE_WHITESPACE
    SELECT * FROM Customer WHERE DisplayName = 'O\'Brien'
    ORDERBY MetaData.LastUpdatedTime

    .. versionadded:: 0.1.0
    """

    entity: type[E]
    conditions: tuple[Condition, ...] = ()
    ordering: tuple[tuple[str, bool], ...] = ()
    include_inactive: bool = False

    def where(
        self,
        field: str,
        operator: QueryOperator | str,
        value: QueryValue | Sequence[QueryValue],
    ) -> Query[E]:
        """Return this query with one more condition (ANDed)."""
        op = (
            operator
            if isinstance(operator, QueryOperator)
            else QueryOperator(operator.upper())
        )
        stored: QueryValue | tuple[QueryValue, ...]
        if op is QueryOperator.IN:
            stored = _values(value)
        elif isinstance(value, QueryValue):
            stored = value
        else:
            msg = f"{op.name} takes one value"
            raise TypeError(msg)
        condition = Condition(field=field, operator=op, value=stored)
        return attrs.evolve(self, conditions=(*self.conditions, condition))

    def order_by(self, field: str, *, descending: bool = False) -> Query[E]:
        """Return this query sorted by *field* too."""
        escape(field, kind="name")
        return attrs.evolve(
            self, ordering=(*self.ordering, (field, descending))
        )

    def with_inactive(self) -> Query[E]:
        """
        Return this query with inactive name-list rows included.

        QBO hides inactive customers and items unless the query says
        ``Active IN (true, false)``.
        """
        return attrs.evolve(self, include_inactive=True)

    def _where_text(self) -> str:
        conditions = [c.to_text() for c in self.conditions]
        mentions_active = any(
            c.field.lower() == "active" for c in self.conditions
        )
        if (
            self.include_inactive
            and self.entity.NAME_LIST
            and not mentions_active
        ):
            conditions.append("Active IN (true, false)")
        return " WHERE " + " AND ".join(conditions) if conditions else ""

    def to_text(
        self,
        *,
        start_position: int | None = None,
        max_results: int | None = None,
    ) -> str:
        """
        Render ``SELECT * ...`` with optional paging.

        Args:
            start_position: The 1-based row to start at.
            max_results: Rows per page, at most 1000.
        """
        entity = escape(self.entity.ENTITY, kind="name")
        # Every name and value in the text went through escape().
        text = f"SELECT * FROM {entity}{self._where_text()}"  # noqa: S608
        if self.ordering:
            text += " ORDERBY " + ", ".join(
                f"{escape(f, kind='name')}{' DESC' if desc else ''}"
                for f, desc in self.ordering
            )
        if start_position is not None:
            if start_position < 1:
                msg = "STARTPOSITION is 1-based"
                raise ValueError(msg)
            text += f" STARTPOSITION {int(start_position)}"
        if max_results is not None:
            if not 1 <= max_results <= MAX_PAGE_SIZE:
                msg = f"MAXRESULTS must be 1..{MAX_PAGE_SIZE}"
                raise ValueError(msg)
            text += f" MAXRESULTS {int(max_results)}"
        return text

    def count_text(self) -> str:
        """Render ``SELECT COUNT(*) ...`` for the same rows."""
        entity = escape(self.entity.ENTITY, kind="name")
        return f"SELECT COUNT(*) FROM {entity}{self._where_text()}"  # noqa: S608


def select(entity: type[E]) -> Query[E]:
    """
    Start a query on *entity* (:class:`Customer`, :class:`Invoice`, ...).

    .. versionadded:: 0.1.0
    """
    return Query(entity=entity)
