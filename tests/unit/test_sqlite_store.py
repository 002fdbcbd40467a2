"""What only SQLiteStore has: its file, schema, atomicity and lease."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pathlib
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from store_support import (
    CONFIG,
    T0,
    at,
    create_in_qbo,
    error,
    failed,
    link,
    ok,
    skip,
    update,
)

from hsqbo import _sqlite
from hsqbo._clock import VirtualClock
from hsqbo._errors import ApiError, StoreError, StoreLockedError
from hsqbo._operations import ErrorCode, SkipReason
from hsqbo._record import Side
from hsqbo._retry import RetryPolicy
from hsqbo._sqlite import SCHEMA_VERSION, SQLiteStore, _migrate
from hsqbo._state import SyncState
from hsqbo._store_query import RunOutcome, RunRecord
from hsqbo.hubspot import HubSpotClient


@pytest.fixture
def path(tmp_path: pathlib.Path) -> pathlib.Path:
    """Where the test's store file lives."""
    return tmp_path / "state.db"


@pytest.fixture
def store(path: pathlib.Path) -> Iterator[SQLiteStore]:
    """An open store on a new file."""
    with SQLiteStore(path) as made:
        yield made


def _typical(store: SQLiteStore) -> None:
    store.commit(
        [
            ok(link("1", "7", a_A="x")),
            ok(create_in_qbo("2"), id="8"),
            ok(error(Side.HUBSPOT, "3", ErrorCode.DUPLICATE_DISPLAY_NAME), 1),
            ok(skip(Side.QBO, "9", SkipReason.EXCLUDED), 2),
        ],
        cursors={"contacts": {"qbo": "2026-11-27T09:00:00+00:00"}},
    )


@pytest.mark.usefixtures("store")
def test_the_file_runs_in_wal_mode(path: pathlib.Path) -> None:
    """The database is in WAL mode, seen from another connection."""
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_files_are_owner_only_whatever_the_umask(path: pathlib.Path) -> None:
    """The database, -wal and -shm files are created with mode 0o600."""
    old = os.umask(0)
    try:
        with SQLiteStore(path) as store:
            _typical(store)
            modes = {
                suffix: stat.S_IMODE(
                    pathlib.Path(f"{path}{suffix}").stat().st_mode
                )
                for suffix in ("", "-wal", "-shm")
            }
    finally:
        os.umask(old)
    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_reopening_the_file_gives_the_same_state(path: pathlib.Path) -> None:
    """State, rows and runs written by one store are read back by the next."""
    with SQLiteStore(path) as first:
        _typical(first)
        first.commit([ok(update(Side.QBO, "7", a_A=dt.date(2026, 1, 2)), 3)])
        first.record_run(
            RunRecord(id="r", started_at=T0, outcome=RunOutcome.SUCCEEDED)
        )
        state = first.load(CONFIG)
        rows = list(first.records())
        runs = list(first.runs())
    with SQLiteStore(path) as second:
        assert second.load(CONFIG) == state
        assert state.object("contacts").links["1"].base == {
            "a=A": dt.date(2026, 1, 2)
        }
        assert list(second.records()) == rows
        assert list(second.runs()) == runs


def test_an_older_schema_is_migrated_forward(path: pathlib.Path) -> None:
    """A version-1 file gains the later tables and keeps its data."""
    conn = sqlite3.connect(path, isolation_level=None)
    _migrate(conn, path, T0, upto=1)
    conn.execute("INSERT INTO objects (name) VALUES ('contacts')")
    conn.execute(
        "INSERT INTO links VALUES ('contacts', '1', '7', NULL, ?)",
        (json.dumps({"a=A": "x"}),),
    )
    conn.execute(
        "INSERT INTO records VALUES"
        " ('contacts', 'qbo', 'Customer', '7', 'synced', 0, NULL, '')"
    )
    conn.close()
    with SQLiteStore(path) as store:
        contacts = store.load(CONFIG).object("contacts")
        assert contacts.links["1"].base == {"a=A": "x"}
        (row,) = store.records()
        assert (row.hubspot_id, row.direction) == ("1", None)
        store.record_run(RunRecord(id="r", started_at=T0))
        assert [r.id for r in store.runs()] == ["r"]
    with sqlite3.connect(path) as check:
        versions = check.execute(
            "SELECT version FROM schema_versions"
        ).fetchall()
    assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))


def test_a_store_from_a_newer_hsqbo_is_refused(path: pathlib.Path) -> None:
    """A file with a schema version this hsqbo does not know is not opened."""
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO schema_versions VALUES (?, 0)", (SCHEMA_VERSION + 1,)
        )
    with pytest.raises(StoreError, match=r"newer hsqbo.*upgrade"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_store_is_refused(path: pathlib.Path) -> None:
    """Opening a file that is not SQLite raises StoreError, not sqlite3's."""
    path.write_bytes(b"not a database, just some text " * 100)
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(path)


def test_a_missing_folder_is_a_store_error(tmp_path: pathlib.Path) -> None:
    """A path in a folder that does not exist raises StoreError."""
    with pytest.raises(StoreError, match="cannot create"):
        SQLiteStore(tmp_path / "nowhere" / "state.db")


class _FailingStore(SQLiteStore):
    """A store whose commits fail after writing every changed row."""

    def _store_changes(self, *args: object, **kwargs: object) -> None:
        super()._store_changes(*args, **kwargs)  # type: ignore[arg-type]
        msg = "disk unplugged"
        raise RuntimeError(msg)


def test_a_failure_mid_commit_leaves_the_previous_state(
    path: pathlib.Path,
) -> None:
    """A commit that fails after writing rows stores none of them."""
    with SQLiteStore(path) as good:
        _typical(good)
        before = good.load(CONFIG)
        rows = list(good.records())
    with _FailingStore(path) as bad:
        with pytest.raises(RuntimeError, match="disk unplugged"):
            bad.commit(
                [
                    ok(update(Side.QBO, "7", a_A="changed"), 5),
                    ok(link("5", "50"), 5),
                    ok(error(Side.QBO, "9", ErrorCode.INVALID_VALUE), 5),
                ],
                cursors={"contacts": {"qbo": "later"}},
            )
        assert bad.load(CONFIG) == before
        assert list(bad.records()) == rows
    with SQLiteStore(path) as again:
        assert again.load(CONFIG) == before
        again.commit([ok(link("5", "50"), 5)])
        assert "5" in again.load(CONFIG).object("contacts").links


def test_commit_work_does_not_grow_with_the_store(
    tmp_path: pathlib.Path,
) -> None:
    """A one-record commit runs the same statements on small and big stores."""
    counts = []
    for size in (10, 2_000):
        with SQLiteStore(tmp_path / f"{size}.db") as store:
            store.commit(
                [ok(link(str(i), f"q{i}", a_A=i)) for i in range(size)]
            )
            statements: list[str] = []
            store._conn.set_trace_callback(statements.append)
            store.commit([ok(update(Side.QBO, "q3", a_A="new"), 1)])
            store._conn.set_trace_callback(None)
            counts.append(len(statements))
            assert store.load(CONFIG).object("contacts").links["3"].base == {
                "a=A": "new"
            }
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "statement",
    [
        _sqlite._LINKS_BY_HUBSPOT_ID,
        _sqlite._LINKS_BY_QBO_ID,
        _sqlite._STATUSES_BY_ID,
    ],
)
def test_a_commit_reads_its_rows_through_an_index(
    store: SQLiteStore, statement: str
) -> None:
    """The rows a commit reads are searched by key, never scanned."""
    plan = store._conn.execute(
        "EXPLAIN QUERY PLAN " + statement, ("contacts", '["1"]')
    ).fetchall()
    tables = [d for *_, d in plan if " links " in d or " records " in d]
    assert len(tables) == 1
    assert tables[0].startswith("SEARCH")
    assert tables[0].endswith("id=?)")


def test_a_closed_store_refuses_work(path: pathlib.Path) -> None:
    """After close, every call raises StoreError; closing again is fine."""
    store = SQLiteStore(path)
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.load(CONFIG)
    with pytest.raises(StoreError, match="closed"):
        store.records()
    with pytest.raises(StoreError, match="closed"):
        store.commit([])


# -- the lease ------------------------------------------------------------

_HOLDER = """
import os, signal, sys
from hsqbo._sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1], lease_seconds=60)
store.acquire()
print("held", os.getpid(), flush=True)
if sys.stdin.readline().strip() == "close":
    store.close()
    print("closed", flush=True)
"""

_WRITER = """
import sys
from hsqbo._errors import StoreLockedError
from hsqbo._sqlite import SQLiteStore
store = SQLiteStore(sys.argv[1])
try:
    store.commit([])
except StoreLockedError as exc:
    print("locked:", exc, flush=True)
else:
    print("wrote", flush=True)
"""


@contextlib.contextmanager
def _holder(path: pathlib.Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run a process that takes the lease of *path* and waits for orders."""
    with subprocess.Popen(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            word, pid = proc.stdout.readline().split()
            assert word == "held"
            yield proc, pid
        finally:
            proc.kill()


def _tell(proc: subprocess.Popen[str], order: str) -> str:
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(f"{order}\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def test_a_second_process_cannot_write_while_the_first_holds_the_lease(
    path: pathlib.Path,
) -> None:
    """Another process's live lease blocks writes until it closes its store."""
    SQLiteStore(path).close()
    with _holder(path) as (proc, pid), SQLiteStore(path) as mine:
        with pytest.raises(StoreLockedError, match=f"process {pid} on"):
            mine.commit([ok(link("1", "7"))])
        with pytest.raises(StoreLockedError):
            mine.acquire()
        # Reading needs no lease.
        assert mine.load(CONFIG) == SyncState()
        assert _tell(proc, "close") == "closed"
        mine.commit([ok(link("1", "7"))])
        assert "1" in mine.load(CONFIG).object("contacts").links


def test_the_second_process_gets_a_clear_error(path: pathlib.Path) -> None:
    """A process writing to a store this one holds gets StoreLockedError."""
    with SQLiteStore(path) as mine:
        mine.acquire()
        out = subprocess.run(  # noqa: S603 - our interpreter, our script
            [sys.executable, "-c", _WRITER, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.startswith(
            f"locked: the state store {str(path)!r} is in use"
        )
        assert f"process {os.getpid()} on" in out
    out = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", _WRITER, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == "wrote\n"


def test_a_killed_local_holder_is_taken_over_at_once(
    path: pathlib.Path,
) -> None:
    """A SIGKILLed holder on this machine is seen gone: no wait for expiry."""
    SQLiteStore(path).close()
    with _holder(path) as (proc, _):
        proc.kill()
        proc.wait()
    with SQLiteStore(path) as taker:
        taker.acquire()
        taker.commit([ok(link("1", "7"))])
        assert "1" in taker.load(CONFIG).object("contacts").links


def test_a_lease_from_elsewhere_is_taken_over_after_expiry(
    path: pathlib.Path,
) -> None:
    """An unverifiable killed holder blocks until its lease expires."""
    SQLiteStore(path).close()
    with _holder(path) as (proc, _):
        proc.kill()
        proc.wait()
    # As if the holder had run on another machine sharing the file.
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE lease SET host = 'elsewhere'")
    now = dt.datetime.now(dt.UTC)
    with (
        SQLiteStore(path, clock=VirtualClock(now)) as early,
        pytest.raises(StoreLockedError, match="on 'elsewhere' until"),
    ):
        early.acquire()
    later = VirtualClock(now + dt.timedelta(seconds=61))
    with SQLiteStore(path, clock=later) as taker:
        taker.acquire()
        taker.commit([ok(link("1", "7"))])
        assert "1" in taker.load(CONFIG).object("contacts").links


def test_an_expired_holder_cannot_write_after_a_takeover(
    path: pathlib.Path,
) -> None:
    """Once another store took an expired lease, the old one is locked out."""
    clock = VirtualClock(T0)
    slow = SQLiteStore(path, clock=clock, lease_seconds=10)
    other = SQLiteStore(path, clock=clock, lease_seconds=10)
    try:
        slow.acquire()
        with pytest.raises(StoreLockedError):
            other.acquire()
        clock.advance(11)
        other.acquire()
        other.commit([ok(link("1", "7"))])
        with pytest.raises(StoreLockedError):
            slow.commit([ok(link("2", "8"))])
        assert set(other.load(CONFIG).object("contacts").links) == {"1"}
    finally:
        slow.close()
        other.close()


def test_closing_releases_the_lease(path: pathlib.Path) -> None:
    """A store that closes (or leaves its with-block) gives the lease back."""
    with SQLiteStore(path) as first:
        first.acquire()
    with SQLiteStore(path) as second:
        second.acquire()
        second.release()
        with SQLiteStore(path) as third:
            third.acquire()


def test_a_write_without_the_lease_leaves_none_behind(
    path: pathlib.Path,
) -> None:
    """Writing without acquire checks the lease but does not keep one."""
    with SQLiteStore(path) as casual, SQLiteStore(path) as runner:
        casual.commit([ok(link("1", "7"))])
        runner.acquire()
        with pytest.raises(StoreLockedError):
            casual.commit([ok(link("2", "8"))])
        runner.release()
        casual.commit([ok(link("2", "8"))])
        assert set(runner.load(CONFIG).object("contacts").links) == {"1", "2"}


def test_writes_renew_the_lease(path: pathlib.Path) -> None:
    """Each write pushes the lease's expiry forward from the clock's now."""
    clock = VirtualClock(T0)
    with SQLiteStore(path, clock=clock, lease_seconds=10) as holder:
        holder.acquire()
        clock.advance(8)
        holder.commit([])
        clock.advance(8)
        with (
            SQLiteStore(path, clock=clock) as other,
            pytest.raises(StoreLockedError),
        ):
            other.acquire()


# -- secrets ----------------------------------------------------------------

_TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"  # noqa: S105 - fake


def test_no_secret_reaches_the_file(path: pathlib.Path) -> None:
    """After a typical commit with an auth failure, no token is in the file."""
    refused = httpx.MockTransport(
        lambda _: httpx.Response(
            401,
            json={
                "status": "error",
                "message": "Authentication credentials not found.",
                "category": "INVALID_AUTHENTICATION",
                "correlationId": "c0ffee",
            },
        )
    )
    with (
        HubSpotClient(
            _TOKEN,
            http=httpx.Client(transport=refused),
            retry=RetryPolicy.never(),
        ) as client,
        pytest.raises(ApiError) as caught,
    ):
        client.get("contacts", "2")
    with SQLiteStore(path) as store:
        _typical(store)
        store.commit(
            [
                failed(
                    update(Side.HUBSPOT, "2", a_A="y"),
                    caught.value.code or str(caught.value.status_code),
                    str(caught.value),
                    4,
                )
            ]
        )
        store.record_run(
            RunRecord(
                id="r",
                started_at=at(0),
                finished_at=at(5),
                outcome=RunOutcome.PARTIAL,
                counts={"contacts.error": 1},
                message=str(caught.value),
            )
        )
        files = [path, pathlib.Path(f"{path}-wal")]
        data = b"".join(f.read_bytes() for f in files if f.exists())
    assert b"Authentication credentials" in data
    for secret in (_TOKEN, _TOKEN[8:], "Bearer"):
        assert secret.encode() not in data
