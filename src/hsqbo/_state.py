"""
Sync state: what the last sync left behind, and how applied results fold in.

A :class:`SyncState` is a frozen snapshot the planner reads: per object
sync, the links (HubSpot id ⇄ QBO id) with the base value of every mapped
field, the mapping fingerprints the bases were computed with, read cursors
and one status row per record (synced, excluded, error) for B23.

The executor reports what happened to each operation as an
:class:`OperationResult`; :func:`fold` turns a state and a batch of results
into the next state. It is the ONE place links and bases are derived, used
by :class:`MemoryStore` here and by the SQLite store.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
import types
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Protocol,
    Self,
    overload,
    runtime_checkable,
)

import attrs

from hsqbo._operations import (
    Associate,
    Conflict,
    Create,
    Link,
    Operation,
    Rebase,
    RecordError,
    Remap,
    Skip,
    SkipReason,
    Update,
)
from hsqbo._record import Direction, FieldValue, Side
from hsqbo._store_query import (
    RecordQuery,
    RunRecord,
    SyncRecord,
    project,
    select_records,
)
from hsqbo._unset import UNSET, Unset


if TYPE_CHECKING:
    from hsqbo._config import SyncConfig


__all__ = [
    "LinkState",
    "MemoryStore",
    "ObjectState",
    "OperationResult",
    "RecordStatus",
    "StateStore",
    "Status",
    "SyncState",
    "fold",
]

_EMPTY: Mapping[str, str] = types.MappingProxyType({})


class Status(enum.Enum):
    """
    Where a record stands after the last run (the sync-records table, B23).

    .. versionadded:: 0.1.0
    """

    SYNCED = "synced"
    EXCLUDED = "excluded"
    ARCHIVED = "archived"
    ERROR = "error"


@attrs.frozen(kw_only=True)
class LinkState:
    """
    One linked pair and the base value of each mapped field.

    Args:
        hubspot_id: The HubSpot record's id.
        qbo_id: The QBO record's id.
        base: ``FieldMap.key`` → the canonical value both sides had at the
            last sync. A missing key means "no base": the next plan merges
            that field as on a first sync.
        synced_at: When the pair was last written or confirmed.

    .. versionadded:: 0.1.0
    """

    hubspot_id: str
    qbo_id: str
    base: Mapping[str, FieldValue] = attrs.field(factory=dict)
    synced_at: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class RecordStatus:
    """
    One row of the sync-records table.

    Args:
        side: The record's side.
        type: Its object type.
        id: Its id.
        status: Synced, excluded, archived or error.
        at: When the status was recorded.
        code: The error code (``ErrorCode`` value or the API's), if any.
        message: The failing filter or the error message; ``""`` if none.
        direction: Which way data flowed at the record's last write
            (``None`` when no write was made).

    .. versionadded:: 0.1.0
    """

    side: Side
    type: str
    id: str
    status: Status
    at: dt.datetime
    code: str | None = None
    message: str = ""
    direction: Direction | None = None


@attrs.frozen(kw_only=True)
class ObjectState:
    """
    The state of one object sync.

    Args:
        links: Linked pairs by HubSpot id.
        qbo_links: QBO id → HubSpot id (the reverse index of *links*).
        fingerprints: ``FieldMap.key`` → fingerprint the bases were made
            with; a field whose fingerprint differs from the configuration
            has no valid base (backfill, B13).
        cursors: Named read cursors (e.g. ``"hubspot"``, ``"qbo"``).
        records: Status rows by ``(side, type, id)``.

    .. versionadded:: 0.1.0
    """

    links: Mapping[str, LinkState] = attrs.field(factory=dict)
    qbo_links: Mapping[str, str] = attrs.field(factory=dict)
    fingerprints: Mapping[str, str] = attrs.field(factory=dict)
    cursors: Mapping[str, str] = attrs.field(factory=dict)
    records: Mapping[tuple[Side, str, str], RecordStatus] = attrs.field(
        factory=dict
    )

    def link_for(self, side: Side, record_id: str) -> LinkState | None:
        """Return the link of the record *record_id* on *side*, if any."""
        if side is Side.QBO:
            hubspot_id = self.qbo_links.get(record_id)
            if hubspot_id is None:
                return None
            return self.links.get(hubspot_id)
        return self.links.get(record_id)


_NO_OBJECT = ObjectState()


@attrs.frozen(kw_only=True)
class SyncState:
    """
    A frozen snapshot of the state, per object sync name.

    >>> SyncState().object("contacts").links
    {}

    .. versionadded:: 0.1.0
    """

    objects: Mapping[str, ObjectState] = attrs.field(factory=dict)

    def object(self, name: str) -> ObjectState:
        """Return the state of the object sync *name* (empty if none)."""
        return self.objects.get(name, _NO_OBJECT)


@attrs.frozen(kw_only=True)
class OperationResult:
    """
    What happened when the executor applied one operation.

    Reports (skips, conflicts, errors) and state-only operations are
    "applied" without an API call; they are committed too, so the state
    keeps each record's status.

    Args:
        operation: The operation.
        at: When it was applied.
        id: The id the API assigned (for a :class:`~hsqbo.Create`).
        version: The record's new version (QBO ``SyncToken``).
        updated_at: The record's new last-modified time.
        error_code: Why it failed (the API's or hsqbo's code); ``None``
            when it succeeded.
        error_message: The failure in words.

    .. versionadded:: 0.1.0
    """

    operation: Operation | RecordError
    at: dt.datetime
    id: str | None = None
    version: str | None = None
    updated_at: dt.datetime | None = None
    error_code: str | None = None
    error_message: str = ""

    @property
    def ok(self) -> bool:
        """Whether the operation was applied."""
        return self.error_code is None


class _Folder:
    """Copy-on-write view of a state while one batch of results folds in."""

    def __init__(self, state: SyncState) -> None:
        self._state = state
        self._links: dict[str, dict[str, LinkState]] = {}
        self._qbo: dict[str, dict[str, str]] = {}
        self._records: dict[
            str, dict[tuple[Side, str, str], RecordStatus]
        ] = {}
        self._fingerprints: dict[str, Mapping[str, str]] = {}
        self._by_id: dict[
            str, defaultdict[tuple[Side, str], list[tuple[Side, str, str]]]
        ] = {}

    def links(self, name: str) -> dict[str, LinkState]:
        if name not in self._links:
            self._links[name] = dict(self._state.object(name).links)
        return self._links[name]

    def qbo(self, name: str) -> dict[str, str]:
        if name not in self._qbo:
            self._qbo[name] = dict(self._state.object(name).qbo_links)
        return self._qbo[name]

    def records(self, name: str) -> dict[tuple[Side, str, str], RecordStatus]:
        if name not in self._records:
            self._records[name] = dict(self._state.object(name).records)
        return self._records[name]

    def keys_of(
        self, name: str, side: Side, record_id: str
    ) -> list[tuple[Side, str, str]]:
        """The status-row keys of the record *record_id* on *side*."""
        index = self._by_id.get(name)
        if index is None:
            # Built once per object and batch: a Link names ids, not types.
            index = self._by_id[name] = defaultdict(list)
            for key in self.records(name):
                index[key[0], key[2]].append(key)
        return list(index.get((side, record_id), ()))

    def set_fingerprints(self, name: str, value: Mapping[str, str]) -> None:
        self._fingerprints[name] = dict(value)

    def link(self, name: str, side: Side, record_id: str) -> LinkState | None:
        if side is Side.HUBSPOT:
            return self.links(name).get(record_id)
        hubspot_id = self.qbo(name).get(record_id)
        return None if hubspot_id is None else self.links(name).get(hubspot_id)

    def put_link(self, name: str, link: LinkState) -> None:
        links = self.links(name)
        qbo = self.qbo(name)
        # A record is linked once: drop the pairs that either id was in.
        old = links.get(link.hubspot_id)
        if old is not None:
            qbo.pop(old.qbo_id, None)
        other = qbo.get(link.qbo_id)
        if other is not None:
            links.pop(other, None)
        links[link.hubspot_id] = link
        qbo[link.qbo_id] = link.hubspot_id

    def rebase(
        self,
        name: str,
        side: Side,
        record_id: str,
        base: Mapping[str, FieldValue],
        at: dt.datetime,
    ) -> None:
        link = self.link(name, side, record_id)
        if link is None:
            # The link was not committed (yet): without it there is nothing
            # to attach a base to, and no base is the safe default.
            return
        self.put_link(
            name,
            attrs.evolve(link, base={**link.base, **base}, synced_at=at),
        )

    def status(
        self,
        name: str,
        key: tuple[Side, str, str],
        status: Status,
        at: dt.datetime,
        *,
        code: str | None = None,
        message: str = "",
        direction: Direction | None = None,
    ) -> None:
        side, type_, record_id = key
        index = self._by_id.get(name)
        if index is not None and key not in self.records(name):
            index[side, record_id].append(key)
        self.records(name)[key] = RecordStatus(
            side=side,
            type=type_,
            id=record_id,
            status=status,
            at=at,
            code=code,
            message=message,
            direction=direction,
        )

    def remap(self, op: Remap) -> None:
        stale = set(op.stale)
        if stale:
            links = self.links(op.object)
            for hubspot_id, link in list(links.items()):
                if stale.intersection(link.base):
                    kept = {
                        k: v for k, v in link.base.items() if k not in stale
                    }
                    links[hubspot_id] = attrs.evolve(link, base=kept)
        self.set_fingerprints(op.object, op.fingerprints)

    def build(self) -> SyncState:
        names = set(self._links) | set(self._records) | set(self._fingerprints)
        if not names:
            return self._state
        objects = dict(self._state.objects)
        for name in names:
            old = self._state.object(name)
            objects[name] = attrs.evolve(
                old,
                links=self._links.get(name, old.links),
                qbo_links=self._qbo.get(name, old.qbo_links),
                records=self._records.get(name, old.records),
                fingerprints=self._fingerprints.get(name, old.fingerprints),
            )
        return SyncState(objects=objects)


def _record_keys(op: Operation | RecordError) -> list[tuple[Side, str, str]]:
    if isinstance(op, Create):
        return (
            []
            if op.source is None
            else [(op.source.side, op.source.type, op.source.id)]
        )
    if isinstance(op, Update | Skip | RecordError):
        return [(op.side, op.type, op.id)]
    return []


def _fold_failure(folder: _Folder, result: OperationResult) -> None:
    op = result.operation
    if isinstance(op, Link | Rebase | Remap | Conflict | Associate):
        # Nothing changed: the link, the bases and the statuses stay as
        # they were, so the next plan decides again.
        return
    for key in _record_keys(op):
        folder.status(
            op.object,
            key,
            Status.ERROR,
            result.at,
            code=result.error_code,
            message=result.error_message,
        )


def _fold_create(folder: _Folder, op: Create, result: OperationResult) -> None:
    if not op.link or op.source is None or result.id is None:
        return
    if op.side is Side.QBO:
        hubspot_id, qbo_id = op.source.id, result.id
    else:
        hubspot_id, qbo_id = result.id, op.source.id
    folder.put_link(
        op.object,
        LinkState(
            hubspot_id=hubspot_id,
            qbo_id=qbo_id,
            base=dict(op.base),
            synced_at=result.at,
        ),
    )
    key = (op.source.side, op.source.type, op.source.id)
    folder.status(
        op.object, key, Status.SYNCED, result.at, direction=_towards(op.side)
    )


def _towards(side: Side) -> Direction:
    """The direction of a write to *side*."""
    return (
        Direction.HUBSPOT_TO_QBO
        if side is Side.QBO
        else Direction.QBO_TO_HUBSPOT
    )


_SKIP_STATUS: Mapping[SkipReason, Status] = {
    SkipReason.EXCLUDED: Status.EXCLUDED,
    SkipReason.ONE_WAY: Status.EXCLUDED,
    SkipReason.ARCHIVED: Status.ARCHIVED,
}


def _linked_rows(folder: _Folder, op: Link, at: dt.datetime) -> None:
    """
    Mark the rows of two newly linked records synced.

    A record that failed (a duplicate name) or was left out before it was
    matched would otherwise keep that row for as long as the pair does not
    change, since an unchanged pair plans nothing.
    """
    for side, record_id in (
        (Side.HUBSPOT, op.hubspot_id),
        (Side.QBO, op.qbo_id),
    ):
        for key in folder.keys_of(op.object, side, record_id):
            row = folder.records(op.object)[key]
            if row.status in {Status.ERROR, Status.EXCLUDED}:
                folder.status(op.object, key, Status.SYNCED, at)


def _fold_one(folder: _Folder, result: OperationResult) -> None:
    op = result.operation
    at = result.at
    if isinstance(op, Remap):
        folder.remap(op)
    elif isinstance(op, Link):
        folder.put_link(
            op.object,
            LinkState(
                hubspot_id=op.hubspot_id,
                qbo_id=op.qbo_id,
                base=dict(op.base),
                synced_at=at,
            ),
        )
        _linked_rows(folder, op, at)
    elif isinstance(op, Create):
        _fold_create(folder, op, result)
    elif isinstance(op, Update):
        folder.rebase(op.object, op.side, op.id, op.base, at)
        folder.status(
            op.object,
            (op.side, op.type, op.id),
            Status.SYNCED,
            at,
            direction=_towards(op.side),
        )
    elif isinstance(op, Rebase):
        folder.rebase(op.object, Side.HUBSPOT, op.hubspot_id, op.base, at)
    elif isinstance(op, RecordError):
        folder.status(
            op.object,
            (op.side, op.type, op.id),
            Status.ERROR,
            at,
            code=op.code.value,
            message=op.message,
        )
    elif isinstance(op, Skip):
        status = _SKIP_STATUS.get(op.reason)
        if status is not None:
            folder.status(
                op.object,
                (op.side, op.type, op.id),
                status,
                at,
                message=op.detail,
            )


def fold(
    state: SyncState,
    results: Iterable[OperationResult],
    *,
    cursors: Mapping[str, Mapping[str, str]] = _EMPTY,  # type: ignore[assignment]
) -> SyncState:
    """
    Fold one batch of applied results into *state*; return the new state.

    Pure: *state* is not changed. Successful operations create links
    (``Link``, a linking ``Create``), store bases (``Update``, ``Rebase``),
    forget stale bases (``Remap``) and record statuses (a ``Link`` marks
    its two records synced if their rows said error or excluded); a failed
    operation changes no link or base and marks its record as an error, so
    the next plan decides again. Results are folded in the order given.

    Args:
        state: The state before the batch.
        results: What happened to each operation of the batch.
        cursors: Object sync name → cursor name → new value; an empty
            value deletes that cursor.

    Returns:
        The state after the batch.

    .. versionadded:: 0.1.0
    """
    folder = _Folder(state)
    for result in results:
        if result.ok:
            _fold_one(folder, result)
        else:
            _fold_failure(folder, result)
    new = folder.build()
    if not cursors:
        return new
    objects = dict(new.objects)
    for name, values in cursors.items():
        old = new.object(name)
        merged = {**old.cursors, **values}
        # An empty value deletes the cursor: every reader treats a missing
        # cursor and an empty one alike, and keys written once per create
        # (the executor's "intent:" notes) must not pile up for ever.
        objects[name] = attrs.evolve(
            old, cursors={k: v for k, v in merged.items() if v}
        )
    return SyncState(objects=objects)


@runtime_checkable
class StateStore(Protocol):
    """
    Where sync state lives between runs.

    ``load`` returns a frozen snapshot for the planner; ``commit`` stores
    the results of one applied batch atomically (all or nothing).

    .. versionadded:: 0.1.0
    """

    def load(self, config: SyncConfig) -> SyncState:
        """Return the state of the object syncs of *config*."""
        ...

    def commit(
        self,
        results: Iterable[OperationResult],
        *,
        cursors: Mapping[str, Mapping[str, str]] = ...,
    ) -> None:
        """
        Store the results of one applied batch (and new cursors).

        A cursor given an empty value is deleted.
        """
        ...

    def forget(self, object_name: str) -> None:
        """Delete the state of one object sync (B16, "delete sync")."""
        ...

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
        query: RecordQuery = ...,
        *,
        columns: Sequence[str] | Unset = ...,
    ) -> Iterator[SyncRecord] | Iterator[tuple[object, ...]]:
        """
        Stream the sync-records rows that pass *query* (B23).

        Rows come in table order (object sync, side, type, id). With
        *columns*, each row is a tuple of those columns, in that order.
        """
        ...

    def record_run(self, run: RunRecord) -> None:
        """Add *run* to the run history, or replace the run with its id."""
        ...

    def runs(self, *, limit: int | Unset = ...) -> Iterator[RunRecord]:
        """Stream the run history, the most recently started first."""
        ...

    def acquire(self) -> None:
        """
        Take (or renew) the store's write lease before a run writes.

        Raises:
            StoreLockedError: Another process holds a live lease.
        """
        ...

    def release(self) -> None:
        """Give the write lease back, if this store holds it."""
        ...

    def close(self) -> None:
        """Release the lease and any resources; the store is unusable after."""
        ...


def _read_only(obj: ObjectState) -> ObjectState:
    """
    A view of *obj* whose mappings cannot be written through.

    A snapshot shares its mappings with the store (copying 100,000 links
    per load would cost more than planning them); read-only views keep a
    caller from changing the store by writing into a snapshot.
    """
    return ObjectState(
        links=types.MappingProxyType(obj.links),
        qbo_links=types.MappingProxyType(obj.qbo_links),
        fingerprints=types.MappingProxyType(obj.fingerprints),
        cursors=types.MappingProxyType(obj.cursors),
        records=types.MappingProxyType(obj.records),
    )


class MemoryStore:
    """
    A state store in memory, for tests and one-off runs.

    >>> store = MemoryStore()
    >>> store.load(SyncConfig.recommended(
    ...     dt.datetime(2026, 1, 1, tzinfo=dt.UTC))).objects
    {}

    .. versionadded:: 0.1.0
    """

    def __init__(self, state: SyncState | None = None) -> None:
        self._state = SyncState() if state is None else state
        self._lock = threading.Lock()
        self._runs: dict[str, RunRecord] = {}

    @property
    def state(self) -> SyncState:
        """The current snapshot."""
        return self._state

    def load(self, config: SyncConfig) -> SyncState:
        """Return the state of the object syncs named in *config*."""
        names = {obj.name for obj in config.objects}
        state = self._state
        # "<name>:lines" holds the invoice line links of object sync <name>.
        return SyncState(
            objects={
                k: _read_only(v)
                for k, v in state.objects.items()
                if k.split(":", 1)[0] in names
            }
        )

    def commit(
        self,
        results: Iterable[OperationResult],
        *,
        cursors: Mapping[str, Mapping[str, str]] = _EMPTY,  # type: ignore[assignment]
    ) -> None:
        """Fold one applied batch into the state, atomically."""
        batch = list(results)
        with self._lock:
            self._state = fold(self._state, batch, cursors=cursors)

    def forget(self, object_name: str) -> None:
        """Delete the state of the object sync *object_name*."""
        with self._lock:
            # Its parts ("<name>:lines") go with it.
            objects = {
                name: state
                for name, state in self._state.objects.items()
                if name.split(":", 1)[0] != object_name
            }
            self._state = SyncState(objects=objects)

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

        The rows come from the snapshot current when iteration starts.
        """
        rows = select_records(self._state, query)
        return rows if columns is UNSET else project(rows, columns)

    def record_run(self, run: RunRecord) -> None:
        """Add *run* to the run history, or replace the run with its id."""
        with self._lock:
            self._runs[run.id] = run

    def runs(self, *, limit: int | Unset = UNSET) -> Iterator[RunRecord]:
        """Stream the run history, the most recently started first."""
        ordered = sorted(
            self._runs.values(),
            key=lambda r: (r.started_at, r.id),
            reverse=True,
        )
        return iter(ordered if limit is UNSET else ordered[:limit])

    def acquire(self) -> None:
        """Do nothing: a memory store lives in one process."""

    def release(self) -> None:
        """Do nothing: a memory store lives in one process."""

    def close(self) -> None:
        """Do nothing: a memory store holds no resources."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
