"""
The CRM search API: filter groups, sorts, paging and the 10,000 cap.

Semantics, by the property's type (hubspot-api.md §3.7, §3.10):

* Groups are ORed, the filters of a group ANDed; no groups match all.
* A property without a value fails every comparison and
  ``HAS_PROPERTY``; the negated operators (``NEQ``, ``NOT_IN``,
  ``NOT_HAS_PROPERTY``, ``NOT_CONTAINS_TOKEN``) are exact complements of
  their positive ones, so they match it.
* ``number`` properties compare as decimals; ``date`` and ``datetime``
  properties as instants (filter values in epoch milliseconds, ISO 8601 or
  ``YYYY-MM-DD``, a date meaning midnight UTC); everything else as text,
  trimmed and case-insensitive.
* ``BETWEEN`` is inclusive at both ends.
* ``CONTAINS_TOKEN`` splits the value into words at anything that is not a
  letter or digit and matches when every word of the filter value is among
  them; ``*`` is a wildcard tried on every word and on the whole value.
* Archived objects are never found.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dateutil import parser as date_parser

from hsqbo.testing._hubspot._errors import ApiFailure
from hsqbo.testing._hubspot._objects import ObjectStore, StoredObject
from hsqbo.testing._hubspot._properties import (
    OBJECT_TYPES,
    FakeHubSpotProperty,
)


__all__ = [
    "MAX_FILTERS",
    "MAX_FILTERS_PER_GROUP",
    "MAX_FILTER_GROUPS",
    "MAX_PAGE",
    "RESULT_CAP",
    "search",
]

#: Limits of the search API since 26 Aug 2024 (hubspot-api.md §3.7).
MAX_FILTER_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS = 25
#: Page size limit (hubspot-api.md §3.6).
MAX_PAGE = 200
DEFAULT_PAGE = 10
#: No query pages past this many results (hubspot-api.md §3.6).
RESULT_CAP = 10_000

OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
_NEGATED = {
    "NEQ": "EQ",
    "NOT_IN": "IN",
    "NOT_HAS_PROPERTY": "HAS_PROPERTY",
    "NOT_CONTAINS_TOKEN": "CONTAINS_TOKEN",
}
_WITH_VALUE = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
_WORDS = re.compile(r"[\W_]+")  # any letter or digit, not only ASCII
_EPOCH_MS = re.compile(r"^-?\d+$")

Key = decimal.Decimal | int | str
Predicate = Callable[[StoredObject], bool]


def _bad(message: str) -> ApiFailure:
    return ApiFailure(400, "VALIDATION_ERROR", message)


def _instant(text: str) -> int | None:
    """Read epoch ms, an ISO 8601 datetime or a date as epoch ms."""
    text = text.strip()
    if _EPOCH_MS.match(text):
        return int(text)
    try:
        parsed = date_parser.isoparse(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return round(parsed.timestamp() * 1000)


def _decimal(text: str) -> decimal.Decimal | None:
    try:
        number = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text_key(text: str) -> str:
    return text.strip().casefold()


def _key(definition: FakeHubSpotProperty, text: str) -> Key | None:
    """The comparable form of a value of *definition*; None if it has none."""
    if definition.type == "number":
        return _decimal(text)
    if definition.type in {"date", "datetime"}:
        return _instant(text)
    return _text_key(text)


def _filter_key(definition: FakeHubSpotProperty, raw: object) -> Key:
    text = _raw_text(raw)
    key = _key(definition, text)
    if key is None:
        kind = {"number": "number"}.get(definition.type, "date")
        raise _bad(
            f"{text!r} is not a valid {kind} for property {definition.name!r}"
        )
    return key


def _raw_text(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def _tokens(text: str) -> list[str]:
    return [word for word in _WORDS.split(text.casefold()) if word]


def _contains_token(value: str, wanted: str) -> bool:
    wanted = wanted.strip().casefold()
    words = _tokens(value)
    if "*" in wanted:
        pattern = re.compile(
            ".*".join(re.escape(part) for part in wanted.split("*")),
            re.DOTALL,
        )
        whole = value.strip().casefold()
        return bool(pattern.fullmatch(whole)) or any(
            pattern.fullmatch(word) for word in words
        )
    needed = _tokens(wanted)
    return bool(needed) and set(needed) <= set(words)


def _compile_filter(
    definitions: Mapping[str, FakeHubSpotProperty], raw: Mapping[str, Any]
) -> Predicate:
    name = raw.get("propertyName")
    operator = raw.get("operator")
    if not isinstance(name, str) or name not in definitions:
        raise _bad(
            f"There was a problem with the request: unknown property "
            f"{name!r} in a filter."
        )
    if operator not in OPERATORS:
        raise _bad(
            f"Unknown filter operator {operator!r}; expected one of "
            f"{sorted(OPERATORS)}."
        )
    definition = definitions[name]
    positive = _NEGATED.get(operator, operator)
    test = _positive(definition, positive, raw)

    def matches(stored: StoredObject) -> bool:
        value = stored.properties.get(name, "")
        ok = value.strip() != "" and test(value)
        return ok != (operator in _NEGATED)

    return matches


def _positive(
    definition: FakeHubSpotProperty, operator: str, raw: Mapping[str, Any]
) -> Callable[[str], bool]:
    if operator == "HAS_PROPERTY":
        return lambda _value: True
    if operator == "IN":
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise _bad(f"{operator} needs a non-empty 'values' list.")
        wanted = {_filter_key(definition, v) for v in values}
        return lambda value: _key(definition, value) in wanted
    if raw.get("value") is None:
        raise _bad(f"{operator} needs a 'value'.")
    if operator == "CONTAINS_TOKEN":
        token = _raw_text(raw["value"])
        return lambda value: _contains_token(value, token)
    low = _filter_key(definition, raw["value"])
    if operator == "BETWEEN":
        if raw.get("highValue") is None:
            raise _bad("BETWEEN needs a 'highValue'.")
        high = _filter_key(definition, raw["highValue"])
        return lambda value: _in_range(_key(definition, value), low, high)
    check = _ORDER[operator]
    return lambda value: _ordered(_key(definition, value), low, check)


_ORDER: Mapping[str, Callable[[int], bool]] = {
    "EQ": lambda order: order == 0,
    "LT": lambda order: order < 0,
    "LTE": lambda order: order <= 0,
    "GT": lambda order: order > 0,
    "GTE": lambda order: order >= 0,
}


def _order(a: Any, b: Any) -> int:  # noqa: ANN401 - one Key kind at a time
    return int(a > b) - int(a < b)


def _ordered(
    key: Key | None, bound: Key, check: Callable[[int], bool]
) -> bool:
    if key is None:
        return False
    return check(_order(key, bound))


def _in_range(key: Key | None, low: Key, high: Key) -> bool:
    if key is None:
        return False
    return _order(key, low) >= 0 and _order(key, high) <= 0


def _compile_groups(
    definitions: Mapping[str, FakeHubSpotProperty], groups: object
) -> Predicate:
    if groups is None:
        groups = []
    if not isinstance(groups, list):
        raise _bad("filterGroups must be a list.")
    if len(groups) > MAX_FILTER_GROUPS:
        raise _bad(
            f"Too many filter groups ({len(groups)}); the maximum is "
            f"{MAX_FILTER_GROUPS}."
        )
    compiled: list[list[Predicate]] = []
    total = 0
    for group in groups:
        filters = group.get("filters", []) if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise _bad("Each filter group needs a 'filters' list.")
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise _bad(
                f"Too many filters in a group ({len(filters)}); the maximum "
                f"is {MAX_FILTERS_PER_GROUP}."
            )
        total += len(filters)
        compiled.append([_compile_filter(definitions, f) for f in filters])
    if total > MAX_FILTERS:
        raise _bad(
            f"Too many filters ({total}); the maximum across all groups is "
            f"{MAX_FILTERS}."
        )
    if not compiled:
        return lambda _stored: True
    return lambda stored: any(
        all(test(stored) for test in group) for group in compiled
    )


def _query_predicate(type_name: str, query: object) -> Predicate:
    if query is None or query == "":
        return lambda _stored: True
    if not isinstance(query, str):
        raise _bad("query must be a string.")
    needle = query.strip().casefold()
    fields = OBJECT_TYPES[type_name].searchable

    def matches(stored: StoredObject) -> bool:
        return any(
            needle in stored.properties.get(name, "").casefold()
            or any(
                w.startswith(needle)
                for w in _tokens(stored.properties.get(name, ""))
            )
            for name in (*fields, "hs_object_id")
        )

    return matches


def _sort_key(
    definitions: Mapping[str, FakeHubSpotProperty], sorts: object
) -> tuple[Callable[[StoredObject], Any], bool]:
    if not sorts:
        return (lambda stored: int(stored.id)), False
    if not isinstance(sorts, list):
        raise _bad("sorts must be a list.")
    first = sorts[0]
    if isinstance(first, str):
        descending = first.startswith("-")
        name = first.lstrip("-")
    elif isinstance(first, dict):
        name = str(first.get("propertyName"))
        direction = first.get("direction", "ASCENDING")
        if direction not in {"ASCENDING", "DESCENDING"}:
            raise _bad(f"Unknown sort direction {direction!r}.")
        descending = direction == "DESCENDING"
    else:
        raise _bad("Each sort is a property name or an object.")
    definition = definitions.get(name)
    if definition is None:
        raise _bad(f"Cannot sort on unknown property {name!r}.")

    def key(stored: StoredObject) -> Any:  # noqa: ANN401 - mixed key kinds
        value = _key(definition, stored.properties.get(name, ""))
        missing = value is None or value == ""
        # Objects without a value sort last either way.
        return (
            missing != descending,
            value if not missing else 0,
            int(stored.id),
        )

    return key, descending


def search(
    store: ObjectStore, type_name: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    """Run one search request; return the response body."""
    definitions = store.definitions(type_name)
    limit = body.get("limit", DEFAULT_PAGE)
    if not isinstance(limit, int) or limit < 0 or limit > MAX_PAGE:
        raise _bad(f"limit must be between 0 and {MAX_PAGE}, got {limit!r}.")
    after_raw = body.get("after") or "0"
    try:
        after = int(after_raw)
    except (TypeError, ValueError):
        raise _bad(f"Invalid after cursor {after_raw!r}.") from None
    if after >= RESULT_CAP:
        raise _bad(
            f"Paging past {RESULT_CAP} results is not supported: this "
            "search has after="
            f"{after}. Narrow the query (e.g. by hs_object_id or "
            "hs_lastmodifieddate ranges) instead."
        )
    matches_filters = _compile_groups(definitions, body.get("filterGroups"))
    matches_query = _query_predicate(type_name, body.get("query"))
    key, descending = _sort_key(definitions, body.get("sorts"))
    found = [
        stored
        for stored in store.all(type_name, archived=False)
        if matches_filters(stored) and matches_query(stored)
    ]
    found.sort(key=key, reverse=descending)
    page = found[after : min(after + limit, RESULT_CAP)]
    requested = body.get("properties") or None
    response: dict[str, Any] = {
        "total": len(found),
        "results": [stored.to_json(_names(requested)) for stored in page],
    }
    if after + limit < len(found):
        response["paging"] = {"next": {"after": str(after + limit)}}
    return response


def _names(requested: object) -> Sequence[str] | None:
    if requested is None:
        return None
    if not isinstance(requested, list):
        raise _bad("properties must be a list.")
    return [str(name) for name in requested]
