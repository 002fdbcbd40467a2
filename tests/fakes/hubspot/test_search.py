"""Search: 13 operators, OR of ANDs, limits, sorts, paging, 10,000 cap."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hsqbo.testing import FakeHubSpot


URL = "/crm/objects/2026-03/contacts/search"


def _search(
    client: httpx.Client, groups: list[Any], **extra: Any
) -> httpx.Response:
    return client.post(URL, json={"filterGroups": groups, **extra})


def _ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {r["id"] for r in response.json()["results"]}


@pytest.fixture
def people(fake: FakeHubSpot) -> dict[str, str]:
    """Four contacts with numbers, dates, words and a missing e-mail."""
    fake.define_property("contacts", "score", type="number")
    fake.define_property("contacts", "born", type="date")
    rows = {
        "ann": {
            "email": "ann@acme.com",
            "firstname": "Ann",
            "score": "10",
            "born": "1990-05-01",
            "jobtitle": "Chief Data Officer",
        },
        "bob": {
            "email": "bob@acme.com",
            "firstname": "Bob",
            "score": "2.5",
            "born": "1985-01-31",
        },
        "cy": {"email": "cy@other.org", "firstname": "Cy", "score": "-1"},
        "dee": {"firstname": "Dee"},
    }
    return {
        name: fake.create("contacts", props).id for name, props in rows.items()
    }


def _one(prop: str, op: str, **values: Any) -> list[Any]:
    return [{"filters": [{"propertyName": prop, "operator": op, **values}]}]


CASES = [
    ("firstname", "EQ", {"value": "ann"}, {"ann"}),
    ("firstname", "NEQ", {"value": "Ann"}, {"bob", "cy", "dee"}),
    ("score", "LT", {"value": "3"}, {"bob", "cy"}),
    ("score", "LTE", {"value": "2.5"}, {"bob", "cy"}),
    ("score", "GT", {"value": "2.5"}, {"ann"}),
    ("score", "GTE", {"value": "2.5"}, {"ann", "bob"}),
    ("score", "BETWEEN", {"value": "-1", "highValue": "2.5"}, {"bob", "cy"}),
    ("firstname", "IN", {"values": ["bob", "cy"]}, {"bob", "cy"}),
    ("firstname", "NOT_IN", {"values": ["bob", "cy"]}, {"ann", "dee"}),
    ("email", "HAS_PROPERTY", {}, {"ann", "bob", "cy"}),
    ("email", "NOT_HAS_PROPERTY", {}, {"dee"}),
    ("jobtitle", "CONTAINS_TOKEN", {"value": "data"}, {"ann"}),
    (
        "jobtitle",
        "NOT_CONTAINS_TOKEN",
        {"value": "data"},
        {"bob", "cy", "dee"},
    ),
    ("email", "CONTAINS_TOKEN", {"value": "*@acme.com"}, {"ann", "bob"}),
    ("born", "GT", {"value": "1986-01-01"}, {"ann"}),
    ("born", "LT", {"value": str(504921600000)}, {"bob"}),  # 1986-01-01
    ("born", "EQ", {"value": "1990-05-01T00:00:00Z"}, {"ann"}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_operator(
    client: httpx.Client,
    people: dict[str, str],
    case: tuple[str, str, dict[str, Any], set[str]],
) -> None:
    """Each operator selects exactly the expected contacts."""
    prop, op, values, expected = case
    got = _ids(_search(client, _one(prop, op, **values)))
    assert got == {people[name] for name in expected}


def test_groups_are_ored_and_filters_anded(
    client: httpx.Client, people: dict[str, str]
) -> None:
    """(acme AND score>5) OR firstname=cy."""
    groups = [
        {
            "filters": [
                {
                    "propertyName": "email",
                    "operator": "CONTAINS_TOKEN",
                    "value": "*@acme.com",
                },
                {"propertyName": "score", "operator": "GT", "value": "5"},
            ]
        },
        {
            "filters": [
                {"propertyName": "firstname", "operator": "EQ", "value": "Cy"}
            ]
        },
    ]
    assert _ids(_search(client, groups)) == {people["ann"], people["cy"]}


def test_no_groups_match_everything_but_archived(
    fake: FakeHubSpot, client: httpx.Client, people: dict[str, str]
) -> None:
    """An empty search returns every live object and never archived ones."""
    fake.archive("contacts", people["dee"])
    got = _search(client, [])
    assert _ids(got) == {people["ann"], people["bob"], people["cy"]}
    assert got.json()["total"] == 3


def test_filter_limits(client: httpx.Client, people: dict[str, str]) -> None:
    """More than 5 groups, 10 filters per group or 25 filters is a 400."""
    del people
    flt = {"propertyName": "firstname", "operator": "HAS_PROPERTY"}
    assert _search(client, [{"filters": [flt]}] * 5).status_code == 200
    assert _search(client, [{"filters": [flt]}] * 6).status_code == 400
    assert _search(client, [{"filters": [flt] * 11}]).status_code == 400
    assert _search(client, [{"filters": [flt] * 9}] * 3).status_code == 400


def test_bad_filters_are_400(client: httpx.Client) -> None:
    """Unknown property, unknown operator or a missing value is a 400."""
    for bad in (
        _one("nope", "EQ", value="x"),
        _one("firstname", "LIKE", value="x"),
        _one("firstname", "EQ"),
        _one("firstname", "IN"),
        _one("firstname", "BETWEEN", value="a"),
    ):
        assert _search(client, bad).status_code == 400


def test_sorts_and_properties(
    client: httpx.Client, people: dict[str, str]
) -> None:
    """Sort by a number descending; missing values last; chosen properties."""
    got = _search(
        client,
        [],
        sorts=[{"propertyName": "score", "direction": "DESCENDING"}],
        properties=["score"],
    ).json()["results"]
    assert [r["id"] for r in got] == [
        people["ann"],
        people["bob"],
        people["cy"],
        people["dee"],
    ]
    assert set(got[0]["properties"]) >= {"score", "hs_object_id"}
    assert "email" not in got[0]["properties"]
    ascending = _search(client, [], sorts=["firstname"]).json()["results"]
    assert [r["id"] for r in ascending][:2] == [people["ann"], people["bob"]]


def test_page_size_and_paging(fake: FakeHubSpot, client: httpx.Client) -> None:
    """Pages hold at most 200; after walks the rest; limit 201 is refused."""
    for i in range(450):
        fake.create("companies", {"name": f"C{i}"})
    url = "/crm/v3/objects/companies/search"
    seen: list[str] = []
    after: str | None = None
    calls = 0
    while True:
        body: dict[str, Any] = {"limit": 200}
        if after:
            body["after"] = after
        page = client.post(url, json=body).json()
        calls += 1
        assert page["total"] == 450
        seen.extend(r["id"] for r in page["results"])
        after = page.get("paging", {}).get("next", {}).get("after")
        if after is None:
            break
    assert calls == 3
    assert len(set(seen)) == 450
    assert client.post(url, json={"limit": 201}).status_code == 400


def test_paging_past_10000_is_a_400(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """The 10,000-result cap: after=10000 is refused even if more match."""
    for i in range(10_050):
        fake.create("products", {"name": f"P{i}"})
    url = "/crm/v3/objects/products/search"
    last = client.post(url, json={"limit": 200, "after": "9800"}).json()
    assert last["total"] == 10_050
    assert len(last["results"]) == 200
    beyond = client.post(url, json={"limit": 200, "after": "10000"})
    assert beyond.status_code == 400
    assert beyond.json()["category"] == "VALIDATION_ERROR"


def test_query_searches_default_text_properties(
    client: httpx.Client, people: dict[str, str]
) -> None:
    """The query matches words of the searchable properties."""
    got = client.post(URL, json={"query": "bob"})
    assert _ids(got) == {people["bob"]}
