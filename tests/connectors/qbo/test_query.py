"""The query builder: escaping can never change a query's meaning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hsqbo.qbo import Customer, Invoice, Item, Payment, escape, select


def _string(text: str, i: int) -> tuple[str, int]:
    """Decode the string literal whose opening quote is at *i*."""
    i += 1
    value = []
    while i < len(text):
        if text[i] == "\\":
            value.append(text[i + 1])
            i += 2
        elif text[i] == "'":
            return "".join(value), i + 1
        else:
            value.append(text[i])
            i += 1
    msg = "unterminated string"
    raise ValueError(msg)


def _lex(text: str) -> list[tuple[str, str]]:
    """Split QBO query text into (kind, value) tokens, decoding strings."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == " ":
            i += 1
        elif char == "'":
            value, i = _string(text, i)
            tokens.append(("string", value))
        elif text.startswith(("<=", ">="), i):
            tokens.append(("op", text[i : i + 2]))
            i += 2
        elif char in "=<>(),*":
            tokens.append(("op", char))
            i += 1
        else:
            start = i
            while i < len(text) and (text[i].isalnum() or text[i] in "._"):
                i += 1
            if start == i:
                msg = f"unexpected {char!r}"
                raise ValueError(msg)
            tokens.append(("word", text[start:i]))
    return tokens


values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30
)


@settings(deadline=None, max_examples=200)
@given(values)
def test_a_value_is_always_exactly_one_string_literal(value: str) -> None:
    """Whatever the value, the query lexes to the same shape with it intact."""
    text = select(Customer).where("DisplayName", "=", value).to_text()
    assert _lex(text) == [
        ("word", "SELECT"),
        ("op", "*"),
        ("word", "FROM"),
        ("word", "Customer"),
        ("word", "WHERE"),
        ("word", "DisplayName"),
        ("op", "="),
        ("string", value),
    ]


@settings(deadline=None, max_examples=100)
@given(st.lists(values, min_size=1, max_size=5), values)
def test_in_lists_and_and_keep_their_structure(
    names: list[str], like: str
) -> None:
    """IN lists and ANDed LIKE keep one literal per value, in order."""
    text = (
        select(Item)
        .where("Name", "IN", names)
        .where("Sku", "LIKE", like)
        .to_text(start_position=1, max_results=10)
    )
    tokens = _lex(text)
    strings = [v for kind, v in tokens if kind == "string"]
    assert strings == [*names, like]
    words = [v for kind, v in tokens if kind == "word"]
    assert words == [
        "SELECT",
        "FROM",
        "Item",
        "WHERE",
        "Name",
        "IN",
        "AND",
        "Sku",
        "LIKE",
        "STARTPOSITION",
        "1",
        "MAXRESULTS",
        "10",
    ]


@settings(deadline=None, max_examples=100)
@given(st.text(max_size=20))
def test_names_are_identifiers_or_refused(name: str) -> None:
    """A name either passes through unchanged as an identifier or raises."""
    try:
        escaped = escape(name, kind="name")
    except ValueError:
        return
    assert escaped == name
    assert _lex(escaped) == [("word", name)]


def test_injection_attempt_stays_a_value() -> None:
    """A classic break-out attempt is just a strange display name."""
    evil = "x\\' OR Active = false --"
    text = select(Customer).where("DisplayName", "=", evil).to_text()
    assert text == (
        "SELECT * FROM Customer WHERE DisplayName = 'x\\\\\\' OR Active = "
        "false --'"
    )
    assert _lex(text)[-1] == ("string", evil)


def test_values_of_every_type_render() -> None:
    """Booleans bare; numbers, dates and aware datetimes quoted."""
    when = dt.datetime(
        2026, 1, 31, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8))
    )
    text = (
        select(Invoice)
        .where("TotalAmt", ">", Decimal("1000.50"))
        .where("TxnDate", ">=", dt.date(2026, 1, 1))
        .where("MetaData.LastUpdatedTime", ">", when)
        .order_by("MetaData.LastUpdatedTime", descending=True)
        .to_text()
    )
    assert text == (
        "SELECT * FROM Invoice WHERE TotalAmt > '1000.50' AND "
        "TxnDate >= '2026-01-01' AND "
        "MetaData.LastUpdatedTime > '2026-01-31T08:00:00-08:00' "
        "ORDERBY MetaData.LastUpdatedTime DESC"
    )
    assert (
        select(Customer).where("Active", "=", value=False).to_text()
        == "SELECT * FROM Customer WHERE Active = false"
    )


def test_naive_datetimes_are_refused() -> None:
    """A naive datetime in a condition would be read in Pacific time."""
    query = select(Payment).where(
        "TxnDate",
        ">",
        dt.datetime(2026, 1, 1),  # noqa: DTZ001
    )
    with pytest.raises(ValueError, match="aware"):
        query.to_text()


def test_with_inactive_only_for_name_lists_and_without_duplicates() -> None:
    """Active IN (true, false) is added to customers/items, never twice."""
    assert select(Customer).with_inactive().to_text() == (
        "SELECT * FROM Customer WHERE Active IN (true, false)"
    )
    assert select(Invoice).with_inactive().to_text() == "SELECT * FROM Invoice"
    explicit = select(Item).where("Active", "=", value=False).with_inactive()
    assert explicit.to_text() == "SELECT * FROM Item WHERE Active = false"


def test_count_text_keeps_the_conditions() -> None:
    """COUNT(*) uses the same WHERE as the rows."""
    query = select(Customer).where("CompanyName", "LIKE", "Harbor%")
    assert query.count_text() == (
        "SELECT COUNT(*) FROM Customer WHERE CompanyName LIKE 'Harbor%'"
    )


@pytest.mark.parametrize(
    ("field", "operator", "value", "error"),
    [
        ("Display Name", "=", "x", ValueError),
        ("DisplayName;", "=", "x", ValueError),
        ("Id", "IN", "not-a-list", TypeError),
        ("Id", "=", ("1", "2"), TypeError),
        ("Id", "!=", "1", ValueError),
    ],
)
def test_bad_conditions_are_refused(
    field: str, operator: str, value: object, error: type[Exception]
) -> None:
    """Bad names, operators and value shapes fail when the query is built."""
    with pytest.raises(error):
        select(Customer).where(field, operator, value)  # type: ignore[arg-type]


def test_paging_bounds_are_checked() -> None:
    """STARTPOSITION is 1-based and MAXRESULTS at most 1000."""
    query = select(Customer)
    with pytest.raises(ValueError, match="1-based"):
        query.to_text(start_position=0)
    with pytest.raises(ValueError, match=r"1\.\.1000"):
        query.to_text(max_results=1001)
    with pytest.raises(ValueError, match="at least one"):
        select(Customer).where("Id", "IN", []).to_text()
