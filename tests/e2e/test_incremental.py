"""Incremental runs: edits, conflicts, stale writes, saved plans, switches."""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Iterator

import pytest
from world import (
    Seeded,
    World,
    hubspot_writes,
    qbo_writes,
    seed,
    sqlite_store,
    world,
)

from hsqbo import (
    ConflictPolicy,
    MemoryStore,
    Outcome,
    Side,
    StateStore,
    Status,
)
from hsqbo._plan import Plan
from hsqbo.testing import FaultKind


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


def _synced(w: World, store: StateStore) -> Seeded:
    s = seed(w)
    w.sync(store).run()
    w.later()
    w.sync(store).run()  # reads the first run's own writes once
    w.later()
    return s


def _customer(w: World, email: str) -> dict[str, object]:
    found = [
        c
        for c in w.qbo_fake.customers()
        if (c.get("PrimaryEmailAddr") or {}).get("Address") == email
    ]
    assert len(found) == 1
    return found[0]


def _contact(w: World, email: str) -> object:
    found = [
        o
        for o in w.hubspot_fake.objects("contacts")
        if o.properties.get("email") == email
    ]
    assert len(found) == 1
    return found[0]


def test_edits_reach_the_other_side(w: World, store: StateStore) -> None:
    """A HubSpot edit reaches QBO and a QBO edit reaches HubSpot next run."""
    s = _synced(w, store)
    w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
    erin = _customer(w, "erin@eads.example")
    w.qbo_fake.update("Customer", str(erin["Id"]), {"FamilyName": "Eades"})
    w.later()
    report = w.sync(store).run()
    assert report.count(Outcome.UPDATED, "contacts") == 2
    carol = _customer(w, "carol@home.example")
    assert carol["BillAddr"]["City"] == "Leeds"  # type: ignore[index]
    contact = _contact(w, "erin@eads.example")
    assert contact.properties["lastname"] == "Eades"  # type: ignore[attr-defined]
    w.later()
    hs_mark, qb_mark = len(w.hubspot_fake.calls), len(w.qbo_fake.calls)
    w.sync(store).run()
    w.later()
    w.sync(store).run()
    assert hubspot_writes(w.hubspot_fake, hs_mark) == []
    assert qbo_writes(w.qbo_fake, qb_mark) == []


def test_both_sides_edit_follows_policy(w: World, store: StateStore) -> None:
    """A field edited on both sides is a conflict: the later edit wins."""
    s = _synced(w, store)
    w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
    w.later(1)
    carol = _customer(w, "carol@home.example")
    w.qbo_fake.update(
        "Customer", str(carol["Id"]), {"BillAddr": {"City": "York"}}
    )
    w.later()
    sync = w.sync(store)
    plan = sync.plan()
    assert [
        (c.field, c.winner.value if c.winner else None, c.policy)
        for c in plan.conflicts
    ] == [("city=BillAddr.City", "qbo", ConflictPolicy.MOST_RECENT)]
    report = sync.apply(plan)
    assert report.count(Outcome.CONFLICT, "contacts") == 1
    contact = w.hubspot_fake.get("contacts", s.carol)
    assert contact.properties["city"] == "York"
    assert _customer(w, "carol@home.example")["BillAddr"]["City"] == "York"  # type: ignore[index]


def test_stale_hubspot_write_is_not_applied(
    w: World, store: StateStore
) -> None:
    """A HubSpot record edited between plan and apply is not overwritten."""
    _synced(w, store)
    erin = _customer(w, "erin@eads.example")
    w.qbo_fake.update("Customer", str(erin["Id"]), {"FamilyName": "Eades"})
    w.later()
    sync = w.sync(store)
    plan = sync.plan()
    contact = _contact(w, "erin@eads.example")
    w.clock.advance(1)
    w.hubspot_fake.update(
        "contacts",
        contact.id,  # type: ignore[attr-defined]
        {"lastname": "Edited-In-HubSpot"},
    )
    report = sync.apply(plan)
    assert [(p.kind, p.outcome) for p in report.problems] == [
        ("update", Outcome.STALE)
    ]
    fresh = w.hubspot_fake.get("contacts", contact.id)  # type: ignore[attr-defined]
    assert fresh.properties["lastname"] == "Edited-In-HubSpot"
    # The next run plans again from fresh data: a conflict, decided.
    w.later()
    again = w.sync(store).run()
    assert again.count(Outcome.CONFLICT, "contacts") == 1
    assert not again.problems


def test_stale_qbo_write_is_not_applied(w: World, store: StateStore) -> None:
    """A QBO record edited between plan and apply keeps its edit (5010)."""
    s = _synced(w, store)
    w.hubspot_fake.update("contacts", s.carol, {"lastname": "Cole-Smith"})
    w.later()
    sync = w.sync(store)
    plan = sync.plan()
    carol = _customer(w, "carol@home.example")
    w.qbo_fake.update("Customer", str(carol["Id"]), {"Notes": "VIP"})
    report = sync.apply(plan)
    assert [(p.kind, p.outcome) for p in report.problems] == [
        ("update", Outcome.STALE)
    ]
    assert _customer(w, "carol@home.example")["FamilyName"] == "Cole"
    w.later()
    w.sync(store).run()
    assert _customer(w, "carol@home.example")["FamilyName"] == "Cole-Smith"


def test_saved_plan_applies_later_and_only_once(
    w: World, store: StateStore
) -> None:
    """A saved plan applies; applied again, its done operations are skipped."""
    seed(w)
    saved = w.sync(store).plan().to_dict()
    first = w.sync(store).apply(Plan.from_dict(saved))
    customers = len(w.qbo_fake.customers())
    contacts = len(w.hubspot_fake.objects("contacts"))
    assert first.count(Outcome.CREATED) > 0
    again = w.sync(store).apply(Plan.from_dict(saved))
    assert again.count(Outcome.CREATED) == 0
    assert again.count(Outcome.STALE) >= first.count(
        Outcome.CREATED, "contacts"
    )
    assert len(w.qbo_fake.customers()) == customers
    assert len(w.hubspot_fake.objects("contacts")) == contacts


def test_saved_plan_skips_what_went_stale_and_applies_the_rest(
    w: World, store: StateStore
) -> None:
    """A saved plan applied later: a stale update is skipped, the rest goes."""
    s = _synced(w, store)
    w.hubspot_fake.update("contacts", s.carol, {"lastname": "Cole-Smith"})
    erin = _customer(w, "erin@eads.example")
    w.qbo_fake.update("Customer", str(erin["Id"]), {"FamilyName": "Eades"})
    w.later()
    saved = w.sync(store).plan().to_dict()
    # After saving, a bookkeeper edits Carol's customer: the update planned
    # against its old SyncToken must not overwrite it.
    carol = _customer(w, "carol@home.example")
    w.qbo_fake.update("Customer", str(carol["Id"]), {"Notes": "VIP"})
    w.later()
    report = w.sync(store).apply(Plan.from_dict(saved))
    assert [(p.kind, p.side, p.outcome) for p in report.problems] == [
        ("update", Side.QBO, Outcome.STALE)
    ]
    assert report.count(Outcome.UPDATED, "contacts") == 1
    assert _contact(w, "erin@eads.example").properties["lastname"] == "Eades"  # type: ignore[attr-defined]
    carol = _customer(w, "carol@home.example")
    assert (carol["FamilyName"], carol["Notes"]) == ("Cole", "VIP")
    # The next run plans Carol again from fresh data; both edits survive.
    w.sync(store).run()
    carol = _customer(w, "carol@home.example")
    assert (carol["FamilyName"], carol["Notes"]) == ("Cole-Smith", "VIP")


def _cursors(w: World, store: StateStore) -> dict[str, dict[str, str]]:
    state = store.load(w.sync(store).effective_config())
    return {name: dict(o.cursors) for name, o in state.objects.items()}


def test_cursors_advance_only_once_the_changes_are_committed(
    w: World, store: StateStore
) -> None:
    """Planning moves no cursor; a write failing for now keeps them too."""
    s = _synced(w, store)
    w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
    w.later()
    before = _cursors(w, store)
    sync = w.sync(store)
    plan = sync.plan()
    assert _cursors(w, store) == before
    # QBO is down past every retry when the update is sent.
    w.qbo_fake.faults.fail_next(50, FaultKind.UNAVAILABLE)
    report = sync.apply(plan)
    w.qbo_fake.faults.clear()
    assert [(p.kind, p.code) for p in report.problems] == [
        ("update", "TRANSIENT")
    ]
    # Only the object sync with the failed write keeps its cursors.
    held = _cursors(w, store)
    assert held["contacts"] == before["contacts"]
    assert held["products"]["qbo"] > before["products"]["qbo"]
    w.later()
    report = w.sync(store).run()
    assert not report.problems
    assert _customer(w, "carol@home.example")["BillAddr"]["City"] == "Leeds"  # type: ignore[index]
    after = _cursors(w, store)
    assert after["contacts"]["qbo"] > before["contacts"]["qbo"]
    assert after["contacts"]["hubspot"] > before["contacts"]["hubspot"]


def test_incremental_reads_start_five_minutes_before_the_cursors(
    w: World, store: StateStore
) -> None:
    """HubSpot search and QBO CDC overlap the last run by five minutes."""
    _synced(w, store)
    cursors = _cursors(w, store)["contacts"]
    hs_mark, qb_mark = len(w.hubspot_fake.calls), len(w.qbo_fake.calls)
    w.sync(store).run()
    overlap = dt.timedelta(minutes=5)
    searched = [
        c.body["filterGroups"][0]["filters"][0]
        for c in w.hubspot_fake.calls[hs_mark:]
        if c.path.endswith("/contacts/search")
    ]
    since = dt.datetime.fromisoformat(cursors["hubspot"]) - overlap
    assert searched == [
        {
            "propertyName": "hs_lastmodifieddate",
            "operator": "GTE",
            "value": str(int(since.timestamp() * 1000)),
        }
    ]
    (cdc,) = [
        c for c in list(w.qbo_fake.calls)[qb_mark:] if c.resource == "cdc"
    ]
    assert dt.datetime.fromisoformat(cdc.params["changedSince"]) == (
        dt.datetime.fromisoformat(cursors["qbo"]) - overlap
    )


def test_enable_disable_delete(w: World, store: StateStore) -> None:
    """Disabled objects sync nothing; the switch persists; delete forgets."""
    seed(w)
    sync = w.sync(store)
    sync.disable("invoices")
    assert not w.sync(store).enabled("invoices")
    sync.run()
    assert w.hubspot_fake.objects("invoices") == ()
    w.sync(store).enable("invoices")
    w.later()
    w.sync(store).run()
    assert len(w.hubspot_fake.objects("invoices")) == 2
    w.sync(store).delete("products")
    assert not w.sync(store).enabled("products")
    assert (
        store.load(w.sync(store).effective_config()).object("products").links
        == {}
    )


def test_new_record_links_to_an_unchanged_match(
    w: World, store: StateStore
) -> None:
    """A record new since the last run is linked to its match, not copied."""
    s = _synced(w, store)
    # Bob failed on the first sync (Acme's name was taken); a bookkeeper
    # now adds him to QBO by hand.
    w.qbo_fake.add_customer(
        "Bob Burns (Acme)",
        email="bob@acme.example",
        given_name="Bob",
        family_name="Burns",
    )
    w.later()
    contacts = len(w.hubspot_fake.objects("contacts"))
    report = w.sync(store).run()
    assert report.count(Outcome.LINKED, "contacts") == 1
    assert len(w.hubspot_fake.objects("contacts")) == contacts
    links = store.load(w.sync(store).effective_config()).object("contacts")
    assert s.bob in links.links
    # His row no longer shows the first sync's duplicate-name error.
    row = links.records[(Side.HUBSPOT, "contacts", s.bob)]
    assert (row.status, row.code, row.message) == (Status.SYNCED, None, "")


def test_payment_updates_the_hubspot_invoice(
    w: World, store: StateStore
) -> None:
    """A payment received in QBO reaches the synced HubSpot invoice."""
    s = _synced(w, store)
    w.qbo_fake.add_payment(
        s.dave_customer, "124", applied={s.dave_invoice: "124"}
    )
    w.later()
    report = w.sync(store).run()
    assert report.count(Outcome.UPDATED, "invoices") == 1
    invoice = next(
        o
        for o in w.hubspot_fake.objects("invoices")
        if o.properties.get("hs_number") == "INV-1"
    )
    assert invoice.properties["hs_balance_due"] in {"0", "0.00"}
    assert invoice.properties["hs_invoice_status"] == "paid"


def test_changed_invoice_line_updates_its_line_item(
    w: World, store: StateStore
) -> None:
    """A QBO line's new quantity reaches its HubSpot line item next run."""
    s = _synced(w, store)
    invoice = w.qbo_fake.get("Invoice", s.erin_invoice)
    assert invoice is not None
    lines = []
    for line in invoice["Line"]:
        if line.get("DetailType") != "SalesItemLineDetail":
            continue
        detail = {**line["SalesItemLineDetail"], "Qty": 4}
        lines.append({**line, "SalesItemLineDetail": detail, "Amount": 396})
    w.qbo_fake.update("Invoice", s.erin_invoice, {"Line": lines})
    w.later()
    report = w.sync(store).run()
    assert not report.problems
    hubspot_invoice = next(
        o
        for o in w.hubspot_fake.objects("invoices")
        if o.properties.get("hs_number") == "INV-2"
    )
    (item,) = w.hubspot_fake.associations(
        "invoices", hubspot_invoice.id, "line_items"
    )
    line_item = w.hubspot_fake.get("line_items", item.to_id)
    assert line_item is not None
    assert line_item.properties["quantity"] == "4"
    w.later()
    w.sync(store).run()  # reads its own writes once
    w.later()
    before = len(w.hubspot_fake.calls)
    assert not w.sync(store).run().problems
    assert hubspot_writes(w.hubspot_fake, before) == []
