"""
What every command shares: the options, the config, the store, the engine.

A command gets an :class:`App` built from its parsed arguments and the
environment; the App loads ``hsqbo.toml``, opens the state store and builds
the clients only when the command asks, so ``hsqbo status`` needs no
credentials and ``hsqbo init`` needs no configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import pathlib
from collections.abc import Mapping

from hsqbo._cli import _credentials
from hsqbo._cli._failures import CliError, ExitCode
from hsqbo._cli._render import Output
from hsqbo._clock import Clock, SystemClock
from hsqbo._config import SyncConfig
from hsqbo._errors import ConfigError
from hsqbo._sqlite import SQLiteStore
from hsqbo._state import MemoryStore, StateStore
from hsqbo._sync import Sync
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import QuickBooksClient


__all__ = ["App", "add_common_options"]

DEFAULT_CONFIG = "hsqbo.toml"
DEFAULT_STATE = "hsqbo.sqlite"


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every command takes."""
    group = parser.add_argument_group("common options")
    group.add_argument(
        "--config",
        type=pathlib.Path,
        default=pathlib.Path(DEFAULT_CONFIG),
        metavar="FILE",
        help=f"the configuration file (default: ./{DEFAULT_CONFIG})",
    )
    group.add_argument(
        "--state",
        type=pathlib.Path,
        default=pathlib.Path(DEFAULT_STATE),
        metavar="FILE",
        help=f"the SQLite state file (default: ./{DEFAULT_STATE})",
    )
    group.add_argument(
        "--plain",
        action="store_true",
        help="plain lines even on a terminal (no colours, no live bar)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and debug logs",
    )


class App:
    """
    The parsed command line, the environment and the output.

    Args:
        args: The parsed arguments.
        env: The environment (credentials come from here only).
        out: Where to print.
        clock: Where "now" comes from.
    """

    def __init__(
        self,
        args: argparse.Namespace,
        env: Mapping[str, str],
        out: Output,
        clock: Clock | None = None,
    ) -> None:
        self.args = args
        self.env = env
        self.out = out
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._stack = contextlib.ExitStack()

    def close(self) -> None:
        """Close the store and the clients the command opened."""
        self._stack.close()

    @property
    def config_path(self) -> pathlib.Path:
        """The configuration file."""
        path: pathlib.Path = self.args.config
        return path

    @property
    def state_path(self) -> pathlib.Path:
        """The SQLite state file."""
        path: pathlib.Path = self.args.state
        return path

    def config(self) -> SyncConfig:
        """
        Load the configuration file.

        Raises:
            CliError: The file is missing or unreadable.
            ConfigError: It is invalid (every problem names its key).
        """
        path = self.config_path
        if not path.is_file():
            msg = (
                f"no configuration at {path}: run `hsqbo init` to write the "
                "recommended one, or pass --config FILE"
            )
            raise CliError(msg, ExitCode.USAGE)
        try:
            return SyncConfig.from_toml(path)
        except UnicodeDecodeError:
            msg = f"{path} is not UTF-8 text"
            raise CliError(msg, ExitCode.USAGE) from None
        except ConfigError as exc:
            problems = "; ".join(
                f"{p.path}: {p.message}" if p.path else p.message
                for p in exc.problems
            )
            msg = f"invalid configuration in {path}: {problems}"
            raise CliError(msg, ExitCode.USAGE) from exc

    def store(self, *, create: bool = True) -> SQLiteStore:
        """
        Open the state store.

        Args:
            create: Create the file if missing; read-only commands pass
                False and get a clear error instead of an empty file.

        Raises:
            CliError: The file is missing (and *create* is false), or its
                folder does not exist.
        """
        path = self.state_path
        if not create and not path.is_file():
            msg = (
                f"no state at {path}: run `hsqbo sync` first, or pass "
                "--state FILE"
            )
            raise CliError(msg, ExitCode.STATE)
        if not path.parent.is_dir():
            msg = (
                f"cannot create the state file {path}: its folder does not "
                "exist"
            )
            raise CliError(msg, ExitCode.STATE)
        return self._stack.enter_context(SQLiteStore(path, clock=self.clock))

    def clients(self) -> tuple[HubSpotClient, QuickBooksClient]:
        """
        Build both clients from the environment.

        Raises:
            CliError: Credentials are missing (the variables are named).
        """
        hubspot = _credentials.hubspot_client(self.env)
        self._stack.callback(hubspot.close)
        qbo = _credentials.qbo_client(self.env)
        self._stack.callback(qbo.close)
        return hubspot, qbo

    def sync(
        self, *, create: bool = True, engine: type[Sync] = Sync
    ) -> tuple[Sync, StateStore]:
        """
        The engine over the configured clients and the state store.

        Args:
            create: Create a missing state file; when False, a missing
                file means an empty state held in memory (``hsqbo plan``
                before the first sync writes no file).
            engine: The engine class (``watch`` counts its runs).
        """
        config = self.config()
        hubspot, qbo = self.clients()
        store: StateStore = (
            self.store()
            if create or self.state_path.is_file()
            else MemoryStore()
        )
        return (
            engine(
                config, hubspot=hubspot, qbo=qbo, store=store, clock=self.clock
            ),
            store,
        )

    def offline_sync(self, *, create: bool = True) -> tuple[Sync, SQLiteStore]:
        """
        The engine for commands that only touch the state (enable, status).

        Its clients are never called, so no credentials are needed: the
        placeholder tokens below never leave the process.
        """
        config = self.config()
        hubspot = HubSpotClient("offline")
        self._stack.callback(hubspot.close)
        qbo = QuickBooksClient("offline", "offline")
        self._stack.callback(qbo.close)
        store = self.store(create=create)
        return (
            Sync(
                config, hubspot=hubspot, qbo=qbo, store=store, clock=self.clock
            ),
            store,
        )


def utc_now(clock: Clock) -> dt.datetime:
    """The clock's now, in UTC."""
    return clock.now().astimezone(dt.UTC)
