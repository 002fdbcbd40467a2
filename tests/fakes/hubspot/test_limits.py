"""Rate limits on the injected clock: the 10-second window, search/s."""

from __future__ import annotations

import httpx

from hsqbo.testing import FakeHubSpot, VirtualClock


def _client(fake: FakeHubSpot) -> httpx.Client:
    return httpx.Client(
        transport=fake.transport(),
        base_url="https://api.hubapi.com",
        headers={"Authorization": "Bearer t"},
    )


def test_101st_request_in_ten_seconds_is_a_429(
    fake: FakeHubSpot, clock: VirtualClock
) -> None:
    """100 calls pass, the 101st gets HubSpot's TEN_SECONDLY_ROLLING 429."""
    with _client(fake) as http:
        statuses = [
            http.get("/crm/v3/objects/contacts").status_code
            for _ in range(100)
        ]
        refused = http.get("/crm/v3/objects/contacts")
        assert set(statuses) == {200}
        assert refused.status_code == 429
        body = refused.json()
        assert body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert body["errorType"] == "RATE_LIMIT"
        assert (
            body["message"]
            == "You have reached your ten_secondly_rolling limit."
        )
        assert (
            body["correlationId"]
            == refused.headers["X-HubSpot-Correlation-Id"]
        )
        assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        assert refused.headers["X-HubSpot-RateLimit-Max"] == "100"
        clock.advance(10)
        assert http.get("/crm/v3/objects/contacts").status_code == 200
    assert clock.slept == 0


def test_window_is_rolling(clock: VirtualClock) -> None:
    """Requests leave the window 10 s after they were made, one by one."""
    fake = FakeHubSpot(clock=clock, ten_second_limit=4)
    with _client(fake) as http:
        for _ in range(2):
            http.get("/crm/v3/objects/contacts")
        clock.advance(6)
        for _ in range(2):
            http.get("/crm/v3/objects/contacts")
        assert http.get("/crm/v3/objects/contacts").status_code == 429
        clock.advance(4)  # the first two are now 10 s old
        assert http.get("/crm/v3/objects/contacts").status_code == 200
        assert http.get("/crm/v3/objects/contacts").status_code == 200
        assert http.get("/crm/v3/objects/contacts").status_code == 429


def test_tier_is_configurable_and_headers_say_so(clock: VirtualClock) -> None:
    """A Professional portal allows 190; the headers report it."""
    fake = FakeHubSpot(clock=clock, ten_second_limit=190)
    with _client(fake) as http:
        first = http.get("/crm/v3/objects/contacts")
        for _ in range(188):
            http.get("/crm/v3/objects/contacts")
        last = http.get("/crm/v3/objects/contacts")
        over = http.get("/crm/v3/objects/contacts")
    assert first.headers["X-HubSpot-RateLimit-Max"] == "190"
    assert first.headers["X-HubSpot-RateLimit-Remaining"] == "189"
    assert (
        first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    )
    assert last.status_code == 200
    assert over.status_code == 429


def test_search_is_limited_to_five_per_second(
    fake: FakeHubSpot, clock: VirtualClock
) -> None:
    """The 6th search within a second is a SECONDLY 429; reads still pass."""
    with _client(fake) as http:
        url = "/crm/v3/objects/contacts/search"
        assert all(
            http.post(url, json={}).status_code == 200 for _ in range(5)
        )
        refused = http.post(url, json={})
        assert refused.status_code == 429
        assert refused.json()["policyName"] == "SECONDLY"
        assert http.get("/crm/v3/objects/contacts").status_code == 200
        clock.advance(1)
        assert http.post(url, json={}).status_code == 200


def test_daily_limit(clock: VirtualClock) -> None:
    """Past the daily limit every call is a DAILY 429 until midnight UTC."""
    fake = FakeHubSpot(clock=clock, daily_limit=3)
    with _client(fake) as http:
        for _ in range(3):
            http.get("/crm/v3/objects/contacts")
        refused = http.get("/crm/v3/objects/contacts")
        assert refused.json()["policyName"] == "DAILY"
        clock.advance(24 * 3600)
        assert http.get("/crm/v3/objects/contacts").status_code == 200


def test_refused_calls_do_not_use_quota(clock: VirtualClock) -> None:
    """A 401 does not count against the window."""
    fake = FakeHubSpot(clock=clock, ten_second_limit=1)
    with httpx.Client(
        transport=fake.transport(), base_url="https://h"
    ) as http:
        assert http.get("/crm/v3/objects/contacts").status_code == 401
        ok = http.get(
            "/crm/v3/objects/contacts", headers={"Authorization": "Bearer t"}
        )
    assert ok.status_code == 200
