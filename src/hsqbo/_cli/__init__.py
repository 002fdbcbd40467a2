"""
The ``hsqbo`` command: set up, plan, sync, watch and inspect a sync.

``main`` is the console script's entry point. Each command group lives in
its own module; this one builds the command line, runs the chosen command
and turns every failure into one line and a documented exit code
(:class:`~hsqbo._cli._failures.ExitCode`, table in the CLI reference).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn, cast

from hsqbo._cli import (
    _demo,
    _health,
    _objects,
    _records,
    _running,
    _setup,
)
from hsqbo._cli._app import App, add_common_options
from hsqbo._cli._credentials import ENVIRONMENT
from hsqbo._cli._failures import EXIT_TEXT, CliError, ExitCode, describe
from hsqbo._cli._render import Output


__all__ = ["build_parser", "main"]

_EPILOG = (
    "credentials come from the environment, never from hsqbo.toml:\n"
    + "\n".join(f"  {name:<24} {text}" for name, text in ENVIRONMENT.items())
    + "\n\nexit codes:\n"
    + "\n".join(f"  {int(code):<4} {EXIT_TEXT[code]}" for code in ExitCode)
    + "\n\nrun `hsqbo demo` to see a sync on realistic data, no account "
    "needed."
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)", ExitCode.USAGE)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``hsqbo`` command line."""
    parser = _Parser(
        prog="hsqbo",
        description=(
            "Keep HubSpot CRM and QuickBooks Online in sync: plan before "
            "writing, sync, watch, and see what failed and why."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="store_true", help="print hsqbo's version"
    )
    common = _Parser(add_help=False)
    add_common_options(common)
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",  # noqa: SLF001 - the type add_subparsers returns
        parser.add_subparsers(
            title="commands",
            dest="command",
            metavar="COMMAND",
            parser_class=_Parser,
        ),
    )
    _setup.register(commands, common)
    _running.register(commands, common)
    _health.register(commands, common)
    _records.register(commands, common)
    _objects.register(commands, common)
    _demo.register(commands, common)
    return parser


class _OneLineFormatter(logging.Formatter):
    """Log records as one line: the exception's message, no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"hsqbo: {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {describe(record.exc_info[1]).message}"
        return " ".join(text.split())


def _configure_logging(*, debug: bool) -> Callable[[], None]:
    """
    Log warnings as one line each; with --debug, everything, tracebacks too.

    Returns:
        What puts the ``hsqbo`` logger back as it was (``main`` may be
        called in a process that logs on its own, like a test run).
    """
    handler = logging.StreamHandler(sys.stderr)
    if debug:
        handler.setFormatter(
            logging.Formatter("%(levelname)s %(name)s: %(message)s")
        )
    else:
        handler.setFormatter(_OneLineFormatter())
    logger = logging.getLogger("hsqbo")
    saved = (list(logger.handlers), logger.level, logger.propagate)

    def restore() -> None:
        handlers, level, propagate = saved
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate

    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.propagate = False
    return restore


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("hsqbo")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> int:
    """
    Run the ``hsqbo`` command.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).
        env: The environment (default: ``os.environ``).

    Returns:
        The exit code (see :class:`~hsqbo._cli._failures.ExitCode`).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    app: App | None = None
    restore_logging: Callable[[], None] | None = None
    try:
        args = build_parser().parse_args(arguments)
        if args.version:
            print(f"hsqbo {_version()}")  # noqa: T201 - the command's output
            return ExitCode.OK
        if args.command is None:
            build_parser().print_help()
            return ExitCode.USAGE
        restore_logging = _configure_logging(debug=args.debug)
        app = App(
            args,
            os.environ if env is None else env,
            Output(plain=args.plain),
        )
        code: int = args.handler(app)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the last line of defence
        failure = describe(exc)
        if debug:
            traceback.print_exc()
        print(f"hsqbo: error: {failure.message}", file=sys.stderr)  # noqa: T201
        return failure.code
    else:
        return code
    finally:
        if app is not None:
            app.close()
        if restore_logging is not None:
            restore_logging()
