"""
Benchmark the engine over the fakes: API calls against the lower bound.

Run with ``nox -s bench`` (or ``python benchmarks/bench_sync.py [N]``).

1. A first sync of N contacts/customers (half made in HubSpot, half in
   QBO, so both directions create) and N/5 QBO invoices with one line each.
2. A settling run (it reads the first run's own writes once).
3. An incremental run with 100 changes (50 on each side).

For each, the API calls per system are printed next to the lower bound:
the records written divided by the batch size, per write kind, plus the
pages the reads need. Wall time is real; the clock the clients and fakes
share is virtual, so rate-limit waits and retries cost no real time.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import time

import httpx

from hsqbo import MemoryStore, Outcome, RetryPolicy, Sync, SyncConfig
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import QuickBooksClient
from hsqbo.testing import FakeHubSpot, FakeQuickBooks, VirtualClock


SETUP = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
HUBSPOT_BATCH = 100
QBO_BATCH = 30
HUBSPOT_LIST_PAGE = 100
HUBSPOT_SEARCH_PAGE = 200
QBO_PAGE = 1000


def _pages(n: int, size: int) -> int:
    return max(1, math.ceil(n / size))


def _world(
    n: int,
) -> tuple[VirtualClock, FakeHubSpot, FakeQuickBooks, Sync, MemoryStore]:
    clock = VirtualClock(SETUP + dt.timedelta(hours=4))
    hs = FakeHubSpot(clock=clock, ten_second_limit=10_000, daily_limit=10**7)
    qb = FakeQuickBooks(clock=clock, enforce_quotas=False)
    half = n // 2
    for i in range(half):
        hs.create(
            "contacts",
            {
                "email": f"hs{i}@example.com",
                "firstname": f"Hub{i}",
                "lastname": f"Spot{i}",
            },
        )
    customers = [
        qb.add_customer(
            f"Quick{i} Books{i}",
            email=f"qb{i}@example.com",
            given_name=f"Quick{i}",
            family_name=f"Books{i}",
        )["Id"]
        for i in range(n - half)
    ]
    items = [
        qb.add_item(f"Item {i}", unit_price=10 + i, sku=f"SKU-{i}")["Id"]
        for i in range(20)
    ]
    for i in range(n // 5):
        qb.add_invoice(
            customers[i % len(customers)], [(items[i % len(items)], 1, 10)]
        )
    clock.advance(600)
    store = MemoryStore()
    retry = RetryPolicy(attempts=8, max_jitter=0.0)
    hubspot = HubSpotClient(
        "pat-bench",
        http=httpx.Client(transport=hs.transport()),
        clock=clock,
        retry=retry,
    )
    qbo = QuickBooksClient(
        qb.realm_id,
        "bench-token",
        base_url="https://quickbooks.test",
        http=httpx.Client(transport=qb.transport()),
        clock=clock,
        retry=retry,
    )
    sync = Sync(
        SyncConfig.recommended(SETUP),
        hubspot=hubspot,
        qbo=qbo,
        store=store,
        clock=clock,
    )
    return clock, hs, qb, sync, store


def _line(label: str, calls: dict[str, int], bound: dict[str, int]) -> str:
    return (
        f"{label:<28} HubSpot {calls['hubspot']:>6} "
        f"(bound {bound['hubspot']:>5})"
        f"   QBO {calls['qbo']:>5} (bound {bound['qbo']:>4})"
    )


def main(n: int) -> None:
    """Print the figures for *n* contacts/customers."""
    clock, hs, qb, sync, _ = _world(n)
    half = n // 2
    invoices = n // 5
    t0 = time.perf_counter()
    first = sync.run()
    t1 = time.perf_counter()
    assert first.count(Outcome.CREATED, "contacts") == n, first.summary()
    # Lower bound of a first sync: read every record once, then write:
    # QBO customers from HubSpot (30 a batch); HubSpot contacts, products,
    # invoices, line items (100 an upsert) and two association kinds
    # (invoice→contact, line item→invoice; 100 a batch).
    bound_first = {
        "hubspot": _pages(half, HUBSPOT_LIST_PAGE)  # contacts
        + 2  # products, invoices (empty)
        + _pages(n - half, HUBSPOT_BATCH)  # contact upserts
        + 1  # products upsert
        + 2 * _pages(invoices, HUBSPOT_BATCH)  # invoices, line items
        + 2 * _pages(invoices, HUBSPOT_BATCH),  # associations
        "qbo": _pages(n - half, QBO_PAGE)  # customers
        + 1  # items
        + _pages(invoices, QBO_PAGE)
        + _pages(half, QBO_BATCH),  # customer creates
    }
    print(
        f"engine over the fakes, N={n} contacts/customers, {invoices} invoices"
    )
    print(
        _line("first sync", dict(first.api_calls), bound_first)
        + f"   {t1 - t0:7.2f} s"
    )
    clock.advance(600)
    t0 = time.perf_counter()
    settle = sync.run()
    t1 = time.perf_counter()
    print(
        _line("settling run (own echoes)", dict(settle.api_calls), bound_first)
        + f"   {t1 - t0:7.2f} s   writes "
        f"{settle.count(Outcome.CREATED) + settle.count(Outcome.UPDATED)}"
    )
    clock.advance(600)
    contacts = hs.objects("contacts")
    for obj in contacts[:50]:
        hs.update("contacts", obj.id, {"city": "Leeds"})
    for customer in qb.customers()[-50:]:
        qb.update(
            "Customer",
            str(customer["Id"]),
            {"FamilyName": f"{customer.get('FamilyName')}-x"},
        )
    clock.advance(600)
    t0 = time.perf_counter()
    inc = sync.run()
    t1 = time.perf_counter()
    assert inc.count(Outcome.UPDATED) == 100, inc.summary()
    # Lower bound of the incremental run: the change reads (one HubSpot
    # search per object type, one QBO CDC call), the 50 partners per side
    # by id (one HubSpot batch read, one QBO query) and the writes (one
    # HubSpot batch update, two QBO batches of 30). The engine adds the
    # contacts' company associations (display names) and a re-read of the
    # HubSpot records before writing them (no stale overwrite).
    bound_inc = {
        "hubspot": 3 + 1 + 1,
        "qbo": 1 + 1 + _pages(50, QBO_BATCH),
    }
    print(
        _line("incremental, 100 changes", dict(inc.api_calls), bound_inc)
        + f"   {t1 - t0:7.2f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
