"""
Where the ``hsqbo`` command finds its credentials: the environment.

Credentials never come from ``hsqbo.toml`` (a file people commit). The
variables, all documented in ``docs/reference/cli.md``:

``HSQBO_HUBSPOT_TOKEN``
    A HubSpot private-app (or OAuth access) token. Required.
``HSQBO_HUBSPOT_BASE_URL``
    Optional; another API host (a proxy, or a fake on loopback).
``HSQBO_QBO_REALM_ID``
    The QBO company id. Required.
``HSQBO_QBO_ACCESS_TOKEN``
    A QBO OAuth access token (lives one hour; fine for a one-off run).
``HSQBO_QBO_TOKEN_FILE``
    Instead of the above: a JSON token file (``access_token``,
    ``refresh_token``, ``expires_at``, ``refresh_token_expires_at``).
    With ``HSQBO_QBO_CLIENT_ID`` and ``HSQBO_QBO_CLIENT_SECRET`` set, the
    access token is refreshed when due and every rotated token is written
    back to the file (atomically, readable by its owner only) before use.
``HSQBO_QBO_TOKEN_URL``
    Optional; another OAuth token endpoint than Intuit's.
``HSQBO_QBO_SANDBOX``
    ``1`` to talk to the QBO sandbox.
``HSQBO_QBO_BASE_URL``
    Optional; another API host.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import tempfile
from collections.abc import Mapping
from typing import Any, Final

import dateutil.parser

from hsqbo._cli._failures import CliError, ExitCode
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import OAuth2App, OAuth2Token, QuickBooksClient


__all__ = [
    "ENVIRONMENT",
    "hubspot_client",
    "qbo_client",
    "read_token_file",
    "write_token_file",
]

#: Every variable the command reads, with what it is for.
ENVIRONMENT: Final[Mapping[str, str]] = {
    "HSQBO_HUBSPOT_TOKEN": "HubSpot private-app or OAuth access token",
    "HSQBO_HUBSPOT_BASE_URL": "HubSpot API host (default api.hubapi.com)",
    "HSQBO_QBO_REALM_ID": "QBO company (realm) id",
    "HSQBO_QBO_ACCESS_TOKEN": "QBO OAuth access token",
    "HSQBO_QBO_TOKEN_FILE": "QBO token file, refreshed and rotated in place",
    "HSQBO_QBO_CLIENT_ID": "QBO app client id (to refresh the token file)",
    "HSQBO_QBO_CLIENT_SECRET": "QBO app client secret (likewise)",
    "HSQBO_QBO_TOKEN_URL": "QBO token endpoint (default Intuit's)",
    "HSQBO_QBO_SANDBOX": "1 for the QBO sandbox",
    "HSQBO_QBO_BASE_URL": "QBO API host",
    "HSQBO_HUBSPOT_CLIENT_SECRET": "HubSpot app secret (watch --webhooks)",
    "HSQBO_QBO_WEBHOOK_VERIFIER": "QBO webhook verifier (watch --webhooks)",
    "HSQBO_WEBHOOK_PUBLIC_URL": "the URL HubSpot calls, up to the path",
}

_MISSING: Final = (
    "missing credentials: set {names} in the environment "
    "(credentials never go in hsqbo.toml; see `hsqbo --help`)"
)


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def hubspot_client(env: Mapping[str, str]) -> HubSpotClient:
    """
    Build the HubSpot client from the environment.

    Raises:
        CliError: ``HSQBO_HUBSPOT_TOKEN`` is not set.
    """
    token = _get(env, "HSQBO_HUBSPOT_TOKEN")
    if token is None:
        raise CliError(
            _MISSING.format(names="HSQBO_HUBSPOT_TOKEN"), ExitCode.CREDENTIALS
        )
    base_url = _get(env, "HSQBO_HUBSPOT_BASE_URL")
    if base_url is None:
        return HubSpotClient(token)
    return HubSpotClient(token, base_url=base_url)


def _parse_time(
    value: object, name: str, path: pathlib.Path
) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        msg = f"token file {path}: {name} must be an ISO date-time text"
        raise CliError(msg, ExitCode.CREDENTIALS)
    try:
        parsed = dateutil.parser.isoparse(value)
    except ValueError:
        msg = f"token file {path}: {name} is not an ISO date-time"
        raise CliError(msg, ExitCode.CREDENTIALS) from None
    if parsed.tzinfo is None:
        msg = f"token file {path}: {name} needs a time zone (e.g. +00:00)"
        raise CliError(msg, ExitCode.CREDENTIALS)
    return parsed.astimezone(dt.UTC)


def read_token_file(path: pathlib.Path) -> OAuth2Token:
    """
    Read a QBO token file.

    Raises:
        CliError: The file is missing, not JSON, or lacks an access token.
            The message never contains a token.
    """
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"cannot read the token file {path}: {exc.strerror}"
        raise CliError(msg, ExitCode.CREDENTIALS) from None
    except json.JSONDecodeError:
        msg = f"the token file {path} is not JSON"
        raise CliError(msg, ExitCode.CREDENTIALS) from None
    access = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(access, str) or not access:
        msg = f"the token file {path} has no access_token"
        raise CliError(msg, ExitCode.CREDENTIALS)
    refresh = data.get("refresh_token")
    return OAuth2Token(
        access_token=access,
        refresh_token=refresh
        if isinstance(refresh, str) and refresh
        else None,
        expires_at=_parse_time(data.get("expires_at"), "expires_at", path),
        refresh_token_expires_at=_parse_time(
            data.get("refresh_token_expires_at"),
            "refresh_token_expires_at",
            path,
        ),
    )


def write_token_file(path: pathlib.Path, token: OAuth2Token) -> None:
    """
    Write *token* to *path* atomically, readable by its owner only.

    A crash leaves either the old or the new file, never half of one:
    Intuit invalidates the old refresh token once it has rotated it.
    """
    data = {
        "access_token": token.access_token,
        "refresh_token": token.refresh_token,
        "expires_at": None
        if token.expires_at is None
        else token.expires_at.isoformat(),
        "refresh_token_expires_at": None
        if token.refresh_token_expires_at is None
        else token.refresh_token_expires_at.isoformat(),
    }
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        pathlib.Path(temp).replace(path)
    except BaseException:
        pathlib.Path(temp).unlink(missing_ok=True)
        raise


def qbo_client(env: Mapping[str, str]) -> QuickBooksClient:
    """
    Build the QBO client from the environment.

    Raises:
        CliError: The realm id or a token is missing, or the token file
            cannot be read.
    """
    realm = _get(env, "HSQBO_QBO_REALM_ID")
    access = _get(env, "HSQBO_QBO_ACCESS_TOKEN")
    token_file = _get(env, "HSQBO_QBO_TOKEN_FILE")
    missing = []
    if realm is None:
        missing.append("HSQBO_QBO_REALM_ID")
    if access is None and token_file is None:
        missing.append("HSQBO_QBO_ACCESS_TOKEN (or HSQBO_QBO_TOKEN_FILE)")
    if missing:
        raise CliError(
            _MISSING.format(names=" and ".join(missing)), ExitCode.CREDENTIALS
        )
    assert realm is not None  # noqa: S101 - checked just above
    sandbox = _get(env, "HSQBO_QBO_SANDBOX") in {"1", "true", "yes"}
    base_url = _get(env, "HSQBO_QBO_BASE_URL")
    if token_file is None:
        assert access is not None  # noqa: S101 - checked just above
        if base_url is None:
            return QuickBooksClient(realm, access, sandbox=sandbox)
        return QuickBooksClient(realm, access, base_url=base_url)
    path = pathlib.Path(token_file)
    token = read_token_file(path)
    client_id = _get(env, "HSQBO_QBO_CLIENT_ID")
    secret = _get(env, "HSQBO_QBO_CLIENT_SECRET")
    oauth = None
    if client_id is not None and secret is not None:
        # Refreshing never uses the redirect URI; OAuth2App requires one.
        redirect = _get(env, "HSQBO_QBO_REDIRECT_URI") or "http://localhost"
        token_url = _get(env, "HSQBO_QBO_TOKEN_URL")
        oauth = (
            OAuth2App(
                client_id=client_id,
                client_secret=secret,
                redirect_uri=redirect,
            )
            if token_url is None
            else OAuth2App(
                client_id=client_id,
                client_secret=secret,
                redirect_uri=redirect,
                token_url=token_url,
            )
        )

    def persist(new: OAuth2Token) -> None:
        write_token_file(path, new)

    if base_url is None:
        return QuickBooksClient(
            realm,
            token,
            sandbox=sandbox,
            oauth=oauth,
            on_token_refresh=persist,
        )
    return QuickBooksClient(
        realm, token, base_url=base_url, oauth=oauth, on_token_refresh=persist
    )
