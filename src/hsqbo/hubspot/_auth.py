"""
Credentials: private-app tokens and OAuth 2 with refresh.

Secrets live only in attributes excluded from ``repr`` and are read only to
build an ``Authorization`` header or a token-endpoint form. HubSpot says a
401 is not a reliable sign of expiry, so OAuth tokens are refreshed ahead of
their ``expires_at``; every new token is handed to the caller's callback so
it can be stored (HubSpot may rotate the refresh token too).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping

import attrs

from hsqbo._errors import ConfigError
from hsqbo.hubspot._call import Call, CallKind


__all__ = [
    "OAuthApp",
    "OAuthToken",
    "PrivateAppToken",
    "TokenRefreshCallback",
]

TOKEN_PATH = "/oauth/v1/token"  # noqa: S105 - a path, not a secret
# Refresh this long before expiry so a request never leaves with a token
# that dies in flight.
_REFRESH_MARGIN = dt.timedelta(seconds=60)


def _non_empty(
    _instance: object, attribute: attrs.Attribute[str], value: str
) -> None:
    if not value:
        msg = f"{attribute.name} must not be empty"
        raise ValueError(msg)


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        msg = "expires_at must be timezone-aware"
        raise ValueError(msg)
    return value.astimezone(dt.UTC)


@attrs.frozen
class PrivateAppToken:
    """
    A private-app (static) access token, ``pat-na1-...``.

    Its value never appears in ``repr``:

    >>> from hsqbo.hubspot import PrivateAppToken
    >>> PrivateAppToken("pat-na1-secret")
    PrivateAppToken(value=***)

    .. versionadded:: 0.1.0
    """

    value: str = attrs.field(repr=lambda _: "***", validator=_non_empty)
    """The token."""


@attrs.frozen(kw_only=True)
class OAuthToken:
    """
    An OAuth 2 access token with the refresh token that renews it.

    .. versionadded:: 0.1.0
    """

    access_token: str = attrs.field(repr=lambda _: "***", validator=_non_empty)
    """The short-lived bearer token (30 minutes on HubSpot)."""
    refresh_token: str = attrs.field(
        repr=lambda _: "***", validator=_non_empty
    )
    """The long-lived token that gets a new access token."""
    expires_at: dt.datetime = attrs.field(converter=_aware)
    """When the access token expires, aware UTC."""

    def expires_soon(self, now: dt.datetime) -> bool:
        """Tell whether the token should be refreshed before use at *now*."""
        return now + _REFRESH_MARGIN >= self.expires_at


@attrs.frozen(kw_only=True)
class OAuthApp:
    """
    The OAuth app's client credentials, needed to refresh tokens.

    .. versionadded:: 0.1.0
    """

    client_id: str = attrs.field(validator=_non_empty)
    """The app's client id."""
    client_secret: str = attrs.field(
        repr=lambda _: "***", validator=_non_empty
    )
    """The app's client secret."""


TokenRefreshCallback = Callable[[OAuthToken], object]
"""Called with every new :class:`OAuthToken`, so the caller can store it."""


class Auth:
    """The credentials of one client: the header to send, refreshing them."""

    def __init__(
        self,
        token: str | PrivateAppToken | OAuthToken,
        *,
        app: OAuthApp | None,
        on_refresh: TokenRefreshCallback | None,
    ) -> None:
        if isinstance(token, str):
            token = PrivateAppToken(token)
        if isinstance(token, OAuthToken) and app is None:
            problem = (
                "oauth_app: an OAuthToken needs the app's client id and "
                "secret to be refreshed; pass oauth_app=OAuthApp(...)"
            )
            raise ConfigError([problem])
        self._token = token
        self._app = app
        self._on_refresh = on_refresh
        self.lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Auth({self._token!r})"

    @property
    def header(self) -> str:
        """Return the ``Authorization`` header value."""
        token = self._token
        if isinstance(token, PrivateAppToken):
            return f"Bearer {token.value}"
        return f"Bearer {token.access_token}"

    def needs_refresh(self, now: dt.datetime) -> bool:
        """Tell whether the token must be refreshed before the next call."""
        token = self._token
        return isinstance(token, OAuthToken) and token.expires_soon(now)

    def refresh_call(self) -> Call:
        """Return the token-endpoint call that refreshes the token."""
        token, app = self._token, self._app
        if not isinstance(token, OAuthToken) or app is None:
            msg = "only OAuth tokens can be refreshed"
            raise TypeError(msg)
        return Call(
            method="POST",
            path=TOKEN_PATH,
            form={
                "grant_type": "refresh_token",
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "refresh_token": token.refresh_token,
            },
            kind=CallKind.AUTH,
            authenticated=False,
        )

    def apply_refresh(self, content: bytes, now: dt.datetime) -> OAuthToken:
        """Take the token endpoint's answer, tell the callback, return it."""
        token = self._token
        body = json.loads(content)
        if not isinstance(body, Mapping) or not isinstance(token, OAuthToken):
            msg = "unexpected answer from the OAuth token endpoint"
            raise TypeError(msg)
        fresh = OAuthToken(
            access_token=str(body["access_token"]),
            refresh_token=str(
                body.get("refresh_token") or token.refresh_token
            ),
            expires_at=now + dt.timedelta(seconds=int(body["expires_in"])),
        )
        self._token = fresh
        if self._on_refresh is not None:
            self._on_refresh(fresh)
        return fresh
