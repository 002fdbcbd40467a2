"""``hsqbo enable|disable|delete OBJECT``: a sync on, off, or forgotten."""

from __future__ import annotations

import argparse

from hsqbo._cli._app import App
from hsqbo._cli._failures import CliError, ExitCode
from hsqbo._config import SyncConfig


__all__ = ["check_object", "register"]


def check_object(config: SyncConfig, name: str) -> None:
    """
    Refuse an object name the configuration does not have.

    Raises:
        CliError: Unknown name (the configured names are listed).
    """
    known = [o.name for o in config.objects]
    if name not in known:
        msg = (
            f"unknown object {name!r}: {', '.join(known) or 'none'} "
            "configured in hsqbo.toml"
        )
        raise CliError(msg, ExitCode.USAGE)


def run_enable(app: App) -> int:
    """Turn an object sync on."""
    sync, _ = app.offline_sync()
    check_object(app.config(), app.args.object)
    sync.enable(app.args.object)
    app.out.line(f"{app.args.object}: sync on (from the next run)")
    return ExitCode.OK


def run_disable(app: App) -> int:
    """Turn an object sync off, keeping its state."""
    sync, _ = app.offline_sync()
    check_object(app.config(), app.args.object)
    sync.disable(app.args.object)
    app.out.line(
        f"{app.args.object}: sync off; its links are kept "
        f"(`hsqbo enable {app.args.object}` resumes)"
    )
    return ExitCode.OK


def run_delete(app: App) -> int:
    """Forget an object sync's state and turn it off."""
    name = app.args.object
    sync, _ = app.offline_sync()
    check_object(app.config(), name)
    if not app.args.yes:
        msg = (
            f"`hsqbo delete {name}` forgets every link, base value and "
            "record status of it (records stay in HubSpot and QBO); pass "
            "--yes to confirm"
        )
        raise CliError(msg, ExitCode.USAGE)
    sync.delete(name)
    app.out.line(
        f"{name}: sync deleted and off; records stay on both sides "
        f"(`hsqbo enable {name}` starts again, matching existing pairs)"
    )
    return ExitCode.OK


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``enable``, ``disable`` and ``delete`` to the command line."""
    for name, handler, text in (
        ("enable", run_enable, "turn an object sync on"),
        ("disable", run_disable, "turn an object sync off (state kept)"),
        (
            "delete",
            run_delete,
            "forget an object sync's state and turn it off",
        ),
    ):
        parser = commands.add_parser(
            name,
            parents=[common],
            help=text,
            description=(
                f"{text[0].upper()}{text[1:]}. The setting is kept in the "
                "state file and wins over hsqbo.toml's `enabled`."
            ),
        )
        parser.add_argument(
            "object", help="the object sync's name (e.g. contacts)"
        )
        if name == "delete":
            parser.add_argument(
                "--yes", action="store_true", help="confirm the delete"
            )
        parser.set_defaults(handler=handler)
