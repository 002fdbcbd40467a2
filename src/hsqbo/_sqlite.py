"""
SQLiteStore: the embedded default state store, in one SQLite file.

Layout: one row per link (its base values as one JSON object, each value
tagged with its type by ``encode_value``), one row per fingerprint, cursor,
sync-record status and run, and a one-row lease table. ``commit`` reads
only the rows its batch touches, folds the batch into them with
:func:`~hsqbo._state.fold` — the same derivation :class:`~hsqbo.MemoryStore`
uses, never a second copy — and writes back the rows that changed, all in
one transaction: its cost grows with the batch, not with the store.

Schema changes are forward migrations recorded in ``schema_versions``; a
file written by a newer hsqbo is refused rather than misread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pathlib
import socket
import sqlite3
import threading
import types
import uuid
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Self, overload

from hsqbo._clock import Clock, SystemClock
from hsqbo._converter import converter
from hsqbo._errors import PlanError, StoreError, StoreLockedError
from hsqbo._operations import (
    Associate,
    Conflict,
    Create,
    Link,
    Rebase,
    RecordError,
    RecordKey,
    Skip,
    Update,
    encode_value,
)
from hsqbo._plan import decode_value
from hsqbo._record import Direction, FieldValue, Side
from hsqbo._state import (
    LinkState,
    ObjectState,
    OperationResult,
    RecordStatus,
    Status,
    SyncState,
    fold,
)
from hsqbo._store_query import (
    RecordQuery,
    RunRecord,
    SyncRecord,
    project,
)
from hsqbo._unset import UNSET, Unset


if TYPE_CHECKING:
    from hsqbo._config import SyncConfig


__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

_EMPTY: Mapping[str, Mapping[str, str]] = types.MappingProxyType({})
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_LEASE: Final = "sync"

#: Each schema version's statements, applied in order, once. Never edit a
#: released version: add the next one.
_MIGRATIONS: Final[tuple[tuple[int, tuple[str, ...]], ...]] = (
    (
        1,
        (
            "CREATE TABLE objects (name TEXT PRIMARY KEY) WITHOUT ROWID",
            (
                "CREATE TABLE links ("
                " object TEXT NOT NULL, hubspot_id TEXT NOT NULL,"
                " qbo_id TEXT NOT NULL, synced_us INTEGER,"
                " base TEXT NOT NULL,"
                " PRIMARY KEY (object, hubspot_id)) WITHOUT ROWID"
            ),
            "CREATE UNIQUE INDEX links_qbo ON links (object, qbo_id)",
            (
                "CREATE TABLE fingerprints ("
                " object TEXT NOT NULL, field TEXT NOT NULL,"
                " fingerprint TEXT NOT NULL,"
                " PRIMARY KEY (object, field)) WITHOUT ROWID"
            ),
            (
                "CREATE TABLE cursors ("
                " object TEXT NOT NULL, name TEXT NOT NULL,"
                " value TEXT NOT NULL,"
                " PRIMARY KEY (object, name)) WITHOUT ROWID"
            ),
            (
                "CREATE TABLE records ("
                " object TEXT NOT NULL, side TEXT NOT NULL,"
                " type TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL,"
                " at_us INTEGER NOT NULL, code TEXT, message TEXT NOT NULL,"
                " PRIMARY KEY (object, side, type, id)) WITHOUT ROWID"
            ),
            (
                "CREATE TABLE lease ("
                " name TEXT PRIMARY KEY, owner TEXT NOT NULL,"
                " pid INTEGER NOT NULL, host TEXT NOT NULL,"
                " expires_us INTEGER NOT NULL) WITHOUT ROWID"
            ),
        ),
    ),
    (
        2,
        (
            "ALTER TABLE records ADD COLUMN direction TEXT",
            "CREATE INDEX records_status ON records (object, status)",
            "CREATE INDEX records_id ON records (object, id)",
            (
                "CREATE TABLE runs ("
                " id TEXT PRIMARY KEY, started_us INTEGER NOT NULL,"
                " doc TEXT NOT NULL)"
            ),
            "CREATE INDEX runs_started ON runs (started_us, id)",
        ),
    ),
)

SCHEMA_VERSION: Final = _MIGRATIONS[-1][0]
"""The schema version this hsqbo writes."""

# Operations whose state effects touch only the records and links they
# name; any other kind (Remap, or one added later) gets its whole object
# sync loaded before the fold, which is always correct.
_NARROW = (
    Create,
    Update,
    Link,
    Associate,
    Rebase,
    Skip,
    Conflict,
    RecordError,
)

_SIDES: Final = {s.value: s for s in Side}
_STATUSES: Final = {s.value: s for s in Status}
_DIRECTIONS: Final = {d.value: d for d in Direction}


def _us(when: dt.datetime) -> int:
    """Microseconds since the epoch: exact, and ordered in SQL."""
    delta = when - _EPOCH
    return (
        delta.days * 86_400 + delta.seconds
    ) * 1_000_000 + delta.microseconds


def _time(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _encode_base(base: Mapping[str, FieldValue]) -> str:
    return json.dumps(
        {k: encode_value(v) for k, v in base.items()},
        sort_keys=True,
        separators=(",", ":"),
    )


def _decode_bases(texts: Sequence[str]) -> list[dict[str, FieldValue]]:
    """Decode many base objects with one JSON parse (a large share of load)."""
    bases: list[dict[str, Any]] = json.loads("[" + ",".join(texts) + "]")
    for base in bases:
        for key, value in base.items():
            # Text is by far the most common value and decodes to itself.
            if value.__class__ is not str:
                base[key] = decode_value(value)
    return bases


def _create_private(path: pathlib.Path) -> None:
    """Create *path* readable and writable by its owner only."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        msg = f"cannot create the state store {str(path)!r}: {exc.strerror}"
        raise StoreError(msg) from exc
    try:
        # The umask may only remove bits; fchmod makes the mode exact. SQLite
        # gives its -wal and -shm files the database file's mode.
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _check_not_newer(path: pathlib.Path, newest: int) -> None:
    if newest > SCHEMA_VERSION:
        msg = (
            f"the state store {str(path)!r} has schema version {newest}, "
            f"written by a newer hsqbo; this one knows versions up to "
            f"{SCHEMA_VERSION}: upgrade hsqbo to use this store"
        )
        raise StoreError(msg)


def _use_wal(conn: sqlite3.Connection, path: pathlib.Path) -> None:
    # WAL lets readers (an export) read while a sync writes; FULL makes a
    # commit durable before commit() returns.
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":
        msg = f"cannot switch {str(path)!r} to WAL (mode {mode})"
        raise StoreError(msg)
    conn.execute("PRAGMA synchronous = FULL")


def _migrate(
    conn: sqlite3.Connection,
    path: pathlib.Path,
    now: dt.datetime,
    *,
    upto: int = SCHEMA_VERSION,
) -> None:
    """Apply the missing migrations up to *upto*, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_versions ("
            " version INTEGER PRIMARY KEY, applied_us INTEGER NOT NULL)"
        )
        applied = {
            v for (v,) in conn.execute("SELECT version FROM schema_versions")
        }
        _check_not_newer(path, max(applied, default=0))
        for version, statements in _MIGRATIONS:
            if version in applied or version > upto:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_versions (version, applied_us)"
                " VALUES (?, ?)",
                (version, _us(now)),
            )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _connect(path: pathlib.Path) -> sqlite3.Connection:
    # Autocommit mode: hsqbo opens every transaction itself, so that what
    # one commit writes is exactly one BEGIN IMMEDIATE ... COMMIT.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _pid_space() -> str:
    """Name this process's PID namespace (Linux), or ``""`` if unknown."""
    try:
        return f"@pidns:{pathlib.Path('/proc/self/ns/pid').stat().st_ino}"
    except OSError:
        return ""


_PID_SPACE: Final = _pid_space()


def _is_dead(owner: str, pid: int, host: str) -> bool:
    """
    Whether the lease's holder is known to have died.

    Only a holder on this host in this PID namespace can be checked (two
    containers may share a host name but not a PID namespace); any other
    holder is presumed alive until its lease expires. A reused pid makes a
    dead holder look alive, which only delays the takeover.
    """
    if not _PID_SPACE or host != socket.gethostname():
        return False
    if not owner.endswith(_PID_SPACE):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _shutdown(conn: sqlite3.Connection, owner: str) -> None:
    """Give the lease back and close; also run at interpreter exit."""
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute(
            "DELETE FROM lease WHERE name = ? AND owner = ?", (_LEASE, owner)
        )
    conn.close()


def _touched_ids(result: OperationResult) -> Iterator[str]:
    """Every record id a result may change the links or statuses of."""
    op = result.operation
    for name in ("id", "hubspot_id", "qbo_id", "from_id", "to_id"):
        value = getattr(op, name, None)
        if isinstance(value, str):
            yield value
    source = getattr(op, "source", None)
    if isinstance(source, RecordKey):
        yield source.id
    if result.id is not None:
        yield result.id


# Lists of values are bound as one JSON array parameter, so every
# statement is a constant and every value is bound.
_IN_JSON: Final = "(SELECT value FROM json_each(?))"
_LINK_COLUMNS: Final = "SELECT hubspot_id, qbo_id, synced_us, base FROM links"
_STATUS_COLUMNS: Final = (
    "SELECT side, type, id, status, at_us, code, message, direction"
    " FROM records"
)
_OBJECTS_IN: Final = (
    "SELECT name FROM objects WHERE name IN"
    " (SELECT value FROM json_each(?)) ORDER BY name"
)
_ALL_OBJECTS: Final = "SELECT name FROM objects ORDER BY name"
_LINKS_OF: Final = _LINK_COLUMNS + " WHERE object = ?"
_LINKS_BY_HUBSPOT_ID: Final = (
    _LINK_COLUMNS + " WHERE object = ? AND hubspot_id IN " + _IN_JSON
)
# Without statistics SQLite guesses a scan of the object's rows for an IN
# over json_each; INDEXED BY keeps these lookups at O(batch).
_LINKS_BY_QBO_ID: Final = (
    "SELECT hubspot_id, qbo_id, synced_us, base FROM links"
    " INDEXED BY links_qbo WHERE object = ?"
    " AND qbo_id IN (SELECT value FROM json_each(?))"
)
_STATUSES_OF: Final = _STATUS_COLUMNS + " WHERE object = ?"
_STATUSES_BY_ID: Final = (
    "SELECT side, type, id, status, at_us, code, message, direction"
    " FROM records INDEXED BY records_id"
    " WHERE object = ? AND id IN (SELECT value FROM json_each(?))"
)
_PUT_STATUS: Final = (
    "INSERT OR REPLACE INTO records (object, side, type, id, status,"
    " at_us, code, message, direction) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_PUT_CURSOR: Final = (
    "INSERT INTO cursors (object, name, value) VALUES (?, ?, ?)"
)
_PUT_RUN: Final = (
    "INSERT OR REPLACE INTO runs (id, started_us, doc) VALUES (?, ?, ?)"
)
_FORGET: Final = (
    "DELETE FROM links WHERE object = ?",
    "DELETE FROM fingerprints WHERE object = ?",
    "DELETE FROM cursors WHERE object = ?",
    "DELETE FROM records WHERE object = ?",
    "DELETE FROM objects WHERE name = ?",
)

_SELECT_RECORDS: Final = (
    "SELECT r.object, r.side, r.type, r.id,"
    " CASE WHEN r.side = 'hubspot' THEN r.id ELSE lq.hubspot_id END,"
    " CASE WHEN r.side = 'qbo' THEN r.id ELSE lh.qbo_id END,"
    " r.status, r.at_us, r.direction, r.code, r.message"
    " FROM records AS r"
    " LEFT JOIN links AS lh ON r.side = 'hubspot'"
    "  AND lh.object = r.object AND lh.hubspot_id = r.id"
    " LEFT JOIN links AS lq ON r.side = 'qbo'"
    "  AND lq.object = r.object AND lq.qbo_id = r.id"
)


def _compile(query: RecordQuery) -> tuple[str, list[object]]:
    """Turn *query* into a parameterised SELECT (values are always bound)."""
    where: list[str] = []
    params: list[object] = []
    if query.object is not UNSET:
        where.append("r.object = ?")
        params.append(query.object)
    if query.statuses:
        where.append("r.status IN " + _IN_JSON)
        params.append(json.dumps(sorted(s.value for s in query.statuses)))
    if query.codes:
        where.append("r.code IN " + _IN_JSON)
        params.append(json.dumps(sorted(query.codes)))
    if query.sides:
        where.append("r.side IN " + _IN_JSON)
        params.append(json.dumps(sorted(s.value for s in query.sides)))
    if query.since is not UNSET:
        where.append("r.at_us >= ?")
        params.append(_us(query.since))
    if query.until is not UNSET:
        where.append("r.at_us < ?")
        params.append(_us(query.until))
    sql = _SELECT_RECORDS
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql + " ORDER BY r.object, r.side, r.type, r.id", params


def _sync_record(row: tuple[Any, ...]) -> SyncRecord:
    object_, side, type_, id_, hubspot_id, qbo_id = row[:6]
    status, at_us, direction, code, message = row[6:]
    return SyncRecord(
        object=object_,
        side=_SIDES[side],
        type=type_,
        id=id_,
        hubspot_id=hubspot_id,
        qbo_id=qbo_id,
        status=_STATUSES[status],
        at=_time(at_us),
        direction=None if direction is None else _DIRECTIONS[direction],
        code=code,
        message=message,
    )


class SQLiteStore:
    """
    The embedded default state store: one SQLite file.

    The file is created readable by its owner only and run in WAL mode, so
    readers (a records export) never block the sync that writes. Every
    :meth:`commit` is one transaction. One process at a time runs a sync:
    :meth:`acquire` takes the store's lease before a run writes anything
    (the engine does), its writes renew it, :meth:`release` or
    :meth:`close` gives it back. While another process holds a live lease,
    :meth:`acquire` and every write raise :class:`~hsqbo.StoreLockedError`.
    A lease left by a killed process is taken over at once when that
    process ran on this machine (it is seen to be gone), otherwise once the
    lease expires.

    >>> import pathlib, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with SQLiteStore(pathlib.Path(folder) / "state.db") as store:
    ...     list(store.records())
    []

    Args:
        path: The database file; created if missing (its folder must
            exist).
        clock: The clock that dates leases and schema migrations.
        lease_seconds: How long a lease lives without a write renewing it.

    Raises:
        StoreError: The file cannot be created or opened, is not a state
            store, or was written by a newer hsqbo.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Clock | None = None,
        lease_seconds: float = 300.0,
    ) -> None:
        self._path = pathlib.Path(path)
        self._clock: Clock = SystemClock() if clock is None else clock
        self._lease = dt.timedelta(seconds=lease_seconds)
        self._owner = f"{uuid.uuid4().hex}{_PID_SPACE}"
        self._holding = False
        self._lock = threading.RLock()
        _create_private(self._path)
        try:
            conn = _connect(self._path)
        except sqlite3.Error as exc:
            raise self._error("cannot open", exc) from exc
        self._conn = conn
        self._closer = weakref.finalize(self, _shutdown, conn, self._owner)
        try:
            _use_wal(conn, self._path)
            _migrate(conn, self._path, self._clock.now())
        except sqlite3.Error as exc:
            self.close()
            raise self._error("cannot open", exc) from exc
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self._path)!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def path(self) -> pathlib.Path:
        """The database file."""
        return self._path

    def _error(self, doing: str, exc: sqlite3.Error) -> StoreError:
        return StoreError(
            f"{doing} the state store {str(self._path)!r}: {exc}"
        )

    # -- transactions and the lease ----------------------------------------

    def _open_connection(self) -> sqlite3.Connection:
        if not self._closer.alive:
            msg = f"the state store {str(self._path)!r} is closed"
            raise StoreError(msg)
        return self._conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the lease: all of it or nothing."""
        with self._lock:
            conn = self._open_connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    self._check_lease(conn)
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._error("cannot write", exc) from exc

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: a consistent snapshot."""
        with self._lock:
            conn = self._open_connection()
            try:
                conn.execute("BEGIN")
                try:
                    yield conn
                finally:
                    conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._error("cannot read", exc) from exc

    def _check_lease(self, conn: sqlite3.Connection) -> None:
        """Refuse to write under another's live lease; renew our own."""
        now = self._clock.now()
        row = conn.execute(
            "SELECT owner, pid, host, expires_us FROM lease WHERE name = ?",
            (_LEASE,),
        ).fetchone()
        if (
            row is not None
            and row[0] != self._owner
            and row[3] > _us(now)
            and not _is_dead(row[0], row[1], row[2])
        ):
            _, pid, host, expires_us = row
            msg = (
                f"the state store {str(self._path)!r} is in use by process "
                f"{pid} on {host!r} until {_time(expires_us).isoformat()}; "
                f"run again when it has finished (a lease left by a killed "
                f"process expires by then)"
            )
            raise StoreLockedError(msg)
        if not self._holding:
            return
        conn.execute(
            "INSERT INTO lease (name, owner, pid, host, expires_us)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " owner = excluded.owner, pid = excluded.pid,"
            " host = excluded.host, expires_us = excluded.expires_us",
            (
                _LEASE,
                self._owner,
                os.getpid(),
                socket.gethostname(),
                _us(now + self._lease),
            ),
        )

    def acquire(self) -> None:
        """
        Take (or renew) the write lease before a run writes anything.

        Until :meth:`release` or :meth:`close`, every write renews it.

        Raises:
            StoreLockedError: Another process holds a live lease.
        """
        with self._lock:
            holding = self._holding
            self._holding = True
            try:
                with self._write():
                    pass
            except BaseException:
                self._holding = holding
                raise

    def release(self) -> None:
        """Give the write lease back, if this store holds it."""
        with self._lock:
            conn = self._open_connection()
            self._holding = False
            try:
                conn.execute(
                    "DELETE FROM lease WHERE name = ? AND owner = ?",
                    (_LEASE, self._owner),
                )
            except sqlite3.Error as exc:
                raise self._error("cannot write", exc) from exc

    def close(self) -> None:
        """Give the lease back and close the file; closing twice is fine."""
        with self._lock:
            self._closer()

    # -- the planner's snapshot --------------------------------------------

    def load(self, config: SyncConfig) -> SyncState:
        """
        Return the state of the object syncs named in *config*.

        Raises:
            StoreError: The file cannot be read or holds invalid data.
        """
        names = {obj.name for obj in config.objects}
        with self._read() as conn:
            # "<name>:lines" (an object sync's invoice line links) belongs
            # to <name>, as in MemoryStore.load.
            existing = [
                name
                for (name,) in conn.execute(_ALL_OBJECTS)
                if name.split(":", 1)[0] in names
            ]
            objects = {
                name: self._load_object(conn, name) for name in existing
            }
        return SyncState(objects=objects)

    @property
    def state(self) -> SyncState:
        """
        A snapshot of every object sync in the file, as ``MemoryStore.state``.

        It reads the whole file; runs use :meth:`load`, which reads only
        the object syncs of their configuration.
        """
        with self._read() as conn:
            names = [n for (n,) in conn.execute(_ALL_OBJECTS)]
            objects = {name: self._load_object(conn, name) for name in names}
        return SyncState(objects=objects)

    def _existing(
        self, conn: sqlite3.Connection, names: Iterable[str]
    ) -> list[str]:
        rows = conn.execute(_OBJECTS_IN, (json.dumps(sorted(names)),))
        return [name for (name,) in rows]

    def _load_object(
        self,
        conn: sqlite3.Connection,
        name: str,
        ids: Sequence[str] | None = None,
    ) -> ObjectState:
        """Load one object sync: all of it, or the rows of *ids* only."""
        if ids is None:
            link_rows = list(conn.execute(_LINKS_OF, (name,)))
            record_rows = conn.execute(_STATUSES_OF, (name,))
        else:
            wanted = json.dumps(sorted(set(ids)))
            link_rows = [
                *conn.execute(_LINKS_BY_HUBSPOT_ID, (name, wanted)),
                *conn.execute(_LINKS_BY_QBO_ID, (name, wanted)),
            ]
            record_rows = conn.execute(_STATUSES_BY_ID, (name, wanted))
        # Many rows share a time (one batch): make each datetime once.
        times: dict[int, dt.datetime] = {}

        def time_of(us: int) -> dt.datetime:
            when = times.get(us)
            if when is None:
                when = times[us] = _time(us)
            return when

        try:
            bases = _decode_bases([row[3] for row in link_rows])
            links = {
                hubspot_id: LinkState(
                    hubspot_id=hubspot_id,
                    qbo_id=qbo_id,
                    base=base,
                    synced_at=None
                    if synced_us is None
                    else time_of(synced_us),
                )
                for (hubspot_id, qbo_id, synced_us, _), base in zip(
                    link_rows, bases, strict=True
                )
            }
            records = {}
            for (
                side,
                type_,
                id_,
                status,
                at_us,
                code,
                message,
                direction,
            ) in record_rows:
                record_side = _SIDES[side]
                records[record_side, type_, id_] = RecordStatus(
                    side=record_side,
                    type=type_,
                    id=id_,
                    status=_STATUSES[status],
                    at=time_of(at_us),
                    code=code,
                    message=message,
                    direction=None
                    if direction is None
                    else _DIRECTIONS[direction],
                )
        except (KeyError, ValueError, PlanError) as exc:
            msg = f"the state store {str(self._path)!r} holds bad data: {exc}"
            raise StoreError(msg) from exc
        fingerprints = dict(
            conn.execute(
                "SELECT field, fingerprint FROM fingerprints WHERE object = ?",
                (name,),
            ).fetchall()
        )
        cursors = dict(
            conn.execute(
                "SELECT name, value FROM cursors WHERE object = ?", (name,)
            ).fetchall()
        )
        return ObjectState(
            links=links,
            qbo_links={link.qbo_id: h for h, link in links.items()},
            fingerprints=fingerprints,
            cursors=cursors,
            records=records,
        )

    # -- committing --------------------------------------------------------

    def commit(
        self,
        results: Iterable[OperationResult],
        *,
        cursors: Mapping[str, Mapping[str, str]] = _EMPTY,
    ) -> None:
        """
        Store the results of one applied batch, and new cursors, atomically.

        A cursor given an empty value is deleted.

        Raises:
            StoreLockedError: Another process holds the write lease.
            StoreError: The file cannot be written; nothing was stored.
        """
        batch = list(results)
        with self._write() as conn:
            before = self._touched_state(conn, batch, cursors)
            after = fold(before, batch, cursors=cursors)
            self._store_changes(conn, before, after)

    def _touched_state(
        self,
        conn: sqlite3.Connection,
        batch: Sequence[OperationResult],
        cursors: Mapping[str, Mapping[str, str]],
    ) -> SyncState:
        """The part of the state that folding *batch* can read or change."""
        ids: dict[str, set[str]] = {name: set() for name in cursors}
        whole: set[str] = set()
        for result in batch:
            op = result.operation
            ids.setdefault(op.object, set()).update(_touched_ids(result))
            if not isinstance(op, _NARROW):
                whole.add(op.object)
        objects = {
            name: self._load_object(
                conn, name, None if name in whole else sorted(ids[name])
            )
            for name in self._existing(conn, ids)
        }
        return SyncState(objects=objects)

    def _store_changes(
        self, conn: sqlite3.Connection, before: SyncState, after: SyncState
    ) -> None:
        """Write the rows that differ between *before* and *after*."""
        for name, new in after.objects.items():
            old = before.objects.get(name)
            if new is old:
                continue
            if old is None:
                conn.execute("INSERT INTO objects (name) VALUES (?)", (name,))
                old = ObjectState()
            self._store_links(conn, name, old, new)
            changed = [
                status
                for key, status in new.records.items()
                if old.records.get(key) is not status
            ]
            conn.executemany(
                _PUT_STATUS,
                [
                    (
                        name,
                        s.side.value,
                        s.type,
                        s.id,
                        s.status.value,
                        _us(s.at),
                        s.code,
                        s.message,
                        None if s.direction is None else s.direction.value,
                    )
                    for s in changed
                ],
            )
            if new.fingerprints != old.fingerprints:
                conn.execute(
                    "DELETE FROM fingerprints WHERE object = ?", (name,)
                )
                conn.executemany(
                    "INSERT INTO fingerprints (object, field, fingerprint)"
                    " VALUES (?, ?, ?)",
                    [(name, k, v) for k, v in new.fingerprints.items()],
                )
            if new.cursors != old.cursors:
                conn.execute("DELETE FROM cursors WHERE object = ?", (name,))
                conn.executemany(
                    _PUT_CURSOR,
                    [(name, k, v) for k, v in new.cursors.items()],
                )

    def _store_links(
        self,
        conn: sqlite3.Connection,
        name: str,
        old: ObjectState,
        new: ObjectState,
    ) -> None:
        if new.links is old.links:
            return
        changed = [
            link
            for hubspot_id, link in new.links.items()
            if (previous := old.links.get(hubspot_id)) is not link
            and previous != link
        ]
        gone = [h for h in old.links if h not in new.links]
        # Delete every changed pair before inserting: two pairs may trade
        # QBO ids within one batch, and the QBO id is unique per object.
        conn.executemany(
            "DELETE FROM links WHERE object = ? AND hubspot_id = ?",
            [(name, h) for h in gone]
            + [(name, link.hubspot_id) for link in changed],
        )
        conn.executemany(
            "INSERT INTO links (object, hubspot_id, qbo_id, synced_us, base)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (
                    name,
                    link.hubspot_id,
                    link.qbo_id,
                    None if link.synced_at is None else _us(link.synced_at),
                    _encode_base(link.base),
                )
                for link in changed
            ],
        )

    def forget(self, object_name: str) -> None:
        """
        Delete the state of the object sync *object_name* (B16).

        Raises:
            StoreLockedError: Another process holds the write lease.
        """
        with self._write() as conn:
            parts = [
                name
                for (name,) in conn.execute(_ALL_OBJECTS)
                if name.startswith(f"{object_name}:")
            ]
            for name in (object_name, *parts):
                for statement in _FORGET:
                    conn.execute(statement, (name,))

    # -- the sync-records table and the run history ------------------------

    def _stream(
        self, sql: str, params: Sequence[object]
    ) -> Iterator[tuple[Any, ...]]:
        """Stream rows from their own connection, in one read snapshot."""
        conn = _connect(self._path)
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("BEGIN")
            cursor = conn.execute(sql, params)
            while rows := cursor.fetchmany(500):
                yield from rows
        except sqlite3.Error as exc:
            raise self._error("cannot read", exc) from exc
        finally:
            conn.close()

    @overload
    def records(
        self, query: RecordQuery = ..., *, columns: Unset = ...
    ) -> Iterator[SyncRecord]: ...

    @overload
    def records(
        self, query: RecordQuery = ..., *, columns: Sequence[str]
    ) -> Iterator[tuple[object, ...]]: ...

    def records(
        self,
        query: RecordQuery = RecordQuery(),  # noqa: B008 - frozen, shared
        *,
        columns: Sequence[str] | Unset = UNSET,
    ) -> Iterator[SyncRecord] | Iterator[tuple[object, ...]]:
        """
        Stream the sync-records rows that pass *query*, in table order.

        Rows are read lazily from one snapshot of the file: commits made
        while the rows are read are not seen.

        Args:
            query: The filters.
            columns: Yield tuples of these columns instead of
                :class:`~hsqbo.SyncRecord` objects.

        Raises:
            ValueError: A column name is unknown.
            StoreError: The file cannot be read.
        """
        self._open_connection()
        sql, params = _compile(query)
        rows = (_sync_record(row) for row in self._stream(sql, params))
        return rows if columns is UNSET else project(rows, columns)

    def record_run(self, run: RunRecord) -> None:
        """
        Add *run* to the run history, or replace the run with its id.

        Raises:
            StoreLockedError: Another process holds the write lease.
        """
        doc = json.dumps(converter.unstructure(run), sort_keys=True)
        with self._write() as conn:
            conn.execute(
                _PUT_RUN,
                (run.id, _us(run.started_at), doc),
            )

    def runs(self, *, limit: int | Unset = UNSET) -> Iterator[RunRecord]:
        """Stream the run history, the most recently started first."""
        self._open_connection()
        rows = self._stream(
            "SELECT doc FROM runs ORDER BY started_us DESC, id DESC LIMIT ?",
            (-1 if limit is UNSET else limit,),
        )
        return (
            converter.structure(json.loads(doc), RunRecord) for (doc,) in rows
        )
