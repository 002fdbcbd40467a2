"""
``hsqbo demo``: a whole sync on a realistic small business, no account needed.

The demo starts :class:`~hsqbo.testing.FakeHubSpot` and
:class:`~hsqbo.testing.FakeQuickBooks` in this process, seeds them
(:mod:`hsqbo._cli._demo_data`), writes the recommended configuration as
``hsqbo init`` does, runs a first sync, edits records on both sides, runs
an incremental sync, shows the status view and exports the sync records
next to the state file.

A second run continues from the saved state. The fakes live in memory, so
they are rebuilt: the same seed and start time (kept in
``hsqbo-demo.json``) give the same records and ids, and the syncs of the
earlier runs are replayed against them; the replay's links are checked
against the saved state before the new round starts.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import pathlib
import tempfile
import time
from collections.abc import Iterator
from typing import Any, Final

import attrs
import httpx

from hsqbo._cli._app import App
from hsqbo._cli._demo_data import DemoSize, DemoWorld, edit_round, seed_world
from hsqbo._cli._export import export_rows
from hsqbo._cli._failures import CliError, ExitCode
from hsqbo._cli._health import show_status
from hsqbo._cli._records import DEFAULT_COLUMNS
from hsqbo._cli._render import Output
from hsqbo._cli._running import show_report
from hsqbo._cli._setup import annotate
from hsqbo._config import SyncConfig
from hsqbo._mapping import FieldMap
from hsqbo._record import Direction
from hsqbo._retry import RetryPolicy
from hsqbo._sqlite import SQLiteStore
from hsqbo._state import MemoryStore, StateStore
from hsqbo._store_query import RecordQuery
from hsqbo._sync import Sync
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import QuickBooksClient


__all__ = ["register"]

STATE_NAME: Final = "hsqbo-demo.sqlite"
CONFIG_NAME: Final = "hsqbo-demo.toml"
JOURNAL_NAME: Final = "hsqbo-demo.json"
EXPORT_NAME: Final = "hsqbo-demo-records.csv"
_SMALL: Final = DemoSize(
    companies=20, contacts=60, customers=16, items=10, invoices=40
)


@attrs.frozen(kw_only=True)
class _Journal:
    """What a later run needs to rebuild the fakes: seed, start, rounds."""

    seed: int
    start: dt.datetime
    rounds: int
    small: bool


def _read_journal(path: pathlib.Path) -> _Journal:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return _Journal(
            seed=int(data["seed"]),
            start=dt.datetime.fromisoformat(data["start"]),
            rounds=int(data["rounds"]),
            small=bool(data.get("small", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        msg = f"cannot read {path}; run `hsqbo demo --fresh` to start over"
        raise CliError(msg, ExitCode.STATE) from None


def _write_journal(path: pathlib.Path, journal: _Journal) -> None:
    data = {
        "seed": journal.seed,
        "start": journal.start.isoformat(),
        "rounds": journal.rounds,
        "small": journal.small,
    }
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
        pathlib.Path(temp).replace(path)
    except BaseException:
        pathlib.Path(temp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _clients(
    world: DemoWorld,
) -> Iterator[tuple[HubSpotClient, QuickBooksClient]]:
    """Clients that reach the fakes in-process and never sleep for real."""
    retry = RetryPolicy(attempts=8, max_jitter=0.0)
    with (
        httpx.Client(transport=world.hubspot.transport()) as hs_http,
        httpx.Client(transport=world.qbo.transport()) as qbo_http,
    ):
        hubspot = HubSpotClient(
            "pat-demo",
            base_url="https://api.hubapi.com",
            http=hs_http,
            clock=world.clock,
            retry=retry,
        )
        qbo = QuickBooksClient(
            world.qbo.realm_id,
            "demo-access-token",
            base_url="https://quickbooks.demo",
            http=qbo_http,
            clock=world.clock,
            retry=retry,
        )
        yield hubspot, qbo


def demo_config(setup_at: dt.datetime) -> SyncConfig:
    """
    The recommended configuration plus one custom mapping (B13, B20).

    The QBO invoice custom field "PO Number" goes to the custom HubSpot
    invoice property ``po_number``.
    """
    config = SyncConfig.recommended(setup_at)
    invoices = config.object("invoices")
    po_number = FieldMap(
        "po_number",
        "CustomField[PO Number]",
        direction=Direction.QBO_TO_HUBSPOT,
    )
    mapped = attrs.evolve(invoices, fields=(*invoices.fields, po_number))
    return attrs.evolve(
        config,
        objects=tuple(
            mapped if o.name == "invoices" else o for o in config.objects
        ),
    )


def _links(store: StateStore, config: SyncConfig) -> dict[str, dict[str, str]]:
    state = store.load(config)
    # Only the configured object syncs: a store may hold more (the engine
    # keeps invoice lines as their own), and not every store loads them.
    return {
        obj.name: {
            h: link.qbo_id for h, link in state.object(obj.name).links.items()
        }
        for obj in config.objects
    }


def _rows(store: StateStore, config: SyncConfig) -> list[tuple[str, ...]]:
    """The sync-records rows of the configured objects, comparable."""
    names = {o.name for o in config.objects}
    return sorted(
        (r.object, r.side.value, r.id, str(r.qbo_id), r.status.value)
        for r in store.records()
        if r.object in names
    )


def _remove(*paths: pathlib.Path) -> None:
    for path in paths:
        for extra in ("", "-wal", "-shm"):
            pathlib.Path(f"{path}{extra}").unlink(missing_ok=True)


def _describe_world(out: Output, world: DemoWorld) -> None:
    companies = len(world.hubspot.objects("companies"))
    contacts = len(world.hubspot.objects("contacts"))
    out.line(
        f"seeded FakeHubSpot: {companies} companies, {contacts} contacts; "
        f"FakeQuickBooks: {len(world.qbo.customers())} customers, "
        f"{len(world.qbo.items())} products and services, "
        f"{len(world.qbo.invoices())} invoices, "
        f"{len(world.qbo.payments())} payments"
    )


def run_demo(app: App) -> int:  # noqa: C901, PLR0915 - the demo script, in order
    """Run the demo (see the module docstring)."""
    began = time.perf_counter()
    out = app.out
    folder: pathlib.Path = app.args.dir
    if not folder.is_dir():
        msg = f"--dir {folder}: no such folder"
        raise CliError(msg, ExitCode.FILE)
    state_path = folder / STATE_NAME
    config_path = folder / CONFIG_NAME
    journal_path = folder / JOURNAL_NAME
    if app.args.fresh:
        _remove(state_path, journal_path)
    previous: _Journal | None = None
    if state_path.exists():
        if not journal_path.exists():
            msg = (
                f"{state_path} exists but {journal_path.name} does not; "
                "run `hsqbo demo --fresh` to start over"
            )
            raise CliError(msg, ExitCode.STATE)
        previous = _read_journal(journal_path)
        if app.args.seed is not None and app.args.seed != previous.seed:
            msg = (
                f"the saved demo uses seed {previous.seed}; run `hsqbo demo "
                f"--fresh --seed {app.args.seed}` to start over with another"
            )
            raise CliError(msg, ExitCode.USAGE)
    seed = previous.seed if previous is not None else (app.args.seed or 1)
    small = previous.small if previous is not None else app.args.small
    start = (
        previous.start
        if previous is not None
        else dt.datetime.now(dt.UTC).replace(microsecond=0)
    )
    rounds = 0 if previous is None else previous.rounds

    out.heading("hsqbo demo")
    world = seed_world(start, seed, _SMALL if small else DemoSize())
    _describe_world(out, world)

    if previous is None or not config_path.exists():
        config_path.write_text(
            annotate(demo_config(world.setup_at).to_toml()), encoding="utf-8"
        )
        out.line(
            f"init: wrote {config_path}: the recommended settings as "
            f"`hsqbo init` writes them, set up {world.setup_at.isoformat()}, "
            "plus the QBO invoice custom field 'PO Number' mapped to the "
            "custom HubSpot invoice property po_number"
        )
    config = SyncConfig.from_toml(config_path)

    with (
        _clients(world) as (hubspot, qbo),
        SQLiteStore(state_path, clock=world.clock) as store,
    ):
        if previous is not None:
            replay = MemoryStore()
            again = Sync(
                config,
                hubspot=hubspot,
                qbo=qbo,
                store=replay,
                clock=world.clock,
            )
            again.run()
            for number in range(1, rounds + 1):
                edit_round(world, number, seed)
                again.run()
            if _links(replay, config) != _links(store, config) or _rows(
                replay, config
            ) != _rows(store, config):
                msg = (
                    "the saved demo state does not match the rebuilt fakes "
                    "(was the state file changed?); run `hsqbo demo --fresh`"
                )
                raise CliError(msg, ExitCode.STATE)
            out.line(
                f"continuing from {state_path}: the fakes live in memory, so "
                f"they were rebuilt from seed {seed} and the {rounds + 1} "
                "earlier syncs replayed; their links and sync records match "
                "the saved state"
            )
        sync = Sync(
            config, hubspot=hubspot, qbo=qbo, store=store, clock=world.clock
        )
        if previous is None:
            out.heading("first sync")
            with out.progress("first sync") as bar:
                report = sync.run(progress=bar)
            show_report(out, report, limit=5, timed=False)
        rounds += 1
        out.heading(f"edits on both sides (round {rounds})")
        for line in edit_round(world, rounds, seed):
            out.line(line)
        out.heading("incremental sync")
        with out.progress("incremental sync") as bar:
            report = sync.run(progress=bar)
        show_report(out, report, limit=5, timed=False)
        _write_journal(
            journal_path,
            _Journal(seed=seed, start=start, rounds=rounds, small=small),
        )
        invoices = world.hubspot.objects("invoices")
        with_po = sum(1 for i in invoices if i.properties.get("po_number"))
        out.line(
            f"HubSpot now has {len(invoices)} invoices from QBO; {with_po} "
            "carry the PO Number custom field in po_number"
        )
        out.heading("status")
        show_status(out, sync.effective_config(), store)
        export = folder / EXPORT_NAME
        count = export_rows(
            export,
            DEFAULT_COLUMNS,
            store.records(RecordQuery(), columns=DEFAULT_COLUMNS),
        )
    out.heading("export")
    out.line(f"exported {count} sync records to {export}")
    out.line(
        f"done in {time.perf_counter() - began:.1f} s. Look around: "
        f"`hsqbo status --config {config_path} --state {state_path}`, "
        f"`hsqbo records --state {state_path} --status error`; "
        "run `hsqbo demo` again for another round of edits"
    )
    return ExitCode.OK


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``demo`` to the command line."""
    del common  # the demo picks its own config and state files
    parser = commands.add_parser(
        "demo",
        help="see a sync on a realistic small business, no account needed",
        description=(
            "Start fake HubSpot and QuickBooks Online APIs in this process, "
            "seeded with a small business (200 companies, 600 contacts, "
            "100 products, 400 invoices with payments), then: init, first "
            "sync, edits on both sides, incremental sync, status, export. "
            f"Files go to --dir: {CONFIG_NAME}, {STATE_NAME}, {JOURNAL_NAME} "
            f"and {EXPORT_NAME}. Run it again to continue from the saved "
            "state with another round of edits."
        ),
    )
    parser.add_argument(
        "--dir",
        type=pathlib.Path,
        default=pathlib.Path(),
        metavar="DIR",
        help="where the demo's files go (default: the current folder)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of the demo data (default 1)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="forget a saved demo and start over",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="a tenth of the business (quicker)",
    )
    parser.add_argument(
        "--plain", action="store_true", help="plain lines even on a terminal"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.set_defaults(
        handler=run_demo,
        config=pathlib.Path(CONFIG_NAME),
        state=pathlib.Path(STATE_NAME),
    )
