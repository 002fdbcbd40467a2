"""The fake's OAuth 2 endpoints and bearer checks."""

# ruff: noqa: S105, S106
# Tokens and client secrets here are made-up test values.

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from hsqbo.testing import FakeQuickBooks, VirtualClock


BASIC = "Basic " + base64.b64encode(b"client-id:client-secret").decode()
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"


def _client(fake: FakeQuickBooks) -> httpx.Client:
    return httpx.Client(transport=fake.transport())


def _grant(http: httpx.Client, **form: str) -> httpx.Response:
    return http.post(
        TOKEN_URL,
        data=form,
        headers={"Authorization": BASIC, "Accept": "application/json"},
    )


def _api(
    http: httpx.Client, fake: FakeQuickBooks, token: str
) -> httpx.Response:
    return http.get(
        f"https://quickbooks.api.intuit.com/v3/company/{fake.realm_id}/preferences",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_refresh_rotates_and_retires_the_old_token(
    fake: FakeQuickBooks,
) -> None:
    """Each refresh rotates the refresh token; old ones are invalid."""
    with _client(fake) as http:
        first = _grant(
            http,
            grant_type="refresh_token",
            refresh_token="AB11-from-the-test",
        )
        assert first.status_code == 200
        body = first.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 3600
        assert body["x_refresh_token_expires_in"] > 86400 * 99
        assert body["refresh_token"] != "AB11-from-the-test"
        reused = _grant(
            http,
            grant_type="refresh_token",
            refresh_token="AB11-from-the-test",
        )
        assert reused.status_code == 400
        assert reused.json() == {"error": "invalid_grant"}
        second = _grant(
            http,
            grant_type="refresh_token",
            refresh_token=body["refresh_token"],
        )
        assert second.status_code == 200
        assert first.headers["intuit_tid"]
    assert fake.refresh_count == 2


def test_authorization_code_exchanges_once(fake: FakeQuickBooks) -> None:
    """A code is exchanged for tokens once; the second use is invalid_grant."""
    code = fake.authorization_code()
    with _client(fake) as http:
        assert (
            _grant(
                http,
                grant_type="authorization_code",
                code=code,
                redirect_uri="https://app/cb",
            ).status_code
            == 200
        )
        again = _grant(
            http,
            grant_type="authorization_code",
            code=code,
            redirect_uri="https://app/cb",
        )
    assert again.json() == {"error": "invalid_grant"}


def test_token_endpoint_needs_client_credentials(fake: FakeQuickBooks) -> None:
    """Without Basic client credentials the answer is invalid_client."""
    with _client(fake) as http:
        response = http.post(
            TOKEN_URL,
            data={"grant_type": "refresh_token", "refresh_token": "x"},
        )
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


def test_consent_redirects_with_code_state_and_realm(
    fake: FakeQuickBooks,
) -> None:
    """The authorize URL redirects back with code, state and realmId."""
    with _client(fake) as http:
        response = http.get(
            "https://appcenter.intuit.com/connect/oauth2",
            params={
                "client_id": "cid",
                "response_type": "code",
                "scope": "com.intuit.quickbooks.accounting",
                "redirect_uri": "https://app.example/cb",
                "state": "s-1",
            },
        )
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        query = parse_qs(location.query)
        assert (
            f"{location.scheme}://{location.netloc}{location.path}"
            == "https://app.example/cb"
        )
        assert query["state"] == ["s-1"]
        assert query["realmId"] == [fake.realm_id]
        exchanged = _grant(
            http,
            grant_type="authorization_code",
            code=query["code"][0],
            redirect_uri="https://app.example/cb",
        )
    assert exchanged.status_code == 200


def test_discovery_document_points_at_the_fake(fake: FakeQuickBooks) -> None:
    """The OpenID discovery document names the fake's own endpoints."""
    with _client(fake) as http:
        document = http.get(
            "http://127.0.0.1:8123/.well-known/openid_configuration"
        ).json()
    assert (
        document["token_endpoint"]
        == "http://127.0.0.1:8123/oauth2/v1/tokens/bearer"
    )
    assert document["revocation_endpoint"].endswith("/v2/oauth2/tokens/revoke")


def test_default_mode_accepts_any_bearer_but_not_none(
    fake: FakeQuickBooks,
) -> None:
    """Any non-empty bearer works by default; a missing one is 401."""
    with _client(fake) as http:
        assert _api(http, fake, "made-up").status_code == 200
        missing = http.get(f"https://q/v3/company/{fake.realm_id}/preferences")
    assert missing.status_code == 401


def test_expired_access_token_is_401_in_gateway_shape(
    clock: VirtualClock,
) -> None:
    """Issued tokens expire after an hour: 401 with gateway fault 3200."""
    fake = FakeQuickBooks(clock=clock)
    access, _ = fake.issue_tokens()
    with _client(fake) as http:
        assert _api(http, fake, access).status_code == 200
        clock.advance(3600)
        response = _api(http, fake, access)
    assert response.status_code == 401
    fault = response.json()["fault"]
    assert fault["type"] == "AUTHENTICATION"
    assert fault["error"][0]["code"] == "3200"
    assert "expired" in fault["error"][0]["detail"]
    assert access not in response.text


def test_expire_access_tokens_forces_refresh(fake: FakeQuickBooks) -> None:
    """expire_access_tokens() makes issued tokens fail until refreshed."""
    with _client(fake) as http:
        body = _grant(
            http, grant_type="refresh_token", refresh_token="AB11-x"
        ).json()
        fake.expire_access_tokens()
        assert _api(http, fake, body["access_token"]).status_code == 401
        fresh = _grant(
            http,
            grant_type="refresh_token",
            refresh_token=body["refresh_token"],
        ).json()
        assert _api(http, fake, fresh["access_token"]).status_code == 200


def test_strict_mode_accepts_only_issued_tokens(clock: VirtualClock) -> None:
    """In strict mode unknown bearers and refresh tokens are refused."""
    fake = FakeQuickBooks(clock=clock, strict_tokens=True)
    access, refresh = fake.issue_tokens()
    with _client(fake) as http:
        assert _api(http, fake, "made-up").status_code == 401
        assert _api(http, fake, access).status_code == 200
        assert (
            _grant(
                http, grant_type="refresh_token", refresh_token="AB11-unknown"
            ).status_code
            == 400
        )
        assert (
            _grant(
                http, grant_type="refresh_token", refresh_token=refresh
            ).status_code
            == 200
        )
        assert (
            _grant(
                http, grant_type="authorization_code", code="invented"
            ).status_code
            == 400
        )


def test_revoke_ends_a_token(fake: FakeQuickBooks) -> None:
    """A revoked refresh token can no longer be used."""
    _, refresh = fake.issue_tokens()
    with _client(fake) as http:
        revoked = http.post(
            "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
            json={"token": refresh},
            headers={"Authorization": BASIC},
        )
        assert revoked.status_code == 200
        assert (
            _grant(
                http, grant_type="refresh_token", refresh_token=refresh
            ).status_code
            == 400
        )


@pytest.mark.parametrize("grant", ["password", ""])
def test_unsupported_grant(fake: FakeQuickBooks, grant: str) -> None:
    """Grants other than authorization_code and refresh_token are refused."""
    with _client(fake) as http:
        response = _grant(http, grant_type=grant)
    assert response.json() == {"error": "unsupported_grant_type"}
