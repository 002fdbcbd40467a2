"""
The report of one sync run: what happened to every record, and the cost.

:class:`SyncReport` is what :meth:`Sync.apply <hsqbo.Sync.apply>` and
:meth:`Sync.run <hsqbo.Sync.run>` return. Its outcome names are stable so
scripts may match on them (see :class:`Outcome`).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping

import attrs

from hsqbo._record import Side


__all__ = ["Outcome", "RecordOutcome", "SyncReport"]


class Outcome(enum.Enum):
    """
    What happened to one operation of a plan.

    .. versionadded:: 0.1.0
    """

    #: Created on the target side.
    CREATED = "created"
    #: Fields written on the target side.
    UPDATED = "updated"
    #: Two existing records linked (no API write).
    LINKED = "linked"
    #: Two HubSpot records associated.
    ASSOCIATED = "associated"
    #: Only the state changed (bases, fingerprints).
    RECORDED = "recorded"
    #: Left out on purpose (filters, one-way, archived, unchanged).
    SKIPPED = "skipped"
    #: A field changed on both sides; decided by the conflict policy.
    CONFLICT = "conflict"
    #: The planner refused the record (a :class:`~hsqbo.RecordError`).
    ERROR = "error"
    #: The API refused the write (e.g. QBO's duplicate name 6240).
    FAILED = "failed"
    #: Not applied: the target changed since planning, or another
    #: precondition of the (saved) plan no longer holds. The next run
    #: plans it again from fresh data.
    STALE = "stale"


@attrs.frozen(kw_only=True)
class RecordOutcome:
    """
    One operation that did not go through, and why.

    Args:
        object: The object sync name.
        kind: The operation kind (``create``, ``update``...) or ``error``.
        outcome: :attr:`Outcome.ERROR`, :attr:`Outcome.FAILED` or
            :attr:`Outcome.STALE`.
        side: The side of the record concerned.
        type: Its object type.
        id: Its id (the source record's id for a create).
        code: The planner's error code or the API's (``"6240"``).
        message: What went wrong, in words.
        op_id: The operation's stable id.

    .. versionadded:: 0.1.0
    """

    object: str
    kind: str
    outcome: Outcome
    side: Side | None
    type: str
    id: str
    code: str | None
    message: str
    op_id: str


@attrs.frozen(kw_only=True)
class SyncReport:
    """
    What one sync run did, per object and outcome, and what it cost.

    Args:
        counts: Object sync name → outcome → number of operations.
        problems: Every error, API failure and stale operation.
        api_calls: HTTP requests sent per system (``"hubspot"``,
            ``"qbo"``), retries included, reads and writes.
        elapsed: Wall time of the run in seconds (by the sync's clock).
        notes: Things worth knowing about the run (a full re-read because
            a cursor was older than QBO's 30-day CDC window...).
        full: Whether every record in scope was read (first run, forced,
            or a cursor too old).

    .. versionadded:: 0.1.0
    """

    counts: Mapping[str, Mapping[str, int]] = attrs.field(factory=dict)
    problems: tuple[RecordOutcome, ...] = ()
    api_calls: Mapping[str, int] = attrs.field(factory=dict)
    elapsed: float = 0.0
    notes: tuple[str, ...] = ()
    full: bool = False

    @property
    def errors(self) -> tuple[RecordOutcome, ...]:
        """The planner's errors and the API's failures."""
        return tuple(
            p
            for p in self.problems
            if p.outcome in {Outcome.ERROR, Outcome.FAILED}
        )

    @property
    def stale(self) -> tuple[RecordOutcome, ...]:
        """The operations not applied because their target changed."""
        return tuple(p for p in self.problems if p.outcome is Outcome.STALE)

    def count(self, outcome: Outcome, object_name: str | None = None) -> int:
        """
        Count the operations with *outcome*, for one object or all.

        >>> SyncReport(counts={"contacts": {"created": 2}}).count(
        ...     Outcome.CREATED)
        2
        """
        names = self.counts if object_name is None else (object_name,)
        return sum(
            self.counts.get(name, {}).get(outcome.value, 0) for name in names
        )

    def summary(self) -> str:
        """
        Describe the run in a few lines.

        >>> print(SyncReport(counts={"contacts": {"created": 2}},
        ...                  api_calls={"hubspot": 3, "qbo": 1}).summary())
        contacts: created 2
        API calls: hubspot 3, qbo 1
        elapsed: 0.00 s
        """
        lines = [
            f"{name}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(by_outcome.items()))
            for name, by_outcome in sorted(self.counts.items())
        ]
        lines.append(
            "API calls: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.api_calls.items()))
        )
        lines.append(f"elapsed: {self.elapsed:.2f} s")
        lines.extend(self.notes)
        lines.extend(
            f"{p.outcome.value}: {p.object} {p.kind} "
            f"{p.type} {p.id}: {p.code or ''} {p.message}".rstrip()
            for p in self.problems
        )
        return "\n".join(lines)


def tally(
    entries: Iterable[tuple[str, Outcome]],
) -> dict[str, dict[str, int]]:
    """Count ``(object, outcome)`` pairs into the report's nested counts."""
    counts: dict[str, Counter[str]] = {}
    for name, outcome in entries:
        counts.setdefault(name, Counter())[outcome.value] += 1
    return {
        name: dict(sorted(counts[name].items())) for name in sorted(counts)
    }
