"""The planner's invoice → deal rule: associations, deal summary, payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from planner_support import (
    World,
    at,
    config_of,
    contact,
    contacts_sync,
    customer,
    invoice,
)

from hsqbo import DealRule, Direction, FieldMap, ObjectSync, SyncConfig
from hsqbo._defaults import INVOICE_FIELDS
from hsqbo._operations import Associate, Create, ErrorCode, Update
from hsqbo._plan import Plan
from hsqbo._planner import plan
from hsqbo._record import FieldValue, Record, Side


TO_HUBSPOT = Direction.QBO_TO_HUBSPOT
DEAL_FIELD = "CustomField[Deal ID]"
RULE = DealRule(
    deal_id=DEAL_FIELD,
    fields=[
        FieldMap("last_invoice_number", "DocNumber", direction=TO_HUBSPOT),
        FieldMap("last_invoice_status", "hsqbo.status", direction=TO_HUBSPOT),
        FieldMap("last_invoice_balance", "Balance", transform="decimal:2"),
    ],
)


def _config(rule: DealRule = RULE) -> SyncConfig:
    invoices = ObjectSync(
        "invoices",
        "invoices",
        "Invoice",
        TO_HUBSPOT,
        INVOICE_FIELDS,
        deal=rule,
    )
    return config_of(contacts_sync(), invoices)


def _deal(deal_id: str = "500") -> Record:
    return Record(
        Side.HUBSPOT, "deals", deal_id, {"dealname": "Big one"}, at(0)
    )


def _invoice(
    record_id: str,
    *,
    deal: str | None = "500",
    total: str = "100",
    balance: str | None = None,
    updated: dt.datetime | None = None,
) -> Record:
    fields: dict[str, FieldValue] = {
        "DocNumber": f"INV-{record_id}",
        "TotalAmt": Decimal(total),
        "Balance": Decimal(balance if balance is not None else total),
    }
    if deal is not None:
        fields[DEAL_FIELD] = deal
    record = invoice(record_id, "1")
    return attrs.evolve(
        record,
        fields={**record.fields, **fields},
        updated_at=updated or at(1),
    )


def _payment(
    record_id: str, applied: dict[str, str], *, method: str = "Check"
) -> Record:
    lines: tuple[FieldValue, ...] = tuple(
        {
            "Amount": Decimal(amount),
            "LinkedTxn": ({"TxnId": invoice_id, "TxnType": "Invoice"},),
        }
        for invoice_id, amount in applied.items()
    )
    return Record(
        Side.QBO,
        "Payment",
        record_id,
        {
            "TxnDate": dt.date(2026, 11, 20),
            "TotalAmt": sum(Decimal(a) for a in applied.values()),
            "PaymentMethodRef.name": method,
            "CurrencyRef.value": "USD",
            "Line": lines,
        },
        at(5),
        version="0",
    )


def _world(*qbo: Record, deals: tuple[Record, ...] = ()) -> World:
    people = [contact("11", email="ann@example.com", first="Ann")]
    customers = [customer("1", email="ann@example.com", given="Ann")]
    return World.of([*people, *(deals or (_deal(),))], [*customers, *qbo])


def _deal_updates(plan: Plan) -> list[Update]:
    return [
        op
        for op in plan.operations
        if isinstance(op, Update) and op.type == "deals"
    ]


def _notes(plan: Plan) -> list[Create]:
    return [
        op
        for op in plan.operations
        if isinstance(op, Create) and op.type == "notes"
    ]


def _sync(world: World) -> Plan:
    made = world.plan(_config())
    world.apply(made)
    return made


def test_deal_follows_the_most_recently_updated_invoice() -> None:
    """B21: of two invoices on one deal, the later-updated one wins."""
    world = _world(
        _invoice("1", total="100", updated=at(3)),
        _invoice("2", total="250", updated=at(2)),
    )
    made = _sync(world)
    [update] = _deal_updates(made)
    assert update.id == "500"
    assert {k: new for k, (_, new) in update.changes.items()} == {
        "last_invoice_number": "INV-1",
        "last_invoice_status": "open",
        "last_invoice_balance": Decimal("100.00"),
    }
    deal = world.hubspot[("deals", "500")]
    assert deal.fields["last_invoice_number"] == "INV-1"


def test_invoices_are_associated_with_their_deal_once() -> None:
    """Each synced invoice naming a deal is associated with it; rerun: none."""
    world = _world(_invoice("1"), _invoice("2", deal=None))
    made = _sync(world)
    ties = [
        op
        for op in made.operations
        if isinstance(op, Associate) and op.to_type == "deals"
    ]
    assert [(op.from_type, op.to_id) for op in ties] == [("invoices", "500")]
    hubspot_invoices = [
        r for (t, _), r in world.hubspot.items() if t == "invoices"
    ]
    assert sorted(
        r.associations.get("deals", ()) for r in hubspot_invoices
    ) == [(), ("500",)]
    assert world.plan(_config()).writes == ()


def test_a_later_update_of_the_other_invoice_moves_the_deal() -> None:
    """After a payment on one invoice, updating the other makes it latest."""
    world = _world(
        _invoice("1", total="100", updated=at(1)),
        _invoice("2", total="250", updated=at(2)),
    )
    _sync(world)
    assert world.hubspot[("deals", "500")].fields["last_invoice_number"] == (
        "INV-2"
    )
    paid = world.edit(world.qbo[("Invoice", "1")], Balance=Decimal(0))
    world.qbo[("Payment", "7")] = _payment("7", {"1": "100"})
    made = _sync(world)
    deal = world.hubspot[("deals", "500")]
    assert deal.fields["last_invoice_number"] == "INV-1"
    assert deal.fields["last_invoice_status"] == "paid"
    assert len(_notes(made)) == 1
    hubspot_invoice = next(
        r
        for (t, _), r in world.hubspot.items()
        if t == "invoices" and r.fields.get("hs_number") == "INV-1"
    )
    assert hubspot_invoice.fields["hs_balance_due"] == Decimal("0.00")
    assert hubspot_invoice.fields["hs_invoice_status"] == "paid"
    world.edit(world.qbo[("Invoice", "2")], Balance=Decimal(200))
    _sync(world)
    deal = world.hubspot[("deals", "500")]
    assert deal.fields["last_invoice_number"] == "INV-2"
    assert deal.fields["last_invoice_balance"] == Decimal("200.00")
    assert paid.updated_at < world.qbo[("Invoice", "2")].updated_at
    assert world.plan(_config()).writes == ()


def test_payment_note_names_date_amount_method_and_number() -> None:
    """B22: the note body says when, how much, how and for which invoice."""
    world = _world(_invoice("1"), _payment("7", {"1": "40"}, method="Cash"))
    made = _sync(world)
    [note] = _notes(made)
    body = note.fields["hs_note_body"]
    assert isinstance(body, str)
    for part in ("40.00 USD", "2026-11-20", "Cash", "INV-1"):
        assert part in body
    assert note.fields["hs_timestamp"] == dt.datetime(
        2026, 11, 20, tzinfo=dt.UTC
    )
    [tie] = [
        op
        for op in made.operations
        if isinstance(op, Associate) and op.from_type == "notes"
    ]
    assert tie.to_id == "500"
    assert note.source is not None
    assert note.source.id == "7:1"


def test_missing_deal_is_an_error_on_the_invoice_and_the_rest_syncs() -> None:
    """A deal id that does not exist: MISSING_DEPENDENCY, invoice created."""
    world = _world(_invoice("1", deal="999"), _invoice("2"))
    made = _sync(world)
    [error] = made.errors
    assert (error.object, error.id, error.code) == (
        "invoices:deals",
        "1",
        ErrorCode.MISSING_DEPENDENCY,
    )
    assert "999" in error.message
    created = [
        op
        for op in made.operations
        if isinstance(op, Create) and op.type == "invoices"
    ]
    assert len(created) == 2
    assert [op.id for op in _deal_updates(made)] == ["500"]


def test_no_deal_properties_means_only_associations_and_notes() -> None:
    """A rule without fields writes no deal property."""
    rule = DealRule(deal_id=DEAL_FIELD, payments=False)
    world = _world(_invoice("1"), _payment("7", {"1": "40"}))
    made = world.plan(_config(rule))
    assert _deal_updates(made) == []
    assert _notes(made) == []


_stamps = st.lists(
    st.integers(min_value=0, max_value=5), min_size=1, max_size=5
)


@settings(deadline=None, max_examples=40)
@given(stamps=_stamps, data=st.data())
def test_deal_summary_is_the_latest_invoice_in_any_order(
    stamps: list[int], data: st.DataObject
) -> None:
    """The deal takes the values of the latest (then highest-id) invoice."""
    invoices = [
        _invoice(str(i + 1), total=str(100 + i), updated=at(minutes))
        for i, minutes in enumerate(stamps)
    ]
    expected = max(invoices, key=lambda q: (q.updated_at, int(q.id))).fields[
        "DocNumber"
    ]
    shuffled = data.draw(st.permutations(invoices))
    first = _world(*invoices).plan(_config())
    again = _world(*shuffled).plan(_config())
    assert first.to_dict() == again.to_dict()
    [update] = _deal_updates(first)
    assert update.changes["last_invoice_number"][1] == expected


@settings(deadline=None, max_examples=25)
@given(
    applied=st.lists(
        st.tuples(
            st.sampled_from(["1", "2"]), st.integers(min_value=1, max_value=9)
        ),
        min_size=1,
        max_size=4,
    ),
    rounds=st.integers(min_value=1, max_value=3),
)
def test_each_payment_makes_one_note_over_repeated_runs(
    applied: list[tuple[str, int]], rounds: int
) -> None:
    """Plan/apply cycles never make a second note for one payment."""
    world = _world(_invoice("1"), _invoice("2", deal="501"))
    world.hubspot[("deals", "501")] = _deal("501")
    for index, (invoice_id, amount) in enumerate(applied):
        pid = str(index + 10)
        world.qbo[("Payment", pid)] = _payment(pid, {invoice_id: str(amount)})
    for _ in range(rounds):
        _sync(world)
    notes = [r for (t, _), r in world.hubspot.items() if t == "notes"]
    assert len(notes) == len(applied)
    by_deal = sorted(r.associations["deals"] for r in notes)
    expected = sorted(
        ("500",) if invoice_id == "1" else ("501",)
        for invoice_id, _ in applied
    )
    assert by_deal == expected
    assert _notes(world.plan(_config())) == []


def test_a_partial_read_of_an_older_invoice_leaves_the_deal() -> None:
    """B21 across runs: an older invoice read alone does not win the deal."""
    world = _world(
        _invoice("1", total="100", updated=at(1)),
        _invoice("2", total="250", updated=at(3)),
    )
    _sync(world)
    assert world.hubspot[("deals", "500")].fields["last_invoice_number"] == (
        "INV-2"
    )
    config = _config()
    older = world.qbo[("Invoice", "1")]
    partial = plan(
        config,
        list(world.hubspot.values()),
        [older, world.qbo[("Customer", "1")]],
        world.store.load(config),
        now=world.clock,
    )
    assert _deal_updates(partial) == []
    newer = world.edit(world.qbo[("Invoice", "1")], Balance=Decimal(10))
    again = plan(
        config,
        list(world.hubspot.values()),
        [newer, world.qbo[("Customer", "1")]],
        world.store.load(config),
        now=world.clock,
    )
    [update] = _deal_updates(again)
    assert update.changes["last_invoice_number"][1] == "INV-1"


def test_a_deal_plan_survives_json() -> None:
    """Deal updates, notes and associations round-trip through to_dict."""
    world = _world(
        _invoice("1", updated=at(1)),
        _invoice("2", updated=at(2)),
        _payment("7", {"1": "40", "2": "10"}),
    )
    made = world.plan(_config())
    assert len(_notes(made)) == 2
    assert len(_deal_updates(made)) == 1
    assert Plan.from_dict(made.to_dict()) == made
