"""``hsqbo init``: write the recommended configuration, all explained."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pathlib
import tempfile
from typing import Final

from hsqbo._cli._app import App
from hsqbo._cli._failures import CliError, ExitCode
from hsqbo._config import SyncConfig


__all__ = ["annotate", "register"]

_HEADER: Final = """\
# hsqbo.toml: what hsqbo keeps in sync between HubSpot and QuickBooks Online.
#
# Written by `hsqbo init` with the recommended settings of HubSpot's own
# QuickBooks app, dated from the moment you ran it. Edit freely; `hsqbo plan`
# shows what a change would do before anything is written.
#
# Credentials never go in this file: the command reads them from the
# environment (HSQBO_HUBSPOT_TOKEN, HSQBO_QBO_REALM_ID and
# HSQBO_QBO_ACCESS_TOKEN or HSQBO_QBO_TOKEN_FILE; see `hsqbo --help`).

"""

#: Comments for keys, by the table they are in (``*`` = any table).
_KEY_COMMENTS: Final[dict[tuple[str, str], str]] = {
    ("", "setup_at"): (
        "When the sync was set up (UTC). The recommended filters count from "
        "here: only HubSpot contacts created after it go to QBO, only QBO "
        "invoices created after noon of this day go to HubSpot."
    ),
    ("[[objects]]", "name"): "This object sync's name, used by "
    "`hsqbo enable|disable|delete NAME` and `hsqbo records --object NAME`.",
    ("[[objects]]", "hubspot"): "The HubSpot object type.",
    ("[[objects]]", "qbo"): "The QuickBooks Online entity.",
    ("[[objects]]", "direction"): "Which way records flow: two_way, "
    "hubspot_to_qbo or qbo_to_hubspot.",
    ("[[objects.fields]]", "hubspot"): "HubSpot property name.",
    ("[[objects.fields]]", "qbo"): "QBO field path (dotted, e.g. "
    "BillAddr.City; CustomField[Name] for an invoice custom field).",
    ("[[objects.fields]]", "direction"): "This field flows only this way "
    "(default: the object's direction).",
    ("[[objects.fields]]", "transform"): "Named transforms applied on the "
    "way, joined by | (strip, lower, upper, text, digits, phone, bool, "
    "decimal, decimal:N places, date, datetime).",
    ("[[objects.match]]", "hubspot"): "First-sync match key: HubSpot side.",
    ("[[objects.match]]", "qbo"): "First-sync match key: QBO side "
    "(records with equal keys are linked, not copied).",
    ("[[objects.match]]", "transform"): "How both keys are normalised "
    "before comparing.",
    ("*filters", "property"): "The field the filter tests (HubSpot property "
    "for filters_to_qbo, QBO field path for filters_to_hubspot).",
    ("*filters", "operator"): "EQ NEQ LT LTE GT GTE BETWEEN IN NOT_IN "
    "HAS_PROPERTY NOT_HAS_PROPERTY CONTAINS_TOKEN NOT_CONTAINS_TOKEN.",
    ("*filters", "value"): "The value compared with.",
    ("*filters", "values"): "The values of IN / NOT_IN.",
    ("*filters", "high_value"): "The upper bound of BETWEEN.",
}

_TABLE_COMMENTS: Final[dict[str, str]] = {
    "[[objects]]": "One object pair kept in sync.",
    "[[objects.fields]]": "A mapped field.",
    "[[objects.match]]": "A key that links existing records on the first "
    "sync instead of creating twins; tried in order.",
    "[[objects.filters_to_qbo]]": "A filter group for HubSpot records going "
    "to QBO. A record passes if ANY group passes; a group passes if ALL its "
    "filters pass. No group: every record passes.",
    "[[objects.filters_to_hubspot]]": "A filter group for QBO records going "
    "to HubSpot (same rules).",
    "[[objects.filters_to_qbo.filters]]": "One filter of the group above.",
    "[[objects.filters_to_hubspot.filters]]": "One filter of the group above.",
}

#: Settings left at their defaults, shown commented out in every object.
_OPTIONAL: Final = """\
# Optional settings (shown with their defaults; uncomment to change):
# Who wins a field changed on both sides since the last sync:
# most_recent, hubspot_wins, qbo_wins or manual (hold it and report it).
# conflicts = "most_recent"
# false turns this object off (as `hsqbo disable NAME` does).
# enabled = true
# Fields set on records hsqbo creates in QBO / HubSpot, e.g. an item's Type.
# qbo_defaults = {}
# hubspot_defaults = {}"""

_DISPLAY_NAME: Final = """\
# Customer display names: the contact's primary company name (false: first +
# last name). QBO names are unique, so a second contact of a company fails
# with DUPLICATE_DISPLAY_NAME ("error", HubSpot's behaviour), gets a
# distinguishing suffix ("suffix") or is linked as the company's billing
# customer ("link").
# display_name = { from_company = true, on_duplicate = "error" }"""


def _wrap(text: str, width: int = 76) -> list[str]:
    lines: list[str] = []
    current = "#"
    for word in text.split():
        if len(current) + 1 + len(word) > width and current != "#":
            lines.append(current)
            current = "#"
        current += " " + word
    lines.append(current)
    return lines


def annotate(
    toml_text: str, *, contacts: frozenset[str] = frozenset({"contacts"})
) -> str:
    """
    Comment every key and table of *toml_text* (from ``to_toml``).

    Settings left at their defaults are added as commented-out lines so
    every setting is visible. The result loads to the same configuration.
    """
    out = _HEADER.splitlines()
    table = ""
    object_name = ""
    for line in toml_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped
            comment = _TABLE_COMMENTS.get(table)
            if comment:
                out.extend(_wrap(comment))
            out.append(line)
            continue
        key, sep, _ = stripped.partition(" = ")
        if sep:
            lookup = "*filters" if table.endswith(".filters]]") else table
            comment = _KEY_COMMENTS.get((lookup, key))
            if comment:
                out.extend(_wrap(comment))
            out.append(line)
            if table == "[[objects]]" and key == "name":
                object_name = stripped.partition(" = ")[2].strip('"')
            if table == "[[objects]]" and key == "direction":
                out.extend(_OPTIONAL.splitlines())
                if object_name in contacts:
                    out.extend(_DISPLAY_NAME.splitlines())
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def _write_new(path: pathlib.Path, text: str, *, force: bool) -> None:
    if path.exists() and not force:
        msg = f"{path} exists; pass --force to overwrite it"
        raise CliError(msg, ExitCode.USAGE)
    if not path.parent.is_dir():
        msg = f"cannot write {path}: the folder {path.parent} does not exist"
        raise CliError(msg, ExitCode.FILE)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        pathlib.Path(temp).replace(path)
    except BaseException:
        pathlib.Path(temp).unlink(missing_ok=True)
        raise


def recommended_text(setup_at: dt.datetime) -> str:
    """The annotated recommended configuration for *setup_at*."""
    return annotate(SyncConfig.recommended(setup_at).to_toml())


def run_init(app: App) -> int:
    """Write the recommended configuration to ``--config``."""
    setup_at = app.clock.now().astimezone(dt.UTC).replace(microsecond=0)
    _write_new(
        app.config_path, recommended_text(setup_at), force=app.args.force
    )
    app.out.line(
        f"wrote {app.config_path} (recommended settings, set up "
        f"{setup_at.isoformat()}); review it, then run `hsqbo plan`"
    )
    return ExitCode.OK


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``init`` to the command line."""
    parser = commands.add_parser(
        "init",
        parents=[common],
        help="write the recommended hsqbo.toml",
        description=(
            "Write the recommended configuration (contacts two-way, products "
            "and invoices from QBO, filters dated from now) to --config, "
            "every setting explained in a comment. Refuses to overwrite an "
            "existing file unless --force."
        ),
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing file"
    )
    parser.set_defaults(handler=run_init)
