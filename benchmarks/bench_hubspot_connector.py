"""
Benchmark the HubSpot connector against HubSpot's two official clients.

One run, one fake portal served on loopback (``FakeHubSpot().serve()``):

* list 10,000 contacts (with the ``email`` property), and
* batch-create 1,000 contacts,

through hsqbo's :class:`~hsqbo.hubspot.HubSpotClient`, ``hubspot-sdk``
(date-versioned paths) and ``hubspot-api-client`` (``/crm/v3`` paths).
Prints the HTTP calls each made (as the fake counted them), the median
wall time of ``--repeat`` runs, and the ratios to hsqbo.

The portal's rate limits are lifted (and hsqbo's client-side limiter set to
match), so the figures measure the clients, not HubSpot's quota: against
a real portal every client would also wait out the ten-second window.

Run with ``nox -s bench`` or ``python benchmarks/bench_hubspot_connector.py``.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable, Iterator

import hubspot
import hubspot_sdk
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputForCreate,
)

from hsqbo.hubspot import HubSpotClient, RateLimits
from hsqbo.testing import FakeHubSpot


TOKEN = "pat-na1-benchmark"  # noqa: S105 - the fake accepts any token
CONTACTS = 10_000
CREATES = 1_000
BATCH = 100
UNLIMITED = 10_000_000


def _seed(fake: FakeHubSpot, count: int) -> None:
    for i in range(count):
        fake.create("contacts", {"email": f"seed{i}@example.com"})


def _inputs(prefix: str) -> list[dict[str, str]]:
    return [
        {"email": f"{prefix}-{i}@example.com", "firstname": f"N{i}"}
        for i in range(CREATES)
    ]


# -- the three clients, doing the same two jobs ------------------------------


def hsqbo_list(base_url: str) -> int:
    """List every contact through hsqbo's lazy iterator."""
    with HubSpotClient(
        TOKEN,
        base_url=base_url,
        rate_limits=RateLimits(burst=UNLIMITED, search_per_second=UNLIMITED),
    ) as hub:
        return sum(1 for _ in hub.list("contacts", properties=["email"]))


def hsqbo_create(base_url: str, prefix: str) -> int:
    """Batch-create through hsqbo (it chunks to 100 itself)."""
    with HubSpotClient(
        TOKEN,
        base_url=base_url,
        rate_limits=RateLimits(burst=UNLIMITED, search_per_second=UNLIMITED),
    ) as hub:
        result = hub.batch_create("contacts", _inputs(prefix))
        result.raise_for_errors()
        return len(result.objects)


def sdk_list(base_url: str) -> int:
    """List every contact through hubspot-sdk's auto-paging iterator."""
    with hubspot_sdk.HubSpot(access_token=TOKEN, base_url=base_url) as hub:
        page = hub.crm.objects.contacts.list(limit=100, properties=["email"])
        return sum(1 for _ in page)


def sdk_create(base_url: str, prefix: str) -> int:
    """Batch-create through hubspot-sdk, chunking to 100 by hand."""
    inputs = _inputs(prefix)
    created = 0
    with hubspot_sdk.HubSpot(access_token=TOKEN, base_url=base_url) as hub:
        for start in range(0, len(inputs), BATCH):
            chunk = inputs[start : start + BATCH]
            response = hub.crm.objects.contacts.batch.create(
                inputs=[{"properties": p, "associations": []} for p in chunk]
            )
            created += len(response.results)
    return created


def api_client_list(base_url: str) -> int:
    """List every contact with hubspot-api-client's get_all (eager)."""
    hub = hubspot.HubSpot(access_token=TOKEN, host=base_url)
    return len(hub.crm.contacts.get_all(properties=["email"]))


def api_client_create(base_url: str, prefix: str) -> int:
    """Batch-create with hubspot-api-client, chunking to 100 by hand."""
    hub = hubspot.HubSpot(access_token=TOKEN, host=base_url)
    inputs = _inputs(prefix)
    created = 0
    for start in range(0, len(inputs), BATCH):
        batch = BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(
                    properties=p, associations=[]
                )
                for p in inputs[start : start + BATCH]
            ]
        )
        response = hub.crm.contacts.batch_api.create(
            batch_input_simple_public_object_batch_input_for_create=batch
        )
        created += len(response.results)
    return created


CLIENTS: dict[str, tuple[Callable[[str], int], Callable[[str, str], int]]] = {
    "hsqbo": (hsqbo_list, hsqbo_create),
    "hubspot-sdk": (sdk_list, sdk_create),
    "hubspot-api-client": (api_client_list, api_client_create),
}


def _create_next(
    job: Callable[[str, str], int], base_url: str, prefixes: Iterator[str]
) -> int:
    """Create with the next unused e-mail prefix (e-mails are unique)."""
    return job(base_url, next(prefixes))


def _measure(
    fake: FakeHubSpot, job: Callable[[], int], expected: int, repeat: int
) -> tuple[int, float]:
    """Run *job* *repeat* times; return its calls and median seconds."""
    times: list[float] = []
    calls = 0
    for _ in range(repeat):
        fake.clear_calls()
        started = time.perf_counter()
        count = job()
        times.append(time.perf_counter() - started)
        calls = len(fake.calls)
        if count != expected:
            msg = f"expected {expected} objects, got {count}"
            raise RuntimeError(msg)
    return calls, statistics.median(times)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    fake = FakeHubSpot(
        ten_second_limit=UNLIMITED,
        search_per_second=UNLIMITED,
        daily_limit=UNLIMITED,
    )
    _seed(fake, CONTACTS)
    rows: dict[str, tuple[int, float, int, float]] = {}
    with fake.serve() as base_url:
        # Every listing first, while the portal holds exactly the seed.
        for name, (list_job, _) in CLIENTS.items():
            list_calls, list_time = _measure(
                fake,
                functools.partial(list_job, base_url),
                CONTACTS,
                args.repeat,
            )
            rows[name] = (list_calls, list_time, 0, 0.0)
        for name, (_, create_job) in CLIENTS.items():
            prefixes = iter(f"{name}-{run}" for run in range(args.repeat))
            create_calls, create_time = _measure(
                fake,
                functools.partial(
                    _create_next, create_job, base_url, prefixes
                ),
                CREATES,
                args.repeat,
            )
            list_calls, list_time, _, _ = rows[name]
            rows[name] = (list_calls, list_time, create_calls, create_time)

    base = rows["hsqbo"]
    print(
        f"HubSpot connector benchmark: list {CONTACTS:,} contacts, "
        f"batch-create {CREATES:,}; FakeHubSpot on loopback; "
        f"median of {args.repeat}"
    )
    header = (
        f"{'client':<20} {'list calls':>10} {'list s':>8} {'x hsqbo':>8} "
        f"{'create calls':>12} {'create s':>9} {'x hsqbo':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, (lc, lt, cc, ct) in rows.items():
        print(
            f"{name:<20} {lc:>10} {lt:>8.3f} {lt / base[1]:>8.2f} "
            f"{cc:>12} {ct:>9.3f} {ct / base[3]:>8.2f}"
        )


if __name__ == "__main__":
    main()
