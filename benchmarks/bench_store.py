"""
Benchmark the SQLite state store: load and commit times at 100,000 links.

Run with ``nox -s bench`` (or ``python benchmarks/bench_store.py [N]``).
Figures:

1. the first commit of N linked contact/customer pairs (one batch, each
   with six base values and a status row);
2. loading the whole state back (what a run does before planning);
3. commits of 10, 100 and 1,000 updates into the N-link store, and of
   100 updates into a 100-link store: the cost must follow the batch (the
   pages it touches), not the size of the store;
4. streaming every sync-records row (the B23 export).
"""

from __future__ import annotations

import datetime as dt
import pathlib
import statistics
import sys
import tempfile
import time
from decimal import Decimal

from hsqbo._config import SyncConfig
from hsqbo._operations import Link, Update
from hsqbo._record import Side
from hsqbo._sqlite import SQLiteStore
from hsqbo._state import OperationResult


T0 = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
CONFIG = SyncConfig.recommended(T0 - dt.timedelta(days=30))


def _base(i: int) -> dict[str, object]:
    return {
        "email=PrimaryEmailAddr.Address": f"person{i}@example.com",
        "firstname=GivenName": f"First{i}",
        "lastname=FamilyName": f"Last{i}",
        "phone=PrimaryPhone.FreeFormNumber": f"+1555{i:07d}",
        "city=BillAddr.City": "Springfield",
        "hs_balance=Balance": Decimal(i % 1000) / 10,
    }


def _links(n: int) -> list[OperationResult]:
    return [
        OperationResult(
            operation=Link(
                object="contacts",
                hubspot_id=str(i),
                qbo_id=str(1_000_000 + i),
                base=_base(i),  # type: ignore[arg-type]
            ),
            at=T0,
        )
        for i in range(n)
    ]


def _updates(n: int, count: int, minute: int) -> list[OperationResult]:
    at = T0 + dt.timedelta(minutes=minute)
    step = max(n // count, 1)
    return [
        OperationResult(
            operation=Update(
                object="contacts",
                side=Side.QBO,
                type="Customer",
                id=str(1_000_000 + i),
                changes={"GivenName": (f"First{i}", f"New{i}")},
                expected_version="0",
                base={"firstname=GivenName": f"New{i}"},
            ),
            at=at,
        )
        for i in range(0, step * count, step)
    ]


def _timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def _commit_times(
    store: SQLiteStore, n: int, count: int = 100, rounds: int = 5
) -> float:
    minutes = iter(range(10_000, 20_000))
    return statistics.median(
        _timed(lambda: store.commit(_updates(n, count, next(minutes))))
        for _ in range(rounds)
    )


def main(n: int) -> None:
    """Print the figures for a store of *n* links."""
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "big.db"
        with SQLiteStore(path) as store:
            first = _links(n)
            # A status row per pair, as a first sync leaves behind.
            seconds = _timed(lambda: store.commit(first))
            print(f"first commit of {n:,} links (one batch): {seconds:.2f} s")
            store.commit(_updates(n, n, 0))
        print(f"file size: {path.stat().st_size / 1e6:.1f} MB")
        with SQLiteStore(path) as store:
            loads = [_timed(lambda: store.load(CONFIG)) for _ in range(3)]
            state = store.load(CONFIG)
            assert len(state.object("contacts").links) == n
            print(
                f"load {n:,} links + {n:,} status rows: "
                f"{min(loads):.2f} s (best of 3)"
            )
            for count in (10, 100, 1_000):
                spent = _commit_times(store, n, count)
                print(
                    f"commit {count:,} updates into {n:,} links: "
                    f"{spent * 1000:.1f} ms (median of 5)"
                )
            rows = 0

            def export() -> None:
                nonlocal rows
                rows = sum(1 for _ in store.records())

            export_time = _timed(export)
            print(f"stream {rows:,} sync-records rows: {export_time:.2f} s")
        small_path = pathlib.Path(folder) / "small.db"
        with SQLiteStore(small_path) as small:
            small.commit(_links(100))
            tiny = _commit_times(small, 100)
        print(f"commit 100 updates into 100 links: {tiny * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
