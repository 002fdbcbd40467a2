"""Quotas and fault injection on the fake QBO, on a virtual clock."""

from __future__ import annotations

import threading
from xml.etree import ElementTree as ET

import httpx
import pytest

from hsqbo.testing import FakeQuickBooks, FaultKind, VirtualClock


def _code(response: httpx.Response) -> str:
    return str(response.json()["Fault"]["Error"][0]["code"])


def test_500_requests_a_minute(
    http: httpx.Client, clock: VirtualClock
) -> None:
    """The 501st call in a minute is 429/3001; a minute later it passes."""
    for _ in range(500):
        assert http.get("/preferences").status_code == 200
    throttled = http.get("/preferences")
    assert throttled.status_code == 429
    assert _code(throttled) == "3001"
    assert throttled.json()["Fault"]["type"] == "SERVICE"
    clock.advance(60)
    assert http.get("/preferences").status_code == 200
    assert clock.slept == 0


def test_40_batches_a_minute(http: httpx.Client, clock: VirtualClock) -> None:
    """The 41st batch request in a minute is throttled, other calls are not."""
    body = {
        "BatchItemRequest": [{"bId": "q", "Query": "select * from Customer"}]
    }
    for _ in range(40):
        assert http.post("/batch", json=body).status_code == 200
    assert http.post("/batch", json=body).status_code == 429
    assert http.get("/preferences").status_code == 200
    clock.advance(60)
    assert http.post("/batch", json=body).status_code == 200


def test_quotas_can_be_turned_off(clock: VirtualClock) -> None:
    """enforce_quotas=False lets any number of calls through."""
    fake = FakeQuickBooks(clock=clock, enforce_quotas=False)
    with httpx.Client(
        transport=fake.transport(), headers={"Authorization": "Bearer t"}
    ) as http:
        statuses = {
            http.get(
                f"https://q/v3/company/{fake.realm_id}/preferences"
            ).status_code
            for _ in range(510)
        }
    assert statuses == {200}


def test_more_than_10_concurrent_requests_are_throttled(
    fake: FakeQuickBooks,
) -> None:
    """With 10 requests in progress, an 11th is refused with 429."""
    url = f"https://q/v3/company/{fake.realm_id}/preferences"
    statuses: list[int] = []

    def call() -> None:
        with httpx.Client(
            transport=fake.transport(), headers={"Authorization": "Bearer t"}
        ) as http:
            statuses.append(http.get(url).status_code)

    # Holding the company lock parks admitted requests inside the fake,
    # so ten of them are "in progress" at once.
    threads = [threading.Thread(target=call) for _ in range(10)]
    with fake._lock:
        for thread in threads:
            thread.start()
        assert fake._quotas.wait_for_in_flight(10, timeout=30)
        call()
        assert statuses == [429]
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [429] + [200] * 10


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (FaultKind.RATE_LIMIT, 429),
        (FaultKind.SERVER_ERROR, 500),
        (FaultKind.UNAVAILABLE, 503),
    ],
)
def test_injected_http_faults(
    http: httpx.Client, fake: FakeQuickBooks, kind: FaultKind, status: int
) -> None:
    """fail_next fails the next call, then service resumes."""
    fake.faults.fail_next(1, kind)
    failed = http.post("/customer", json={"DisplayName": "Bakery"})
    assert failed.status_code == status
    assert fake.customers() == []
    assert (
        http.post("/customer", json={"DisplayName": "Bakery"}).status_code
        == 200
    )


def test_rate_limit_and_server_faults_have_qbo_bodies(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Injected 429/500/503 carry QBO's 3001, 10000 and an HTML page."""
    fake.faults.fail_next(1, FaultKind.RATE_LIMIT)
    assert _code(http.get("/preferences")) == "3001"
    fake.faults.fail_next(1, FaultKind.SERVER_ERROR)
    server = http.get("/preferences")
    assert _code(server) == "10000"
    assert server.json()["Fault"]["type"] == "SystemFault"
    fake.faults.fail_next(1, FaultKind.UNAVAILABLE)
    unavailable = http.get("/preferences")
    assert unavailable.headers["content-type"] == "text/html"
    assert b"Service Unavailable" in unavailable.content


def test_timeout_and_drop_apply_nothing(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """TIMEOUT and DROP raise transport errors; nothing is written."""
    fake.faults.fail_next(1, FaultKind.TIMEOUT)
    with pytest.raises(httpx.ReadTimeout):
        http.post("/customer", json={"DisplayName": "Bakery"})
    fake.faults.fail_next(1, FaultKind.DROP)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/customer", json={"DisplayName": "Bakery"})
    assert fake.customers() == []
    assert [call.status for call in fake.calls] == [None, None]


def test_drop_after_apply_and_requestid_retry(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """After a lost answer, a requestid retry returns it without a twin."""
    fake.faults.fail_next(1, FaultKind.DROP_AFTER_APPLY)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(
            "/customer",
            params={"requestid": "op-7"},
            json={"DisplayName": "Bakery"},
        )
    assert len(fake.customers()) == 1
    retried = http.post(
        "/customer",
        params={"requestid": "op-7"},
        json={"DisplayName": "Bakery"},
    )
    assert retried.status_code == 200
    assert retried.json()["Customer"]["Id"] == fake.customers()[0]["Id"]
    assert len(fake.customers()) == 1
    naive = http.post("/customer", json={"DisplayName": "Bakery"})
    assert _code(naive) == "6240"


def test_random_faults_are_seeded(clock: VirtualClock) -> None:
    """The same seed fails the same calls."""

    def run() -> list[int]:
        fake = FakeQuickBooks(clock=clock, enforce_quotas=False)
        fake.faults.fail_randomly(
            0.3, seed=7, kinds=[FaultKind.SERVER_ERROR, FaultKind.RATE_LIMIT]
        )
        with httpx.Client(
            transport=fake.transport(), headers={"Authorization": "Bearer t"}
        ) as http:
            return [
                http.get(
                    f"https://q/v3/company/{fake.realm_id}/preferences"
                ).status_code
                for _ in range(40)
            ]

    first, second = run(), run()
    assert first == second
    assert {200, 429, 500} <= set(first)


def test_faults_skip_oauth_endpoints(fake: FakeQuickBooks) -> None:
    """Injected faults hit company API calls, not the token endpoint."""
    fake.faults.fail_next(1, FaultKind.SERVER_ERROR)
    with httpx.Client(transport=fake.transport()) as http:
        token = http.post(
            "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
            data={"grant_type": "refresh_token", "refresh_token": "AB11-x"},
            headers={"Authorization": "Basic Y2lkOnNlY3JldA=="},
        )
        assert token.status_code == 200
        assert (
            http.get(
                f"https://q/v3/company/{fake.realm_id}/preferences",
                headers={"Authorization": "Bearer t"},
            ).status_code
            == 500
        )


def test_throttle_can_answer_in_xml(clock: VirtualClock) -> None:
    """xml_throttle=True answers 429 as QBO's XML IntuitResponse."""
    fake = FakeQuickBooks(clock=clock, xml_throttle=True)
    fake.faults.fail_next(1, FaultKind.RATE_LIMIT)
    with httpx.Client(
        transport=fake.transport(), headers={"Authorization": "Bearer t"}
    ) as http:
        response = http.get(
            f"https://q/v3/company/{fake.realm_id}/preferences",
            headers={"Accept": "application/json"},
        )
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)  # noqa: S314 - our own bytes
    namespace = "{http://schema.intuit.com/finance/v3}"
    error = root.find(f"{namespace}Fault/{namespace}Error")
    assert error is not None
    assert error.get("code") == "3001"
    assert root.find(f"{namespace}Fault").get("type") == "SERVICE"  # type: ignore[union-attr]
    assert "ThrottleExceeded" in (error.findtext(f"{namespace}Message") or "")
