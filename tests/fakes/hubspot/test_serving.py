"""Transport and server share one state; faults; call log; threads."""

from __future__ import annotations

import asyncio
import concurrent.futures

import httpx
import pytest

from hsqbo.testing import FakeHubSpot, FaultKind


HEADERS = {"Authorization": "Bearer t"}


def test_server_and_transport_share_state(fake: FakeHubSpot) -> None:
    """What one way in writes, the other and Python see."""
    with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        created = httpx.post(
            f"{base_url}/crm/objects/2026-03/contacts",
            json={"properties": {"email": "net@example.com"}},
            headers=HEADERS,
        ).json()
    with httpx.Client(
        transport=fake.transport(), base_url="https://h", headers=HEADERS
    ) as http:
        got = http.get(f"/crm/v3/objects/contacts/{created['id']}")
    assert got.json()["properties"]["email"] == "net@example.com"
    assert (
        fake.get("contacts", created["id"]).properties["email"]
        == "net@example.com"
    )


def test_async_transport(fake: FakeHubSpot) -> None:
    """The transport works with httpx.AsyncClient."""
    fake.create("contacts", {"email": "a@example.com"})

    async def main() -> int:
        async with httpx.AsyncClient(
            transport=fake.transport(), base_url="https://h", headers=HEADERS
        ) as http:
            response = await http.get("/crm/v3/objects/contacts")
            return len(response.json()["results"])

    assert asyncio.run(main()) == 1


def test_call_log_counts_requests(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """The call log records method, path, query, body and status, in order."""
    client.get("/crm/v3/objects/contacts", params={"limit": "5"})
    client.post("/crm/v3/objects/contacts/search", json={"limit": 1})
    calls = fake.calls
    assert [(c.method, c.path, c.status) for c in calls] == [
        ("GET", "/crm/v3/objects/contacts", 200),
        ("POST", "/crm/v3/objects/contacts/search", 200),
    ]
    assert calls[0].query == {"limit": ("5",)}
    assert calls[1].body == {"limit": 1}
    fake.clear_calls()
    assert fake.calls == ()


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (FaultKind.RATE_LIMIT, 429),
        (FaultKind.SERVER_ERROR, 500),
        (FaultKind.UNAVAILABLE, 503),
    ],
)
def test_answered_faults(
    fake: FakeHubSpot, client: httpx.Client, kind: FaultKind, status: int
) -> None:
    """fail_next answers with the fault's status, then the fake recovers."""
    fake.faults.fail_next(1, kind)
    failed = client.post("/crm/v3/objects/contacts", json={"properties": {}})
    assert failed.status_code == status
    assert fake.objects("contacts") == ()
    assert client.get("/crm/v3/objects/contacts").status_code == 200
    assert fake.calls[0].fault is kind
    if kind is FaultKind.RATE_LIMIT:
        assert failed.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    if kind is FaultKind.SERVER_ERROR:
        assert failed.json()["correlationId"]


def test_timeout_and_drop_apply_nothing(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """TIMEOUT and DROP raise the network errors and write nothing."""
    fake.faults.fail_next(1, FaultKind.TIMEOUT)
    fake.faults.fail_next(1, FaultKind.DROP)
    body = {"properties": {"email": "a@example.com"}}
    with pytest.raises(httpx.ReadTimeout):
        client.post("/crm/v3/objects/contacts", json=body)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/crm/v3/objects/contacts", json=body)
    assert fake.objects("contacts") == ()
    assert [c.status for c in fake.calls] == [None, None]


def test_drop_after_apply_writes_then_drops(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """DROP_AFTER_APPLY creates the object, and the client never hears."""
    fake.faults.fail_next(1, FaultKind.DROP_AFTER_APPLY)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(
            "/crm/v3/objects/contacts",
            json={"properties": {"email": "a@example.com"}},
        )
    assert len(fake.objects("contacts")) == 1
    retry = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"email": "a@example.com"}},
    )
    assert retry.status_code == 409


def test_dropped_connection_over_the_server(fake: FakeHubSpot) -> None:
    """Over a real socket a dropped call is a transport error."""
    fake.faults.fail_next(1, FaultKind.DROP)
    with (
        fake.serve() as base_url,
        httpx.Client(base_url=base_url, headers=HEADERS) as http,
    ):
        with pytest.raises(httpx.TransportError):
            http.get("/crm/v3/objects/contacts")
        assert http.get("/crm/v3/objects/contacts").status_code == 200


def test_seeded_random_faults_are_reproducible() -> None:
    """The same seed injects the same faults in the same places."""

    def run() -> list[int]:
        fake = FakeHubSpot()
        fake.faults.fail_randomly(
            0.3, seed=7, kinds=[FaultKind.SERVER_ERROR, FaultKind.RATE_LIMIT]
        )
        with httpx.Client(
            transport=fake.transport(), base_url="https://h", headers=HEADERS
        ) as http:
            return [
                http.get("/crm/v3/objects/contacts").status_code
                for _ in range(30)
            ]

    first = run()
    assert first == run()
    assert {429, 500} <= set(first)
    assert 200 in first


def test_concurrent_creates_over_the_server() -> None:
    """Parallel clients on the server lose no write and never share an id."""
    fake = FakeHubSpot(ten_second_limit=10_000)
    with fake.serve() as base_url:

        def create_ten(worker: int) -> list[str]:
            with httpx.Client(base_url=base_url, headers=HEADERS) as http:
                return [
                    str(
                        http.post(
                            "/crm/v3/objects/contacts",
                            json={
                                "properties": {"email": f"u{worker}-{i}@x.io"}
                            },
                        ).json()["id"]
                    )
                    for i in range(10)
                ]

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            ids = [
                i for batch in pool.map(create_ten, range(4)) for i in batch
            ]
    assert len(set(ids)) == 40
    assert len(fake.objects("contacts")) == 40


def test_repr_is_short_and_secret_free(fake: FakeHubSpot) -> None:
    """The repr shows counts only."""
    fake.create("contacts", {"email": "a@example.com"})
    assert repr(fake).startswith("FakeHubSpot(contacts=1,")
