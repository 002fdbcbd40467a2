"""
The same connector scenarios on both backends: respx fixtures and the fake.

On the respx backend the answer is a JSON fixture shaped like HubSpot's
documented responses; on the fake it comes from the fake portal's state.
The action and the assertions are shared, so the connector's reading of an
answer and the fake's way of giving it are checked against each other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import httpx
import pytest
import respx

from hsqbo import DuplicateError, NotFoundError, RetryPolicy, ValidationError
from hsqbo.hubspot import HubSpotClient, RateLimits
from hsqbo.testing import FakeHubSpot, VirtualClock


BASE = "https://api.hubapi.com"
OBJECTS = "/crm/objects/2026-03/contacts"
ADA = {
    "email": "ada@example.com",
    "firstname": "Ada",
    "lastname": "Lovelace",
    "annualrevenue": "1250000.50",
}
"""The properties of tests/fixtures/hubspot/contact.json the tests read."""


@attrs.define
class Backend:
    """A client plus the way this backend is made to hold a contact."""

    client: HubSpotClient
    seed: Callable[[], str]
    """Make the fixture contact exist; return its id."""
    arm: Callable[[str, str, int, Any], None]
    """(method, path, status, body): on respx, answer that path with it."""


@pytest.fixture(params=["respx", "fake"])
def backend(
    request: pytest.FixtureRequest,
    clock: VirtualClock,
    body: Callable[[str], Any],
) -> Iterator[Backend]:
    """The connector on a respx router or on a fake portal."""
    options: dict[str, Any] = {
        "clock": clock,
        "retry": RetryPolicy(attempts=2, max_jitter=0.0),
        "rate_limits": RateLimits(burst=100),
    }
    if request.param == "respx":
        with (
            respx.mock(
                base_url=BASE, assert_all_called=True, assert_all_mocked=True
            ) as mock,
            HubSpotClient("pat-na1-respx", **options) as client,
        ):

            def arm(method: str, path: str, status: int, answer: Any) -> None:
                mock.route(method=method, path=path).respond(
                    status, json=answer
                )

            yield Backend(
                client=client, seed=lambda: body("contact")["id"], arm=arm
            )
        return
    fake = FakeHubSpot(clock=clock)
    # A default contact property on HubSpot that the fake's defaults lack.
    fake.define_property("contacts", "annualrevenue", type="number")
    with (
        httpx.Client(transport=fake.transport()) as http,
        HubSpotClient("pat-na1-fake", http=http, **options) as client,
    ):
        yield Backend(
            client=client,
            seed=lambda: fake.create("contacts", ADA).id,
            arm=lambda *_: None,
        )


def test_get_reads_the_contact(
    backend: Backend, body: Callable[[str], Any]
) -> None:
    """A read gives the contact's properties and an aware updatedAt."""
    contact_id = backend.seed()
    backend.arm("GET", f"{OBJECTS}/{contact_id}", 200, body("contact"))
    read = backend.client.get("contacts", contact_id, properties=sorted(ADA))
    assert read.id == contact_id
    assert {name: read.properties[name] for name in ADA} == ADA
    assert read.updated_at.tzinfo is not None
    assert read.archived is False


def test_missing_object_is_not_found(
    backend: Backend, body: Callable[[str], Any]
) -> None:
    """Reading an id that does not exist is a NotFoundError (404)."""
    backend.arm("GET", f"{OBJECTS}/999999", 404, body("error_404"))
    with pytest.raises(NotFoundError) as caught:
        backend.client.get("contacts", "999999")
    assert caught.value.status_code == 404
    assert caught.value.request_id


def test_taken_email_is_a_duplicate_naming_the_existing_contact(
    backend: Backend, body: Callable[[str], Any]
) -> None:
    """A second contact with a taken e-mail is a DuplicateError with its id."""
    existing = backend.seed()
    answer = json.loads(
        json.dumps(body("error_409_duplicate")).replace("1001", existing)
    )
    backend.arm("POST", OBJECTS, 409, answer)
    with pytest.raises(DuplicateError) as caught:
        backend.client.create("contacts", {"email": "ada@example.com"})
    assert caught.value.existing_id == existing
    assert caught.value.status_code == 409


def test_bad_values_name_every_bad_property(
    backend: Backend, body: Callable[[str], Any]
) -> None:
    """A bad enum option and a malformed number are both reported."""
    backend.arm("POST", OBJECTS, 400, body("error_400_validation"))
    with pytest.raises(ValidationError) as caught:
        backend.client.create(
            "contacts",
            {"lifecyclestage": "bogus", "annualrevenue": "1,000"},
        )
    assert {(d.field, d.code) for d in caught.value.errors} == {
        ("lifecyclestage", "INVALID_OPTION"),
        ("annualrevenue", "INVALID_INTEGER"),
    }
    assert caught.value.status_code == 400
