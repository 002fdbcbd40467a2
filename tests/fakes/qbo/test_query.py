"""The fake's query language: grammar, filters, ordering, paging, errors."""

from __future__ import annotations

import string
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo.testing import FakeQuickBooks, VirtualClock


def _query(http: httpx.Client, text: str) -> dict[str, Any]:
    response = http.get("/query", params={"query": text})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["QueryResponse"]
    return result


def _names(result: dict[str, Any], entity: str = "Customer") -> list[str]:
    key = "Name" if entity == "Item" else "DisplayName"
    return [row[key] for row in result.get(entity, [])]


def _parse_error(http: httpx.Client, text: str) -> dict[str, Any]:
    response = http.get("/query", params={"query": text})
    assert response.status_code == 400
    error: dict[str, Any] = response.json()["Fault"]["Error"][0]
    return error


@pytest.fixture
def seeded(fake: FakeQuickBooks, clock: VirtualClock) -> FakeQuickBooks:
    """Return a company with five customers, one inactive, an hour apart."""
    for name, email in [
        ("Acme", "ops@acme.example"),
        ("Birch & Co", "hi@birch.example"),
        ("O'Brien Supply", "ob@obrien.example"),
        ("Cedar", "c@cedar.example"),
    ]:
        fake.add_customer(name, email=email)
        clock.advance(3600)
    fake.add_customer("Dormant", active=False)
    return fake


@pytest.mark.usefixtures("seeded")
def test_select_star_returns_rows_with_envelope(http: httpx.Client) -> None:
    """Rows come under the entity, with startPosition and maxResults."""
    result = _query(http, "SELECT * FROM Customer")
    assert _names(result) == ["Acme", "Birch & Co", "O'Brien Supply", "Cedar"]
    assert result["startPosition"] == 1
    assert result["maxResults"] == 4


@pytest.mark.usefixtures("seeded")
def test_inactive_rows_need_active_in(http: httpx.Client) -> None:
    """Inactive rows are hidden unless the query asks for them."""
    assert "Dormant" not in _names(_query(http, "select * from Customer"))
    both = _query(http, "select * from Customer where Active IN (true, false)")
    assert "Dormant" in _names(both)
    assert _names(
        _query(http, "select * from customer where active = false")
    ) == ["Dormant"]


@pytest.mark.usefixtures("seeded")
def test_empty_result_has_no_entity_key(http: httpx.Client) -> None:
    """No rows → QueryResponse is an empty object."""
    assert (
        _query(http, "select * from Customer where DisplayName = 'Nobody'")
        == {}
    )


@pytest.mark.usefixtures("seeded")
def test_count(http: httpx.Client) -> None:
    """SELECT COUNT(*) answers totalCount only, ignoring paging."""
    assert _query(http, "SELECT COUNT(*) FROM Customer MAXRESULTS 1") == {
        "totalCount": 4
    }
    assert _query(
        http, "select count(*) from Customer where Active in (true,false)"
    ) == {"totalCount": 5}


@pytest.mark.usefixtures("seeded")
def test_escaped_quote_matches_apostrophe(http: httpx.Client) -> None:
    r"""A value with \' finds the name with an apostrophe."""
    assert _names(
        _query(
            http,
            r"select * from Customer where DisplayName = 'O\'Brien Supply'",
        )
    ) == ["O'Brien Supply"]


@pytest.mark.usefixtures("seeded")
def test_values_and_keywords_are_case_insensitive(http: httpx.Client) -> None:
    """Keywords, entity, field names and string values ignore case."""
    assert _names(
        _query(http, "SeLeCt * FrOm cUsToMeR wHeRe displayname = 'ACME'")
    ) == ["Acme"]


@pytest.mark.usefixtures("seeded")
def test_like_in_and_nested_fields(http: httpx.Client) -> None:
    """LIKE with %, IN lists and nested fields filter rows."""
    assert _names(
        _query(http, "select * from Customer where DisplayName LIKE '%r%'")
    ) == ["Birch & Co", "O'Brien Supply", "Cedar"]
    assert _names(
        _query(http, "select * from Customer where Id IN ('1', '4')")
    ) == ["Acme", "Cedar"]
    assert _names(
        _query(
            http,
            "select * from Customer where "
            "PrimaryEmailAddr = 'ob@obrien.example'",
        )
    ) == ["O'Brien Supply"]


@pytest.mark.usefixtures("seeded")
def test_and_of_conditions(http: httpx.Client) -> None:
    """Conditions joined with AND must all hold."""
    text = "select * from Customer where DisplayName LIKE '%c%' AND Id > '1'"
    assert _names(_query(http, text)) == ["Birch & Co", "Cedar"]


@pytest.mark.usefixtures("seeded")
def test_metadata_time_comparisons(http: httpx.Client) -> None:
    """MetaData.LastUpdatedTime compares as a time, across offsets."""
    # Acme 10:00-08:00, Birch 11:00, O'Brien 12:00, Cedar 13:00 (Pacific).
    text = (
        "select * from Customer where Metadata.LastUpdatedTime >= "
        "'2026-02-10T20:00:00Z'"
    )
    assert _names(_query(http, text)) == ["O'Brien Supply", "Cedar"]
    text = (
        "select * from Customer where MetaData.LastUpdatedTime < "
        "'2026-02-10T11:00:00-08:00'"
    )
    assert _names(_query(http, text)) == ["Acme"]


def test_numeric_and_date_comparisons(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Numbers compare as numbers (quoted or not) and dates as dates."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("W", unit_price=1)
    for qty, day in [
        (5, "2026-01-05"),
        (50, "2026-01-20"),
        (500, "2026-02-01"),
    ]:
        fake.add_invoice(customer["Id"], [(item["Id"], qty, 1)], txn_date=day)

    def totals(where: str) -> list[float]:
        return [
            row["TotalAmt"]
            # The test composes conditions on purpose; nothing is untrusted.
            for row in _query(
                http,
                f"select * from Invoice where {where}",  # noqa: S608
            ).get("Invoice", [])
        ]

    assert totals("TotalAmt > '10.0'") == [50.0, 500.0]
    assert totals("TotalAmt <= 50") == [5.0, 50.0]
    assert totals("TxnDate >= '2026-01-20' AND TxnDate < '2026-02-01'") == [
        50.0
    ]
    assert totals(f"CustomerRef = '{customer['Id']}'") == [5.0, 50.0, 500.0]


@pytest.mark.usefixtures("seeded")
def test_order_by_both_spellings(http: httpx.Client) -> None:
    """ORDERBY and ORDER BY sort, ASC by default, DESC on request."""
    assert _names(
        _query(http, "select * from Customer ORDERBY DisplayName")
    ) == ["Acme", "Birch & Co", "Cedar", "O'Brien Supply"]
    assert _names(
        _query(http, "select * from Customer ORDER BY DisplayName DESC")
    ) == ["O'Brien Supply", "Cedar", "Birch & Co", "Acme"]
    text = "select * from Customer orderby MetaData.LastUpdatedTime desc"
    assert _names(_query(http, text))[0] == "Cedar"


@pytest.mark.usefixtures("seeded")
def test_paging_is_one_based(http: httpx.Client) -> None:
    """STARTPOSITION is 1-based and MAXRESULTS bounds the page."""
    first = _query(http, "select * from Customer STARTPOSITION 1 MAXRESULTS 3")
    second = _query(
        http, "select * from Customer STARTPOSITION 4 MAXRESULTS 3"
    )
    assert _names(first) == ["Acme", "Birch & Co", "O'Brien Supply"]
    assert _names(second) == ["Cedar"]
    assert second["startPosition"] == 4
    assert second["maxResults"] == 1
    assert (
        _query(http, "select * from Customer STARTPOSITION 5 MAXRESULTS 3")
        == {}
    )


def test_default_page_is_100_and_maximum_1000(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Pages default to 100 rows and never exceed 1000."""
    for number in range(1005):
        fake.add_customer(f"C{number:04}")
    assert _query(http, "select * from Customer")["maxResults"] == 100
    assert (
        _query(http, "select * from Customer MAXRESULTS 5000")["maxResults"]
        == 1000
    )


@pytest.mark.usefixtures("seeded")
def test_post_with_application_text(http: httpx.Client) -> None:
    """POST /query with an application/text body works like GET."""
    response = http.post(
        "/query",
        content="select * from Customer where DisplayName = 'Cedar'",
        headers={"Content-Type": "application/text"},
    )
    assert [
        row["DisplayName"]
        for row in response.json()["QueryResponse"]["Customer"]
    ] == ["Cedar"]


def test_python_quickbooks_item_projection_is_accepted(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """'SELECT *, Sku FROM Item' (python-quickbooks) is accepted."""
    fake.add_item("W", sku="SKU-1")
    assert _query(http, "SELECT *, Sku FROM Item")["Item"][0]["Sku"] == "SKU-1"


def test_other_entities_are_queryable(http: httpx.Client) -> None:
    """Accounts, Preferences and CompanyInfo answer queries too."""
    income = _query(http, "select * from Account where AccountType = 'Income'")
    assert "Services" in [row["Name"] for row in income["Account"]]
    assert (
        _query(http, "select * from Preferences")["Preferences"][0]["Id"]
        == "1"
    )
    assert (
        "CompanyName"
        in _query(http, "select * from CompanyInfo")["CompanyInfo"][0]
    )


@pytest.mark.parametrize(
    "text",
    [
        "select * from Customer where DisplayName = 'A' OR DisplayName = 'B'",
        "select DisplayName from Customer",
        "select * from Customer where DisplayName = 'unterminated",
        "select * from Customer where",
        "select * from Customer group by DisplayName",
        "select * from Customer where DisplayName != 'A'",
        "select * from Customer MAXRESULTS ten",
        "delete from Customer",
        "select * from Customer, Invoice",
        "select * from Customer where DisplayName = ’curly’",  # noqa: RUF001
        "",
    ],
)
def test_bad_syntax_is_4000(http: httpx.Client, text: str) -> None:
    """Anything outside QBO's grammar is a 4000 QueryParserError."""
    error = _parse_error(http, text)
    assert error["code"] == "4000"
    assert error["Message"] == "Error parsing query"
    assert error["Detail"].startswith("QueryParserError")


def test_unknown_entity_is_4000(http: httpx.Client) -> None:
    """A query on an entity QBO does not have is refused."""
    assert _parse_error(http, "select * from Widget")["code"] == "4000"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


names = st.text(
    alphabet=st.sampled_from(
        string.ascii_letters + string.digits + " '\\%&-_.,()"
    ),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=40, deadline=None)
@given(name=names)
def test_any_escaped_name_finds_exactly_itself(name: str) -> None:
    """Escaped quotes and backslashes find exactly the stored name."""
    fake = FakeQuickBooks(clock=VirtualClock())
    fake.add_customer(name)
    fake.add_customer(name + "x")
    with httpx.Client(
        transport=fake.transport(),
        base_url=f"https://q/v3/company/{fake.realm_id}",
        headers={"Authorization": "Bearer t"},
    ) as http:
        result = _query(
            http,
            # Escaped on purpose: the property is that escaping suffices.
            f"select * from Customer where DisplayName = '{_escape(name)}'",  # noqa: S608
        )
    assert _names(result) == [name]


_OPERATORS = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


@settings(max_examples=30, deadline=None)
@given(
    balances=st.lists(st.integers(0, 50), min_size=1, max_size=12),
    conditions=st.lists(
        st.tuples(st.sampled_from(sorted(_OPERATORS)), st.integers(0, 50)),
        max_size=3,
    ),
)
def test_where_matches_a_python_model(
    balances: list[int], conditions: list[tuple[str, int]]
) -> None:
    """AND-ed numeric conditions select exactly what Python's operators do."""
    fake = FakeQuickBooks(clock=VirtualClock())
    for number, balance in enumerate(balances):
        fake.add_customer(f"C{number}", fields={"Balance": balance})
    where = " AND ".join(f"Balance {op} '{value}'" for op, value in conditions)
    # Generated test queries: integers and fixed operators only.
    text = "select * from Customer"
    if where:
        text = f"{text} where {where}"
    expected = [
        f"C{number}"
        for number, balance in enumerate(balances)
        if all(_OPERATORS[op](balance, value) for op, value in conditions)
    ]
    with httpx.Client(
        transport=fake.transport(),
        base_url=f"https://q/v3/company/{fake.realm_id}",
        headers={"Authorization": "Bearer t"},
    ) as http:
        assert _names(_query(http, text)) == expected


@settings(max_examples=20, deadline=None)
@given(count=st.integers(0, 40), page=st.integers(1, 15))
def test_pages_cover_every_row_once(count: int, page: int) -> None:
    """Walking STARTPOSITION by MAXRESULTS returns every row once, in order."""
    fake = FakeQuickBooks(clock=VirtualClock())
    for number in range(count):
        fake.add_item(f"Item {number:02}")
    seen: list[str] = []
    with httpx.Client(
        transport=fake.transport(),
        base_url=f"https://q/v3/company/{fake.realm_id}",
        headers={"Authorization": "Bearer t"},
    ) as http:
        start = 1
        while True:
            result = _query(
                http,
                "select * from Item ORDERBY Name "  # noqa: S608 - integers
                f"STARTPOSITION {start} MAXRESULTS {page}",
            )
            rows = _names(result, "Item")
            seen.extend(rows)
            if len(rows) < page:
                break
            start += page
    assert seen == [f"Item {number:02}" for number in range(count)]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    "text",
    [
        "select * from Customer where DisplayNme = 'Acme'",
        "select * from Customer where Nonsense.Address LIKE '%acme%'",
        "select count(*) from Customer where Colour IN ('red')",
        "select * from Customer orderby Nickname",
        "select * from Item where DisplayName = 'W'",
    ],
)
def test_unknown_property_is_4000_not_an_empty_result(
    http: httpx.Client, text: str
) -> None:
    """A WHERE or ORDERBY on a property the entity lacks is a 400 (QBO)."""
    error = _parse_error(http, text)
    assert error["code"] == "4000"
    assert error["Detail"].startswith("QueryParserError")


@pytest.mark.usefixtures("seeded")
def test_known_properties_in_any_case_are_accepted(http: httpx.Client) -> None:
    """Documented properties and dotted paths pass the property check."""
    found = _query(
        http,
        "select * from Customer where primaryemailaddr.address = "
        "'ops@acme.example' and metadata.lastupdatedtime > "
        "'2000-01-01T00:00:00Z' orderby GivenName",
    )
    assert _names(found) == ["Acme"]
