"""
The connector against FakeQuickBooks, in process and served on loopback.

The respx tests pin the wire format; these run the same operations against
the fake company (both as an httpx transport and as a real HTTP server), so
the connector and the fake agree on behaviour, not only on bytes.
"""

# The tokens and secrets here are made up for the tests.
# ruff: noqa: S105, S106, S107

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest

from hsqbo import (
    AuthenticationError,
    DuplicateError,
    NotFoundError,
    RetryPolicy,
    StaleObjectError,
)
from hsqbo.qbo import (
    AsyncQuickBooksClient,
    BatchItem,
    Customer,
    CustomField,
    EmailAddress,
    Invoice,
    Item,
    Line,
    OAuth2App,
    OAuth2Token,
    QuickBooksClient,
    Ref,
    SalesItemLineDetail,
    exchange_code,
    select,
    to_record,
)
from hsqbo.testing import FakeQuickBooks, FaultKind, VirtualClock


START = dt.datetime(2026, 2, 12, 16, 0, tzinfo=dt.UTC)
Connect = Callable[..., QuickBooksClient]


@pytest.fixture
def clock() -> VirtualClock:
    """One virtual clock for the fake and the client."""
    return VirtualClock(START)


@pytest.fixture
def fake(clock: VirtualClock) -> FakeQuickBooks:
    """A fresh fake company on the shared clock."""
    return FakeQuickBooks(clock=clock)


@pytest.fixture(params=["transport", "served"])
def base(
    request: pytest.FixtureRequest, fake: FakeQuickBooks
) -> Iterator[tuple[str, httpx.Client | None]]:
    """The fake as an httpx transport, or served on 127.0.0.1."""
    if request.param == "transport":
        http = httpx.Client(transport=fake.transport())
        yield "https://quickbooks.test", http
        http.close()
    else:
        with fake.serve() as url:
            yield url, None


@pytest.fixture
def connect(
    fake: FakeQuickBooks,
    clock: VirtualClock,
    base: tuple[str, httpx.Client | None],
) -> Iterator[Connect]:
    """Build clients talking to the fake through the chosen backend."""
    url, http = base
    made: list[QuickBooksClient] = []

    def make(
        token: OAuth2Token | str = "any-access-token", **options: Any
    ) -> QuickBooksClient:
        options.setdefault("clock", clock)
        options.setdefault("retry", RetryPolicy(attempts=4, max_jitter=0.0))
        client = QuickBooksClient(
            fake.realm_id, token, base_url=url, http=http, **options
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def test_customer_lifecycle(connect: Connect, fake: FakeQuickBooks) -> None:
    """Create, read, sparse-update, deactivate and query a customer."""
    client = connect()
    created = client.create(
        Customer(
            display_name="Harbor Lane Bakery",
            primary_email_addr=EmailAddress(address="books@harbor.example"),
        )
    )
    assert created.sync_token == "0"
    read = client.get(Customer, created.id)  # type: ignore[arg-type]
    assert read == created
    updated = client.update(
        attrs.evolve(read, notes="Net 30", company_name="Harbor LLC"),
        base=read,
    )
    assert updated.sync_token == "1"
    assert updated.notes == "Net 30"
    assert updated.primary_email_addr == read.primary_email_addr
    stored = fake.get("Customer", created.id)  # type: ignore[arg-type]
    assert stored is not None
    assert stored["CompanyName"] == "Harbor LLC"
    inactive = client.deactivate(updated)
    assert inactive.active is False
    assert list(client.query(Customer)) == []
    assert [c.id for c in client.query(select(Customer).with_inactive())] == [
        created.id
    ]
    assert to_record(inactive).archived


def test_query_pages_through_the_fake(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """2,050 customers come back in three pages, count(*) agrees."""
    for n in range(2050):
        fake.add_customer(f"Customer {n:04d}")
    client = connect()
    before = fake.calls.count("query")
    names = [c.display_name for c in client.query(Customer)]
    assert len(names) == 2050
    assert len(set(names)) == 2050
    assert fake.calls.count("query") - before == 3
    assert client.count(Customer) == 2050
    assert (
        client.count(
            select(Customer).where("DisplayName", "LIKE", "Customer 1%")
        )
        == 1000
    )


def test_escaped_names_find_themselves(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """Apostrophes and backslashes in values are matched literally."""
    tricky = "O'Brien \\ Sons"
    fake.add_customer(tricky)
    fake.add_customer("O")
    client = connect()
    found = list(
        client.query(select(Customer).where("DisplayName", "=", tricky))
    )
    assert [c.display_name for c in found] == [tricky]


def test_duplicate_name_names_the_existing_customer(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """6240 from the fake carries the owner's id, vendors included."""
    vendor = fake.add_vendor("Acme Supplies")
    client = connect()
    with pytest.raises(DuplicateError) as caught:
        client.create(Customer(display_name="Acme Supplies"))
    assert caught.value.code == "6240"
    assert caught.value.existing_id == vendor["Id"]
    assert caught.value.request_id


def test_stale_synctoken_is_a_stale_object_error(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """An update with an old SyncToken fails with 5010."""
    customer = fake.add_customer("Ada")
    client = connect()
    read = client.get(Customer, customer["Id"])
    fake.update("Customer", customer["Id"], {"Notes": "changed in QBO"})
    with pytest.raises(StaleObjectError):
        client.update(attrs.evolve(read, notes="mine"), base=read)


def test_missing_object_is_not_found(connect: Connect) -> None:
    """Reading an unknown id raises NotFoundError (QBO 610)."""
    with pytest.raises(NotFoundError) as caught:
        connect().get(Customer, "999999")
    assert caught.value.code == "610"


def test_invoice_with_custom_field_payment_and_void(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """Totals are computed, payments link, voiding archives the invoice."""
    fake.set_custom_field(1, "HubSpot Deal")
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=450)
    client = connect()
    [slot, *_] = client.sales_form_custom_fields()
    assert (slot.definition_id, slot.name, slot.enabled) == (
        "1",
        "HubSpot Deal",
        True,
    )
    invoice = client.create(
        Invoice(
            customer_ref=Ref(value=customer["Id"]),
            custom_field=(CustomField(definition_id="1", string_value="D-1"),),
            line=(
                Line(
                    amount=Decimal(900),
                    detail_type="SalesItemLineDetail",
                    sales_item_line_detail=SalesItemLineDetail(
                        item_ref=Ref(value=item["Id"]),
                        qty=Decimal(2),
                        unit_price=Decimal(450),
                    ),
                ),
            ),
        )
    )
    assert invoice.total_amt == Decimal(900)
    assert invoice.balance == Decimal(900)
    assert to_record(invoice).fields["CustomField[HubSpot Deal]"] == "D-1"
    fake.add_payment(customer["Id"], 500, applied={invoice.id: 500})  # type: ignore[dict-item]
    paid = client.get(Invoice, invoice.id)  # type: ignore[arg-type]
    assert paid.balance == Decimal(400)
    assert isinstance(paid.linked_txn, tuple)
    assert [link.txn_type for link in paid.linked_txn] == ["Payment"]


def test_void_keeps_the_invoice_with_zero_amounts(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """A voided invoice stays, zeroed, and reads as archived."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=100)
    seeded = fake.add_invoice(customer["Id"], [(item["Id"], 1, 100)])
    client = connect()
    voided = client.void(client.get(Invoice, seeded["Id"]))
    assert voided.total_amt == Decimal(0)
    assert to_record(voided).archived


def test_cdc_sees_changes_and_deletions(
    connect: Connect, fake: FakeQuickBooks, clock: VirtualClock
) -> None:
    """After a change and a deletion, CDC returns both."""
    since = clock.now()
    clock.advance(60)
    customer = fake.add_customer("Changed Co")
    item = fake.add_item("Thing", unit_price=5)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 5)])
    fake.delete("Invoice", invoice["Id"])
    clock.advance(60)
    changes = connect().cdc([Customer, Invoice], since)
    assert [c.id for c in changes.changed if isinstance(c, Customer)] == [
        customer["Id"]
    ]
    assert [(d.entity, d.id) for d in changes.deleted] == [
        ("Invoice", invoice["Id"])
    ]


def test_batch_against_the_fake_is_per_item(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """65 creates with one taken name: 64 created, one DuplicateError."""
    fake.add_customer("Taken")
    items = [
        BatchItem.create(Customer(display_name=f"Batch {n}"))
        for n in range(64)
    ]
    items.insert(40, BatchItem.create(Customer(display_name="Taken")))
    results = connect().batch(items)
    assert len(results) == 65
    assert isinstance(results[40].error, DuplicateError)
    assert sum(r.ok for r in results) == 64
    assert len(fake.customers()) == 65
    assert fake.calls.count("batch") == 3


def test_dropped_answer_after_apply_does_not_duplicate(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """A create applied but unanswered is retried with its requestid: once."""
    fake.faults.fail_next(1, FaultKind.DROP_AFTER_APPLY)
    created = connect().create(Customer(display_name="Exactly Once"))
    assert [c["DisplayName"] for c in fake.customers()] == ["Exactly Once"]
    assert created.display_name == "Exactly Once"
    writes = [c for c in fake.calls if c.resource == "customer"]
    assert len(writes) == 2
    assert writes[0].params["requestid"] == writes[1].params["requestid"]


@pytest.mark.parametrize(
    "kind",
    [
        FaultKind.RATE_LIMIT,
        FaultKind.SERVER_ERROR,
        FaultKind.UNAVAILABLE,
        FaultKind.TIMEOUT,
        FaultKind.DROP,
    ],
)
def test_injected_faults_are_retried(
    connect: Connect,
    fake: FakeQuickBooks,
    clock: VirtualClock,
    kind: FaultKind,
) -> None:
    """Each transient fault kind is retried on the virtual clock."""
    customer = fake.add_customer("Sturdy")
    fake.faults.fail_next(2, kind)
    read = connect().get(Customer, customer["Id"])
    assert read.display_name == "Sturdy"
    assert clock.slept > 0


def test_client_stays_under_the_fakes_quota(
    connect: Connect, fake: FakeQuickBooks, clock: VirtualClock
) -> None:
    """600 reads in a row wait on the clock instead of drawing a 429."""
    customer = fake.add_customer("Popular")
    client = connect()
    for _ in range(600):
        client.get(Customer, customer["Id"])
    statuses = {c.status for c in fake.calls}
    assert statuses == {200}
    assert clock.slept >= 59


def test_every_call_sends_minorversion_and_writes_a_requestid(
    connect: Connect, fake: FakeQuickBooks
) -> None:
    """The fake saw minorversion=75 on every call, requestid on writes."""
    client = connect()
    created = client.create(
        Item(
            name="Widget",
            type="Service",
            income_account_ref=Ref(value=fake.accounts()[0]["Id"]),
        )
    )
    client.deactivate(created)
    list(client.query(Item))
    assert all(c.params.get("minorversion") == "75" for c in fake.calls)
    writes = [c for c in fake.calls if c.resource == "item"]
    assert len(writes) == 2
    assert all(len(c.params["requestid"]) == 32 for c in writes)


def test_oauth_code_exchange_and_refresh_with_strict_tokens(
    clock: VirtualClock,
) -> None:
    """Tokens from the fake's endpoint work; expiry triggers one refresh."""
    fake = FakeQuickBooks(clock=clock, strict_tokens=True)
    with fake.serve() as url:
        app = OAuth2App(
            client_id="client",
            client_secret="secret",
            redirect_uri="https://example.com/cb",
            token_url=f"{url}/oauth2/v1/tokens/bearer",
        )
        token = exchange_code(app, fake.authorization_code(), clock=clock)
        stored: list[OAuth2Token] = []
        customer = fake.add_customer("Ada")
        with QuickBooksClient(
            fake.realm_id,
            token,
            base_url=url,
            oauth=app,
            on_token_refresh=stored.append,
            clock=clock,
        ) as client:
            assert client.get(Customer, customer["Id"]).display_name == "Ada"
            fake.expire_access_tokens()
            assert client.get(Customer, customer["Id"]).display_name == "Ada"
            assert fake.refresh_count == 1
            assert stored[-1].refresh_token != token.refresh_token
            clock.advance(3600)
            client.get(Customer, customer["Id"])
            assert fake.refresh_count == 2
            assert client.token is stored[-1]
        with (
            QuickBooksClient(
                fake.realm_id, "made-up", base_url=url, clock=clock
            ) as stranger,
            pytest.raises(AuthenticationError),
        ):
            stranger.get(Customer, customer["Id"])


def test_async_client_against_the_fake(
    fake: FakeQuickBooks, clock: VirtualClock
) -> None:
    """The async client reads, creates and batches against the fake."""
    for n in range(5):
        fake.add_customer(f"Async {n}")

    async def main() -> tuple[int, str, int]:
        async with (
            httpx.AsyncClient(transport=fake.async_transport()) as http,
            AsyncQuickBooksClient(
                fake.realm_id,
                "token",
                base_url="https://quickbooks.test",
                http=http,
                clock=clock,
            ) as client,
        ):
            seen = [c async for c in client.query(Customer, page_size=2)]
            created = await client.create(Customer(display_name="Async new"))
            results = await client.batch(
                [BatchItem.create(Customer(display_name="Async b"))]
            )
            return len(seen), str(created.id), sum(r.ok for r in results)

    seen, created_id, batched = asyncio.run(main())
    assert seen == 5
    assert fake.get("Customer", created_id) is not None
    assert batched == 1
