"""
One semantics, two implementations: local filters agree with the fake.

``hsqbo._filters.evaluate`` (what the planner uses on records it already
has) and ``FakeHubSpot``'s search (what HubSpot does server-side) are
written independently from the same reference; here they must pick the
same records for random records and random filter sets.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
from dateutil import parser as date_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo import Filter, FilterGroup, Operator, Record, Side
from hsqbo._filters import evaluate
from hsqbo._record import FieldValue
from hsqbo.testing import FakeHubSpot


WORDS = ("alpha", "Beta", "gamma delta", "x-ray", "beta_max", "Alpha Omega")
TIERS = ("gold", "silver", "bronze")
TOKENS = (
    "alpha",
    "beta",
    "ray",
    "gold",
    "gam*",
    "*ta",
    "x-*",
    "alpha omega",
    "beta max",
    "delta gamma",
)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# property name -> HubSpot type
SCHEMA = {
    "word": "string",
    "score": "number",
    "day": "date",
    "moment": "datetime",
    "tier": "enumeration",
    "flag": "bool",
}

days = st.dates(min_value=dt.date(2025, 12, 28), max_value=dt.date(2026, 1, 4))
moments = st.builds(
    lambda day, ms: (
        dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        + dt.timedelta(milliseconds=ms)
    ),
    days,
    st.sampled_from([0, 1, 43_200_000, 86_399_999]),
)
scores = st.builds(
    lambda n, d: Decimal(n) / d,
    st.integers(-3, 3),
    st.sampled_from([1, 2]),
)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "word": st.sampled_from(WORDS),
    "score": scores,
    "day": days,
    "moment": moments,
    "tier": st.sampled_from(TIERS),
    "flag": st.booleans(),
}


def _wire(value: Any, *, epoch: bool) -> str:
    """Render a Python value as HubSpot takes it in a property or filter."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if epoch:
            return str(int((value - EPOCH).total_seconds() * 1000))
        return value.isoformat()
    if isinstance(value, dt.date):
        if epoch:
            midnight = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
            return str(int((midnight - EPOCH).total_seconds() * 1000))
        return value.isoformat()
    return str(value)


row_lists = st.lists(
    st.fixed_dictionaries(
        {}, optional={name: VALUES[name] for name in SCHEMA}
    ),
    min_size=1,
    max_size=8,
)


@st.composite
def filters(draw: st.DrawFn, seen: dict[str, list[Any]]) -> Filter:
    """Draw one filter; values often are values the records hold."""
    # Text properties have the most operators: draw them more often.
    name = draw(st.sampled_from([*sorted(SCHEMA), "word", "word"]))
    kind = SCHEMA[name]
    operators = [
        Operator.EQ,
        Operator.NEQ,
        Operator.IN,
        Operator.NOT_IN,
        Operator.HAS_PROPERTY,
        Operator.NOT_HAS_PROPERTY,
    ]
    if kind != "bool":
        operators += [
            Operator.LT,
            Operator.LTE,
            Operator.GT,
            Operator.GTE,
            Operator.BETWEEN,
        ]
    if kind in {"string", "enumeration"}:
        operators += [Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN] * 2
    op = draw(st.sampled_from(operators))
    domain = VALUES[name]
    if kind == "date":
        # a date property may be compared with a datetime too
        domain = st.one_of(days, moments)
    if seen.get(name):
        # Equal values are where LTE/GTE/BETWEEN/EQ differ from their
        # neighbours: make them common.
        domain = st.one_of(st.sampled_from(seen[name]), domain)
    if op in {Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY}:
        return Filter(name, op)
    if op in {Operator.IN, Operator.NOT_IN}:
        return Filter(
            name, op, values=draw(st.lists(domain, min_size=1, max_size=3))
        )
    if op is Operator.BETWEEN:
        low, high = draw(domain), draw(domain)
        return Filter(name, op, value=low, high_value=high)
    if op in {Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN}:
        word = draw(st.sampled_from(TOKENS))
        return Filter(name, op, value=word)
    return Filter(name, op, value=draw(domain))


def filter_sets(
    seen: dict[str, list[Any]],
) -> st.SearchStrategy[list[FilterGroup]]:
    """Up to three groups of one to three filters."""
    return st.lists(
        st.builds(
            FilterGroup, st.lists(filters(seen), min_size=1, max_size=3)
        ),
        max_size=3,
    )


def _search_body(groups: list[FilterGroup], *, epoch: bool) -> dict[str, Any]:
    def one(flt: Filter) -> dict[str, Any]:
        body: dict[str, Any] = {
            "propertyName": flt.property,
            "operator": flt.operator.value,
        }
        if flt.value is not None:
            body["value"] = _wire(_typed(flt.value), epoch=epoch)
        if flt.high_value is not None:
            body["highValue"] = _wire(_typed(flt.high_value), epoch=epoch)
        if flt.values:
            body["values"] = [
                _wire(_typed(v), epoch=epoch) for v in flt.values
            ]
        return body

    return {
        "filterGroups": [
            {"filters": [one(f) for f in g.filters]} for g in groups
        ],
        "limit": 200,
    }


def _typed(value: FieldValue) -> Any:
    """Turn a Filter's canonical text back into a date or datetime."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        parsed = date_parser.isoparse(value)
        return parsed if "T" in value else parsed.date()
    return value


def _decode(kind: str, text: str) -> FieldValue:
    """Decode a property string as the connector does (COMMON.md)."""
    if kind == "number":
        return Decimal(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "datetime":
        return date_parser.isoparse(text)
    if kind == "bool":
        return text == "true"
    return text


def _portal() -> FakeHubSpot:
    fake = FakeHubSpot(ten_second_limit=10_000, search_per_second=10_000)
    for name, kind in SCHEMA.items():
        fake.define_property(
            "contacts",
            name,
            type=kind,
            options=TIERS if kind == "enumeration" else (),
        )
    return fake


@settings(max_examples=200, deadline=None)
@given(data=st.data(), epoch=st.booleans())
def test_local_filters_and_fake_search_pick_the_same_records(
    data: st.DataObject, epoch: bool
) -> None:
    """Local evaluate() and the fake's search select the same ids."""
    rows = data.draw(row_lists, label="rows")
    seen: dict[str, list[Any]] = {}
    for row in rows:
        for name, value in row.items():
            seen.setdefault(name, []).append(value)
    groups = data.draw(filter_sets(seen), label="groups")
    fake = _portal()
    records = []
    for row in rows:
        stored = fake.create(
            "contacts", {k: _wire(v, epoch=False) for k, v in row.items()}
        )
        fields = {
            name: _decode(SCHEMA[name], stored.properties[name])
            for name in SCHEMA
            if name in stored.properties
        }
        records.append(
            Record(
                Side.HUBSPOT, "contacts", stored.id, fields, stored.updated_at
            )
        )
    local = {r.id for r in records if evaluate(groups, r).passed}
    with httpx.Client(
        transport=fake.transport(),
        base_url="https://api.hubapi.com",
        headers={"Authorization": "Bearer t"},
    ) as http:
        answer = http.post(
            "/crm/v3/objects/contacts/search",
            json=_search_body(groups, epoch=epoch),
        )
    assert answer.status_code == 200, answer.text
    remote = {r["id"] for r in answer.json()["results"]}
    assert remote == local
