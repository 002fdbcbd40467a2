"""
Benchmark: hsqbo's QBO connector against python-quickbooks, on one fake.

Both clients talk over loopback HTTP to the same ``FakeQuickBooks().serve()``
company seeded with 10,000 customers. Each reads every customer, then
creates 1,000 new ones, written the way each library's users write it:

* hsqbo: ``client.query(Customer)`` (lazy, 1000 rows a page) and
  ``client.batch(...)`` (30 creates a request, within QBO's quotas);
* python-quickbooks: ``Customer.all(start_position=..., max_results=1000)``
  in a loop (its largest page), then ``Customer.save()`` per customer (its
  documented way), and, as a second run, its ``batch_create`` helper.

The fake does not enforce quotas here: 1,000 single saves would draw 429s
from QBO within the minute, which python-quickbooks does not handle, and
the point is the client's cost. Calls are counted by the fake.

Run it with ``nox -s bench`` or ``python benchmarks/bench_qbo_connector.py``.
"""

# ruff: noqa: S106
# Tokens and client secrets here are made up.

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from typing import Any

from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.objects.customer import Customer as PqCustomer

from hsqbo.qbo import BatchItem, Customer, QuickBooksClient
from hsqbo.testing import FakeQuickBooks


CUSTOMERS = 10_000
CREATES = 1_000
READ_ROUNDS = 3


def _measure(
    fake: FakeQuickBooks, work: Callable[[], int]
) -> tuple[int, float, int]:
    """Run *work*; return (calls made, wall seconds, objects handled)."""
    before = len(fake.calls)
    start = time.perf_counter()
    handled = work()
    elapsed = time.perf_counter() - start
    return len(fake.calls) - before, elapsed, handled


def _python_quickbooks(fake: FakeQuickBooks, base_url: str) -> Any:  # noqa: ANN401 - untyped peer
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback
    auth = AuthClient(
        client_id="bench-client",
        client_secret="bench-secret",
        redirect_uri="http://localhost/callback",
        environment=f"{base_url}/.well-known/openid_configuration",
        refresh_token="bench-refresh",
    )
    qb = QuickBooks(
        auth_client=auth,
        refresh_token="bench-refresh",
        company_id=fake.realm_id,
        minorversion=75,
    )
    qb.api_url_v3 = f"{base_url}/v3"
    return qb


def _row(name: str, calls: int, seconds: float, handled: int) -> str:
    return (
        f"  {name:<44} {calls:>6} calls {seconds:>8.2f} s  ({handled} objects)"
    )


def _hsqbo_read(client: QuickBooksClient) -> int:
    return sum(1 for _ in client.query(Customer))


def _pq_read(qb: Any) -> int:  # noqa: ANN401 - untyped peer
    total, start = 0, 1
    while True:
        page = PqCustomer.all(start_position=start, max_results=1000, qb=qb)
        total += len(page)
        if len(page) < 1000:
            return total
        start += 1000


def _hsqbo_create(client: QuickBooksClient) -> int:
    results = client.batch(
        [
            BatchItem.create(Customer(display_name=f"hsqbo new {n}"))
            for n in range(CREATES)
        ]
    )
    return sum(r.ok for r in results)


def _pq_customer(name: str) -> Any:  # noqa: ANN401 - untyped peer
    customer = PqCustomer()
    customer.DisplayName = name
    return customer


def _pq_save(qb: Any) -> int:  # noqa: ANN401 - untyped peer
    for n in range(CREATES):
        _pq_customer(f"pq new {n}").save(qb=qb)
    return CREATES


def _pq_batch(qb: Any) -> int:  # noqa: ANN401 - untyped peer
    customers = [_pq_customer(f"pq batch {n}") for n in range(CREATES)]
    return len(batch_create(customers, qb=qb).successes)


def main() -> None:
    """Seed, run every scenario once, print calls, times and ratios."""
    warnings.simplefilter("ignore", DeprecationWarning)
    fake = FakeQuickBooks(enforce_quotas=False)
    print(f"seeding {CUSTOMERS} customers ...")
    for number in range(CUSTOMERS):
        fake.add_customer(f"Seeded customer {number:05d}")

    with fake.serve() as base_url:
        token = fake.issue_tokens()[0]
        qb = _python_quickbooks(fake, base_url)
        with QuickBooksClient(
            fake.realm_id, token, base_url=base_url
        ) as client:
            # One unmeasured read each first: the first read in a process
            # pays the allocator's and the server's warm-up, and whoever
            # went first paid it alone. Then the best of three, alternating.
            _hsqbo_read(client)
            _pq_read(qb)
            reads_h, reads_p = [], []
            for _ in range(READ_ROUNDS):
                reads_h.append(_measure(fake, lambda: _hsqbo_read(client)))
                reads_p.append(_measure(fake, lambda: _pq_read(qb)))
            read_h = min(reads_h, key=lambda r: r[1])
            read_p = min(reads_p, key=lambda r: r[1])
            create_h = _measure(fake, lambda: _hsqbo_create(client))
            save_p = _measure(fake, lambda: _pq_save(qb))
            batch_p = _measure(fake, lambda: _pq_batch(qb))

    print(
        f"read {CUSTOMERS} customers (best of {READ_ROUNDS}, after a warm-up "
        f"read each), create {CREATES} (loopback fake):"
    )
    print(_row("hsqbo query()", *read_h))
    print(_row("python-quickbooks Customer.all() pages", *read_p))
    print(_row("hsqbo batch() creates", *create_h))
    print(_row("python-quickbooks save() per customer", *save_p))
    print(_row("python-quickbooks batch_create()", *batch_p))
    h_calls = read_h[0] + create_h[0]
    h_time = read_h[1] + create_h[1]
    for label, create in (
        ("save() per customer", save_p),
        ("batch_create()", batch_p),
    ):
        p_calls = read_p[0] + create[0]
        p_time = read_p[1] + create[1]
        print(
            f"total vs python-quickbooks with {label}: hsqbo {h_calls} calls "
            f"{h_time:.2f} s, python-quickbooks {p_calls} calls "
            f"{p_time:.2f} s; calls ratio {p_calls / h_calls:.1f}x, "
            f"time ratio {p_time / h_time:.2f}x"
        )


if __name__ == "__main__":
    main()
