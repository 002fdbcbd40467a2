"""
Benchmark the planner: linked pairs per second and peak memory.

Run with ``nox -s bench`` (or ``python benchmarks/bench_planner.py [N]``).
Three figures:

1. re-plan of N linked contact/customer pairs with 1% changed, all passed;
2. re-plan with only the changed records and their partners passed (the
   cost must follow the changed records, not the total);
3. a first sync of N HubSpot contacts against N/2 QBO customers (half of
   the contacts match by e-mail, the rest are created).
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable

from hsqbo._config import SyncConfig
from hsqbo._defaults import CONTACT_FIELDS
from hsqbo._plan import Plan
from hsqbo._planner import plan
from hsqbo._record import Record, Side
from hsqbo._state import LinkState, ObjectState, SyncState


SETUP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
CREATED = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def _contact(i: int, first: str = "First") -> Record:
    return Record(
        Side.HUBSPOT,
        "contacts",
        str(i),
        {
            "email": f"user{i}@example.com",
            "firstname": f"{first}{i}",
            "lastname": f"Last{i}",
            "phone": f"+1555{i:07d}",
            "city": "Oslo",
            "country": "NO",
            "createdate": CREATED,
        },
        CREATED,
    )


def _customer(i: int, first: str = "First") -> Record:
    return Record(
        Side.QBO,
        "Customer",
        str(1_000_000 + i),
        {
            "DisplayName": f"{first}{i} Last{i}",
            "PrimaryEmailAddr.Address": f"user{i}@example.com",
            "GivenName": f"{first}{i}",
            "FamilyName": f"Last{i}",
            "PrimaryPhone.FreeFormNumber": f"+1555{i:07d}",
            "BillAddr.City": "Oslo",
            "BillAddr.Country": "NO",
        },
        CREATED,
        version="3",
    )


def _base(i: int) -> dict[str, object]:
    base: dict[str, object] = dict.fromkeys(f.key for f in CONTACT_FIELDS)
    base.update(
        {
            "firstname=GivenName": f"First{i}",
            "lastname=FamilyName": f"Last{i}",
            "email=PrimaryEmailAddr.Address": f"user{i}@example.com",
            "phone=PrimaryPhone.FreeFormNumber": f"+1555{i:07d}",
            "city=BillAddr.City": "Oslo",
            "country=BillAddr.Country": "NO",
        }
    )
    return base


def _linked_state(config: SyncConfig, n: int) -> SyncState:
    contacts = config.object("contacts")
    links = {
        str(i): LinkState(
            hubspot_id=str(i), qbo_id=str(1_000_000 + i), base=_base(i)
        )
        for i in range(n)
    }
    return SyncState(
        objects={
            "contacts": ObjectState(
                links=links,
                qbo_links={link.qbo_id: k for k, link in links.items()},
                fingerprints={f.key: f.fingerprint for f in contacts.fields},
            )
        }
    )


def _measure(run: Callable[[], Plan]) -> tuple[Plan, float, float]:
    """
    Time the best of three runs (CPU seconds), then one under tracemalloc.

    CPU time rather than wall time: the planner is single-threaded and pure,
    and CPU time is what other processes on a shared machine disturb least.
    """
    elapsed = wall = float("inf")
    for _ in range(3):
        gc.collect()
        start, start_wall = time.process_time(), time.perf_counter()
        result = run()
        elapsed = min(elapsed, time.process_time() - start)
        wall = min(wall, time.perf_counter() - start_wall)
        del result
    print(f"  (best wall time {wall:.4f} s, best CPU time {elapsed:.4f} s)")
    gc.collect()
    tracemalloc.start()
    result = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak / 2**20


def main(n: int) -> None:
    """Print the benchmark figures for *n* records."""
    config = SyncConfig.recommended(SETUP)
    changed = max(1, n // 100)
    state = _linked_state(config, n)
    hubspot = [
        _contact(i, "Changed" if i % 100 == 0 else "First") for i in range(n)
    ]
    qbo = [_customer(i) for i in range(n)]
    print(
        f"hsqbo planner benchmark, N = {n:,} (Python {sys.version.split()[0]})"
    )

    result, elapsed, peak = _measure(
        lambda: plan(config, hubspot, qbo, state, now=NOW)
    )
    updates = sum(op.kind == "update" for op in result.operations)
    assert updates == changed, updates
    print(
        f"re-plan, all {n:,} linked pairs passed, {changed:,} changed: "
        f"{elapsed:.3f} s, {n / elapsed:,.0f} pairs/s, peak {peak:.1f} MiB "
        f"(plan: {len(result.operations):,} operations)"
    )

    for step in (100, 1000):
        only_h = [r for r in hubspot if int(r.id) % step == 0]
        only_q = [qbo[int(r.id)] for r in only_h]
        result, elapsed, peak = _measure(
            lambda h=only_h, q=only_q: plan(config, h, q, state, now=NOW)
        )
        assert sum(op.kind == "update" for op in result.operations) == len(
            only_h
        )
        print(
            f"re-plan, only {len(only_h):,} changed pairs passed (state of "
            f"{n:,} links): {elapsed * 1000:.1f} ms, "
            f"{elapsed / len(only_h) * 1e6:.1f} us per changed pair, "
            f"peak {peak:.1f} MiB"
        )

    first_h = [_contact(i) for i in range(n)]
    first_q = [_customer(i) for i in range(0, n, 2)]
    result, elapsed, peak = _measure(
        lambda: plan(config, first_h, first_q, SyncState(), now=NOW)
    )
    summary = result.summary()["contacts"]
    total = len(first_h) + len(first_q)
    print(
        f"first sync, {len(first_h):,} contacts + {len(first_q):,} customers: "
        f"{elapsed:.3f} s, {total / elapsed:,.0f} records/s, "
        f"peak {peak:.1f} MiB ({summary.get('link', 0):,} links, "
        f"{summary.get('create', 0):,} creates)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
