"""``hsqbo status``: sync health per object, the top errors and what to do."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Final

from hsqbo._cli._app import App
from hsqbo._cli._failures import ExitCode
from hsqbo._cli._render import Output
from hsqbo._config import SyncConfig
from hsqbo._sqlite import SQLiteStore
from hsqbo._state import Status
from hsqbo._store_query import RecordQuery


__all__ = ["HINTS", "hint", "register", "show_status"]

#: What to do about each error code, in one line.
HINTS: Final[dict[str, str]] = {
    "DUPLICATE_DISPLAY_NAME": (
        "QBO display names are unique: one billing contact per company, "
        'or on_duplicate = "suffix" (or "link") in the contacts '
        "display_name setting"
    ),
    "6240": (
        "QBO says the name is taken (a vendor, employee or inactive "
        'customer may hold it): rename one, or on_duplicate = "suffix"'
    ),
    "DUPLICATE_NAME": (
        "QBO item names are unique: rename one product, or give both the "
        "same SKU so they are linked"
    ),
    "AMBIGUOUS_MATCH": (
        "several records share the match key (e-mail, SKU, name): merge "
        "the duplicates on one side, then sync again"
    ),
    "INVALID_DISPLAY_NAME": (
        "the name has a colon, tab or newline, is over 500 characters or "
        "empty: fix the name, company or first/last name in HubSpot"
    ),
    "INVALID_VALUE": (
        "a value cannot be converted by its field's transform: fix the "
        "value, or the field's transform in hsqbo.toml"
    ),
    "MISSING_DEPENDENCY": (
        "the record needs another one that is not synced (an invoice's "
        "customer or item): fix that record's error first"
    ),
    "MISSING_REQUIRED": (
        "the target system requires a setting: add it under qbo_defaults "
        "or hubspot_defaults (the message names it)"
    ),
    "TRANSIENT": (
        "HubSpot or QBO failed for a passing reason; the next run retries"
    ),
}

_DEFAULT_HINT: Final = "see `hsqbo records --code {code}` for the messages"
_TOP: Final = 3


def hint(code: str) -> str:
    """Return what to do about error *code*."""
    return HINTS.get(code, _DEFAULT_HINT.format(code=code))


def show_status(out: Output, config: SyncConfig, store: SQLiteStore) -> None:
    """Print the health table, the top error codes and the last run."""
    rows = []
    top: list[tuple[str, str, int]] = []
    for obj in config.objects:
        statuses: Counter[Status] = Counter()
        codes: Counter[str] = Counter()
        for record in store.records(RecordQuery(object=obj.name)):
            statuses[record.status] += 1
            if record.status is Status.ERROR and record.code:
                codes[record.code] += 1
        rows.append(
            [
                obj.name,
                "on" if obj.enabled else "off",
                obj.direction.value,
                statuses[Status.SYNCED],
                statuses[Status.EXCLUDED],
                statuses[Status.ARCHIVED],
                statuses[Status.ERROR],
            ]
        )
        top.extend((obj.name, c, n) for c, n in codes.most_common(_TOP))
    out.table(
        "sync health",
        [
            "object",
            "sync",
            "direction",
            "synced",
            "excluded",
            "archived",
            "failing",
        ],
        rows,
    )
    if top:
        out.line("top errors:")
        for name, code, count in top:
            out.line(f"  {name}: {code} x{count}: {hint(code)}")
    else:
        out.line("no failing records")
    last = next(iter(store.runs(limit=1)), None)
    if last is not None:
        finished = (
            "still running (or killed)"
            if last.finished_at is None
            else f"finished {last.finished_at.isoformat(timespec='seconds')}"
        )
        began = last.started_at.isoformat(timespec="seconds")
        out.line(
            f"last run: started {began}, "
            f"{finished}, {last.outcome.value}"
            + (f": {last.message}" if last.message else "")
        )


def run_status(app: App) -> int:
    """Show the health of every object sync."""
    sync, store = app.offline_sync(create=False)
    show_status(app.out, sync.effective_config(), store)
    return ExitCode.OK


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``status`` to the command line."""
    parser = commands.add_parser(
        "status",
        parents=[common],
        help="sync health per object, top errors and hints",
        description=(
            "Count synced, excluded, archived and failing records per "
            "object (from the state; no API call, no credentials), list "
            "the top error codes with what to do, and the last run."
        ),
    )
    parser.set_defaults(handler=run_status)
