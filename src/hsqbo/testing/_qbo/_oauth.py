"""
Intuit's OAuth 2 endpoints as the fake plays them.

Discovery, consent, token exchange and refresh (rotating the refresh token
every time), revoke, and the bearer check on every API call.

Every refresh returns a new refresh token and retires the old one, so a
client that loses a rotated token gets ``invalid_grant`` here, as it would
from Intuit, only sooner.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import threading
from collections.abc import Mapping
from typing import Any

from hsqbo._clock import Clock


__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "REFRESH_TOKEN_LIFETIME",
    "TokenAuthority",
    "discovery_document",
]

ACCESS_TOKEN_LIFETIME = 3600
"""Seconds an access token lives (one hour, as Intuit's)."""
REFRESH_TOKEN_LIFETIME = 8726400
"""Seconds a refresh token lives without use (rolling, about 100 days)."""
_HARD_LIFETIME = 5 * 365 * 86400


def discovery_document(base_url: str) -> dict[str, Any]:
    """Return an OpenID discovery document pointing back at the fake."""
    return {
        "issuer": f"{base_url}/op/v1",
        "authorization_endpoint": f"{base_url}/connect/oauth2",
        "token_endpoint": f"{base_url}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{base_url}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base_url}/v2/oauth2/tokens/revoke",
        "jwks_uri": f"{base_url}/op/v1/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": [
            "openid",
            "email",
            "profile",
            "address",
            "phone",
            "com.intuit.quickbooks.accounting",
            "com.intuit.quickbooks.payment",
        ],
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
        ],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


def _client_credentials(authorization: str | None) -> bool:
    """Return whether *authorization* is HTTP Basic with an id and secret."""
    if not authorization or not authorization.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(authorization[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    client_id, _, client_secret = decoded.partition(":")
    return bool(client_id and client_secret)


class TokenAuthority:
    """The tokens the fake issued, and which of them still work."""

    def __init__(self, clock: Clock, *, strict: bool) -> None:
        self._clock = clock
        self.strict = strict
        self._lock = threading.Lock()
        self._access: dict[str, dt.datetime] = {}
        self._refresh: dict[str, dt.datetime] = {}
        self._retired: set[str] = set()
        self._codes: set[str] = set()
        self._used_codes: set[str] = set()
        self.refreshes = 0
        """How many refresh grants succeeded."""

    def __repr__(self) -> str:
        return f"TokenAuthority(strict={self.strict})"

    def issue_code(self) -> str:
        """Return a new one-time authorization code."""
        code = "AB" + secrets.token_hex(16)
        with self._lock:
            self._codes.add(code)
        return code

    def issue_tokens(self) -> tuple[str, str]:
        """Return a fresh (access token, refresh token) pair."""
        with self._lock:
            return self._issue()

    def _issue(self) -> tuple[str, str]:
        now = self._clock.now()
        access = "fake-at-" + secrets.token_urlsafe(32)
        refresh = "AB11" + secrets.token_hex(24)
        self._access[access] = now + dt.timedelta(
            seconds=ACCESS_TOKEN_LIFETIME
        )
        self._refresh[refresh] = now + dt.timedelta(
            seconds=REFRESH_TOKEN_LIFETIME
        )
        return access, refresh

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expire now."""
        now = self._clock.now()
        with self._lock:
            for token in self._access:
                self._access[token] = now

    def token_grant(
        self,
        form: Mapping[str, str],
        *,
        authorization: str | None,
        hard_expiry: bool,
    ) -> tuple[int, dict[str, Any]]:
        """Answer a token-endpoint POST: (HTTP status, JSON body)."""
        if not _client_credentials(authorization):
            return 401, {"error": "invalid_client"}
        grant = form.get("grant_type", "")
        with self._lock:
            if grant == "authorization_code":
                error = self._use_code(form.get("code", ""))
            elif grant == "refresh_token":
                error = self._use_refresh(form.get("refresh_token", ""))
            else:
                return 400, {"error": "unsupported_grant_type"}
            if error:
                return 400, {"error": error}
            access, refresh = self._issue()
        body: dict[str, Any] = {
            "token_type": "bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "x_refresh_token_expires_in": REFRESH_TOKEN_LIFETIME,
        }
        if hard_expiry:
            body["x_refresh_token_hard_expires_in"] = _HARD_LIFETIME
        return 200, body

    def _use_code(self, code: str) -> str:
        if not code:
            return "invalid_request"
        if code in self._used_codes or (
            self.strict and code not in self._codes
        ):
            return "invalid_grant"
        self._used_codes.add(code)
        self._codes.discard(code)
        return ""

    def _use_refresh(self, token: str) -> str:
        if not token:
            return "invalid_request"
        if token in self._retired:
            return "invalid_grant"
        expiry = self._refresh.pop(token, None)
        if expiry is None and self.strict:
            return "invalid_grant"
        if expiry is not None and expiry <= self._clock.now():
            return "invalid_grant"
        # Rotation: the refresh token just used never works again.
        self._retired.add(token)
        self.refreshes += 1
        return ""

    def revoke(self, token: str) -> None:
        """Revoke a refresh or access token."""
        with self._lock:
            self._retired.add(token)
            self._refresh.pop(token, None)
            if token in self._access:
                self._access[token] = self._clock.now()

    def check_bearer(self, authorization: str | None) -> str:
        """Return why *authorization* is refused, or ``""`` if accepted."""
        if not authorization or not authorization.startswith("Bearer "):
            return "Authorization header is missing or not a bearer token"
        token = authorization[7:].strip()
        if not token:
            return "Bearer token is empty"
        with self._lock:
            expiry = self._access.get(token)
            if expiry is None:
                return "Token invalid" if self.strict else ""
            if expiry <= self._clock.now():
                return "Token expired"
        return ""
