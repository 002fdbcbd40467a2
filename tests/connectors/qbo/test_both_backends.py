"""
The same connector scenarios on both backends: respx fixtures and the fake.

On the respx backend the answer is a JSON fixture shaped like QBO's
documented examples; on the fake it comes from the fake company's state.
The action and the assertions are shared, so the connector's reading of an
answer and the fake's way of giving it are checked against each other.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import httpx
import pytest
import respx

from hsqbo import (
    DuplicateError,
    NotFoundError,
    QueryError,
    RetryPolicy,
    StaleObjectError,
)
from hsqbo.qbo import Customer, QuickBooksClient, select, to_record
from hsqbo.testing import FakeQuickBooks, VirtualClock


BASE = "https://qbo.test"
_READ_ONLY = ("Id", "SyncToken", "MetaData", "domain", "sparse", "time")


@attrs.define
class Backend:
    """A client plus the way this backend is made to hold a customer."""

    client: QuickBooksClient
    seed: Callable[[dict[str, Any]], str]
    """Make the fixture customer exist; return its id."""
    arm: Callable[[str, str, str], None]
    """(method, path, fixture): on respx, answer that path with it."""
    edit_elsewhere: Callable[[str], object]
    """Change a customer as a QBO user would (the fake only)."""


@pytest.fixture(params=["respx", "fake"])
def backend(
    request: pytest.FixtureRequest,
    clock: VirtualClock,
    load_json: Callable[[str], Any],
) -> Iterator[Backend]:
    """The connector on a respx router or on a fake company."""
    retry = RetryPolicy(attempts=2, max_jitter=0.0)
    if request.param == "respx":
        realm = "9341450000123"
        api = f"{BASE}/v3/company/{realm}"
        with respx.mock(
            base_url=BASE, assert_all_called=True, assert_all_mocked=True
        ) as mock:

            def arm(method: str, path: str, fixture: str) -> None:
                body = load_json(fixture)
                status = 400 if "Fault" in body else 200
                mock.route(method=method, url=f"{api}{path}").respond(
                    status, json=body, headers={"intuit_tid": "tid-respx"}
                )

            def seed(customer: dict[str, Any]) -> str:
                return str(customer["Id"])

            with QuickBooksClient(
                realm,
                "access-token-value",
                base_url=BASE,
                clock=clock,
                retry=retry,
            ) as client:
                yield Backend(
                    client=client,
                    seed=seed,
                    arm=arm,
                    edit_elsewhere=lambda _: None,
                )
        return
    fake = FakeQuickBooks(clock=clock)

    def seed_fake(customer: dict[str, Any]) -> str:
        fields = {k: v for k, v in customer.items() if k not in _READ_ONLY}
        return str(fake.create("Customer", fields)["Id"])

    with (
        httpx.Client(transport=fake.transport()) as http,
        QuickBooksClient(
            fake.realm_id,
            "access-token-value",
            base_url=BASE,
            http=http,
            clock=clock,
            retry=retry,
        ) as client,
    ):
        yield Backend(
            client=client,
            seed=seed_fake,
            arm=lambda *_: None,
            edit_elsewhere=lambda customer_id: fake.update(
                "Customer", customer_id, {"Notes": "edited in QBO"}
            ),
        )


@pytest.fixture
def harbor(load_json: Callable[[str], Any]) -> dict[str, Any]:
    """The customer of tests/fixtures/qbo/customer.json."""
    return copy.deepcopy(load_json("customer.json")["Customer"])


def test_get_reads_the_customer_and_its_record(
    backend: Backend, harbor: dict[str, Any]
) -> None:
    """A read gives the typed customer and its dotted-path Record."""
    customer_id = backend.seed(harbor)
    backend.arm("GET", f"/customer/{customer_id}", "customer.json")
    read = backend.client.get(Customer, customer_id)
    assert read.id == customer_id
    assert read.display_name == "Harbor Lane Bakery"
    assert read.primary_email_addr.address == "books@harborlane.example"  # type: ignore[union-attr]
    record = to_record(read)
    assert record.fields["BillAddr.City"] == "Portland"
    assert record.fields["Mobile.FreeFormNumber"] == "(503) 555-0199"
    assert record.version == read.sync_token
    assert record.updated_at.tzinfo is not None


def test_duplicate_name_names_the_existing_object(
    backend: Backend, harbor: dict[str, Any]
) -> None:
    """A second customer with a taken name is a DuplicateError with its Id."""
    existing = backend.seed(harbor)
    backend.arm("POST", "/customer", "errors/duplicate_name.json")
    with pytest.raises(DuplicateError) as caught:
        backend.client.create(Customer(display_name="Harbor Lane Bakery"))
    assert caught.value.existing_id == existing
    assert caught.value.code == "6240"
    assert caught.value.status_code == 400
    assert caught.value.request_id


def test_stale_sync_token_is_a_stale_object_error(
    backend: Backend, harbor: dict[str, Any]
) -> None:
    """An update with an old SyncToken is a StaleObjectError (5010)."""
    customer_id = backend.seed(harbor)
    backend.arm("GET", f"/customer/{customer_id}", "customer.json")
    read = backend.client.get(Customer, customer_id)
    backend.edit_elsewhere(customer_id)
    stale = attrs.evolve(read, notes="mine")
    backend.arm("POST", "/customer", "errors/stale_object.json")
    with pytest.raises(StaleObjectError) as caught:
        backend.client.update(stale, base=read)
    assert caught.value.code == "5010"


def test_missing_object_is_not_found(backend: Backend) -> None:
    """Reading an id that does not exist is a NotFoundError (610)."""
    backend.arm("GET", "/customer/999999", "errors/not_found.json")
    with pytest.raises(NotFoundError) as caught:
        backend.client.get(Customer, "999999")
    assert caught.value.code == "610"


def test_query_on_an_unknown_property_is_a_query_error(
    backend: Backend,
) -> None:
    """A WHERE on a property QBO lacks is a QueryError (4000), not [] ."""
    backend.arm("POST", "/query", "errors/query_parse.json")
    query = select(Customer).where("DisplayNme", "=", "Harbor Lane Bakery")
    with pytest.raises(QueryError) as caught:
        list(backend.client.query(query))
    assert caught.value.code == "4000"
