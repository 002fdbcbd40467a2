"""Bearer tokens and the OAuth token endpoint."""

from __future__ import annotations

import httpx
import pytest

from hsqbo.testing import FakeHubSpot, VirtualClock


TOKEN_URL = "/oauth/v1/token"  # noqa: S105 - a path


def _client(fake: FakeHubSpot, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(
        transport=fake.transport(),
        base_url="https://api.hubapi.com",
        headers=headers,
    )


def test_default_accepts_any_bearer_but_not_none(fake: FakeHubSpot) -> None:
    """Any non-empty bearer works by default; none is a 401."""
    with _client(fake, "whatever") as ok, _client(fake) as anonymous:
        assert ok.get("/crm/v3/objects/contacts").status_code == 200
        denied = anonymous.get("/crm/v3/objects/contacts")
    assert denied.status_code == 401
    assert denied.json()["category"] == "INVALID_AUTHENTICATION"


def test_strict_mode_only_takes_issued_tokens(clock: VirtualClock) -> None:
    """Strict: issued access tokens and registered private-app tokens only."""
    fake = FakeHubSpot(clock=clock, strict_tokens=True)
    fake.add_private_app_token("pat-na1-real")
    tokens = fake.issue_tokens()
    for token, status in (
        ("pat-na1-real", 200),
        (tokens.access_token, 200),
        ("made-up", 401),
    ):
        with _client(fake, token) as http:
            assert http.get("/crm/v3/objects/contacts").status_code == status


def test_strict_access_tokens_expire_on_the_clock(clock: VirtualClock) -> None:
    """An issued access token stops working after expires_in seconds."""
    fake = FakeHubSpot(clock=clock, strict_tokens=True)
    tokens = fake.issue_tokens()
    with _client(fake, tokens.access_token) as http:
        clock.advance(tokens.expires_in - 1)
        assert http.get("/crm/v3/objects/contacts").status_code == 200
        clock.advance(1)
        expired = http.get("/crm/v3/objects/contacts")
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"


def test_refresh_rotates_the_refresh_token(clock: VirtualClock) -> None:
    """A refresh returns new tokens; the spent refresh token is refused."""
    fake = FakeHubSpot(clock=clock, strict_tokens=True)
    fake.register_app("app", "shh")
    first = fake.issue_tokens()
    form = {
        "grant_type": "refresh_token",
        "client_id": "app",
        "client_secret": "shh",
        "refresh_token": first.refresh_token,
    }
    with _client(fake) as http:
        answer = http.post(TOKEN_URL, data=form)
        assert answer.status_code == 200
        body = answer.json()
        assert body["token_type"] == "bearer"  # noqa: S105
        assert body["expires_in"] == 1800
        assert body["refresh_token"] != first.refresh_token
        again = http.post(TOKEN_URL, data=form)
        assert again.status_code == 400
        assert again.json()["status"] == "BAD_REFRESH_TOKEN"
        wrong = http.post(
            TOKEN_URL,
            data={
                **form,
                "client_secret": "nope",
                "refresh_token": body["refresh_token"],
            },
        )
        assert wrong.json()["status"] == "BAD_CLIENT_SECRET"
    with _client(fake, body["access_token"]) as http:
        assert http.get("/crm/v3/objects/contacts").status_code == 200


def test_authorization_code_grant(clock: VirtualClock) -> None:
    """A minted code is exchanged once for tokens; a reused code fails."""
    fake = FakeHubSpot(clock=clock, strict_tokens=True)
    code = fake.authorization_code("app", redirect_uri="https://x.test/cb")
    form = {
        "grant_type": "authorization_code",
        "client_id": "app",
        "client_secret": "s",
        "redirect_uri": "https://x.test/cb",
        "code": code,
    }
    with _client(fake) as http:
        assert http.post(TOKEN_URL, data=form).status_code == 200
        assert (
            http.post(TOKEN_URL, data=form).json()["status"] == "BAD_AUTH_CODE"
        )
        for version in ("v3", "2026-03"):
            fresh = fake.authorization_code(
                "app", redirect_uri="https://x.test/cb"
            )
            got = http.post(
                f"/oauth/{version}/token", data={**form, "code": fresh}
            )
            assert got.status_code == 200


def test_secrets_are_masked_in_the_call_log_and_repr(
    fake: FakeHubSpot,
) -> None:
    """Client secrets and refresh tokens never reach calls or repr."""
    tokens = fake.issue_tokens()
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
    with _client(fake, tokens.access_token) as http:
        http.post(
            TOKEN_URL,
            data={
                "grant_type": "refresh_token",
                "client_id": "a",
                "client_secret": "topsecret",
                "refresh_token": tokens.refresh_token,
            },
        )
    logged = repr(fake.calls)
    assert "topsecret" not in logged
    assert tokens.refresh_token not in logged
    assert tokens.access_token not in logged


def test_lenient_mode_accepts_unknown_refresh_tokens(
    fake: FakeHubSpot,
) -> None:
    """Without strict mode any non-empty refresh token is honoured once."""
    form = {
        "grant_type": "refresh_token",
        "client_id": "a",
        "client_secret": "b",
        "refresh_token": "na1-anything",
    }
    with _client(fake) as http:
        assert http.post(TOKEN_URL, data=form).status_code == 200
        assert http.post(TOKEN_URL, data=form).status_code == 400
        bad = http.post(TOKEN_URL, data={**form, "grant_type": "password"})
    assert bad.json()["status"] == "BAD_GRANT_TYPE"


def test_empty_private_app_token_is_refused(fake: FakeHubSpot) -> None:
    """Registering an empty token is a mistake."""
    with pytest.raises(ValueError, match="empty"):
        fake.add_private_app_token("")
