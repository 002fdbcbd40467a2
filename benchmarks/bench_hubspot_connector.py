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
from collections.abc import Callable

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


def _portal() -> FakeHubSpot:
    return FakeHubSpot(
        ten_second_limit=UNLIMITED,
        search_per_second=UNLIMITED,
        daily_limit=UNLIMITED,
    )


def _timed(fake: FakeHubSpot, job: Callable[[], int], expected: int) -> float:
    """Run *job* once against *fake*; return its wall time in seconds."""
    fake.clear_calls()
    started = time.perf_counter()
    count = job()
    elapsed = time.perf_counter() - started
    if count != expected:
        msg = f"expected {expected} objects, got {count}"
        raise RuntimeError(msg)
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    list_times: dict[str, list[float]] = {name: [] for name in CLIENTS}
    create_times: dict[str, list[float]] = {name: [] for name in CLIENTS}
    list_calls: dict[str, int] = {}
    create_calls: dict[str, int] = {}
    seeded = _portal()
    _seed(seeded, CONTACTS)
    # Clients take turns within each round, so a busy moment of the machine
    # does not fall on one client only.
    with seeded.serve() as base_url:
        for _ in range(args.repeat):
            for name, (list_job, _) in CLIENTS.items():
                job = functools.partial(list_job, base_url)
                list_times[name].append(_timed(seeded, job, CONTACTS))
                list_calls[name] = len(seeded.calls)
    for _ in range(args.repeat):
        for name, (_, create_job) in CLIENTS.items():
            # A fresh, empty portal each time: the fake checks unique
            # values, so a fuller portal would slow later clients down.
            empty = _portal()
            with empty.serve() as base_url:
                job = functools.partial(create_job, base_url, name)
                create_times[name].append(_timed(empty, job, CREATES))
                create_calls[name] = len(empty.calls)
    rows = {
        name: (
            list_calls[name],
            statistics.median(list_times[name]),
            create_calls[name],
            statistics.median(create_times[name]),
        )
        for name in CLIENTS
    }

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
