"""
Benchmark ``hsqbo records --export``: time and memory for 100,000 rows.

Run with ``nox -s bench`` (or ``python benchmarks/bench_export.py [N]``).
A SQLite state store is filled with N sync records (links, exclusions and
errors), then exported to CSV, JSON Lines and XLSX twice: N/10 rows and N
rows. Memory is flat when the peak of the larger export is about the peak
of the smaller one (rows stream from the store to the file); the figures
are each export's wall time and peak RSS, through the real command in its
own process (start-up included), and Python's traced peak (tracemalloc)
of the CSV export in-process.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any


T0 = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
BATCH = 5_000


def _results(start: int, stop: int) -> Iterator[Any]:
    from hsqbo._operations import (  # noqa: PLC0415 - only in the child
        Create,
        ErrorCode,
        RecordError,
        RecordKey,
        Skip,
        SkipReason,
    )
    from hsqbo._record import Side  # noqa: PLC0415
    from hsqbo._state import OperationResult  # noqa: PLC0415

    for i in range(start, stop):
        at = T0 + dt.timedelta(seconds=i)
        kind = i % 10
        new_id: str | None = None
        if kind < 7:  # most records are synced: created and linked
            op: Create | Skip | RecordError = Create(
                object="contacts",
                side=Side.QBO,
                type="Customer",
                fields={"DisplayName": f"Person {i}"},
                source=RecordKey(
                    side=Side.HUBSPOT, type="contacts", id=str(i)
                ),
                base={"email=PrimaryEmailAddr.Address": f"p{i}@example.com"},
            )
            new_id = str(1_000_000 + i)
        elif kind < 9:  # some are filtered out
            op = Skip(
                object="contacts",
                side=Side.HUBSPOT,
                type="contacts",
                id=str(i),
                reason=SkipReason.EXCLUDED,
                detail="createdate GT 2026-10-28T09:00:00+00:00",
            )
        else:
            op = RecordError(
                object="contacts",
                side=Side.HUBSPOT,
                type="contacts",
                id=str(i),
                code=ErrorCode.DUPLICATE_DISPLAY_NAME,
                message=f"QBO display name 'Company {i % 500}' is taken",
            )
        yield OperationResult(operation=op, at=at, id=new_id)


def fill(path: pathlib.Path, count: int) -> int:
    """Fill a store with *count* records; return the rows it lists."""
    from hsqbo._sqlite import SQLiteStore  # noqa: PLC0415 - only in the child

    with SQLiteStore(path) as store:
        for start in range(0, count, BATCH):
            store.commit(_results(start, min(start + BATCH, count)))
        return sum(1 for _ in store.records())


def export(path: pathlib.Path, target: pathlib.Path) -> tuple[int, float, int]:
    """Export every row; return (rows, seconds, traced peak bytes)."""
    from hsqbo._cli._export import export_rows  # noqa: PLC0415 - child only
    from hsqbo._cli._records import DEFAULT_COLUMNS  # noqa: PLC0415
    from hsqbo._sqlite import SQLiteStore  # noqa: PLC0415
    from hsqbo._store_query import RecordQuery  # noqa: PLC0415

    if target.suffix == ".xlsx":
        import openpyxl  # noqa: F401, PLC0415 - imported before tracing starts
    with SQLiteStore(path) as store:
        tracemalloc.start()
        began = time.perf_counter()
        rows = export_rows(
            target,
            DEFAULT_COLUMNS,
            store.records(RecordQuery(), columns=DEFAULT_COLUMNS),
        )
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return rows, elapsed, peak


def child(state: pathlib.Path, target: pathlib.Path) -> tuple[float, int]:
    """
    Run ``hsqbo records --export`` in a child process.

    Returns:
        The wall time in seconds and the child's own peak RSS in KiB.
    """
    began = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "hsqbo",
            "records",
            "--state",
            str(state),
            "--export",
            str(target),
        ],
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        msg = f"export failed with exit code {proc.returncode}"
        raise RuntimeError(msg)
    return time.perf_counter() - began, usage.ru_maxrss


def _python(*args: str) -> str:
    """Run this script in a child (so this process stays small)."""
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def main() -> None:
    """Print the figures (the children do the work)."""
    if sys.argv[1:2] == ["fill"]:
        print(fill(pathlib.Path(sys.argv[2]), int(sys.argv[3])))
        return
    if sys.argv[1:2] == ["trace"]:
        rows, _, peak = export(
            pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
        )
        print(f"{rows} {peak}")
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        base = pathlib.Path(folder)
        sizes = (count // 10, count)
        stores = {}
        for size in sizes:
            began = time.perf_counter()
            stores[size] = base / f"state-{size}.sqlite"
            rows = int(_python("fill", str(stores[size]), str(size)))
            print(
                f"filled a store with {rows:,} rows in "
                f"{time.perf_counter() - began:.1f} s"
            )
        print("hsqbo records --export, each in its own process:")
        for suffix in (".csv", ".jsonl", ".xlsx"):
            for size in sizes:
                target = base / f"out-{size}{suffix}"
                elapsed, rss = child(stores[size], target)
                print(
                    f"{suffix[1:]:>5} {size:>8,} rows: {elapsed:6.2f} s "
                    f"(start-up included), peak RSS {rss / 1024:5.1f} MiB, "
                    f"file {target.stat().st_size / 1e6:5.1f} MB"
                )
        print("Python's traced peak while exporting (tracemalloc):")
        for suffix in (".csv", ".jsonl", ".xlsx"):
            for size in sizes:
                target = base / f"traced-{size}{suffix}"
                rows_text, peak = _python(
                    "trace", str(stores[size]), str(target)
                ).split()
                print(
                    f"{suffix[1:]:>5} {int(rows_text):>8,} rows: traced peak "
                    f"{int(peak) / 1024:,.0f} KiB"
                )


if __name__ == "__main__":
    main()
