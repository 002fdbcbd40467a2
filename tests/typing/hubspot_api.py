"""
Type-checked use of hsqbo.hubspot; mypy reads it, pytest never runs it.

If a public signature of the HubSpot connector changes in a way that breaks
callers, mypy fails here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import httpx

from hsqbo import (
    ApiError,
    DuplicateError,
    Filter,
    FilterGroup,
    Operator,
    Record,
    RetryPolicy,
    TransportError,
)
from hsqbo.hubspot import (
    Association,
    AssociationSpec,
    AssociationTypes,
    AsyncHubSpotClient,
    BatchOutcome,
    BatchResult,
    HubSpotClient,
    HubSpotObject,
    NewObject,
    NewProperty,
    OAuthApp,
    OAuthToken,
    PropertyDefinition,
    PropertyGroup,
    PropertyType,
    RateLimits,
    SearchLimits,
    Sort,
    SortDirection,
    decode_value,
    encode_value,
    to_record,
)
from hsqbo.testing import VirtualClock


def store(token: OAuthToken) -> None:
    """Keep a refreshed token (a caller's persistence callback)."""
    del token


clock = VirtualClock(dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
client = HubSpotClient(
    "pat-na1-example",
    base_url="https://api.hubapi.com",
    api_version="2026-03",
    http=httpx.Client(),
    clock=clock,
    retry=RetryPolicy(attempts=3),
    rate_limits=RateLimits.for_tier("professional"),
    search_limits=SearchLimits(),
)
oauth_client = HubSpotClient(
    OAuthToken(
        access_token="at",  # noqa: S106 - an example
        refresh_token="rt",  # noqa: S106 - an example
        expires_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    ),
    oauth_app=OAuthApp(client_id="id", client_secret="secret"),  # noqa: S106
    on_token_refresh=store,
    api_version="v3",
)

with client:
    one: HubSpotObject = client.get(
        "contacts", "1", properties=["email"], associations=["companies"]
    )
    by_value: HubSpotObject = client.get(
        "contacts", "C-1", id_property="qbo_customer_id"
    )
    listed: Iterator[HubSpotObject] = client.list(
        "contacts", properties=["email"], archived=False, page_size=100
    )
    groups = [
        FilterGroup([Filter("email", Operator.HAS_PROPERTY)]),
        FilterGroup([Filter("createdate", Operator.GTE, value="2026-03-01")]),
    ]
    found: Iterator[HubSpotObject] = client.search(
        "contacts",
        groups,
        properties=["email"],
        sorts=[Sort("hs_object_id", SortDirection.ASCENDING)],
        page_size=200,
    )
    created: HubSpotObject = client.create(
        "invoices",
        NewObject(
            properties={
                "hs_currency": "USD",
                "hs_due_date": dt.date(2026, 3, 31),
            },
            associations=[
                Association(
                    to_id="1", types=(AssociationTypes.INVOICE_TO_CONTACT,)
                )
            ],
        ),
    )
    client.update("deals", "4", {"amount": Decimal("10.50"), "notes": None})
    client.archive("products", "5")
    batch: BatchResult = client.batch_create(
        "contacts", [{"email": "a@example.com"}]
    )
    for outcome in batch.outcomes:
        index: int = outcome.index
        error: ApiError | TransportError | None = outcome.error
        if isinstance(error, DuplicateError):
            owner: str | None = error.existing_id
    first: BatchOutcome = batch.outcomes[0]
    client.batch_update("contacts", {"1": {"firstname": "Ada"}})
    client.batch_upsert(
        "contacts", "qbo_customer_id", [("58", {"email": "a@example.com"})]
    )
    client.batch_read("contacts", ["1", "2"], properties=["email"])
    client.batch_archive("contacts", ["1"])
    links: dict[str, tuple[Association, ...]] = client.read_associations(
        "contacts", "companies", ["1"]
    )
    client.associate("notes", "9", "deals", "4", AssociationTypes.NOTE_TO_DEAL)
    client.associate_many(
        "invoices",
        "deals",
        [("8", Association(to_id="4", types=(AssociationSpec(175),)))],
    )
    company: str | None = client.primary_company("1")
    props: tuple[PropertyDefinition, ...] = client.list_properties("contacts")
    prop_groups: tuple[PropertyGroup, ...] = client.list_property_groups(
        "deals"
    )
    qbo_id = NewProperty(
        name="qbo_customer_id",
        label="QBO customer id",
        type=PropertyType.STRING,
        field_type="text",
        group_name="contactinformation",
        has_unique_value=True,
    )
    made: PropertyDefinition = client.ensure_property("contacts", qbo_id)
    records: Iterator[Record] = client.records("contacts", listed)
    record: Record = to_record(
        one, "contacts", types={"email": PropertyType.STRING}
    )

wire: str = encode_value(Decimal("1.5"))
value = decode_value("2026-03-01", PropertyType.DATE)


async def use_async() -> None:
    """The async client mirrors the sync one."""
    async with AsyncHubSpotClient(
        "pat-na1-example", http=httpx.AsyncClient(), clock=clock
    ) as hub:
        obj: HubSpotObject = await hub.get("contacts", "1")
        pages: AsyncIterator[HubSpotObject] = hub.list("contacts")
        async for item in pages:
            del item
        async for hit in hub.search("contacts", groups):
            del hit
        result: BatchResult = await hub.batch_upsert(
            "contacts", "qbo_customer_id", {"58": {"email": "a@b.co"}}
        )
        primary: str | None = await hub.primary_company(obj.id)
        async for rec in hub.records("contacts", [obj]):
            del rec
        del result, primary
