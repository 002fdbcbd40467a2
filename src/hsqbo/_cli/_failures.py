"""
Exit codes of the ``hsqbo`` command, and how a failure becomes one line.

Every failure the command expects is turned into a :class:`CliError`: one
line of text and an :class:`ExitCode`. Only ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import enum

from hsqbo._errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    HsqboError,
    PermissionDeniedError,
    PlanError,
    StoreError,
    TransportError,
)


__all__ = ["EXIT_TEXT", "CliError", "ExitCode", "describe"]


class ExitCode(enum.IntEnum):
    """The documented exit codes (docs/reference/cli.md keeps the table)."""

    #: Done; every record synced (or nothing needed doing).
    OK = 0
    #: The run finished, but some records failed (listed; see
    #: ``hsqbo status``).
    RECORD_ERRORS = 1
    #: Bad command line or invalid configuration (the key is named).
    USAGE = 2
    #: Credentials missing, or refused by HubSpot or QBO.
    CREDENTIALS = 3
    #: HubSpot or QBO could not be reached or refused a request.
    API = 4
    #: The state store cannot be opened, is locked, or is damaged.
    STATE = 5
    #: A file (plan, export, config) cannot be read or written.
    FILE = 6
    #: A bug in hsqbo; run again with ``--debug`` and report it.
    INTERNAL = 70
    #: Interrupted (Ctrl-C) before the command finished.
    INTERRUPTED = 130


EXIT_TEXT: dict[ExitCode, str] = {
    ExitCode.OK: "done; every record synced",
    ExitCode.RECORD_ERRORS: "the run finished, but some records failed",
    ExitCode.USAGE: "bad command line or invalid configuration",
    ExitCode.CREDENTIALS: "credentials missing or refused",
    ExitCode.API: "HubSpot or QBO unreachable or refusing requests",
    ExitCode.STATE: "state store missing, locked or damaged",
    ExitCode.FILE: "a file cannot be read or written",
    ExitCode.INTERNAL: "a bug in hsqbo (run with --debug, report it)",
    ExitCode.INTERRUPTED: "interrupted",
}
"""One line per exit code, for ``--help``."""


class CliError(Exception):
    """A failure to print as one line, ending the command with *code*."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _config_message(error: ConfigError) -> str:
    parts = [
        f"{p.path}: {p.message}" if p.path else p.message
        for p in error.problems
    ]
    return "; ".join(parts) if parts else str(error)


def describe(error: BaseException) -> CliError:  # noqa: PLR0911 - one per family
    """
    Turn *error* into the one line and exit code the command ends with.

    Args:
        error: Any exception raised while a command ran.

    Returns:
        The :class:`CliError` to report; unexpected exceptions become
        :attr:`ExitCode.INTERNAL`.
    """
    if isinstance(error, CliError):
        return CliError(_one_line(error.message), error.code)
    if isinstance(error, ConfigError):
        return CliError(
            _one_line(f"invalid configuration: {_config_message(error)}"),
            ExitCode.USAGE,
        )
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return CliError(
            _one_line(
                f"{error.provider} refused the credentials: {error} "
                "(check the HSQBO_* environment variables, "
                "see `hsqbo --help`)"
            ),
            ExitCode.CREDENTIALS,
        )
    if isinstance(error, ApiError | TransportError):
        return CliError(_one_line(str(error)), ExitCode.API)
    if isinstance(error, StoreError):
        return CliError(_one_line(str(error)), ExitCode.STATE)
    if isinstance(error, PlanError):
        return CliError(_one_line(f"invalid plan: {error}"), ExitCode.FILE)
    if isinstance(error, HsqboError):
        return CliError(_one_line(str(error)), ExitCode.API)
    if isinstance(error, KeyboardInterrupt):
        return CliError("interrupted", ExitCode.INTERRUPTED)
    if isinstance(error, OSError):
        where = f" {error.filename!s}" if error.filename else ""
        reason = error.strerror or str(error)
        return CliError(
            _one_line(f"cannot use{where}: {reason}"), ExitCode.FILE
        )
    return CliError(
        _one_line(
            f"internal error ({type(error).__name__}: {error}); "
            "run again with --debug and report it"
        ),
        ExitCode.INTERNAL,
    )
