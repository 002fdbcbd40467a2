"""
Bearer tokens and the OAuth token endpoint.

By default any non-empty bearer token is accepted. In strict mode only the
access tokens this fake issued (still unexpired on the injected clock) and
registered private-app tokens are. The token endpoint (``/oauth/v1/token``,
form-encoded) handles ``authorization_code`` and ``refresh_token`` grants;
refresh tokens rotate: every refresh returns a new one and the old one
stops working.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Mapping

import attrs

from hsqbo._clock import Clock
from hsqbo.testing._hubspot._errors import ApiFailure


__all__ = ["FakeHubSpotTokens", "TokenAuthority"]

ACCESS_TOKEN_LIFETIME = 1800  # seconds (hubspot-api.md §3.2)


@attrs.frozen
class FakeHubSpotTokens:
    """
    A token pair issued by the fake's token endpoint.

    The tokens are secrets and stay out of ``repr``.

    .. versionadded:: 0.1.0
    """

    access_token: str = attrs.field(repr=False)
    refresh_token: str = attrs.field(repr=False)
    expires_in: int = ACCESS_TOKEN_LIFETIME

    def to_json(self) -> dict[str, object]:
        """Render as the token endpoint's answer."""
        return {
            "token_type": "bearer",
            "refresh_token": self.refresh_token,
            "access_token": self.access_token,
            "expires_in": self.expires_in,
        }


def _oauth_error(status: str, message: str) -> ApiFailure:
    # The OAuth API puts its error code in "status", not "category".
    return ApiFailure(400, status, message, extra={"status": status})


class TokenAuthority:
    """Which tokens the fake accepts, and the token endpoint's state."""

    def __init__(
        self, clock: Clock, rng: random.Random, *, strict: bool
    ) -> None:
        self.strict = strict
        self._clock = clock
        self._rng = rng
        self._lock = threading.Lock()
        self._access: dict[str, dt.datetime] = {}
        self._refresh: set[str] = set()
        self._rotated: set[str] = set()
        self._private: set[str] = set()
        self._apps: dict[str, tuple[str, str | None]] = {}
        self._codes: dict[str, tuple[str, str | None]] = {}

    def _secret(self, prefix: str) -> str:
        return f"{prefix}-{self._rng.getrandbits(128):032x}"

    def add_private_app_token(self, token: str) -> None:
        """Accept *token* in strict mode, as a private-app token."""
        if not token:
            raise ValueError("a token cannot be empty")
        with self._lock:
            self._private.add(token)

    def register_app(
        self, client_id: str, client_secret: str, redirect_uri: str | None
    ) -> None:
        """Register an OAuth app; the endpoint then checks its credentials."""
        with self._lock:
            self._apps[client_id] = (client_secret, redirect_uri)

    def authorization_code(
        self, client_id: str, redirect_uri: str | None
    ) -> str:
        """Mint a single-use authorization code, as a consent screen would."""
        with self._lock:
            code = self._secret("code")
            self._codes[code] = (client_id, redirect_uri)
            return code

    def issue(self) -> FakeHubSpotTokens:
        """Issue a fresh token pair."""
        with self._lock:
            return self._issue()

    def _issue(self) -> FakeHubSpotTokens:
        tokens = FakeHubSpotTokens(
            access_token=self._secret("fake-access"),
            refresh_token=self._secret("na1-refresh"),
        )
        self._access[tokens.access_token] = self._clock.now() + dt.timedelta(
            seconds=tokens.expires_in
        )
        self._refresh.add(tokens.refresh_token)
        return tokens

    def check_bearer(self, authorization: str | None) -> None:
        """Raise a HubSpot 401 unless *authorization* carries a good token."""
        token = ""
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[len("bearer ") :].strip()
        if not token:
            raise ApiFailure(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports "
                "OAuth 2.0 authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/"
                "oauth-overview",
            )
        if not self.strict:
            return
        with self._lock:
            if token in self._private:
                return
            expires = self._access.get(token)
        if expires is None:
            raise ApiFailure(
                401,
                "INVALID_AUTHENTICATION",
                "The OAuth token used to make this call is not valid.",
            )
        now = self._clock.now()
        if now >= expires:
            seconds = int((now - expires).total_seconds())
            raise ApiFailure(
                401,
                "EXPIRED_AUTHENTICATION",
                f"The OAuth token used to make this call expired {seconds} "
                "second(s) ago.",
            )

    def token_endpoint(self, form: Mapping[str, str]) -> FakeHubSpotTokens:
        """Answer ``POST /oauth/v1/token``."""
        grant = form.get("grant_type", "")
        client_id = form.get("client_id", "")
        with self._lock:
            self._check_client(client_id, form.get("client_secret", ""))
            if grant == "refresh_token":
                self._redeem_refresh(form.get("refresh_token", ""))
            elif grant == "authorization_code":
                self._redeem_code(
                    form.get("code", ""), client_id, form.get("redirect_uri")
                )
            else:
                raise _oauth_error(
                    "BAD_GRANT_TYPE", f"unknown grant_type {grant!r}"
                )
            return self._issue()

    def _check_client(self, client_id: str, client_secret: str) -> None:
        if not client_id:
            raise _oauth_error("BAD_CLIENT_ID", "missing or unknown client id")
        if not self._apps:
            if not client_secret:
                raise _oauth_error(
                    "BAD_CLIENT_SECRET", "missing or invalid client secret"
                )
            return
        app = self._apps.get(client_id)
        if app is None:
            raise _oauth_error("BAD_CLIENT_ID", "missing or unknown client id")
        if app[0] != client_secret:
            raise _oauth_error(
                "BAD_CLIENT_SECRET", "missing or invalid client secret"
            )

    def _redeem_refresh(self, refresh_token: str) -> None:
        known = refresh_token in self._refresh
        if (
            not refresh_token
            or refresh_token in self._rotated
            or (self.strict and not known)
        ):
            raise _oauth_error(
                "BAD_REFRESH_TOKEN", "missing or unknown refresh token"
            )
        # Rotation: the old refresh token is spent.
        self._refresh.discard(refresh_token)
        self._rotated.add(refresh_token)

    def _redeem_code(
        self, code: str, client_id: str, redirect_uri: str | None
    ) -> None:
        issued = self._codes.pop(code, None)
        if not code or (self.strict and issued is None):
            raise _oauth_error("BAD_AUTH_CODE", "missing or unknown auth code")
        if issued is not None and (
            issued[0] != client_id
            or (issued[1] is not None and issued[1] != redirect_uri)
        ):
            raise _oauth_error(
                "BAD_REDIRECT_URI",
                "redirect_uri or client_id does not match the auth code",
            )
