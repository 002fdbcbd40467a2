"""OAuth 2: authorize URL, code exchange, refresh ahead and on 401."""

# The tokens and secrets here are made up for the tests.
# ruff: noqa: S105, S106

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import threading
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import respx

from hsqbo import AuthenticationError
from hsqbo.qbo import (
    AsyncQuickBooksClient,
    Customer,
    OAuth2App,
    OAuth2Token,
    QuickBooksClient,
    exchange_code,
    exchange_code_async,
)
from hsqbo.testing import VirtualClock


API = "https://qbo.test/v3/company/9341450000123"
TOKEN_URL = "https://qbo.test/oauth2/v1/tokens/bearer"


def _token(clock: VirtualClock, *, minutes: float = 60) -> OAuth2Token:
    return OAuth2Token(
        access_token="old-access-token",
        refresh_token="old-refresh-token",
        expires_at=clock.now() + dt.timedelta(minutes=minutes),
    )


def _form(request: httpx.Request) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request.content.decode()))


def test_authorization_url_has_every_parameter(app: OAuth2App) -> None:
    """The authorize URL names client, code flow, scope, redirect and state."""
    url = httpx.URL(app.authorization_url("state-123"))
    assert str(url).startswith("https://appcenter.intuit.com/connect/oauth2?")
    assert dict(url.params) == {
        "client_id": "client-id",
        "response_type": "code",
        "scope": "com.intuit.quickbooks.accounting",
        "redirect_uri": "https://example.com/callback",
        "state": "state-123",
    }


def test_authorization_url_needs_a_state(app: OAuth2App) -> None:
    """An empty state (no CSRF protection) is refused."""
    with pytest.raises(ValueError, match="state"):
        app.authorization_url("")


def test_code_exchange_posts_the_grant_with_basic_auth(
    mock: respx.MockRouter,
    app: OAuth2App,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """exchange_code sends the code grant and reads the token set."""
    route = mock.post(TOKEN_URL).respond(json=load_json("token.json"))
    token = exchange_code(app, "auth-code-1", clock=clock)
    request = route.calls.last.request
    assert _form(request) == {
        "grant_type": "authorization_code",
        "code": "auth-code-1",
        "redirect_uri": "https://example.com/callback",
    }
    expected = base64.b64encode(b"client-id:client-secret-value").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert token.access_token == "eyJ-new-access-token"
    assert token.refresh_token == "AB11-rotated-refresh"
    assert token.expires_at == clock.now() + dt.timedelta(hours=1)
    assert token.refresh_token_expires_at == clock.now() + dt.timedelta(
        seconds=8726400
    )


def test_async_code_exchange(
    mock: respx.MockRouter,
    app: OAuth2App,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """exchange_code_async does the same without blocking."""
    mock.post(TOKEN_URL).respond(json=load_json("token.json"))
    token = asyncio.run(exchange_code_async(app, "auth-code-1", clock=clock))
    assert token.refresh_token == "AB11-rotated-refresh"


def test_refused_code_raises_authentication_error_without_secrets(
    mock: respx.MockRouter, app: OAuth2App, load_json: Callable[[str], Any]
) -> None:
    """invalid_grant is an AuthenticationError naming only the OAuth error."""
    mock.post(TOKEN_URL).respond(
        400, json=load_json("token_invalid_grant.json")
    )
    with pytest.raises(AuthenticationError) as caught:
        exchange_code(app, "used-code")
    assert caught.value.code == "invalid_grant"
    assert "client-secret-value" not in str(caught.value)
    assert "used-code" not in str(caught.value)


def test_refresh_ahead_of_expiry_persists_before_use(
    mock: respx.MockRouter,
    app: OAuth2App,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """A token 2 minutes from expiry is refreshed, stored, then used."""
    events: list[str] = []
    refresh = mock.post(TOKEN_URL).mock(
        side_effect=lambda _: (
            events.append("refresh"),
            httpx.Response(200, json=load_json("token.json")),
        )[1]
    )
    api = mock.get(f"{API}/customer/412").mock(
        side_effect=lambda r: (
            events.append(f"api {r.headers['Authorization']}"),
            httpx.Response(200, json=load_json("customer.json")),
        )[1]
    )
    stored: list[OAuth2Token] = []

    def persist(token: OAuth2Token) -> None:
        events.append("persist")
        stored.append(token)

    client = make_client(
        _token(clock, minutes=2), oauth=app, on_token_refresh=persist
    )
    client.get(Customer, "412")
    assert events == ["refresh", "persist", "api Bearer eyJ-new-access-token"]
    assert _form(refresh.calls.last.request) == {
        "grant_type": "refresh_token",
        "refresh_token": "old-refresh-token",
    }
    assert stored[0].refresh_token == "AB11-rotated-refresh"
    assert client.token is stored[0]
    assert api.call_count == 1


def test_refresh_once_on_401_then_succeed(
    mock: respx.MockRouter,
    app: OAuth2App,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """A 401 with a valid-looking token triggers one refresh and a resend."""
    mock.post(TOKEN_URL).respond(json=load_json("token.json"))
    api = mock.get(f"{API}/customer/412").mock(
        side_effect=[
            httpx.Response(
                401, json=load_json("errors/authentication_lowercase.json")
            ),
            httpx.Response(200, json=load_json("customer.json")),
        ]
    )
    stored: list[OAuth2Token] = []
    client = make_client(
        _token(clock), oauth=app, on_token_refresh=stored.append
    )
    assert client.get(Customer, "412").id == "412"
    assert [c.request.headers["Authorization"] for c in api.calls] == [
        "Bearer old-access-token",
        "Bearer eyJ-new-access-token",
    ]
    assert len(stored) == 1


def test_second_401_is_final(
    mock: respx.MockRouter,
    app: OAuth2App,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """After one refresh, another 401 raises instead of looping."""
    token_route = mock.post(TOKEN_URL).respond(json=load_json("token.json"))
    api = mock.get(f"{API}/customer/412").respond(
        401, json=load_json("errors/authentication.json")
    )
    client = make_client(_token(clock), oauth=app)
    with pytest.raises(AuthenticationError):
        client.get(Customer, "412")
    assert token_route.call_count == 1
    assert api.call_count == 2


def test_401_without_oauth_app_raises_at_once(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """A plain access-token string cannot be refreshed: 401 is final."""
    api = mock.get(f"{API}/customer/412").respond(
        401, json=load_json("errors/authentication.json")
    )
    with pytest.raises(AuthenticationError):
        make_client("plain-access-token").get(Customer, "412")
    assert api.call_count == 1


def test_refresh_without_new_refresh_token_keeps_the_old_one(
    mock: respx.MockRouter,
    app: OAuth2App,
    make_client: Callable[..., QuickBooksClient],
    clock: VirtualClock,
) -> None:
    """If Intuit does not rotate, the previous refresh token stays in use."""
    mock.post(TOKEN_URL).respond(
        json={"access_token": "new-access", "expires_in": 3600}
    )
    client = make_client(_token(clock), oauth=app)
    token = client.refresh_token()
    assert token.access_token == "new-access"
    assert token.refresh_token == "old-refresh-token"


def test_failing_persistence_stops_the_new_token_from_being_used(
    mock: respx.MockRouter,
    app: OAuth2App,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """If the callback cannot store the token, no call is made with it."""
    mock.post(TOKEN_URL).respond(json=load_json("token.json"))

    def broken(_: OAuth2Token) -> None:
        msg = "disk full"
        raise OSError(msg)

    client = make_client(
        _token(clock, minutes=1), oauth=app, on_token_refresh=broken
    )
    with pytest.raises(OSError, match="disk full"):
        client.get(Customer, "412")
    assert client.token.access_token == "old-access-token"


def test_invalid_grant_on_refresh_is_an_authentication_error(
    mock: respx.MockRouter,
    app: OAuth2App,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """A rotated-away refresh token gives invalid_grant, never a token leak."""
    mock.post(TOKEN_URL).respond(
        400, json=load_json("token_invalid_grant.json")
    )
    client = make_client(_token(clock, minutes=1), oauth=app)
    with pytest.raises(AuthenticationError) as caught:
        client.get(Customer, "412")
    text = f"{caught.value} {caught.value.errors!r}"
    assert "old-refresh-token" not in text
    assert "client-secret-value" not in text


def test_async_client_refreshes_with_an_async_callback(
    mock: respx.MockRouter,
    app: OAuth2App,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """The async client awaits a coroutine callback before using the token."""
    events: list[str] = []
    mock.post(TOKEN_URL).respond(json=load_json("token.json"))
    mock.get(f"{API}/customer/412").mock(
        side_effect=lambda r: (
            events.append(r.headers["Authorization"]),
            httpx.Response(200, json=load_json("customer.json")),
        )[1]
    )

    async def persist(token: OAuth2Token) -> None:
        await asyncio.sleep(0)
        events.append(f"stored {token.refresh_token}")

    async def main() -> None:
        async with AsyncQuickBooksClient(
            "9341450000123",
            _token(clock, minutes=1),
            base_url="https://qbo.test",
            oauth=app,
            on_token_refresh=persist,
            clock=clock,
        ) as client:
            await client.get(Customer, "412")

    asyncio.run(main())
    assert events == [
        "stored AB11-rotated-refresh",
        "Bearer eyJ-new-access-token",
    ]


def test_secrets_stay_out_of_repr_and_logs(  # noqa: PLR0917 - fixtures
    mock: respx.MockRouter,
    app: OAuth2App,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Tokens and the client secret appear in no repr and no log record."""
    mock.post(TOKEN_URL).respond(json=load_json("token.json"))
    mock.get(f"{API}/customer/412").respond(json=load_json("customer.json"))
    caplog.set_level(logging.DEBUG)
    client = make_client(_token(clock, minutes=1), oauth=app)
    client.get(Customer, "412")
    shown = " ".join(
        [repr(client), repr(client.token), repr(app), caplog.text]
    )
    for secret in (
        "old-access-token",
        "old-refresh-token",
        "eyJ-new-access-token",
        "AB11-rotated-refresh",
        "client-secret-value",
    ):
        assert secret not in shown
    assert "refreshed" in caplog.text


def test_naive_expiry_is_refused() -> None:
    """Token expiry times must be aware."""
    with pytest.raises(ValueError, match="aware"):
        OAuth2Token(access_token="a", expires_at=dt.datetime(2026, 1, 1))  # noqa: DTZ001


def test_threads_sharing_a_client_refresh_once(
    app: OAuth2App,
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """Eight threads with an expiring token cause one refresh, not eight."""
    refreshes: list[str] = []
    lock = threading.Lock()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tokens/bearer"):
            with lock:
                refreshes.append(_form(request)["refresh_token"])
            return httpx.Response(200, json=load_json("token.json"))
        return httpx.Response(200, json=load_json("customer.json"))

    http = httpx.Client(transport=httpx.MockTransport(handle))
    with (
        QuickBooksClient(
            "9341450000123",
            _token(clock, minutes=1),
            base_url="https://qbo.test",
            http=http,
            oauth=app,
            clock=clock,
        ) as client,
        ThreadPoolExecutor(max_workers=8) as pool,
    ):
        list(pool.map(lambda _: client.get(Customer, "412"), range(8)))
    http.close()
    assert refreshes == ["old-refresh-token"]
