"""
The engine: read both sides, plan, apply, commit.

:class:`Sync` wires the connectors, the pure planner, the executor and a
state store together. See the how-to "How a sync runs" for the guarantees.
"""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from types import FrameType
from typing import Final

import attrs

from hsqbo._clock import Clock, SystemClock
from hsqbo._config import SyncConfig
from hsqbo._errors import ConfigError, ConfigProblem, HsqboError
from hsqbo._executor import (
    Applied,
    Executor,
    Progress,
    recover,
    transient_objects,
)
from hsqbo._operations import Remap
from hsqbo._plan import Plan
from hsqbo._planner import plan as make_plan
from hsqbo._reader import Reader, Snapshot
from hsqbo._report import SyncReport, tally
from hsqbo._state import StateStore
from hsqbo._store_query import RunOutcome, RunRecord
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import QuickBooksClient
from hsqbo.webhooks import Change


__all__ = ["ENABLED_KEY", "Sync"]

_LOG = logging.getLogger("hsqbo.sync")
_Handler = Callable[[int, FrameType | None], object] | int | None

ENABLED_KEY: Final = "enabled"
"""The per-object metadata key (kept with the cursors) of the enabled
override set by :meth:`Sync.enable` / :meth:`Sync.disable`."""
_TRUE: Final = "true"
_FALSE: Final = "false"


class Sync:
    """
    Keep HubSpot and QBO in sync, as *config* says.

    Args:
        config: What to sync, in which direction, with which filters.
        hubspot: The HubSpot client to read and write with.
        qbo: The QBO client to read and write with.
        store: Where links, base values, cursors and record statuses live
            between runs (:class:`~hsqbo.MemoryStore`, a SQLite store or
            your own :class:`~hsqbo.StateStore`).
        clock: Where "now" comes from; a
            :class:`~hsqbo.testing.VirtualClock` makes :meth:`watch`
            sleep-free in tests.

    >>> sync = Sync(SyncConfig.recommended(dt.datetime(2026, 1, 1,
    ...     tzinfo=dt.UTC)), hubspot=HubSpotClient("pat"),
    ...     qbo=QuickBooksClient("1", "token"), store=MemoryStore())
    >>> sync.disable("products")
    >>> sync.enabled("products")
    False

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        config: SyncConfig,
        *,
        hubspot: HubSpotClient,
        qbo: QuickBooksClient,
        store: StateStore,
        clock: Clock | None = None,
    ) -> None:
        self._config = config
        self._hubspot = hubspot
        self._qbo = qbo
        self._store = store
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._pending: tuple[Plan, Snapshot] | None = None
        self._stop = threading.Event()
        # Runs of one Sync take turns: sync_changes() from a webhook worker
        # thread waits for a watch() run in progress, and vice versa.
        self._turn = threading.RLock()

    def __repr__(self) -> str:
        names = ", ".join(o.name for o in self._config.objects)
        return f"Sync(objects=[{names}], store={type(self._store).__name__})"

    # -- configuration ----------

    def _object_names(self) -> set[str]:
        return {o.name for o in self._config.objects}

    def _check_name(self, name: str) -> None:
        if name not in self._object_names():
            raise ConfigError(
                [
                    ConfigProblem(
                        name,
                        "no object sync of that name (known: "
                        f"{', '.join(sorted(self._object_names()))})",
                    )
                ]
            )

    def effective_config(self) -> SyncConfig:
        """
        Return the configuration with the stored enable/disable overrides.

        .. versionadded:: 0.1.0
        """
        state = self._store.load(self._config)
        objects = []
        for obj in self._config.objects:
            flag = state.object(obj.name).cursors.get(ENABLED_KEY)
            if flag is None:
                objects.append(obj)
            else:
                objects.append(attrs.evolve(obj, enabled=flag == _TRUE))
        return attrs.evolve(self._config, objects=tuple(objects))

    def enabled(self, name: str) -> bool:
        """
        Tell whether the object sync *name* runs (config and override).

        .. versionadded:: 0.1.0
        """
        self._check_name(name)
        return self.effective_config().object(name).enabled

    def enable(self, name: str) -> None:
        """
        Turn the object sync *name* on again (B16, "edit sync settings").

        The override is kept in the state store with the object's cursors,
        so it holds for every later run, whatever the configuration says.

        Raises:
            ConfigError: No object sync is called *name*.

        .. versionadded:: 0.1.0
        """
        self._check_name(name)
        self._store.commit([], cursors={name: {ENABLED_KEY: _TRUE}})

    def disable(self, name: str) -> None:
        """
        Turn the object sync *name* off (B16); its state is kept.

        Raises:
            ConfigError: No object sync is called *name*.

        .. versionadded:: 0.1.0
        """
        self._check_name(name)
        self._store.commit([], cursors={name: {ENABLED_KEY: _FALSE}})

    def delete(self, name: str) -> None:
        """
        Delete the object sync *name* (B16) and turn it off.

        Its links, base values, cursors and record statuses are forgotten.

        Records already written stay on both sides. :meth:`enable` starts
        it again as a first sync (existing pairs are matched, not copied).

        Raises:
            ConfigError: No object sync is called *name*.

        .. versionadded:: 0.1.0
        """
        self._check_name(name)
        self._store.forget(name)
        self._store.commit([], cursors={name: {ENABLED_KEY: _FALSE}})

    # -- one run ----------

    def plan(self, *, full: bool = False) -> Plan:
        """
        Read both sides and plan, writing nothing.

        The first run (or *full*) reads every record in scope; later runs
        read what changed since the stored cursors plus the records those
        changes need.

        Args:
            full: Read everything even if cursors are stored.

        Returns:
            The plan; :meth:`apply` it now, or save it with
            :meth:`Plan.to_dict` and apply it later.

        .. versionadded:: 0.1.0
        """
        with self._turn:
            config = self.effective_config()
            recover(
                config, store=self._store, qbo=self._qbo, clock=self._clock
            )
            state = self._store.load(config)
            reader = Reader(
                config, hubspot=self._hubspot, qbo=self._qbo, clock=self._clock
            )
            snapshot = reader.read(state, full=full)
            made = make_plan(
                config,
                snapshot.hubspot,
                snapshot.qbo,
                state,
                now=self._clock.now(),
            )
            self._pending = (made, snapshot)
            return made

    def apply(
        self, plan: Plan, *, progress: Progress | None = None
    ) -> SyncReport:
        """
        Apply *plan* and commit every batch's results to the store.

        Operations whose preconditions no longer hold (the record changed
        since planning, a source was linked since) are not applied but
        reported as stale; the rest are applied. The read cursors advance
        only when *plan* is the one :meth:`plan` just made and its changes
        are committed.

        Args:
            plan: A plan from :meth:`plan` or :meth:`Plan.from_dict`.
            progress: Called with (operations done, total) after each
                committed batch.

        Returns:
            What happened, per object and outcome, and the API calls made.

        .. versionadded:: 0.1.0
        """
        with self._turn:
            snapshot = None
            if self._pending is not None and self._pending[0] is plan:
                snapshot = self._pending[1]
                self._pending = None
            return self._execute(plan, progress=progress, snapshot=snapshot)

    def _execute(
        self,
        plan: Plan,
        *,
        progress: Progress | None,
        snapshot: Snapshot | None,
        config: SyncConfig | None = None,
    ) -> SyncReport:
        """
        Apply *plan* under the store's lease and record the run.

        The read cursors of *snapshot* advance once its changes are in;
        without one (a saved plan, webhook changes) none moves.
        """
        calls = self._calls()
        started = self._clock.monotonic()
        executor = Executor(
            config if config is not None else self.effective_config(),
            hubspot=self._hubspot,
            qbo=self._qbo,
            store=self._store,
            clock=self._clock,
        )
        # One writer per store: a second process fails here, before any
        # write, with StoreLockedError.
        self._store.acquire()
        run = RunRecord(id=uuid.uuid4().hex, started_at=self._clock.now())
        self._store.record_run(run)
        try:
            applied = executor.apply(plan, progress=progress)
            if snapshot is not None:
                self._advance(
                    snapshot,
                    transient_objects(applied) | executor.incomplete,
                )
            report = self._report(applied, calls, started, snapshot)
            self._store.record_run(
                RunRecord(
                    id=run.id,
                    started_at=run.started_at,
                    finished_at=self._clock.now(),
                    outcome=(
                        RunOutcome.PARTIAL
                        if report.problems
                        else RunOutcome.SUCCEEDED
                    ),
                    counts={
                        f"{name}.{outcome}": n
                        for name, by_outcome in report.counts.items()
                        for outcome, n in by_outcome.items()
                    },
                )
            )
        except BaseException as exc:
            self._store.record_run(
                attrs.evolve(
                    run,
                    finished_at=self._clock.now(),
                    outcome=RunOutcome.FAILED,
                    message=f"{type(exc).__name__}: {exc}",
                )
            )
            raise
        finally:
            self._store.release()
        return report

    def run(
        self, *, full: bool = False, progress: Progress | None = None
    ) -> SyncReport:
        """
        Plan and apply in one go.

        Args:
            full: Read everything even if cursors are stored.
            progress: Called with (operations done, total) after each
                committed batch.

        Returns:
            What happened; its API calls and time cover reading too.

        .. versionadded:: 0.1.0
        """
        with self._turn:
            calls = self._calls()
            started = self._clock.monotonic()
            made = self.plan(full=full)
            snapshot = self._pending[1] if self._pending is not None else None
            report = self.apply(made, progress=progress)
            return attrs.evolve(
                report,
                api_calls=self._since(calls),
                elapsed=self._clock.monotonic() - started,
                notes=() if snapshot is None else snapshot.notes,
                full=bool(snapshot and snapshot.full),
            )

    def sync_changes(
        self, changes: Iterable[Change], *, progress: Progress | None = None
    ) -> SyncReport:
        """
        Sync just the records that webhook *changes* name.

        Each named record is re-read by id (a notification carries no data,
        and events may come out of order), together with what planning it
        needs — its linked partner, an invoice's contact, a contact's
        companies, the records a new one may match — exactly as an
        incremental run gathers them; then those records are planned,
        applied and committed like a normal run, under the store's lease.
        The cost grows with the changes, not with the records.

        * Changes of one record are coalesced; the latest decides.
        * The read cursors do not move: the next :meth:`run` still reads
          everything changed since the last one, so a lost or refused
          webhook costs nothing but time.
        * Changes of object types no object sync covers, of a disabled
          object sync, of the side a one-way object sync only writes to,
          of another QBO company, or of an object sync that has not had
          its first :meth:`run` (or whose mapping changed since) plan
          nothing; :attr:`SyncReport.notes` says so.
        * A HubSpot company change re-plans the contacts associated with
          it (their QBO display name may be its name); a QBO payment
          change re-plans the invoices it applies to.
        * Deletions and merges are reported in the notes, not propagated;
          the survivor of a merge is re-read.

        Safe to call from another thread while :meth:`watch` runs: runs of
        one :class:`Sync` take turns.

        Args:
            changes: What changed, e.g. the result of
                :meth:`HubSpotWebhook.handle
                <hsqbo.webhooks.HubSpotWebhook.handle>` or
                :meth:`IntuitWebhook.handle
                <hsqbo.webhooks.IntuitWebhook.handle>`.
            progress: Called with (operations done, total) after each
                committed batch.

        Returns:
            What happened; its API calls and time cover reading too.

        .. versionadded:: 0.1.0
        """
        with self._turn:
            calls = self._calls()
            started = self._clock.monotonic()
            config = self.effective_config()
            recover(
                config, store=self._store, qbo=self._qbo, clock=self._clock
            )
            state = self._store.load(config)
            reader = Reader(
                config, hubspot=self._hubspot, qbo=self._qbo, clock=self._clock
            )
            snapshot = reader.read_changes(state, changes)
            notes = list(snapshot.notes)
            made = make_plan(
                config,
                snapshot.hubspot,
                snapshot.qbo,
                state,
                now=self._clock.now(),
            )
            remapped = sorted(
                {
                    op.object.split(":", 1)[0]
                    for op in made.operations
                    if isinstance(op, Remap)
                }
            )
            if remapped:
                # A changed mapping is backfilled by run(); committing its
                # new fingerprints here would skip that backfill.
                held = {
                    op.object.split(":", 1)[0]
                    for op in made.operations
                    if not isinstance(op, Remap)
                }
                notes.extend(
                    f"{name}: mapping changed (or never synced); its "
                    "changes wait for the next run()"
                    for name in remapped
                    if name in held
                )
                config = attrs.evolve(
                    config,
                    objects=tuple(
                        attrs.evolve(o, enabled=False)
                        if o.name in remapped
                        else o
                        for o in config.objects
                    ),
                )
                made = make_plan(
                    config,
                    snapshot.hubspot,
                    snapshot.qbo,
                    state,
                    now=self._clock.now(),
                )
            report = self._execute(
                made, progress=progress, snapshot=None, config=config
            )
            return attrs.evolve(
                report,
                api_calls=self._since(calls),
                elapsed=self._clock.monotonic() - started,
                notes=tuple(notes),
                full=False,
            )

    def _advance(self, snapshot: Snapshot, failed: set[str]) -> None:
        """Commit the read cursors of the objects whose changes are in."""
        names = set(snapshot.cursors)
        # Operations may belong to a part of an object sync ("invoices:
        # lines"); one the engine cannot place holds every cursor.
        held = {
            name if name in names else name.split(":", 1)[0] for name in failed
        }
        if held - names:
            held = names
        cursors = {
            name: dict(values)
            for name, values in snapshot.cursors.items()
            if name not in held
        }
        for name in sorted(held):
            _LOG.warning(
                "%s: some writes failed for a passing reason; its read "
                "cursors stay, so the next run reads those changes again",
                name,
            )
        if cursors:
            self._store.commit([], cursors=cursors)

    # -- reporting ----------

    def _calls(self) -> dict[str, int]:
        return {
            "hubspot": self._hubspot.requests_sent,
            "qbo": self._qbo.requests_sent,
        }

    def _since(self, before: Mapping[str, int]) -> dict[str, int]:
        now = self._calls()
        return {k: now[k] - before[k] for k in sorted(now)}

    def _report(
        self,
        applied: list[Applied],
        calls: Mapping[str, int],
        started: float,
        snapshot: Snapshot | None,
    ) -> SyncReport:
        return SyncReport(
            counts=tally((a.object, a.outcome) for a in applied),
            problems=tuple(
                a.problem for a in applied if a.problem is not None
            ),
            api_calls=self._since(calls),
            elapsed=self._clock.monotonic() - started,
            notes=() if snapshot is None else snapshot.notes,
            full=bool(snapshot and snapshot.full),
        )

    # -- polling ----------

    def stop(self) -> None:
        """
        Ask a running :meth:`watch` to stop after the current run.

        .. versionadded:: 0.1.0
        """
        self._stop.set()

    def watch(
        self,
        interval: float = 60.0,
        *,
        stop: Callable[[], bool] | None = None,
        on_report: Callable[[SyncReport], object] | None = None,
        handle_signals: bool = True,
    ) -> int:
        """
        Run again and again, *interval* seconds apart, until told to stop.

        The loop stops cleanly — never in the middle of a batch — when
        *stop* returns true (asked before every run and every second of
        waiting), when :meth:`stop` is called, or on SIGINT/SIGTERM (when
        called from the main thread and *handle_signals* is true; the
        previous handlers are put back afterwards). A run that fails with
        an :class:`~hsqbo.HsqboError` is logged and retried at the next
        tick; committed work is never lost.

        Args:
            interval: Seconds from the start of one run to the next.
            stop: Called to ask whether to stop.
            on_report: Called with each run's report.
            handle_signals: Install SIGINT/SIGTERM handlers.

        Returns:
            The number of runs made.

        .. versionadded:: 0.1.0
        """
        self._stop.clear()
        previous: dict[signal.Signals, _Handler] = {}
        main = threading.current_thread() is threading.main_thread()
        if handle_signals and main:
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous[signum] = signal.signal(signum, self._on_signal)
        runs = 0
        try:
            while not self._should_stop(stop):
                began = self._clock.monotonic()
                try:
                    report = self.run()
                except HsqboError:
                    _LOG.exception("sync run failed; retrying next tick")
                else:
                    if on_report is not None:
                        on_report(report)
                runs += 1
                while not self._should_stop(stop):
                    left = interval - (self._clock.monotonic() - began)
                    if left <= 0:
                        break
                    self._clock.sleep(min(1.0, left))
        finally:
            for restored, handler in previous.items():
                signal.signal(restored, handler)
        return runs

    def _should_stop(self, stop: Callable[[], bool] | None) -> bool:
        return self._stop.is_set() or (stop is not None and bool(stop()))

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        del frame
        _LOG.info("signal %s: stopping after the current run", signum)
        self._stop.set()
