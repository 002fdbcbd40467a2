"""Deals and payments over the fakes: B17, B21, B22 end to end."""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest
from world import SETUP_AT, START, World, config, hubspot_writes, world

from hsqbo import (
    ConfigError,
    DealRule,
    Direction,
    FieldMap,
    HsqboError,
    MemoryStore,
    StateStore,
    SyncConfig,
)
from hsqbo._record import Side
from hsqbo._state import SyncState
from hsqbo.testing import FaultKind
from hsqbo.webhooks import Change, ChangeKind


TO_HUBSPOT = Direction.QBO_TO_HUBSPOT
RULE = DealRule(
    deal_id="CustomField[Deal ID]",
    fields=[
        FieldMap("last_invoice_number", "DocNumber", direction=TO_HUBSPOT),
        FieldMap("last_invoice_status", "hsqbo.status", direction=TO_HUBSPOT),
        FieldMap(
            "last_invoice_balance",
            "Balance",
            direction=TO_HUBSPOT,
            transform="decimal:2",
        ),
    ],
)


def deal_config() -> SyncConfig:
    """The e2e config with the deal rule on the invoice sync."""
    base = config()
    return attrs.evolve(
        base,
        objects=tuple(
            attrs.evolve(o, deal=RULE) if o.name == "invoices" else o
            for o in base.objects
        ),
    )


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
    from hsqbo import SQLiteStore  # noqa: PLC0415 - only where wanted

    made = SQLiteStore(str(tmp_path / "state.db"), clock=w.clock)
    yield made
    made.close()


@attrs.frozen
class _Seeded:
    deal: str
    customer: str
    widget: str
    first: str
    second: str
    stray: str


def _seed(w: World) -> _Seeded:
    hs, qb = w.hubspot_fake, w.qbo_fake
    hs.define_property("invoices", "po_number", label="PO number")
    hs.define_property("deals", "last_invoice_number")
    hs.define_property("deals", "last_invoice_status")
    hs.define_property("deals", "last_invoice_balance", type="number")
    deal = hs.create("deals", {"dealname": "Big order", "pipeline": "default"})
    hs.create(
        "contacts",
        {"email": "ann@acme.example", "firstname": "Ann", "lastname": "Ames"},
    )
    ann = qb.add_customer(
        "Ann Ames",
        email="ann@acme.example",
        given_name="Ann",
        family_name="Ames",
    )
    widget = qb.add_item("Widget", unit_price="100", sku="W-1")
    qb.set_custom_field(2, "Deal ID")
    w.clock.set(max(START, w.clock.now()))
    first = qb.add_invoice(
        ann["Id"],
        [(widget["Id"], 1, "100")],
        doc_number="INV-1",
        custom_fields={"2": deal.id},
    )
    w.clock.advance(60)
    second = qb.add_invoice(
        ann["Id"],
        [(widget["Id"], 2, "100")],
        doc_number="INV-2",
        custom_fields={"2": deal.id},
    )
    stray = qb.add_invoice(
        ann["Id"],
        [(widget["Id"], 1, "5")],
        doc_number="INV-3",
        custom_fields={"2": "987654321"},
    )
    w.clock.advance(60)
    return _Seeded(
        deal=deal.id,
        customer=ann["Id"],
        widget=widget["Id"],
        first=first["Id"],
        second=second["Id"],
        stray=stray["Id"],
    )


def _deal(w: World, deal_id: str) -> dict[str, object]:
    return dict(w.hubspot_fake.get("deals", deal_id).properties)


def _notes(w: World, deal_id: str) -> list[str]:
    hs = w.hubspot_fake
    return sorted(
        str(hs.get("notes", a.to_id).properties.get("hs_note_body"))
        for a in hs.associations("deals", deal_id, "notes")
    )


def _run(w: World, store: StateStore) -> None:
    w.sync(store, deal_config()).run()
    w.later()


def test_deal_follows_latest_invoice_with_one_note_per_payment(
    w: World, store: StateStore
) -> None:
    """Two invoices, a payment on one, then an update of the other."""
    s = _seed(w)
    _run(w, store)
    deal = _deal(w, s.deal)
    assert deal["last_invoice_number"] == "INV-2"
    assert Decimal(str(deal["last_invoice_balance"])) == Decimal(200)
    hs = w.hubspot_fake
    tied = {
        hs.get("invoices", a.to_id).properties.get("hs_number")
        for a in hs.associations("deals", s.deal, "invoices")
    }
    assert tied == {"INV-1", "INV-2"}
    # The invoice naming a deal that does not exist: an error, still synced.
    failing = list(store.records())
    assert any(
        r.code == "MISSING_DEPENDENCY" and r.id == s.stray for r in failing
    )
    numbers = {o.properties.get("hs_number") for o in hs.objects("invoices")}
    assert "INV-3" in numbers

    w.qbo_fake.add_payment(
        s.customer, "100", applied={s.first: "100"}, txn_date="2026-03-02"
    )
    w.clock.advance(60)
    _run(w, store)
    deal = _deal(w, s.deal)
    assert deal["last_invoice_number"] == "INV-1"
    assert deal["last_invoice_status"] == "paid"
    notes = _notes(w, s.deal)
    assert len(notes) == 1
    assert "100.00" in notes[0]
    assert "INV-1" in notes[0]
    assert "2026-03-02" in notes[0]
    paid = next(
        o
        for o in hs.objects("invoices")
        if o.properties["hs_number"] == "INV-1"
    )
    assert paid.properties["hs_invoice_status"] == "paid"
    assert Decimal(str(paid.properties["hs_balance_due"])) == 0

    w.qbo_fake.update("Invoice", s.second, {"PrivateNote": "call first"})
    w.clock.advance(60)
    _run(w, store)
    deal = _deal(w, s.deal)
    assert deal["last_invoice_number"] == "INV-2"
    assert deal["last_invoice_status"] == "open"
    assert len(_notes(w, s.deal)) == 1

    since = len(hs.calls)
    _run(w, store)
    _run(w, store)
    assert hubspot_writes(hs, since) == []
    assert len(_notes(w, s.deal)) == 1


def test_a_full_rerun_makes_no_second_note(w: World) -> None:
    """A full read of the same world writes nothing new."""
    s = _seed(w)
    w.qbo_fake.add_payment(s.customer, "50", applied={s.second: "50"})
    w.clock.advance(60)
    store = MemoryStore()
    _run(w, store)
    assert len(_notes(w, s.deal)) == 1
    since = len(w.hubspot_fake.calls)
    sync = w.sync(store, deal_config())
    sync.apply(sync.plan(full=True))
    assert hubspot_writes(w.hubspot_fake, since) == []
    assert len(_notes(w, s.deal)) == 1


def test_accounting_deal_property_is_refused_in_toml() -> None:
    """B17: a TOML config writing the deal accounting group does not load."""
    data = deal_config().to_dict()
    invoices = next(o for o in data["objects"] if o["name"] == "invoices")
    invoices["deal"]["fields"].append(
        {
            "hubspot": "accounting_invoice_balance",
            "qbo": "Balance",
            "direction": "qbo_to_hubspot",
        }
    )
    with pytest.raises(ConfigError) as caught:
        SyncConfig.from_dict(data)
    [problem] = caught.value.problems
    assert problem.path.endswith("deal.fields[3].hubspot")
    assert "accounting" in problem.message
    assert SETUP_AT < START


def test_a_note_written_but_not_committed_is_found_again(w: World) -> None:
    """Killed after the note upsert, before the commit: still one note."""
    s = _seed(w)
    w.qbo_fake.add_payment(s.customer, "50", applied={s.second: "50"})
    w.clock.advance(60)
    store = MemoryStore()
    _run(w, store)
    assert len(_notes(w, s.deal)) == 1
    # As if the run had died before committing the note's link.
    lost = MemoryStore(
        SyncState(
            objects={
                name: part
                for name, part in store.state.objects.items()
                if name != "invoices:payments"
            }
        )
    )
    _run(w, lost)
    assert len(_notes(w, s.deal)) == 1
    assert lost.state.object("invoices:payments").links


@pytest.mark.parametrize("fault_seed", [1, 2, 3])
def test_faults_never_make_a_second_note(w: World, fault_seed: int) -> None:
    """429s, 5xx, timeouts and drops after apply: one note per payment."""
    s = _seed(w)
    w.qbo_fake.add_payment(s.customer, "50", applied={s.second: "50"})
    w.clock.advance(60)
    w.qbo_fake.add_payment(s.customer, "30", applied={s.first: "30"})
    w.clock.advance(60)
    w.hubspot_fake.faults.fail_randomly(
        0.25, seed=fault_seed, kinds=tuple(FaultKind)
    )
    store = MemoryStore()
    for _ in range(6):
        with contextlib.suppress(HsqboError):
            w.sync(store, deal_config()).run()
        w.later()
    w.hubspot_fake.faults.clear()
    _run(w, store)
    _run(w, store)
    assert w.hubspot_fake.faults.injected
    notes = _notes(w, s.deal)
    assert len(notes) == 2
    assert _deal(w, s.deal)["last_invoice_number"] == "INV-1"


def test_a_payment_webhook_puts_the_note_on_the_deal(w: World) -> None:
    """A QBO payment change reaches the deal through sync_changes alone."""
    s = _seed(w)
    store = MemoryStore()
    _run(w, store)
    payment = w.qbo_fake.add_payment(
        s.customer, "100", applied={s.first: "100"}
    )
    w.clock.advance(60)
    change = Change(
        side=Side.QBO,
        type="Payment",
        id=payment["Id"],
        kind=ChangeKind.CREATED,
        occurred_at=w.clock.now(),
        event_id=f"payment:{payment['Id']}",
        account=w.qbo_fake.realm_id,
    )
    w.sync(store, deal_config()).sync_changes([change])
    [note] = _notes(w, s.deal)
    assert "INV-1" in note
    assert _deal(w, s.deal)["last_invoice_status"] == "paid"
