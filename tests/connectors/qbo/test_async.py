"""The async client has the sync surface and keeps the same rules."""

# The tokens and secrets here are made up for the tests.
# ruff: noqa: S106

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest
import respx

from hsqbo import DuplicateError, RetryPolicy
from hsqbo.qbo import (
    AsyncQuickBooksClient,
    BatchItem,
    Customer,
    Invoice,
    Item,
    QuickBooksClient,
    select,
)
from hsqbo.testing import VirtualClock


API = "https://qbo.test/v3/company/9341450000123"
T = TypeVar("T")


def _run(
    clock: VirtualClock,
    body: Callable[[AsyncQuickBooksClient], Coroutine[Any, Any, T]],
    **options: Any,
) -> T:
    async def main() -> T:
        async with AsyncQuickBooksClient(
            "9341450000123",
            "access-token-value",
            base_url="https://qbo.test",
            clock=clock,
            retry=RetryPolicy(attempts=3, max_jitter=0.0),
            **options,
        ) as client:
            return await body(client)

    return asyncio.run(main())


def test_async_entity_operations(
    mock: respx.MockRouter,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """get, create, update, deactivate, void and count work when awaited."""
    mock.get(f"{API}/customer/412").respond(json=load_json("customer.json"))
    customer_writes = mock.post(f"{API}/customer").respond(
        json=load_json("customer.json")
    )
    mock.post(f"{API}/item").respond(json=load_json("item.json"))
    void = mock.post(f"{API}/invoice").respond(json=load_json("invoice.json"))
    mock.post(f"{API}/query").respond(json=load_json("query_count.json"))

    async def body(client: AsyncQuickBooksClient) -> list[object]:
        read = await client.get(Customer, "412")
        created = await client.create(Customer(display_name="New"))
        updated = await client.update(
            Customer(id="412", sync_token="3", notes="x"), request_id="r-1"
        )
        item = await client.deactivate(Item(id="37", sync_token="1"))
        voided = await client.void(Invoice(id="1088", sync_token="2"))
        count = await client.count(Customer)
        return [read.id, created.id, updated.id, item.id, voided.id, count]

    assert _run(clock, body) == ["412", "412", "412", "37", "1088", 42]
    update = customer_writes.calls[1].request
    assert update.url.params["requestid"] == "r-1"
    assert json.loads(update.content)["sparse"] is True
    assert void.calls.last.request.url.params["operation"] == "void"


def test_async_query_pages_lazily(
    mock: respx.MockRouter, clock: VirtualClock
) -> None:
    """The async iterator reads the second page only when reached."""
    pages = iter(
        [
            httpx.Response(
                200,
                json={
                    "QueryResponse": {
                        "Customer": [{"Id": "1"}, {"Id": "2"}],
                    }
                },
            ),
            httpx.Response(
                200, json={"QueryResponse": {"Customer": [{"Id": "3"}]}}
            ),
        ]
    )
    route = mock.post(f"{API}/query").mock(side_effect=lambda _: next(pages))

    async def body(client: AsyncQuickBooksClient) -> list[str]:
        return [
            f"{customer.id}@{route.call_count}"
            async for customer in client.query(select(Customer), page_size=2)
        ]

    assert _run(clock, body) == ["1@1", "2@1", "3@2"]


def test_async_cdc_batch_and_preferences(
    mock: respx.MockRouter,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """CDC, batch and preferences parse the same as in the sync client."""
    mock.get(f"{API}/cdc").respond(json=load_json("cdc.json"))
    mock.post(f"{API}/batch").respond(json=load_json("batch.json"))
    mock.get(f"{API}/preferences").respond(json=load_json("preferences.json"))

    async def body(client: AsyncQuickBooksClient) -> tuple[Any, ...]:
        changes = await client.cdc(
            [Customer, Invoice], clock.now() - dt.timedelta(days=1)
        )
        results = await client.batch(
            [
                BatchItem.create(Customer(display_name="Ada Lovelace")),
                BatchItem.create(Customer(display_name="Harbor Lane Bakery")),
            ]
        )
        slots = await client.sales_form_custom_fields()
        return changes, results, slots

    changes, results, slots = _run(clock, body)
    assert len(changes.changed) == 2
    assert len(changes.deleted) == 1
    assert results[0].ok
    assert isinstance(results[1].error, DuplicateError)
    assert [s.name for s in slots] == ["HubSpot Deal", "Region", "PO Number"]


def test_async_retries_on_the_virtual_clock(
    mock: respx.MockRouter,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """A 503 then success retries without real sleeping."""
    route = mock.get(f"{API}/customer/412").mock(
        side_effect=[
            httpx.Response(503, text="busy"),
            httpx.Response(200, json=load_json("customer.json")),
        ]
    )

    async def body(client: AsyncQuickBooksClient) -> str:
        return str((await client.get(Customer, "412")).id)

    assert _run(clock, body) == "412"
    assert route.call_count == 2
    assert clock.slept > 0


class _Gauge:
    """Counts requests in flight; lets them finish once ten are waiting."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inflight = 0
        self.peak = 0
        self.full = threading.Event()

    def enter(self) -> None:
        with self.lock:
            self.inflight += 1
            self.peak = max(self.peak, self.inflight)
            if self.inflight >= 10:
                self.full.set()

    def leave(self) -> None:
        with self.lock:
            self.inflight -= 1


class _AsyncGaugeTransport(httpx.AsyncBaseTransport):
    def __init__(self, gauge: _Gauge, body: dict[str, Any]) -> None:
        self.gauge = gauge
        self.body = body

    async def handle_async_request(
        self, request: httpx.Request
    ) -> httpx.Response:
        self.gauge.enter()
        try:
            for _ in range(50):
                if self.gauge.full.is_set():
                    break
                await asyncio.sleep(0)
            return httpx.Response(200, json=self.body, request=request)
        finally:
            self.gauge.leave()


def test_async_client_keeps_ten_requests_in_flight_at_most(
    load_json: Callable[[str], Any], clock: VirtualClock
) -> None:
    """25 gathered reads never have more than 10 requests open at once."""
    gauge = _Gauge()
    transport = _AsyncGaugeTransport(gauge, load_json("customer.json"))

    async def main() -> None:
        async with httpx.AsyncClient(transport=transport) as http:
            client = AsyncQuickBooksClient(
                "9341450000123",
                "t",
                base_url="https://qbo.test",
                http=http,
                clock=clock,
            )
            await asyncio.gather(
                *(client.get(Customer, "412") for _ in range(25))
            )

    asyncio.run(main())
    assert gauge.peak == 10


def test_sync_client_keeps_ten_requests_in_flight_at_most(
    load_json: Callable[[str], Any], clock: VirtualClock
) -> None:
    """20 threads sharing one client never exceed 10 open requests."""
    gauge = _Gauge()
    body = load_json("customer.json")

    def handle(_: httpx.Request) -> httpx.Response:
        gauge.enter()
        try:
            gauge.full.wait(timeout=5)
            return httpx.Response(200, json=body)
        finally:
            gauge.leave()

    http = httpx.Client(transport=httpx.MockTransport(handle))
    with (
        QuickBooksClient(
            "9341450000123",
            "t",
            base_url="https://qbo.test",
            http=http,
            clock=clock,
        ) as client,
        ThreadPoolExecutor(max_workers=20) as pool,
    ):
        list(pool.map(lambda _: client.get(Customer, "412"), range(20)))
    http.close()
    assert gauge.peak == 10


def test_async_errors_are_the_same_typed_errors(
    mock: respx.MockRouter,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """The async client raises the same DuplicateError with existing_id."""
    mock.post(f"{API}/customer").respond(
        400, json=load_json("errors/duplicate_name.json")
    )

    async def body(client: AsyncQuickBooksClient) -> None:
        await client.create(Customer(display_name="Harbor Lane Bakery"))

    with pytest.raises(DuplicateError) as caught:
        _run(clock, body)
    assert caught.value.existing_id == "412"
