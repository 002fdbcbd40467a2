"""
What a state store answers besides the planner's snapshot.

The sync-records table (B23) is queried with a :class:`RecordQuery` and
streamed as :class:`SyncRecord` rows: one per record per object sync, with
the ids on both sides when the record is linked. Every store applies the
same query semantics — :class:`~hsqbo.MemoryStore` through
:meth:`RecordQuery.matches` and :func:`select_records`,
:class:`~hsqbo.SQLiteStore` by compiling the same filters to SQL — and the
same order: object sync, side, type, id.

The run history is a list of :class:`RunRecord`, one per sync run.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Final

import attrs

from hsqbo._record import Direction, Side
from hsqbo._unset import UNSET, Unset


if TYPE_CHECKING:
    from hsqbo._state import Status, SyncState


__all__ = [
    "RECORD_COLUMNS",
    "RecordQuery",
    "RunOutcome",
    "RunRecord",
    "SyncRecord",
    "check_columns",
    "project",
    "select_records",
]


def _aware(value: dt.datetime | Unset) -> dt.datetime | Unset:
    if isinstance(value, dt.datetime) and value.utcoffset() is None:
        msg = f"naive datetime {value!r}: give a timezone (UTC)"
        raise ValueError(msg)
    return value


@attrs.frozen(kw_only=True)
class SyncRecord:
    """
    One row of the sync-records table (B23).

    Args:
        object: The name of the object sync.
        side: The side of the record the row is about.
        type: Its object type.
        id: Its id.
        hubspot_id: The HubSpot id of the pair (the record's own id on
            HubSpot, its linked partner's on QBO); ``None`` when unlinked.
        qbo_id: The QBO id of the pair, likewise.
        status: Synced, excluded, archived or error.
        at: When the status was recorded (the last sync time).
        direction: Which way data flowed at the record's last write;
            ``None`` when no write was needed or made.
        code: The error code, if any.
        message: The error message or the failing filter; ``""`` if none.

    .. versionadded:: 0.1.0
    """

    object: str
    side: Side
    type: str
    id: str
    hubspot_id: str | None
    qbo_id: str | None
    status: Status
    at: dt.datetime
    direction: Direction | None = None
    code: str | None = None
    message: str = ""


RECORD_COLUMNS: Final[tuple[str, ...]] = tuple(
    a.name for a in attrs.fields(SyncRecord)
)
"""
The columns of :class:`SyncRecord`, in table order.

.. versionadded:: 0.1.0
"""


def check_columns(columns: Sequence[str]) -> tuple[str, ...]:
    """
    Return *columns* as a tuple after checking every name.

    Raises:
        ValueError: A name is not one of :data:`RECORD_COLUMNS`, or none
            is given.
    """
    chosen = tuple(columns)
    unknown = [c for c in chosen if c not in RECORD_COLUMNS]
    if unknown or not chosen:
        msg = (
            f"unknown record columns {unknown!r}; choose from "
            f"{', '.join(RECORD_COLUMNS)}"
            if unknown
            else "choose at least one record column"
        )
        raise ValueError(msg)
    return chosen


def project(
    records: Iterable[SyncRecord], columns: Sequence[str]
) -> Iterator[tuple[object, ...]]:
    """
    Stream the chosen *columns* of each record, in that order.

    The column names are checked at once; the records are read lazily.

    Raises:
        ValueError: A column name is unknown.
    """
    chosen = check_columns(columns)
    return (tuple(getattr(r, c) for c in chosen) for r in records)


def _frozenset(value: object) -> frozenset[object]:
    if isinstance(value, str | enum.Enum):
        return frozenset((value,))
    return frozenset(value)  # type: ignore[call-overload,no-any-return]


@attrs.frozen(kw_only=True)
class RecordQuery:
    """
    Which sync-record rows to list; every filter given must hold.

    A single status, code or side may be given instead of a set.

    >>> RecordQuery(object="contacts", statuses=Status.ERROR).statuses
    frozenset({<Status.ERROR: 'error'>})

    Args:
        object: Only rows of this object sync.
        statuses: Only rows with one of these statuses (empty: any).
        codes: Only rows with one of these error codes (empty: any).
        sides: Only rows about records of these sides (empty: both).
        since: Only rows recorded at or after this time.
        until: Only rows recorded before this time.

    .. versionadded:: 0.1.0
    """

    object: str | Unset = UNSET
    statuses: frozenset[Status] = attrs.field(
        default=frozenset(), converter=_frozenset
    )
    codes: frozenset[str] = attrs.field(
        default=frozenset(), converter=_frozenset
    )
    sides: frozenset[Side] = attrs.field(
        default=frozenset(), converter=_frozenset
    )
    since: dt.datetime | Unset = attrs.field(default=UNSET, converter=_aware)
    until: dt.datetime | Unset = attrs.field(default=UNSET, converter=_aware)

    def matches(self, record: SyncRecord) -> bool:
        """Return whether *record* passes every filter of the query."""
        return (
            (self.object is UNSET or record.object == self.object)
            and (not self.statuses or record.status in self.statuses)
            and (not self.codes or record.code in self.codes)
            and (not self.sides or record.side in self.sides)
            and (self.since is UNSET or record.at >= self.since)
            and (self.until is UNSET or record.at < self.until)
        )


def select_records(
    state: SyncState, query: RecordQuery
) -> Iterator[SyncRecord]:
    """
    Stream the rows of *state* that pass *query*, in table order.

    The reference semantics of :meth:`StateStore.records`; stores that
    keep a :class:`~hsqbo.SyncState` in memory use it directly.
    """
    names = sorted(state.objects)
    if query.object is not UNSET:
        names = [n for n in names if n == query.object]
    for name in names:
        obj = state.objects[name]
        keys = sorted(obj.records, key=lambda k: (k[0].value, k[1], k[2]))
        for key in keys:
            status = obj.records[key]
            link = obj.link_for(status.side, status.id)
            record = SyncRecord(
                object=name,
                side=status.side,
                type=status.type,
                id=status.id,
                hubspot_id=(
                    status.id
                    if status.side is Side.HUBSPOT
                    else (None if link is None else link.hubspot_id)
                ),
                qbo_id=(
                    status.id
                    if status.side is Side.QBO
                    else (None if link is None else link.qbo_id)
                ),
                status=status.status,
                at=status.at,
                direction=status.direction,
                code=status.code,
                message=status.message,
            )
            if query.matches(record):
                yield record


def _counts(value: Mapping[str, int]) -> dict[str, int]:
    return dict(value)


class RunOutcome(enum.Enum):
    """
    How a sync run ended.

    .. versionadded:: 0.1.0
    """

    #: Started and not (yet) finished; a run killed midway stays so.
    RUNNING = "running"
    #: Every operation was applied.
    SUCCEEDED = "succeeded"
    #: Finished, but some records failed (see the sync-records table).
    PARTIAL = "partial"
    #: Stopped by an error before finishing.
    FAILED = "failed"


@attrs.frozen(kw_only=True)
class RunRecord:
    """
    One sync run in the run history.

    A run is recorded when it starts (``RUNNING``) and again, under the
    same id, when it ends.

    Args:
        id: The run's id (unique per store).
        started_at: When it started.
        finished_at: When it ended; ``None`` while running.
        outcome: How it ended.
        counts: Named counts, e.g. ``"contacts.create": 3``.
        message: Why it failed, in words; ``""`` if it did not.

    .. versionadded:: 0.1.0
    """

    id: str
    started_at: dt.datetime = attrs.field(converter=_aware)
    finished_at: dt.datetime | None = None
    outcome: RunOutcome = RunOutcome.RUNNING
    counts: Mapping[str, int] = attrs.field(factory=dict, converter=_counts)
    message: str = ""
