"""
Type-checked use of hsqbo.qbo; mypy reads it, pytest never runs it.

If a public signature of the QBO connector changes in a way that breaks
callers, mypy fails here.
"""

# The tokens and secrets here are made up.
# ruff: noqa: S106

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import httpx

from hsqbo import (
    ApiError,
    CustomFieldDefinition,
    DuplicateError,
    Record,
    RetryPolicy,
)
from hsqbo.qbo import (
    AsyncQuickBooksClient,
    BatchItem,
    BatchResult,
    ChangeSet,
    Customer,
    CustomField,
    EmailAddress,
    Invoice,
    Item,
    Line,
    OAuth2App,
    OAuth2Token,
    QuickBooksClient,
    QuickBooksLimits,
    Ref,
    SalesFormCustomField,
    SalesItemLineDetail,
    exchange_code,
    from_fields,
    select,
    to_record,
)
from hsqbo.testing import VirtualClock


app = OAuth2App(
    client_id="id", client_secret="secret", redirect_uri="https://x.test/cb"
)
url: str = app.authorization_url("state")
token: OAuth2Token = exchange_code(app, "code")
saved: list[OAuth2Token] = []

client = QuickBooksClient(
    "9341450000123",
    token,
    oauth=app,
    on_token_refresh=saved.append,
    retry=RetryPolicy(attempts=3),
    limits=QuickBooksLimits(batch_size=10),
    clock=VirtualClock(),
    timeout=30.0,
    http=httpx.Client(),
)
plain = QuickBooksClient(
    "1", "access-token", sandbox=True, enhanced_custom_fields=True
)
customer: Customer = client.get(Customer, "412")
customers: Iterator[Customer] = client.query(
    select(Customer).where("DisplayName", "=", "O'Brien").with_inactive()
)
items: Iterator[Item] = client.query(Item, page_size=500)
count: int = client.count(select(Invoice).where("TotalAmt", ">", Decimal(1)))
created: Customer = client.create(
    Customer(
        display_name="Ada",
        primary_email_addr=EmailAddress(address="ada@x.test"),
    ),
    request_id="op-1",
)
updated: Customer = client.update(created, base=customer)
inactive: Item = client.deactivate(Item(id="1", sync_token="0"))
invoice = Invoice(
    customer_ref=Ref(value="412"),
    custom_field=(CustomField(definition_id="1", string_value="D-1"),),
    line=(
        Line(
            amount=Decimal(10),
            detail_type="SalesItemLineDetail",
            sales_item_line_detail=SalesItemLineDetail(
                item_ref=Ref(value="37")
            ),
        ),
    ),
)
voided: Invoice = client.void(invoice)
changes: ChangeSet = client.cdc(
    [Customer, Invoice], dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
)
records: list[Record] = list(changes.records())
results: list[BatchResult] = client.batch(
    [BatchItem.create(created), BatchItem.select(select(Item))]
)
errors: list[ApiError | None] = [
    r.error if isinstance(r.error, ApiError) else None for r in results
]
slots: tuple[SalesFormCustomField, ...] = client.sales_form_custom_fields()
definition: CustomFieldDefinition = slots[0].to_definition()
record: Record = to_record(customer)
rebuilt: Customer = from_fields(Customer, record.fields)
current: OAuth2Token = client.token
try:
    client.create(Customer(display_name="Ada"))
except DuplicateError as error:
    existing: str | None = error.existing_id
client.close()
with QuickBooksClient("1", "t") as scoped:
    scoped.get(Customer, "1")


async def use_async() -> None:
    """Await the same surface."""
    async with AsyncQuickBooksClient("1", "t") as aclient:
        one: Customer = await aclient.get(Customer, "1")
        rows: AsyncIterator[Customer] = aclient.query(Customer)
        async for row in rows:
            del row
        made: Customer = await aclient.create(one)
        del made
