"""One company behind both the httpx transport and a loopback server."""

from __future__ import annotations

import asyncio
import threading

import httpx

from hsqbo.testing import FakeQuickBooks, FaultKind, VirtualClock


def test_server_and_transport_share_state(fake: FakeQuickBooks) -> None:
    """A customer created over loopback HTTP is read through the transport."""
    with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client(
            base_url=f"{base_url}/v3/company/{fake.realm_id}",
            headers={"Authorization": "Bearer t"},
        ) as http:
            created = http.post(
                "/customer",
                params={"minorversion": "75"},
                json={"DisplayName": "Served"},
            )
            assert created.status_code == 200
            assert created.headers["intuit_tid"]
    with httpx.Client(
        transport=fake.transport(), headers={"Authorization": "Bearer t"}
    ) as http:
        read = http.get(
            f"https://q/v3/company/{fake.realm_id}/customer/{created.json()['Customer']['Id']}"
        )
    assert read.json()["Customer"]["DisplayName"] == "Served"


def test_server_serves_token_endpoint_at_intuits_path(
    fake: FakeQuickBooks,
) -> None:
    """POST <base>/oauth2/v1/tokens/bearer works on the loopback server."""
    with fake.serve() as base_url, httpx.Client() as http:
        response = http.post(
            f"{base_url}/oauth2/v1/tokens/bearer",
            data={"grant_type": "refresh_token", "refresh_token": "AB11-x"},
            headers={"Authorization": "Basic Y2lkOnNlY3JldA=="},
        )
    assert response.status_code == 200
    assert response.json()["refresh_token"].startswith("AB11")


def test_server_drops_connections_on_injected_drop(
    fake: FakeQuickBooks,
) -> None:
    """An injected DROP closes the real connection unanswered."""
    fake.faults.fail_next(1, FaultKind.DROP)
    with (
        fake.serve() as base_url,
        httpx.Client(headers={"Authorization": "Bearer t"}) as http,
    ):
        url = f"{base_url}/v3/company/{fake.realm_id}/preferences"
        try:
            http.get(url)
        except httpx.TransportError:
            dropped = True
        else:
            dropped = False
        assert http.get(url).status_code == 200
    assert dropped


def test_async_transport(fake: FakeQuickBooks) -> None:
    """An httpx.AsyncClient on async_transport() reaches the same company."""
    fake.add_customer("Async Co")

    async def read() -> str:
        async with httpx.AsyncClient(
            transport=fake.async_transport(),
            headers={"Authorization": "Bearer t"},
        ) as http:
            response = await http.get(
                f"https://q/v3/company/{fake.realm_id}/query",
                params={"query": "select * from Customer"},
            )
            return str(
                response.json()["QueryResponse"]["Customer"][0]["DisplayName"]
            )

    assert asyncio.run(read()) == "Async Co"


def test_parallel_writes_over_the_server_stay_consistent(
    clock: VirtualClock,
) -> None:
    """Parallel creates get distinct ids and lose no writes."""
    fake = FakeQuickBooks(clock=clock, enforce_quotas=False)
    failures: list[int] = []

    def create(worker: int) -> None:
        with httpx.Client(
            base_url=f"{base_url}/v3/company/{fake.realm_id}",
            headers={"Authorization": "Bearer t"},
        ) as http:
            for number in range(15):
                response = http.post(
                    "/customer", json={"DisplayName": f"W{worker}-{number}"}
                )
                if response.status_code != 200:
                    failures.append(response.status_code)
            # Everyone also races for one name: exactly one may win.
            http.post("/customer", json={"DisplayName": "Contested"})

    with fake.serve() as base_url:
        threads = [
            threading.Thread(target=create, args=(worker,))
            for worker in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    customers = fake.customers()
    assert failures == []
    assert len(customers) == 6 * 15 + 1
    assert len({c["Id"] for c in customers}) == len(customers)
    assert [c["DisplayName"] for c in customers].count("Contested") == 1
