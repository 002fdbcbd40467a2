"""A first sync of a seeded portal and company; a second run writes nothing."""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Iterator

import attrs
import pytest
from world import (
    SETUP_AT,
    Seeded,
    World,
    config,
    hubspot_writes,
    qbo_writes,
    seed,
    sqlite_store,
    world,
)

from hsqbo import Direction, Side
from hsqbo._report import Outcome
from hsqbo._state import MemoryStore, StateStore, Status


@pytest.fixture
def w() -> Iterator[World]:
    """Fresh fakes and clients."""
    made = world()
    yield made
    made.close()


@pytest.fixture(params=["memory", "sqlite"])
def store(
    request: pytest.FixtureRequest, w: World, tmp_path: pathlib.Path
) -> Iterator[StateStore]:
    """Every store the engine must work with."""
    if request.param == "memory":
        yield MemoryStore()
        return
    made = sqlite_store(str(tmp_path / "state.db"), w.clock)
    yield made
    made.close()


def _customers_by_name(w: World) -> dict[str, dict[str, object]]:
    return {c["DisplayName"]: c for c in w.qbo_fake.customers()}


def test_first_sync_gives_the_seeds_results(
    w: World, store: StateStore
) -> None:
    """Display names, name errors, links not twins, invoices on the company."""
    s: Seeded = seed(w)
    report = w.sync(store).run()

    customers = _customers_by_name(w)
    # Alice is Acme's first contact: the customer gets the company's name.
    assert customers["Acme Ltd"]["PrimaryEmailAddr"] == {
        "Address": "alice@acme.example"
    }
    assert customers["Acme Ltd"]["CompanyName"] == "Acme Ltd"
    # Carol has no company: first + last name.
    assert "Carol Cole" in customers
    # Dave matched the existing customer by e-mail: no twin.
    assert (
        sum(1 for n in customers if n.startswith("Dave") or n == "Globex") == 1
    )
    # Bob (Acme's second contact) fails with the duplicate-name error; Ivan
    # hits QBO's own 6240 (a vendor holds "Initech").
    codes = {(p.id, p.code) for p in report.errors}
    assert (s.bob, "DUPLICATE_DISPLAY_NAME") in codes
    assert (s.ivan, "6240") in codes
    assert "Initech" not in customers
    assert len(customers) == 4  # Dave, Erin, Acme Ltd, Carol Cole

    # Erin (QBO only) became a HubSpot contact; products came over.
    contacts = {
        o.properties.get("email"): o
        for o in w.hubspot_fake.objects("contacts")
    }
    assert "erin@eads.example" in contacts
    assert len(contacts) == 6
    products = {
        o.properties.get("name") for o in w.hubspot_fake.objects("products")
    }
    assert products == {"Widget", "Gadget"}

    # Invoices after set-up only (the filter is pushed down into QBO's
    # query), with lines, contact and primary company.
    assert [
        c.query
        for c in w.qbo_fake.calls
        if c.query and "FROM Invoice" in c.query
    ] == [
        (
            "SELECT * FROM Invoice WHERE MetaData.CreateTime > "
            "'2026-03-01T12:00:00+00:00' STARTPOSITION 1 MAXRESULTS 1000"
        )
    ]
    invoices = {
        o.properties.get("hs_number"): o
        for o in w.hubspot_fake.objects("invoices")
    }
    assert set(invoices) == {"INV-1", "INV-2"}
    inv1 = invoices["INV-1"]
    assert [
        a.to_id
        for a in w.hubspot_fake.associations("invoices", inv1.id, "contacts")
    ] == [s.dave_contact]
    assert [
        a.to_id
        for a in w.hubspot_fake.associations("invoices", inv1.id, "companies")
    ] == [s.globex]
    # The mapped invoice custom field reached the custom HubSpot property.
    assert inv1.properties.get("po_number") == "PO-77"
    inv2 = invoices["INV-2"]
    assert w.hubspot_fake.associations("invoices", inv2.id, "companies") == ()
    erin_id = contacts["erin@eads.example"].id
    assert [
        a.to_id
        for a in w.hubspot_fake.associations("invoices", inv2.id, "contacts")
    ] == [erin_id]
    assert (
        len(w.hubspot_fake.associations("invoices", inv1.id, "line_items"))
        == 2
    )
    assert inv2.properties.get("hs_balance_due") in {"197", "197.00"}

    # The report and the store agree on outcomes.
    assert report.count(Outcome.CREATED, "contacts") == 3  # Acme, Carol, Erin
    assert report.count(Outcome.LINKED, "contacts") == 1
    state = store.load(w.sync(store).effective_config()).object("contacts")
    row = state.records[(Side.HUBSPOT, "contacts", s.bob)]
    assert row.status is Status.ERROR
    assert row.code == "DUPLICATE_DISPLAY_NAME"
    ivan = state.records[(Side.HUBSPOT, "contacts", s.ivan)]
    assert (ivan.status, ivan.code) == (Status.ERROR, "6240")
    # The notes of the QBO creates sent are gone once their results are in.
    assert sorted(state.cursors) == ["hubspot", "qbo"]


def test_second_run_writes_nothing(w: World, store: StateStore) -> None:
    """After a first sync, the next run makes zero write calls anywhere."""
    seed(w)
    w.sync(store).run()
    w.later()
    hs_mark, qb_mark = len(w.hubspot_fake.calls), len(w.qbo_fake.calls)
    report = w.sync(store).run()
    assert hubspot_writes(w.hubspot_fake, hs_mark) == []
    assert qbo_writes(w.qbo_fake, qb_mark) == []
    assert report.count(Outcome.CREATED) == 0
    assert report.count(Outcome.UPDATED) == 0


def test_one_way_hubspot_filter_is_pushed_down(w: World) -> None:
    """A HubSpot → QBO object reads only the contacts its filter passes."""
    base = config()
    cfg = attrs.evolve(
        base,
        objects=tuple(
            attrs.evolve(o, direction=Direction.HUBSPOT_TO_QBO)
            for o in base.objects
            if o.name == "contacts"
        ),
    )
    w.hubspot_fake.create(
        "contacts",
        {"email": "old@example.com", "firstname": "Old", "lastname": "Timer"},
        created_at=SETUP_AT - dt.timedelta(days=30),
    )
    w.hubspot_fake.create(
        "contacts",
        {"email": "new@example.com", "firstname": "New", "lastname": "Comer"},
    )
    w.later()
    report = w.sync(MemoryStore(), cfg).run()
    searches = [
        c.body
        for c in w.hubspot_fake.calls
        if c.path.endswith("/contacts/search")
    ]
    assert len(searches) == 1
    assert searches[0]["filterGroups"][0]["filters"][0]["propertyName"] == (
        "createdate"
    )
    assert not any(
        c.path.endswith("/objects/2026-03/contacts")
        for c in w.hubspot_fake.calls
    )
    assert {c["DisplayName"] for c in w.qbo_fake.customers()} == {"New Comer"}
    assert report.count(Outcome.CREATED, "contacts") == 1
    assert report.count(Outcome.SKIPPED, "contacts") == 0
