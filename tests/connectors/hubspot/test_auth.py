import datetime as dt
import urllib.parse

import pytest

from hsqbo import AuthenticationError, ConfigError
from hsqbo.hubspot import (
    HubSpotClient,
    OAuthApp,
    OAuthToken,
    PrivateAppToken,
)


SECRETS = ("at-old-0001", "rt-old-0001", "cs-app-secret")


def _token(expires_at: dt.datetime) -> OAuthToken:
    return OAuthToken(
        access_token=SECRETS[0],
        refresh_token=SECRETS[1],
        expires_at=expires_at,
    )


APP = OAuthApp(client_id="client-1", client_secret=SECRETS[2])


def test_expired_oauth_token_is_refreshed_and_handed_over(router, clock, body):
    """A token near expiry is refreshed; the callback gets the new one."""
    refresh = router.post("/oauth/v1/token").respond(
        200, json=body("oauth_token")
    )
    read = router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    received: list[OAuthToken] = []
    with HubSpotClient(
        _token(clock.now() + dt.timedelta(seconds=30)),
        oauth_app=APP,
        on_token_refresh=received.append,
        clock=clock,
    ) as hub:
        hub.get("contacts", "512")
        hub.get("contacts", "512")
    assert refresh.call_count == 1
    form = urllib.parse.parse_qs(refresh.calls.last.request.content.decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "client_id": ["client-1"],
        "client_secret": [SECRETS[2]],
        "refresh_token": [SECRETS[1]],
    }
    assert "Authorization" not in refresh.calls.last.request.headers
    assert read.calls.last.request.headers["Authorization"] == (
        "Bearer at-fresh-0002"
    )
    (fresh,) = received
    assert fresh.refresh_token == "rt-rotated-0002"  # noqa: S105 - fake
    assert fresh.expires_at == clock.now() + dt.timedelta(seconds=1800)


def test_valid_oauth_token_is_used_as_is(router, clock, body):
    """A token far from expiry is sent without a refresh."""
    read = router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    with HubSpotClient(
        _token(clock.now() + dt.timedelta(minutes=20)),
        oauth_app=APP,
        clock=clock,
    ) as hub:
        hub.get("contacts", "512")
    assert read.calls.last.request.headers["Authorization"] == (
        f"Bearer {SECRETS[0]}"
    )


def test_oauth_token_without_app_is_a_config_error():
    """An OAuth token that could never be refreshed is refused early."""
    with pytest.raises(ConfigError, match="oauth_app"):
        HubSpotClient(_token(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))


def test_naive_expiry_is_refused():
    """OAuthToken needs an aware expires_at."""
    with pytest.raises(ValueError, match="aware"):
        _token(dt.datetime(2026, 1, 1))  # noqa: DTZ001 - the point


def test_empty_token_is_refused():
    """An empty private-app token is a mistake, caught at once."""
    with pytest.raises(ValueError, match="empty"):
        HubSpotClient("")


def test_secrets_never_appear_in_repr(clock):
    """repr() of tokens, apps and clients hides every secret."""
    token = _token(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client = HubSpotClient(token, oauth_app=APP, clock=clock)
    pat = PrivateAppToken("pat-na1-hidden")
    shown = " ".join(
        [repr(token), repr(APP), repr(client), repr(pat), str(client)]
    )
    client.close()
    for secret in (*SECRETS, "pat-na1-hidden"):
        assert secret not in shown
    assert "client-1" in repr(APP)


def test_refresh_call_repr_hides_the_form(clock):
    """The token-endpoint call's repr hides its secrets."""
    client = HubSpotClient(
        _token(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        oauth_app=APP,
        clock=clock,
    )
    call = client._auth.refresh_call()
    client.close()
    for secret in SECRETS[1:]:
        assert secret not in repr(call)


def test_refused_refresh_token_is_an_authentication_error(router, clock):
    """The token endpoint's BAD_REFRESH_TOKEN (in 'status') is a 401-kind."""
    router.post("/oauth/v1/token").respond(
        400,
        json={
            "status": "BAD_REFRESH_TOKEN",
            "message": "missing or unknown refresh token",
            "correlationId": "c-1",
        },
    )
    with (
        HubSpotClient(_token(clock.now()), oauth_app=APP, clock=clock) as hub,
        pytest.raises(AuthenticationError) as caught,
    ):
        hub.get("contacts", "512")
    assert caught.value.code == "BAD_REFRESH_TOKEN"
    for secret in SECRETS:
        assert secret not in str(caught.value)
