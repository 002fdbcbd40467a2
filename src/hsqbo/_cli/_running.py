"""``hsqbo plan``, ``apply``, ``sync`` and ``watch``: the runs."""

from __future__ import annotations

import argparse
import json
import logging
import os
import pathlib
import queue
import tempfile
import threading
from collections.abc import Callable

from hsqbo._cli import _webhooks
from hsqbo._cli._app import App
from hsqbo._cli._failures import CliError, ExitCode, describe
from hsqbo._cli._render import Output
from hsqbo._errors import HsqboError
from hsqbo._executor import Progress
from hsqbo._plan import Plan
from hsqbo._report import Outcome, RecordOutcome, SyncReport
from hsqbo._sync import Sync
from hsqbo.webhooks import Change


__all__ = ["register", "show_report"]

_LOG = logging.getLogger("hsqbo.cli")
_SHOWN_PROBLEMS = 20


def _write_json(path: pathlib.Path, data: object) -> None:
    """Write *data* to *path* atomically (never half a plan)."""
    if not path.parent.is_dir():
        msg = f"cannot write {path}: the folder {path.parent} does not exist"
        raise CliError(msg, ExitCode.FILE)
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror}"
        raise CliError(msg, ExitCode.FILE) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.write("\n")
        pathlib.Path(temp).replace(path)
    except BaseException:
        pathlib.Path(temp).unlink(missing_ok=True)
        raise


def show_report(
    out: Output,
    report: SyncReport,
    *,
    limit: int = _SHOWN_PROBLEMS,
    timed: bool = True,
) -> None:
    """
    Print the summary table of a run and its first *limit* problems.

    *timed* false leaves out the run's time (the demo's clock is virtual).
    """
    outcomes = [o.value for o in Outcome]
    used = [o for o in outcomes if any(o in c for c in report.counts.values())]
    rows = [
        [name, *(by_outcome.get(o, 0) for o in used)]
        for name, by_outcome in sorted(report.counts.items())
    ]
    if rows:
        out.table("sync summary", ["object", *used], rows)
    else:
        out.line("nothing to do")
    calls = ", ".join(f"{k} {v}" for k, v in sorted(report.api_calls.items()))
    took = f"; {report.elapsed:.1f} s" if timed else ""
    out.line(f"API calls: {calls or 'none'}{took}")
    for note in report.notes:
        out.line(f"note: {note}")
    for problem in report.problems[:limit]:
        out.line(_problem_line(problem))
    hidden = len(report.problems) - limit
    if hidden > 0:
        out.line(f"... and {hidden} more (see `hsqbo records --status error`)")


def _problem_line(problem: RecordOutcome) -> str:
    """One line per failed record: what, where, and the error once."""
    side = f"{problem.side.value} " if problem.side is not None else ""
    where = f"{side}{problem.type} {problem.id}"
    code = problem.code or ""
    # An API error's message already carries its code; don't say it twice.
    if not code or code in problem.message:
        said = problem.message
    else:
        said = f"{code}: {problem.message}"
    return f"{problem.outcome.value}: {problem.object}: {where}: {said}"


def _exit_code(report: SyncReport) -> int:
    return ExitCode.RECORD_ERRORS if report.errors else ExitCode.OK


def run_plan(app: App) -> int:
    """Read both sides and print (or save) what a sync would do."""
    out: pathlib.Path | None = app.args.out
    if out is not None and not out.parent.is_dir():
        # Fail before reading both sides, not after.
        msg = f"cannot write {out}: the folder {out.parent} does not exist"
        raise CliError(msg, ExitCode.FILE)
    sync, _ = app.sync(create=False)
    plan = sync.plan(full=app.args.full)
    if app.args.out is not None:
        _write_json(app.args.out, plan.to_dict())
    if app.args.json:
        app.out.line(json.dumps(plan.to_dict(), indent=2, sort_keys=True))
        return ExitCode.OK
    app.out.explain(plan)
    if app.args.out is not None:
        app.out.line(
            f"saved the plan to {app.args.out}; "
            f"apply it with `hsqbo apply {app.args.out}`"
        )
    return ExitCode.OK


def _read_plan(path: pathlib.Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"cannot read the plan {path}: {exc.strerror}"
        raise CliError(msg, ExitCode.FILE) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        msg = f"the plan {path} is not JSON (save one with `hsqbo plan --out`)"
        raise CliError(msg, ExitCode.FILE) from None
    if not isinstance(data, dict):
        msg = f"the plan {path} is not a saved plan"
        raise CliError(msg, ExitCode.FILE)
    return Plan.from_dict(data)


def run_apply(app: App) -> int:
    """Apply a plan saved with ``hsqbo plan --out``."""
    plan = _read_plan(app.args.plan)
    sync, _ = app.sync()
    with app.out.progress("apply") as bar:
        report = sync.apply(plan, progress=bar)
    show_report(app.out, report)
    return _exit_code(report)


def run_sync(app: App) -> int:
    """Plan and apply in one go, with progress and a summary."""
    sync, _ = app.sync()
    with app.out.progress("sync") as bar:
        report = sync.run(full=app.args.full, progress=bar)
    show_report(app.out, report)
    return _exit_code(report)


class _CountingSync(Sync):
    """The engine, counting the runs :meth:`Sync.watch` starts."""

    started = 0
    #: The error of the last run, if it failed (watch logs it and goes on).
    last_error: HsqboError | None = None

    def run(
        self, *, full: bool = False, progress: Progress | None = None
    ) -> SyncReport:
        self.started += 1
        self.last_error = None
        try:
            return super().run(full=full, progress=progress)
        except HsqboError as exc:
            self.last_error = exc
            raise


def _sync_deliveries(
    sync: Sync,
    pending: queue.Queue[tuple[Change, ...] | None],
    *,
    out: Output,
    on_report: Callable[[SyncReport], object],
) -> None:
    """
    Hand queued webhook changes to :meth:`Sync.sync_changes` until ``None``.

    Deliveries that arrived meanwhile go in one call. A failed call is
    logged and the loop goes on: ending it would leave later deliveries
    to polling, minutes instead of seconds.
    """
    while (first := pending.get()) is not None:
        changes = list(first)
        closing = False
        while not pending.empty():
            more = pending.get_nowait()
            if more is None:
                closing = True
                break
            changes.extend(more)
        try:
            report = sync.sync_changes(changes)
        except HsqboError as exc:
            _LOG.warning(
                "webhook changes not synced (the next run reads them): %s",
                describe(exc).message,
            )
        except Exception:  # noqa: BLE001 - logged; the worker must go on
            # A bug must not end the worker; the one-line log (a traceback
            # with --debug) says what to report.
            _LOG.exception(
                "webhook changes not synced (the next run reads them)"
            )
        else:
            on_report(report)
            out.line(
                f"webhook: {len(changes)} change"
                f"{'s' if len(changes) != 1 else ''} synced:"
            )
            show_report(out, report)
        if closing:
            return


def _watch_with_webhooks(
    app: App,
    sync: Sync,
    *,
    port: int,
    done: Callable[[], bool],
    on_report: Callable[[SyncReport], object],
    failed: list[bool],
) -> int:
    """
    Watch, and sync the records each valid webhook names at once.

    The receiver answers at once and queues the changes; one worker thread
    hands them to :meth:`Sync.sync_changes` (several deliveries that
    arrived meanwhile in one call), while :meth:`Sync.watch` keeps polling
    in this thread as the safety net. Runs of one Sync take turns, so the
    two never write at the same time.
    """
    hubspot, intuit = _webhooks.receivers(app.env)
    pending: queue.Queue[tuple[Change, ...] | None] = queue.Queue()

    def work() -> None:
        _sync_deliveries(sync, pending, out=app.out, on_report=note_errors)

    def note_errors(report: SyncReport) -> None:
        failed[0] = failed[0] or bool(report.errors)

    worker = threading.Thread(target=work, name="hsqbo-webhook-sync")
    worker.start()
    try:
        with _webhooks.serve(
            port,
            hubspot=hubspot,
            intuit=intuit,
            public_url=app.env.get("HSQBO_WEBHOOK_PUBLIC_URL") or None,
            on_changes=pending.put,
        ) as url:
            paths = [
                p
                for p, r in (("/hubspot", hubspot), ("/qbo", intuit))
                if r is not None
            ]
            app.out.line(
                f"watching every {app.args.interval:g} s and receiving "
                f"webhooks at {url} ({', '.join(paths)}); Ctrl-C stops after "
                "the current run"
            )
            return sync.watch(
                app.args.interval, stop=done, on_report=on_report
            )
    finally:
        pending.put(None)
        worker.join()


def run_watch(app: App) -> int:
    """Sync every interval until interrupted (or --runs)."""
    interval: float = app.args.interval
    if interval <= 0:
        msg = "--interval must be more than 0 seconds"
        raise CliError(msg, ExitCode.USAGE)
    sync, _ = app.sync(engine=_CountingSync)
    assert isinstance(sync, _CountingSync)  # noqa: S101 - asked for above
    limit: int | None = app.args.runs
    failed = [False]

    def on_report(report: SyncReport) -> None:
        failed[0] = failed[0] or bool(report.errors)
        stamp = app.clock.now().isoformat(timespec="seconds")
        app.out.line(f"run {sync.started} at {stamp}:")
        show_report(app.out, report)

    def stop() -> bool:
        # Runs that fail (logged, retried next tick) count too.
        return limit is not None and sync.started >= limit

    port: int | None = app.args.webhooks
    if port is None:
        app.out.line(
            f"watching every {interval:g} s; Ctrl-C stops after the "
            "current run"
        )
        runs = sync.watch(interval, stop=stop, on_report=on_report)
    else:
        runs = _watch_with_webhooks(
            app,
            sync,
            port=port,
            done=stop,
            on_report=on_report,
            failed=failed,
        )
    app.out.line(f"stopped after {runs} run{'s' if runs != 1 else ''}")
    if sync.last_error is not None:
        return describe(sync.last_error).code
    return ExitCode.RECORD_ERRORS if failed[0] else ExitCode.OK


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``plan``, ``apply``, ``sync`` and ``watch`` to the command line."""
    plan = commands.add_parser(
        "plan",
        parents=[common],
        help="show what a sync would do, writing nothing",
        description=(
            "Read both sides and explain, grouped by object, every "
            "operation a sync would make and why. Writes nothing to "
            "HubSpot, QBO or the state."
        ),
    )
    plan.add_argument(
        "--json", action="store_true", help="print the plan as JSON"
    )
    plan.add_argument(
        "--out",
        type=pathlib.Path,
        metavar="FILE",
        help="save the plan as JSON, to apply later with `hsqbo apply FILE`",
    )
    plan.add_argument(
        "--full", action="store_true", help="read everything, not just changes"
    )
    plan.set_defaults(handler=run_plan)

    apply = commands.add_parser(
        "apply",
        parents=[common],
        help="apply a saved plan",
        description=(
            "Apply a plan saved with `hsqbo plan --out`. Operations whose "
            "record changed since planning are reported stale, not applied."
        ),
    )
    apply.add_argument("plan", type=pathlib.Path, help="the plan file (JSON)")
    apply.set_defaults(handler=run_apply)

    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="plan and apply now",
        description=(
            "Read both sides, plan and apply, with progress and a summary "
            "table. Exit code 1 if some records failed."
        ),
    )
    sync.add_argument(
        "--full", action="store_true", help="read everything, not just changes"
    )
    sync.set_defaults(handler=run_sync)

    watch = commands.add_parser(
        "watch",
        parents=[common],
        help="sync again and again until interrupted",
        description=(
            "Sync every --interval seconds (default 300) until Ctrl-C or "
            "SIGTERM; the current run always finishes first."
        ),
    )
    watch.add_argument(
        "--interval",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="seconds from one run's start to the next (default 300)",
    )
    watch.add_argument(
        "--runs",
        type=int,
        metavar="N",
        help="stop after N runs (default: until interrupted)",
    )
    watch.add_argument(
        "--webhooks",
        type=int,
        metavar="PORT",
        help=(
            "also receive HubSpot (/hubspot) and QBO (/qbo) webhooks on "
            "127.0.0.1:PORT and sync the records they name at once (needs "
            "HSQBO_HUBSPOT_CLIENT_SECRET and/or HSQBO_QBO_WEBHOOK_VERIFIER)"
        ),
    )
    watch.set_defaults(handler=run_watch)
