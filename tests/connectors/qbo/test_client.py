"""The sync client's entity operations, paging, writes, retries and quotas."""

# The tokens and secrets here are made up for the tests.
# ruff: noqa: S106

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
import respx

from hsqbo import DuplicateError, RetryPolicy, ServerError
from hsqbo.qbo import (
    BatchItem,
    Customer,
    EmailAddress,
    Invoice,
    Item,
    QuickBooksClient,
    QuickBooksLimits,
    select,
)
from hsqbo.testing import VirtualClock


API = "https://qbo.test/v3/company/9341450000123"


def _rows(start: int, count: int) -> list[dict[str, Any]]:
    return [
        {"Id": str(n), "SyncToken": "0", "DisplayName": f"Customer {n}"}
        for n in range(start, start + count)
    ]


def _page(request: httpx.Request) -> httpx.Response:
    """Serve 2,345 customers, honouring STARTPOSITION and MAXRESULTS."""
    words = request.content.decode().split()
    start = int(words[words.index("STARTPOSITION") + 1])
    size = int(words[words.index("MAXRESULTS") + 1])
    count = max(0, min(size, 2345 - start + 1))
    if not count:
        return httpx.Response(200, json={"QueryResponse": {}})
    return httpx.Response(
        200,
        json={
            "QueryResponse": {
                "Customer": _rows(start, count),
                "startPosition": start,
                "maxResults": count,
            }
        },
    )


def test_get_reads_one_customer(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """get() reads by id, sends minorversion 75 and the bearer token."""
    route = mock.get(f"{API}/customer/412").respond(
        json=load_json("customer.json")
    )
    customer = make_client().get(Customer, "412")
    assert customer.display_name == "Harbor Lane Bakery"
    assert customer.balance == Decimal("1240.5")
    assert customer.meta_data.last_updated_time == dt.datetime(  # type: ignore[union-attr]
        2026, 2, 19, 23, 3, 10, tzinfo=dt.UTC
    )
    request = route.calls.last.request
    assert request.url.params["minorversion"] == "75"
    assert request.headers["Authorization"] == "Bearer access-token-value"
    assert request.headers["Accept"] == "application/json"


def test_query_pages_lazily_with_thousand_row_pages(
    mock: respx.MockRouter, make_client: Callable[..., QuickBooksClient]
) -> None:
    """The iterator asks for the next page only when it is reached."""
    route = mock.post(f"{API}/query").mock(side_effect=_page)
    rows = make_client().query(Customer)
    first = next(rows)
    assert first.id == "1"
    assert route.call_count == 1
    rest = list(rows)
    assert len(rest) + 1 == 2345
    assert route.call_count == 3
    texts = [c.request.content.decode() for c in route.calls]
    assert texts[2].endswith("STARTPOSITION 2001 MAXRESULTS 1000")
    assert all(
        c.request.headers["Content-Type"] == "application/text"
        for c in route.calls
    )
    assert all(
        c.request.url.params["minorversion"] == "75" for c in route.calls
    )


def test_query_with_exact_page_multiple_stops_on_empty_page(
    mock: respx.MockRouter, make_client: Callable[..., QuickBooksClient]
) -> None:
    """A full last page costs one more call, answered with no entity key."""
    answers = iter(
        [
            httpx.Response(
                200,
                json={"QueryResponse": {"Customer": _rows(1, 2)}},
            ),
            httpx.Response(200, json={"QueryResponse": {}}),
        ]
    )
    route = mock.post(f"{API}/query").mock(side_effect=lambda _: next(answers))
    found = list(make_client().query(select(Customer), page_size=2))
    assert [c.id for c in found] == ["1", "2"]
    assert route.call_count == 2


def test_query_sends_inactive_filter_and_escaped_values(
    mock: respx.MockRouter, make_client: Callable[..., QuickBooksClient]
) -> None:
    """with_inactive() adds Active IN (true, false); values are escaped."""
    route = mock.post(f"{API}/query").respond(json={"QueryResponse": {}})
    query = (
        select(Customer)
        .where("DisplayName", "=", "O'Brien \\ Sons")
        .with_inactive()
    )
    assert list(make_client().query(query)) == []
    assert route.calls.last.request.content.decode() == (
        "SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien \\\\ Sons' "
        "AND Active IN (true, false) STARTPOSITION 1 MAXRESULTS 1000"
    )


def test_count_uses_count_star(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """count() sends SELECT COUNT(*) and reads totalCount."""
    route = mock.post(f"{API}/query").respond(
        json=load_json("query_count.json")
    )
    assert (
        make_client().count(select(Item).where("Type", "=", "Service")) == 42
    )
    assert route.calls.last.request.content.decode() == (
        "SELECT COUNT(*) FROM Item WHERE Type = 'Service'"
    )


def test_create_sends_only_what_was_set_with_a_requestid(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """create() posts the set fields and a derived 32-character requestid."""
    route = mock.post(f"{API}/customer").respond(
        json=load_json("customer.json")
    )
    created = make_client().create(
        Customer(
            display_name="Harbor Lane Bakery",
            primary_email_addr=EmailAddress(
                address="books@harborlane.example"
            ),
        )
    )
    assert created.id == "412"
    request = route.calls.last.request
    assert json.loads(request.content) == {
        "DisplayName": "Harbor Lane Bakery",
        "PrimaryEmailAddr": {"Address": "books@harborlane.example"},
    }
    assert len(request.url.params["requestid"]) == 32
    assert request.url.params["minorversion"] == "75"


def test_each_write_gets_its_own_derived_requestid(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """Two separate creates are two operations, with two requestids."""
    route = mock.post(f"{API}/customer").respond(
        json=load_json("customer.json")
    )
    client = make_client()
    client.create(Customer(display_name="A"))
    client.create(Customer(display_name="B"))
    ids = {c.request.url.params["requestid"] for c in route.calls}
    assert len(ids) == 2


def test_retried_write_reuses_its_requestid(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """A create hitting a 503 and a dropped connection keeps one requestid."""
    route = mock.post(f"{API}/customer").mock(
        side_effect=[
            httpx.Response(503, text="<html><title>busy</title></html>"),
            httpx.RemoteProtocolError("dropped"),
            httpx.Response(200, json=load_json("customer.json")),
        ]
    )
    make_client().create(
        Customer(display_name="Harbor Lane Bakery"), request_id="op-17"
    )
    assert [c.request.url.params["requestid"] for c in route.calls] == [
        "op-17"
    ] * 3
    assert clock.slept > 0


def test_requestid_longer_than_fifty_is_refused(
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """QBO rejects requestids over 50 characters, so hsqbo does first."""
    with pytest.raises(ValueError, match=r"1\.\.50"):
        make_client().create(Customer(display_name="A"), request_id="x" * 51)


def test_update_is_sparse_with_id_and_synctoken(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """update() sends sparse: true, Id, SyncToken and the set fields only."""
    route = mock.post(f"{API}/customer").respond(
        json=load_json("customer.json")
    )
    make_client().update(Customer(id="412", sync_token="3", notes="VIP"))
    assert json.loads(route.calls.last.request.content) == {
        "Id": "412",
        "SyncToken": "3",
        "Notes": "VIP",
        "sparse": True,
    }


def test_update_against_a_base_sends_only_the_changes(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """A read-modify-write sends the changed field, not the whole record."""
    mock.get(f"{API}/customer/412").respond(json=load_json("customer.json"))
    route = mock.post(f"{API}/customer").respond(
        json=load_json("customer.json")
    )
    client = make_client()
    read = client.get(Customer, "412")
    edited = attrs.evolve(read, notes="Net-45 from March")
    client.update(edited, base=read)
    assert json.loads(route.calls.last.request.content) == {
        "Id": "412",
        "SyncToken": "3",
        "Notes": "Net-45 from March",
        "sparse": True,
    }


def test_deactivate_sets_active_false(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """deactivate() is a sparse update of Active to false."""
    route = mock.post(f"{API}/item").respond(json=load_json("item.json"))
    make_client().deactivate(Item(id="37", sync_token="1"))
    assert json.loads(route.calls.last.request.content) == {
        "Id": "37",
        "SyncToken": "1",
        "sparse": True,
        "Active": False,
    }


def test_deactivate_refuses_transactions(
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """Invoices are voided or deleted, never deactivated."""
    with pytest.raises(TypeError, match="cannot be deactivated"):
        make_client().deactivate(Invoice(id="1", sync_token="0"))


def test_void_posts_operation_void(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """void() posts Id and SyncToken to ?operation=void with a requestid."""
    route = mock.post(f"{API}/invoice").respond(json=load_json("invoice.json"))
    make_client().void(Invoice(id="1088", sync_token="2"))
    request = route.calls.last.request
    assert request.url.params["operation"] == "void"
    assert "requestid" in request.url.params
    assert json.loads(request.content) == {"Id": "1088", "SyncToken": "2"}


def test_update_without_synctoken_is_refused(
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """Sparse updates need the SyncToken; hsqbo says so before sending."""
    with pytest.raises(ValueError, match="SyncToken"):
        make_client().update(Customer(id="412", notes="x"))


def test_429_is_retried_after_sixty_virtual_seconds(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    load_text: Callable[[str], str],
    clock: VirtualClock,
) -> None:
    """A throttled read waits 60 virtual seconds, then works."""
    route = mock.get(f"{API}/customer/412").mock(
        side_effect=[
            httpx.Response(
                429,
                text=load_text("errors/throttled.xml"),
                headers={"Content-Type": "application/xml"},
            ),
            httpx.Response(200, json=load_json("customer.json")),
        ]
    )
    make_client().get(Customer, "412")
    assert route.call_count == 2
    assert clock.slept == pytest.approx(60.0)


def test_server_errors_give_up_after_the_policy(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """Three 500s with a three-try policy raise the last ServerError."""
    route = mock.get(f"{API}/customer/412").respond(
        500, json=load_json("errors/system_fault.json")
    )
    with pytest.raises(ServerError):
        make_client().get(Customer, "412")
    assert route.call_count == 3


def test_validation_errors_are_not_retried(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """A 400 fault is final: one call."""
    route = mock.post(f"{API}/customer").respond(
        400, json=load_json("errors/duplicate_name.json")
    )
    with pytest.raises(DuplicateError):
        make_client().create(Customer(display_name="A"))
    assert route.call_count == 1


def test_quota_of_500_per_minute_waits_instead_of_429(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """The 501st call in a minute waits for the window on the virtual clock."""
    mock.get(f"{API}/customer/412").respond(json=load_json("customer.json"))
    client = make_client()
    for _ in range(500):
        client.get(Customer, "412")
    assert clock.slept == 0
    client.get(Customer, "412")
    assert clock.slept == pytest.approx(60.0)


def test_batch_quota_is_forty_per_minute(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    clock: VirtualClock,
) -> None:
    """41 batch requests in a row wait once for the batch window."""
    mock.post(f"{API}/batch").respond(json={"BatchItemResponse": []})
    client = make_client(limits=QuickBooksLimits(batch_size=1))
    items = [
        BatchItem.create(Customer(display_name=f"C{n}")) for n in range(41)
    ]
    client.batch(items)
    assert clock.slept == pytest.approx(60.0)


def test_sandbox_and_production_urls() -> None:
    """sandbox=True picks Intuit's sandbox host; the default is production."""
    with QuickBooksClient("1", "t", sandbox=True) as sandbox:
        assert "sandbox-quickbooks.api.intuit.com" in repr(sandbox)
    with QuickBooksClient("1", "t") as production:
        assert "https://quickbooks.api.intuit.com" in repr(production)
    with pytest.raises(ValueError, match="not both"):
        QuickBooksClient("1", "t", sandbox=True, base_url="http://x")


def test_injected_http_client_is_not_closed(
    mock: respx.MockRouter, load_json: Callable[[str], Any]
) -> None:
    """A caller's httpx.Client stays open after the QBO client closes."""
    mock.get(f"{API}/customer/412").respond(json=load_json("customer.json"))
    http = httpx.Client()
    with QuickBooksClient(
        "9341450000123",
        "tok",
        base_url="https://qbo.test",
        http=http,
        retry=RetryPolicy.never(),
    ) as client:
        client.get(Customer, "412")
    assert not http.is_closed
    http.close()


def test_default_timeout_is_applied_to_every_request(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """Requests carry a finite timeout even through an injected client."""
    route = mock.get(f"{API}/customer/412").respond(
        json=load_json("customer.json")
    )
    make_client().get(Customer, "412")
    timeout = route.calls.last.request.extensions["timeout"]
    assert timeout["read"] == 60.0
    assert timeout["connect"] == 10.0


def test_realm_id_with_a_slash_is_refused() -> None:
    """A realm id cannot smuggle a path into the URL."""
    with pytest.raises(ValueError, match="realm_id"):
        QuickBooksClient("1/../2", "t")


def test_client_repr_shows_no_token() -> None:
    """repr(client) names the realm and host, never the token."""
    with QuickBooksClient("1", "secret-access-token") as client:
        assert "secret-access-token" not in repr(client)


def test_enhanced_custom_fields_are_asked_for_on_every_call(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """The option adds include=enhancedAllCustomFields to reads and writes."""
    read = mock.get(f"{API}/invoice/1088").respond(
        json=load_json("invoice.json")
    )
    write = mock.post(f"{API}/invoice").respond(json=load_json("invoice.json"))
    client = make_client(enhanced_custom_fields=True)
    invoice = client.get(Invoice, "1088")
    client.update(invoice)
    for route in (read, write):
        params = route.calls.last.request.url.params
        assert params["include"] == "enhancedAllCustomFields"
        assert params["minorversion"] == "75"
