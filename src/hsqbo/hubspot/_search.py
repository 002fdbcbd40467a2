"""
Compile :class:`~hsqbo.Filter` groups into HubSpot search requests.

A filter set is OR-of-ANDs, which is exactly HubSpot's ``filterGroups``, so
filters are pushed down whole. HubSpot caps the groups and filters of one
request; the caps are checked here, before anything is sent, so a bad
filter set fails with the path of the offending group instead of a 400.

HubSpot also stops paging a search at 10,000 results. :class:`SearchWalk`
steps past the cap by sorting on ``hs_object_id`` and, when the cap comes
near, starting over with ``hs_object_id`` beyond the last id seen.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from hsqbo._errors import ConfigError, ConfigProblem
from hsqbo._filters import Filter, FilterGroup, Operator
from hsqbo._record import FieldValue
from hsqbo.hubspot._codecs import decode_datetime, encode_value, epoch_ms


__all__ = [
    "SearchLimits",
    "SearchWalk",
    "Sort",
    "SortDirection",
    "compile_filter_groups",
    "encode_filter_value",
]

OBJECT_ID = "hs_object_id"
_NO_VALUE = frozenset({Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY})
_MANY_VALUES = frozenset({Operator.IN, Operator.NOT_IN})


class SortDirection(enum.Enum):
    """
    Search sort direction.

    .. versionadded:: 0.1.0
    """

    ASCENDING = "ASCENDING"
    DESCENDING = "DESCENDING"


@attrs.frozen
class Sort:
    """
    Sort search results by one property.

    .. versionadded:: 0.1.0
    """

    property_name: str
    direction: SortDirection = attrs.field(
        default=SortDirection.ASCENDING, converter=SortDirection
    )

    def to_json(self) -> dict[str, str]:
        """Return the sort as HubSpot's JSON."""
        return {
            "propertyName": self.property_name,
            "direction": self.direction.value,
        }


@attrs.frozen(kw_only=True)
class SearchLimits:
    """
    HubSpot's caps on one search request, checked before sending.

    The defaults are the documented caps since August 2024 (5 groups,
    10 filters per group, 25 filters in all, 200 results per page, 10,000
    results per query).

    .. versionadded:: 0.1.0
    """

    max_groups: int = 5
    max_filters_per_group: int = 10
    max_filters: int = 25
    page_size: int = 200
    result_cap: int = 10_000


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
)


def encode_filter_value(value: FieldValue) -> str:
    """
    Encode one filter value as HubSpot's search expects it.

    Dates and datetimes become epoch milliseconds (a date at midnight UTC),
    the form every date and datetime property accepts. That includes ISO
    8601 strings (``2026-03-01``, ``2026-03-01T09:30:00+00:00``), the form
    :class:`~hsqbo.Filter` keeps its values in.

    >>> from decimal import Decimal
    >>> from hsqbo.hubspot._search import encode_filter_value
    >>> encode_filter_value(dt.date(2026, 3, 1))
    '1772323200000'
    >>> encode_filter_value("2026-03-01")
    '1772323200000'
    >>> encode_filter_value(Decimal("1.50"))
    '1.5'
    """
    if isinstance(value, dt.date):
        return str(epoch_ms(value))
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return str(epoch_ms(dt.date.fromisoformat(value)))
        if _ISO_DATETIME.match(value):
            return str(epoch_ms(decode_datetime(value)))
    return encode_value(value)


def _compile_filter(flt: Filter) -> dict[str, Any]:
    # Filter checks its own shape on construction (a value for EQ, values
    # for IN, high_value for BETWEEN), so only the encoding is left here.
    body: dict[str, Any] = {
        "propertyName": flt.property,
        "operator": flt.operator.value,
    }
    if flt.operator in _MANY_VALUES:
        body["values"] = [encode_filter_value(v) for v in flt.values]
    elif flt.value is not None and flt.operator not in _NO_VALUE:
        body["value"] = encode_filter_value(flt.value)
    if flt.operator is Operator.BETWEEN and flt.high_value is not None:
        body["highValue"] = encode_filter_value(flt.high_value)
    return body


def compile_filter_groups(
    groups: Sequence[FilterGroup],
    limits: SearchLimits = SearchLimits(),
    *,
    reserve: int = 0,
) -> list[dict[str, Any]]:
    """
    Return HubSpot's ``filterGroups`` for *groups*, after checking caps.

    Args:
        groups: The filter set (OR of ANDs).
        limits: The caps to check.
        reserve: Filters to keep free in every group (the 10,000 walk adds
            one).

    Raises:
        ConfigError: Too many groups or filters, or a filter misses its
            value; every problem is listed with its path.

    >>> from hsqbo.hubspot import compile_filter_groups
    >>> compile_filter_groups([FilterGroup([Filter("email", "HAS_PROPERTY")])])
    [{'filters': [{'propertyName': 'email', 'operator': 'HAS_PROPERTY'}]}]

    .. versionadded:: 0.1.0
    """
    problems: list[ConfigProblem] = []
    if len(groups) > limits.max_groups:
        problems.append(
            ConfigProblem(
                "filter_groups",
                f"{len(groups)} groups; HubSpot allows at most "
                f"{limits.max_groups} per search",
            )
        )
    per_group = limits.max_filters_per_group - reserve
    total = sum(len(group.filters) for group in groups) + reserve * max(
        1, len(groups)
    )
    if total > limits.max_filters:
        problems.append(
            ConfigProblem(
                "filter_groups",
                f"{total} filters in all"
                + (
                    f" ({reserve} per group reserved to page past "
                    f"{limits.result_cap:,} results)"
                    if reserve
                    else ""
                )
                + f"; HubSpot allows at most {limits.max_filters}",
            )
        )
    compiled: list[dict[str, Any]] = []
    for g, group in enumerate(groups):
        if len(group.filters) > per_group:
            problems.append(
                ConfigProblem(
                    f"filter_groups[{g}]",
                    f"{len(group.filters)} filters; HubSpot allows at most "
                    f"{per_group} per group"
                    + (
                        " here (one is needed to page past the result cap)"
                        if reserve
                        else ""
                    ),
                )
            )
        if not group.filters:
            problems.append(
                ConfigProblem(f"filter_groups[{g}]", "a group needs filters")
            )
        compiled.append(
            {"filters": [_compile_filter(flt) for flt in group.filters]}
        )
    if problems:
        raise ConfigError(problems)
    return compiled


def _with_bound(
    groups: list[dict[str, Any]], bound: dict[str, Any]
) -> list[dict[str, Any]]:
    if not groups:
        return [{"filters": [bound]}]
    return [{"filters": [*group["filters"], bound]} for group in groups]


class SearchWalk:
    """
    The requests of one search, past HubSpot's 10,000-result cap.

    Pure: :meth:`body` says what to send next, :meth:`advance` takes the
    parsed answer. Walking past the cap needs a sort on ``hs_object_id``
    (the default); a search sorted otherwise stops at the cap with an error.
    """

    def __init__(
        self,
        groups: Sequence[FilterGroup],
        *,
        properties: Sequence[str],
        sorts: Sequence[Sort],
        query: str | None,
        limits: SearchLimits,
        page_size: int,
    ) -> None:
        if not 1 <= page_size <= limits.page_size:
            msg = f"page_size must be 1..{limits.page_size}, got {page_size}"
            raise ConfigError([ConfigProblem("page_size", msg)])
        self._sorts = tuple(sorts) or (Sort(OBJECT_ID),)
        walkable = len(self._sorts) == 1 and (
            self._sorts[0].property_name == OBJECT_ID
        )
        self._walk_op = (
            None
            if not walkable
            else "GT"
            if self._sorts[0].direction is SortDirection.ASCENDING
            else "LT"
        )
        self._groups = compile_filter_groups(
            groups, limits, reserve=1 if walkable else 0
        )
        self._properties = tuple(properties)
        self._query = query
        self._limits = limits
        self._page_size = page_size
        self._after: str | None = None
        self._bound: str | None = None
        self.done = False

    def body(self) -> dict[str, Any]:
        """Return the JSON body of the next search request."""
        groups = self._groups
        if self._bound is not None and self._walk_op is not None:
            groups = _with_bound(
                groups,
                {
                    "propertyName": OBJECT_ID,
                    "operator": self._walk_op,
                    "value": self._bound,
                },
            )
        body: dict[str, Any] = {
            "filterGroups": groups,
            "sorts": [sort.to_json() for sort in self._sorts],
            "limit": self._page_size,
        }
        if self._properties:
            body["properties"] = list(self._properties)
        if self._query is not None:
            body["query"] = self._query
        if self._after is not None:
            body["after"] = self._after
        return body

    def advance(self, page: Mapping[str, Any], last_id: str | None) -> None:
        """
        Take one page's answer and decide what comes next.

        Raises:
            ConfigError: The next page lies past the cap and the search is
                not sorted by ``hs_object_id`` alone.
        """
        paging = page.get("paging")
        following = None
        if isinstance(paging, Mapping):
            nxt = paging.get("next")
            if isinstance(nxt, Mapping) and nxt.get("after") is not None:
                following = str(nxt["after"])
        if following is None or last_id is None:
            self.done = True
            return
        offset = int(following) if following.isdigit() else 0
        if offset + self._page_size <= self._limits.result_cap:
            self._after = following
            return
        if self._walk_op is None:
            raise ConfigError(
                [
                    ConfigProblem(
                        "sorts",
                        f"the search matches more than "
                        f"{self._limits.result_cap:,} results, HubSpot's cap; "
                        "to read them all, sort by hs_object_id (the "
                        "default) or narrow the filters",
                    )
                ]
            )
        # Start over beyond the last id: the new query's results begin
        # where the old one's would have gone on.
        self._bound = last_id
        self._after = None
