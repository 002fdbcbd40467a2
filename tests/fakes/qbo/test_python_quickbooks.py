"""
The official python-quickbooks client, unchanged, against the fake.

Only configuration points it at the fake: intuit-oauth's AuthClient takes a
discovery-document URL as its ``environment``, the QuickBooks client's
``api_url_v3`` attribute is set to the fake's base URL, and oauthlib's
``OAUTHLIB_INSECURE_TRANSPORT`` allows plain HTTP on loopback.
"""

# ruff: noqa: S105, S106
# Tokens and client secrets here are made-up test values.

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine

from hsqbo.testing import FakeQuickBooks, VirtualClock


@pytest.fixture
def served(fake: FakeQuickBooks) -> Iterator[str]:
    """Serve the fake on loopback for the duration of the test."""
    with fake.serve() as base_url:
        yield base_url


@pytest.fixture
def qb(
    fake: FakeQuickBooks, served: str, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """Return a python-quickbooks client configured for the fake."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    auth_client = AuthClient(
        client_id="client-id",
        client_secret="client-secret",
        redirect_uri="http://localhost/callback",
        environment=f"{served}/.well-known/openid_configuration",
        refresh_token="AB11-refresh",
    )
    client = QuickBooks(
        auth_client=auth_client,
        refresh_token="AB11-refresh",
        company_id=fake.realm_id,
        minorversion=75,
    )
    client.api_url_v3 = f"{served}/v3"
    return client


def test_client_refreshes_through_the_fake_token_endpoint(
    qb: Any, fake: FakeQuickBooks
) -> None:
    """The client refreshes once and receives a rotated refresh token."""
    assert fake.refresh_count == 1
    assert qb.refresh_token != "AB11-refresh"
    assert fake.calls.count("token") == 1
    assert fake.calls.count("discovery") == 1


def test_query_with_paging(qb: Any, fake: FakeQuickBooks) -> None:
    """all/filter/where page and filter; count() reads totalCount."""
    for number in range(250):
        fake.add_customer(f"Customer {number:03}")
    pages = [
        Customer.all(start_position=start, max_results=100, qb=qb)
        for start in (1, 101, 201)
    ]
    assert [len(page) for page in pages] == [100, 100, 50]
    names = [c.DisplayName for page in pages for c in page]
    assert names == [f"Customer {n:03}" for n in range(250)]
    assert Customer.count(qb=qb) == 250
    found = Customer.filter(DisplayName="Customer 007", qb=qb)
    assert [c.Id for c in found] == [fake.customers()[7]["Id"]]
    ordered = Customer.where(
        "DisplayName LIKE 'Customer 00%'",
        order_by="DisplayName DESC",
        max_results=3,
        qb=qb,
    )
    assert [c.DisplayName for c in ordered] == [
        "Customer 009",
        "Customer 008",
        "Customer 007",
    ]
    assert fake.calls.count("query") == 6


def test_get_create_sparse_update_and_deactivate(
    qb: Any, fake: FakeQuickBooks
) -> None:
    """get, create, sparse update and deactivation round-trip."""
    created = Customer()
    created.DisplayName = "O'Brien Supply"
    created.GivenName = "Siobhan"
    created = created.save(qb=qb)
    assert fake.get("Customer", created.Id)["GivenName"] == "Siobhan"  # type: ignore[index]
    assert [
        c.Id for c in Customer.filter(DisplayName="O'Brien Supply", qb=qb)
    ] == [created.Id]

    customer = Customer.get(created.Id, qb=qb)
    assert customer.SyncToken == "0"
    customer.sparse = True
    customer.Notes = "Net-30 approved"
    updated = customer.save(qb=qb)
    assert updated.SyncToken == "1"
    assert updated.Notes == "Net-30 approved"
    assert updated.GivenName == "Siobhan"

    updated.Active = False
    deactivated = updated.save(qb=qb)
    assert deactivated.Active is False
    assert Customer.count(qb=qb) == 0
    assert Customer.count("Active IN (true, false)", qb=qb) == 1


def test_stale_update_is_a_validation_exception(
    qb: Any, fake: FakeQuickBooks
) -> None:
    """A stale save raises python-quickbooks' exception with 5010."""
    seeded = fake.add_customer("Bakery")
    customer = Customer.get(seeded["Id"], qb=qb)
    fake.update("Customer", seeded["Id"], {"Notes": "edited in QBO"})
    customer.sparse = True
    customer.Notes = "mine"
    with pytest.raises(QuickbooksException) as caught:
        customer.save(qb=qb)
    assert caught.value.error_code == 5010


def test_batch_create_with_per_item_faults(
    qb: Any, fake: FakeQuickBooks
) -> None:
    """batch_create chunks by 30 and reports per-item faults."""
    fake.add_item("Item 3")
    items = []
    for number in range(35):
        item = Item()
        item.Name = f"Item {number}"
        item.Type = "Service"
        item.IncomeAccountRef = {"value": "1"}
        items.append(item)
    result = batch_create(items, qb=qb)
    assert len(result.successes) == 34
    assert len(result.faults) == 1
    assert result.faults[0].Error[0].code == "6240"
    assert result.faults[0].original_object.Name == "Item 3"
    assert fake.calls.count("batch") == 2
    assert len(fake.items()) == 35


def test_change_data_capture(
    qb: Any, fake: FakeQuickBooks, clock: VirtualClock
) -> None:
    """change_data_capture returns the objects changed since, per entity."""
    fake.add_customer("Before")
    # Less than the access token's hour: python-quickbooks never refreshes.
    clock.advance(600)
    since = clock.now()
    changed = fake.add_customer("After")
    item = fake.add_item("Widget")
    # python-quickbooks formats the timestamp without an offset; QBO reads
    # it as Pacific time.
    pacific = since.astimezone(dt.timezone(dt.timedelta(hours=-8))).replace(
        tzinfo=None
    )
    response = change_data_capture([Customer, Item, Invoice], pacific, qb=qb)
    assert [c.Id for c in response.Customer] == [changed["Id"]]
    assert [i.Name for i in response.Item] == [item["Name"]]
    assert not hasattr(response, "Invoice")


def test_duplicate_name_surfaces_as_its_own_exception(
    qb: Any, fake: FakeQuickBooks
) -> None:
    """A duplicate name is a QuickbooksException 6240 with the Id."""
    existing = fake.add_vendor("Harbor Lane")
    duplicate = Customer()
    duplicate.DisplayName = "Harbor Lane"
    with pytest.raises(QuickbooksException) as caught:
        duplicate.save(qb=qb)
    assert caught.value.error_code == 6240
    assert caught.value.message == "Duplicate Name Exists Error"
    assert (
        caught.value.detail
        == f"The name supplied already exists. : Id={existing['Id']}"
    )


def test_invoice_round_trip(qb: Any, fake: FakeQuickBooks) -> None:
    """An invoice read through python-quickbooks has computed totals."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("Workshop", unit_price=450)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 2, 450)])
    fake.add_payment(customer["Id"], 500, applied={invoice["Id"]: 500})
    read = Invoice.get(invoice["Id"], qb=qb)
    assert read.TotalAmt == 900
    assert read.Balance == 400
    assert read.LinkedTxn[0].TxnType == "Payment"


def test_invoice_and_payment_objects(qb: Any, fake: FakeQuickBooks) -> None:
    """Invoices and payments built the README way save, apply and void."""
    seeded_customer = fake.add_customer("Bakery")
    seeded_item = fake.add_item("Workshop", unit_price=450)
    line = SalesItemLine()
    line.Amount = 900
    line.Description = "Two sessions"
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Item.get(
        seeded_item["Id"], qb=qb
    ).to_ref()
    invoice = Invoice()
    invoice.CustomerRef = Customer.get(seeded_customer["Id"], qb=qb).to_ref()
    invoice.Line.append(line)
    invoice = invoice.save(qb=qb)
    assert invoice.TotalAmt == 900
    assert invoice.DocNumber == "1001"

    payment = Payment()
    payment.TotalAmt = 500
    payment.CustomerRef = invoice.CustomerRef
    applied = PaymentLine()
    applied.Amount = 500
    applied.LinkedTxn.append(invoice.to_linked_txn())
    payment.Line.append(applied)
    payment = payment.save(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 400

    payment.void(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 900
    current = Invoice.get(invoice.Id, qb=qb)
    current.void(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).TotalAmt == 0
