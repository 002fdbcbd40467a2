"""``hsqbo records``: list, filter and export the sync-records table (B23)."""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import itertools
import pathlib
from collections.abc import Iterator
from typing import Final

import dateutil.parser

from hsqbo._cli._app import App
from hsqbo._cli._export import export_rows, format_of
from hsqbo._cli._failures import CliError, ExitCode
from hsqbo._cli._objects import check_object
from hsqbo._record import Side
from hsqbo._state import Status
from hsqbo._store_query import RECORD_COLUMNS, RecordQuery, check_columns
from hsqbo._unset import UNSET


__all__ = ["DEFAULT_COLUMNS", "build_query", "parse_time", "register"]

#: The columns shown when ``--columns`` is not given.
DEFAULT_COLUMNS: Final = (
    "object",
    "side",
    "id",
    "hubspot_id",
    "qbo_id",
    "status",
    "at",
    "code",
    "message",
)

_STATUSES: Final = {s.value: s for s in Status}
_SIDES: Final = {s.value: s for s in Side}


def _split(values: list[str] | None) -> list[str]:
    return [
        part.strip()
        for value in values or []
        for part in value.split(",")
        if part.strip()
    ]


def parse_time(text: str, option: str) -> dt.datetime:
    """
    Read an ISO 8601 date or date-time; no zone means UTC.

    Raises:
        CliError: Not a date.
    """
    try:
        when = dateutil.parser.isoparse(text)
    except ValueError:
        msg = (
            f"{option}: {text!r} is not an ISO date or date-time "
            "(2026-11-27 or 2026-11-27T09:30:00+01:00)"
        )
        raise CliError(msg, ExitCode.USAGE) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def _choices(
    values: list[str], known: dict[str, object], option: str
) -> list[object]:
    unknown = [v for v in values if v.lower() not in known]
    if unknown:
        msg = (
            f"{option}: unknown {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(known)}"
        )
        raise CliError(msg, ExitCode.USAGE)
    return [known[v.lower()] for v in values]


def build_query(args: argparse.Namespace) -> RecordQuery:
    """Turn the filter options into a :class:`RecordQuery`."""
    statuses = _choices(_split(args.status), dict(_STATUSES), "--status")
    sides = _choices(_split(args.side), dict(_SIDES), "--side")
    return RecordQuery(
        object=UNSET if args.object is None else args.object,
        statuses=frozenset(statuses),
        codes=frozenset(_split(args.code)),
        sides=frozenset(sides),
        since=UNSET
        if args.since is None
        else parse_time(args.since, "--since"),
        until=UNSET
        if args.until is None
        else parse_time(args.until, "--until"),
    )


def _columns(args: argparse.Namespace) -> tuple[str, ...]:
    chosen = _split(args.columns) or list(DEFAULT_COLUMNS)
    try:
        return check_columns(chosen)
    except ValueError as exc:
        raise CliError(f"--columns: {exc}", ExitCode.USAGE) from None


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return " ".join(str(value).split())


def run_records(app: App) -> int:
    """List or export the sync records that pass the filters."""
    query = build_query(app.args)
    columns = _columns(app.args)
    export: pathlib.Path | None = app.args.export
    if export is not None:
        format_of(export)  # a bad extension fails before any reading
    if app.args.object is not None and app.config_path.is_file():
        # The engine keeps some parts of an object sync as their own rows
        # ("invoices:lines"); their prefix is the configured name.
        check_object(app.config(), app.args.object.partition(":")[0])
    store = app.store(create=False)
    rows: Iterator[tuple[object, ...]] = store.records(query, columns=columns)
    if app.args.limit is not None:
        rows = itertools.islice(rows, app.args.limit)
    if export is not None:
        count = export_rows(export, columns, rows)
        app.out.line(
            f"exported {count} record{'s' if count != 1 else ''} to {export}"
        )
        return ExitCode.OK
    app.out.line("\t".join(columns))
    count = 0
    for row in rows:
        app.out.line("\t".join(_show(v) for v in row))
        count += 1
    app.out.line(f"({count} record{'s' if count != 1 else ''})")
    return ExitCode.OK


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``records`` to the command line."""
    parser = commands.add_parser(
        "records",
        parents=[common],
        help="list or export the sync-records table",
        description=(
            "List the sync records (one per record per object: its ids on "
            "both sides, status, last sync time, error) that pass every "
            "filter given, or export them with --export to .csv, .jsonl or "
            ".xlsx (the xlsx extra). Rows stream from the state file, so "
            "memory stays flat however large the table. Columns: "
            + ", ".join(RECORD_COLUMNS)
            + "."
        ),
    )
    parser.add_argument(
        "--object", metavar="NAME", help="only this object sync"
    )
    parser.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help="synced, excluded, archived or error (repeat or comma-separate)",
    )
    parser.add_argument(
        "--code",
        action="append",
        metavar="CODE",
        help="only these error codes, e.g. DUPLICATE_DISPLAY_NAME",
    )
    parser.add_argument(
        "--side", action="append", metavar="SIDE", help="hubspot or qbo"
    )
    parser.add_argument(
        "--since",
        metavar="TIME",
        help="recorded at or after (ISO; UTC if no zone)",
    )
    parser.add_argument(
        "--until", metavar="TIME", help="recorded before (ISO; UTC if no zone)"
    )
    parser.add_argument(
        "--columns",
        metavar="LIST",
        action="append",
        help="comma-separated columns, in order (default: "
        + ",".join(DEFAULT_COLUMNS)
        + ")",
    )
    parser.add_argument(
        "--limit", type=int, metavar="N", help="at most N rows"
    )
    parser.add_argument(
        "--export",
        type=pathlib.Path,
        metavar="FILE",
        help="write to FILE (.csv, .jsonl or .xlsx) instead of the screen",
    )
    parser.set_defaults(handler=run_records)
