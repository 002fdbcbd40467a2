"""
The connector's behaviours, against :class:`~hsqbo.testing.FakeHubSpot`.

The same scenarios run on four backends: the fake as an httpx transport for
the sync client (date-versioned and legacy paths) and for the async client,
and the fake served on loopback for the sync client.
"""

import asyncio
import contextlib
import datetime as dt
import inspect
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest

from hsqbo import (
    AuthenticationError,
    DuplicateError,
    Filter,
    FilterGroup,
    NotFoundError,
    Operator,
    RetryPolicy,
    ServerError,
    ValidationError,
)
from hsqbo.hubspot import (
    Association,
    AssociationTypes,
    AsyncHubSpotClient,
    HubSpotClient,
    NewObject,
    NewProperty,
    OAuthApp,
    OAuthToken,
    PropertyType,
    RateLimits,
)
from hsqbo.testing import FakeHubSpot, FaultKind, VirtualClock


START = dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC)
BACKENDS = ["transport", "transport-v3", "async", "serve"]


async def _collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


class Hub:
    """Call the sync or the async client alike; iterators are drained."""

    def __init__(self, client: Any, runner: asyncio.Runner | None) -> None:
        self.client = client
        self._runner = runner

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            if self._runner is not None:
                if inspect.isawaitable(result):
                    return self._runner.run(result)
                if hasattr(result, "__aiter__"):
                    return self._runner.run(_collect(result))
            if isinstance(result, Iterator):
                return list(result)
            return result

        return call


@contextlib.contextmanager
def _connect(
    backend: str, fake: FakeHubSpot, clock: VirtualClock, **options: Any
) -> Iterator[Hub]:
    options.setdefault("retry", RetryPolicy(attempts=4, max_jitter=0.0))
    options.setdefault("token", "pat-na1-fake")
    token = options.pop("token")
    if backend == "async":
        with asyncio.Runner() as runner:
            http = httpx.AsyncClient(transport=fake.transport())
            client = AsyncHubSpotClient(
                token, http=http, clock=clock, **options
            )
            try:
                yield Hub(client, runner)
            finally:
                runner.run(http.aclose())
        return
    if backend == "serve":
        with (
            fake.serve() as base_url,
            HubSpotClient(
                token, base_url=base_url, clock=clock, **options
            ) as client,
        ):
            yield Hub(client, None)
        return
    version = "v3" if backend == "transport-v3" else "2026-03"
    with (
        httpx.Client(transport=fake.transport()) as http,
        HubSpotClient(
            token, api_version=version, http=http, clock=clock, **options
        ) as client,
    ):
        yield Hub(client, None)


@pytest.fixture
def fake_clock() -> VirtualClock:
    """One virtual clock for the fake and the client."""
    return VirtualClock(START)


@pytest.fixture
def fake(fake_clock: VirtualClock) -> FakeHubSpot:
    """An empty fake portal on the shared clock."""
    return FakeHubSpot(clock=fake_clock)


@pytest.fixture(params=BACKENDS)
def hub(request, fake, fake_clock) -> Iterator[Hub]:
    """A connector client on each backend, wired to the fake."""
    with _connect(request.param, fake, fake_clock) as connected:
        yield connected


def test_crud_round_trip(hub, fake):
    """Create, get, update, read in batch and archive one contact."""
    created = hub.create(
        "contacts", {"email": "ada@example.com", "firstname": "Ada"}
    )
    assert fake.get("contacts", created.id).properties["email"] == (
        "ada@example.com"
    )
    got = hub.get("contacts", created.id, properties=["email", "firstname"])
    assert got.properties["firstname"] == "Ada"
    updated = hub.update("contacts", created.id, {"firstname": "Augusta"})
    assert updated.updated_at >= got.updated_at
    batch = hub.batch_read("contacts", [created.id], properties=["firstname"])
    assert batch.objects[0].properties["firstname"] == "Augusta"
    hub.archive("contacts", created.id)
    with pytest.raises(NotFoundError):
        hub.get("contacts", created.id)
    archived = hub.list("contacts", archived=True)
    assert [o.id for o in archived] == [created.id]
    assert archived[0].archived


def test_list_pages_through_every_object(hub, fake):
    """list() returns every object once, across pages of 100."""
    ids = {
        fake.create("companies", {"name": f"Co {i}"}).id for i in range(230)
    }
    listed = hub.list("companies", properties=["name"])
    assert len(listed) == 230
    assert {o.id for o in listed} == ids
    pages = [c for c in fake.calls if c.path.endswith("/companies")]
    assert len(pages) == 3


def test_search_with_two_groups_is_or_of_and(hub, fake):
    """Two groups find the union; filters within a group all apply."""
    for i in range(12):
        fake.create(
            "contacts",
            {
                "email": f"p{i}@example.com",
                "lifecyclestage": "customer" if i % 3 == 0 else "lead",
                "lastname": f"L{i % 2}",
            },
        )
    groups = [
        FilterGroup(
            [
                Filter("lifecyclestage", Operator.EQ, value="customer"),
                Filter("lastname", Operator.IN, values=("L0",)),
            ]
        ),
        FilterGroup([Filter("email", Operator.EQ, value="p1@example.com")]),
    ]
    found = hub.search("contacts", groups, properties=["email"])
    emails = sorted(o.properties["email"] for o in found)
    assert emails == ["p0@example.com", "p1@example.com", "p6@example.com"]


def test_batch_create_reports_the_bad_input_and_writes_the_rest(hub, fake):
    """A malformed e-mail fails only its own input."""
    result = hub.batch_create(
        "contacts",
        [
            {"email": "a@example.com"},
            {"email": "not an email"},
            NewObject(properties={"email": "c@example.com"}),
        ],
    )
    assert [o.ok for o in result.outcomes] == [True, False, True]
    assert isinstance(result.outcomes[1].error, ValidationError)
    emails = sorted(
        o.properties.get("email") for o in fake.objects("contacts")
    )
    assert emails == ["a@example.com", "c@example.com"]


def test_unique_property_makes_creates_idempotent_upserts(hub, fake):
    """ensure_property + batch_upsert: a second run updates, never twins."""
    definition = hub.ensure_property(
        "contacts",
        NewProperty(
            name="qbo_customer_id",
            label="QuickBooks customer id",
            type=PropertyType.STRING,
            field_type="text",
            group_name="contactinformation",
            has_unique_value=True,
        ),
    )
    assert definition.has_unique_value
    again = hub.ensure_property(
        "contacts",
        NewProperty(
            name="qbo_customer_id",
            label="QuickBooks customer id",
            type=PropertyType.STRING,
            field_type="text",
            group_name="contactinformation",
            has_unique_value=True,
        ),
    )
    assert again.name == definition.name
    values = {
        "58": {"email": "a@example.com"},
        "59": {"email": "b@example.com"},
    }
    first = hub.batch_upsert("contacts", "qbo_customer_id", values)
    second = hub.batch_upsert("contacts", "qbo_customer_id", values)
    assert first.ok
    assert second.ok
    assert [o.created for o in first.outcomes] == [True, True]
    assert [o.created for o in second.outcomes] == [False, False]
    assert [o.object.id for o in first.outcomes] == [
        o.object.id for o in second.outcomes
    ]
    assert len(fake.objects("contacts")) == 2
    with pytest.raises(DuplicateError) as caught:
        hub.create("contacts", {"qbo_customer_id": "58"})
    assert caught.value.existing_id == first.outcomes[0].object.id


def test_invoice_associations_and_primary_company(hub, fake):
    """Invoices link to contact, company and deal; primary company found."""
    company = fake.create("companies", {"name": "Analytical Engines"})
    other = fake.create("companies", {"name": "Difference Ltd"})
    contact = fake.create("contacts", {"email": "ada@example.com"})
    deal = fake.create("deals", {"dealname": "Engine"})
    fake.associate("contacts", contact.id, "companies", other.id)
    fake.associate("contacts", contact.id, "companies", company.id, type_id=1)
    assert hub.primary_company(contact.id) == company.id
    invoice = hub.create(
        "invoices",
        NewObject(
            properties={"hs_currency": "USD"},
            associations=[
                Association(
                    to_id=contact.id,
                    types=(AssociationTypes.INVOICE_TO_CONTACT,),
                )
            ],
        ),
    )
    hub.associate(
        "invoices",
        invoice.id,
        "companies",
        company.id,
        AssociationTypes.INVOICE_TO_COMPANY,
    )
    hub.associate_many(
        "invoices",
        "deals",
        [
            (
                invoice.id,
                Association(
                    to_id=deal.id, types=(AssociationTypes.INVOICE_TO_DEAL,)
                ),
            )
        ],
    )
    contacts = hub.read_associations("invoices", "contacts", [invoice.id])
    companies = hub.read_associations("invoices", "companies", [invoice.id])
    deals = hub.read_associations("invoices", "deals", [invoice.id])
    assert [a.to_id for a in contacts[invoice.id]] == [contact.id]
    assert [a.to_id for a in companies[invoice.id]] == [company.id]
    assert [a.to_id for a in deals[invoice.id]] == [deal.id]
    got = hub.get("contacts", contact.id, associations=["companies"])
    assert got.associations["companies"][0] == company.id


def test_contact_without_company_has_no_primary_company(hub, fake):
    """primary_company() is None for a contact without companies."""
    contact = fake.create("contacts", {"email": "solo@example.com"})
    assert hub.primary_company(contact.id) is None


def test_properties_and_groups_describe_the_portal(hub):
    """Definitions carry types and options; deals have an accounting group."""
    props = {p.name: p for p in hub.list_properties("contacts")}
    assert props["email"].type is PropertyType.STRING
    assert props["lifecyclestage"].type is PropertyType.ENUMERATION
    assert "customer" in {o.value for o in props["lifecyclestage"].options}
    groups = {g.name for g in hub.list_property_groups("deals")}
    assert "accounting" in groups


def test_records_decode_by_the_portal_types(hub, fake):
    """records() decodes numbers, dates and datetimes by the definitions."""
    deal = fake.create(
        "deals",
        {"dealname": "Engine", "amount": "1500.50", "closedate": "2026-03-31"},
    )
    obj = hub.get("deals", deal.id, properties=["amount", "closedate"])
    (record,) = hub.records("deals", [obj])
    assert record.fields["amount"] == Decimal("1500.50")
    closedate = record.fields["closedate"]
    assert closedate in {
        dt.date(2026, 3, 31),
        dt.datetime(2026, 3, 31, tzinfo=dt.UTC),
    }
    assert record.updated_at.tzinfo is dt.UTC


def test_rate_limits_keep_the_fake_from_answering_429(hub, fake, fake_clock):
    """150 reads under a 100/10 s portal wait instead of hitting 429s."""
    contact = fake.create("contacts", {"email": "busy@example.com"})
    for _ in range(150):
        hub.get("contacts", contact.id)
    statuses = {c.status for c in fake.calls}
    assert statuses == {200}
    assert fake_clock.slept >= 10.0


def test_injected_429s_and_5xx_are_retried_for_reads(hub, fake):
    """Faults of the fake are retried away for reads."""
    contact = fake.create("contacts", {"email": "flaky@example.com"})
    fake.faults.fail_next(1, FaultKind.RATE_LIMIT)
    fake.faults.fail_next(1, FaultKind.SERVER_ERROR)
    fake.faults.fail_next(1, FaultKind.TIMEOUT)
    assert hub.get("contacts", contact.id).id == contact.id
    assert [c.fault for c in fake.calls][-4:-1] == [
        FaultKind.RATE_LIMIT,
        FaultKind.SERVER_ERROR,
        FaultKind.TIMEOUT,
    ]


def test_create_after_a_lost_answer_is_not_repeated(hub, fake):
    """A create applied but unanswered is not resent: no twin."""
    fake.faults.fail_next(1, FaultKind.DROP_AFTER_APPLY)
    with pytest.raises(Exception, match="did not answer"):
        hub.create("contacts", {"email": "once@example.com"})
    assert len(fake.objects("contacts")) == 1


def test_upsert_after_a_lost_answer_is_retried_safely(hub, fake):
    """An upsert applied but unanswered is resent without a twin."""
    hub.ensure_property(
        "contacts",
        NewProperty(
            name="qbo_customer_id",
            label="QuickBooks customer id",
            type=PropertyType.STRING,
            field_type="text",
            group_name="contactinformation",
            has_unique_value=True,
        ),
    )
    fake.faults.fail_next(1, FaultKind.DROP_AFTER_APPLY)
    result = hub.batch_upsert(
        "contacts", "qbo_customer_id", {"77": {"email": "up@example.com"}}
    )
    assert result.ok
    assert len(fake.objects("contacts")) == 1


def test_create_is_not_retried_on_server_error(hub, fake):
    """A 5xx on a plain create surfaces as ServerError after one try."""
    fake.faults.fail_next(1, FaultKind.SERVER_ERROR)
    with pytest.raises(ServerError):
        hub.create("contacts", {"email": "x@example.com"})
    assert len([c for c in fake.calls if c.method == "POST"]) == 1


def test_search_walks_past_the_10000_cap(fake, fake_clock):
    """A search matching 10,050 objects returns them all, once each."""
    for i in range(10_050):
        fake.create("products", {"name": f"P{i}", "price": str(i % 7)})
    groups = [FilterGroup([Filter("price", Operator.GTE, value=0)])]
    with _connect("transport", fake, fake_clock) as connected:
        found = connected.search("products", groups)
    ids = [int(o.id) for o in found]
    assert len(ids) == 10_050
    assert ids == sorted(set(ids))


def test_oauth_tokens_are_refreshed_at_the_fakes_token_endpoint(
    fake_clock,
):
    """In strict mode the fake only accepts the refreshed token."""
    fake = FakeHubSpot(clock=fake_clock, strict_tokens=True)
    fake.register_app("client-1", "s-1")
    issued = fake.issue_tokens()
    contact = fake.create("contacts", {"email": "o@example.com"})
    seen: list[OAuthToken] = [
        OAuthToken(
            access_token=issued.access_token,
            refresh_token=issued.refresh_token,
            expires_at=fake_clock.now(),
        )
    ]
    for backend in ("transport", "async", "serve"):
        # Start each client from the last token, expired: it must refresh
        # (with the refresh token the previous refresh rotated in).
        stale = attrs.evolve(seen[-1], expires_at=fake_clock.now())
        with _connect(
            backend,
            fake,
            fake_clock,
            token=stale,
            oauth_app=OAuthApp(client_id="client-1", client_secret="s-1"),  # noqa: S106
            on_token_refresh=seen.append,
        ) as connected:
            assert connected.get("contacts", contact.id).id == contact.id
    assert len(seen) == 4
    assert len({t.access_token for t in seen}) == 4
    with (
        _connect(
            "transport",
            fake,
            fake_clock,
            token="pat-na1-unknown",  # noqa: S106
        ) as connected,
        pytest.raises(AuthenticationError),
    ):
        connected.get("contacts", contact.id)


def test_rate_limits_follow_the_portal_tier(fake_clock):
    """A Professional portal (190/10 s) is used up to its quota."""
    fake = FakeHubSpot(clock=fake_clock, ten_second_limit=190)
    contact = fake.create("contacts", {"email": "pro@example.com"})
    with _connect(
        "transport",
        fake,
        fake_clock,
        rate_limits=RateLimits.for_tier("professional"),
    ) as connected:
        for _ in range(190):
            connected.get("contacts", contact.id)
    assert fake_clock.slept == 0
    assert {c.status for c in fake.calls} == {200}
