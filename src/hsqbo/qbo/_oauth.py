"""
OAuth 2 for QuickBooks Online: tokens, the authorize URL, token requests.

Everything here is pure: requests are built as :class:`httpx.Request` and
answers parsed from :class:`httpx.Response`; the clients send them.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

import attrs
import httpx

from hsqbo._errors import AuthenticationError, ProviderErrorDetail


__all__ = [
    "ACCOUNTING_SCOPE",
    "AUTHORIZE_URL",
    "TOKEN_URL",
    "OAuth2App",
    "OAuth2Token",
    "build_code_request",
    "build_refresh_request",
    "parse_token_response",
]

ACCOUNTING_SCOPE: Final = "com.intuit.quickbooks.accounting"
"""The scope of the Accounting API, which hsqbo needs."""
AUTHORIZE_URL: Final = "https://appcenter.intuit.com/connect/oauth2"
"""Intuit's authorization page (the same for sandbox and production)."""
TOKEN_URL: Final = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL
"""Intuit's token endpoint (the same for sandbox and production)."""


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        msg = "token expiry times must be timezone-aware"
        raise ValueError(msg)
    return value.astimezone(dt.UTC)


def _masked(secret: str | None) -> str:
    return "None" if secret is None else "'***'"


@attrs.frozen(kw_only=True, repr=False)
class OAuth2Token:
    """
    An OAuth 2 token set for one QBO company.

    The secrets never show in :func:`repr`:

    >>> from hsqbo.qbo import OAuth2Token
    >>> OAuth2Token(access_token="eyJ-secret", refresh_token="AB11-secret")
    OAuth2Token(access_token='***', refresh_token='***', expires_at=None)

    .. versionadded:: 0.1.0
    """

    access_token: str = attrs.field(validator=attrs.validators.min_len(1))
    """The bearer token sent with every API call (lives one hour)."""
    refresh_token: str | None = None
    """The token that gets a new access token; Intuit rotates it."""
    expires_at: dt.datetime | None = attrs.field(
        default=None, converter=_aware
    )
    """When :attr:`access_token` expires, aware UTC; ``None`` if unknown."""
    refresh_token_expires_at: dt.datetime | None = attrs.field(
        default=None, converter=_aware
    )
    """When :attr:`refresh_token` expires (100 days, rolling)."""

    def __repr__(self) -> str:
        expiry = None if self.expires_at is None else self.expires_at
        return (
            f"OAuth2Token(access_token={_masked(self.access_token)}, "
            f"refresh_token={_masked(self.refresh_token)}, "
            f"expires_at={expiry!r})"
        )

    def expires_within(self, seconds: float, *, now: dt.datetime) -> bool:
        """
        Tell whether the access token expires within *seconds* of *now*.

        A token without a known expiry never counts as expiring.
        """
        if self.expires_at is None:
            return False
        return self.expires_at - now <= dt.timedelta(seconds=seconds)


@attrs.frozen(kw_only=True, repr=False)
class OAuth2App:
    """
    The credentials of an Intuit app, to authorize and refresh tokens.

    Args:
        client_id: The app's client id.
        client_secret: The app's client secret (never shown in ``repr``).
        redirect_uri: The redirect URI registered for the app.
        scopes: The scopes to ask for.
        token_url: The token endpoint; point it at a fake's
            ``/oauth2/v1/tokens/bearer`` in tests.
        authorize_url: The authorization page.

    >>> from hsqbo.qbo import OAuth2App
    >>> app = OAuth2App(client_id="ABC", client_secret="s3cret",
    ...                 redirect_uri="https://example.com/cb")
    >>> "s3cret" in repr(app)
    False

    .. versionadded:: 0.1.0
    """

    client_id: str = attrs.field(validator=attrs.validators.min_len(1))
    client_secret: str = attrs.field(validator=attrs.validators.min_len(1))
    redirect_uri: str = attrs.field(validator=attrs.validators.min_len(1))
    scopes: tuple[str, ...] = attrs.field(
        default=(ACCOUNTING_SCOPE,), converter=tuple
    )
    token_url: str = TOKEN_URL
    authorize_url: str = AUTHORIZE_URL

    def __repr__(self) -> str:
        return (
            f"OAuth2App(client_id={self.client_id!r}, client_secret='***', "
            f"redirect_uri={self.redirect_uri!r})"
        )

    def authorization_url(
        self, state: str, *, scopes: Sequence[str] = ()
    ) -> str:
        """
        Return the URL that sends the user to Intuit to connect a company.

        Intuit redirects back to :attr:`redirect_uri` with ``code``,
        ``state`` and ``realmId``; check ``state`` and pass ``code`` to
        :func:`hsqbo.qbo.exchange_code`.

        Args:
            state: An unguessable value tied to the user's session.
            scopes: Scopes to ask for instead of :attr:`scopes`.

        >>> from hsqbo.qbo import OAuth2App
        >>> app = OAuth2App(client_id="ABC", client_secret="s",
        ...                 redirect_uri="https://example.com/cb")
        >>> print(app.authorization_url("xyz"))  # doctest: +ELLIPSIS
        https://appcenter.intuit.com/connect/oauth2?client_id=ABC&...&state=xyz

        .. versionadded:: 0.1.0
        """
        if not state:
            msg = "state must be a non-empty, unguessable value"
            raise ValueError(msg)
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "scope": " ".join(scopes or self.scopes),
            "redirect_uri": self.redirect_uri,
            "state": state,
        }
        return str(httpx.URL(self.authorize_url, params=params))

    def _basic_auth(self) -> str:
        raw = f"{self.client_id}:{self.client_secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


def _token_request(app: OAuth2App, form: dict[str, str]) -> httpx.Request:
    return httpx.Request(
        "POST",
        app.token_url,
        headers={
            "Authorization": app._basic_auth(),  # noqa: SLF001 - same module family
            "Accept": "application/json",
        },
        data=form,
    )


def build_code_request(app: OAuth2App, code: str) -> httpx.Request:
    """Build the request that exchanges an authorization *code*."""
    if not code:
        msg = "the authorization code is empty"
        raise ValueError(msg)
    return _token_request(
        app,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.redirect_uri,
        },
    )


def build_refresh_request(app: OAuth2App, token: OAuth2Token) -> httpx.Request:
    """Build the request that refreshes *token*."""
    if token.refresh_token is None:
        msg = "this token has no refresh token"
        raise ValueError(msg)
    return _token_request(
        app,
        {"grant_type": "refresh_token", "refresh_token": token.refresh_token},
    )


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(
        value, int | float | Decimal | str
    ):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def parse_token_response(
    response: httpx.Response, *, now: dt.datetime, previous: OAuth2Token | None
) -> OAuth2Token:
    """
    Read a token endpoint answer into an :class:`OAuth2Token`.

    Intuit may answer a refresh without a new refresh token; the previous
    one then stays valid and is kept.

    Raises:
        AuthenticationError: The endpoint refused (``invalid_grant`` for an
            expired, revoked or already rotated refresh token). The message
            names the OAuth error, never a token.
    """
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    access = body.get("access_token")
    if not response.is_success or not isinstance(access, str) or not access:
        error = str(body.get("error") or "token request failed")
        description = str(body.get("error_description") or "")
        raise AuthenticationError(
            f"the token endpoint refused: {error}",
            provider="qbo",
            status_code=response.status_code,
            code=error,
            request_id=response.headers.get("intuit_tid"),
            errors=(ProviderErrorDetail(code=error, detail=description),),
            method="POST",
            url=str(response.request.url.copy_with(query=None)),
        )
    refresh = body.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        refresh = previous.refresh_token if previous else None
    expires_in = _seconds(body.get("expires_in"))
    refresh_in = _seconds(body.get("x_refresh_token_expires_in"))
    return OAuth2Token(
        access_token=access,
        refresh_token=refresh,
        expires_at=None
        if expires_in is None
        else now + dt.timedelta(seconds=expires_in),
        refresh_token_expires_at=None
        if refresh_in is None
        else now + dt.timedelta(seconds=refresh_in),
    )
