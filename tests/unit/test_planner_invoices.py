"""The planner's rules for invoices, line items and QBO items."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs
from planner_support import (
    SETUP,
    T0,
    World,
    at,
    company,
    contact,
    customer,
    invoice,
    item,
    product,
    sales_line,
)

from hsqbo._config import ObjectSync, SyncConfig
from hsqbo._defaults import PRODUCT_FIELDS, PRODUCT_MATCH
from hsqbo._mapping import FieldMap
from hsqbo._operations import Associate, Create, ErrorCode, Ref, Update
from hsqbo._planner import plan
from hsqbo._record import Direction, Side
from hsqbo._state import SyncState


T = TypeVar("T")


def _of(ops: Any, kind: type[T]) -> list[T]:
    return [op for op in ops if isinstance(op, kind)]


def _recommended() -> SyncConfig:
    return SyncConfig.recommended(SETUP)


def _world_with_linked_contact() -> World:
    """Contact 1 (primary company c1, then c2) linked to customer 7."""
    world = World.of(
        [
            contact("1", email="a@x.co", first="A", companies=("c1", "c2")),
            company("c1", "Acme"),
            company("c2", "Beta"),
        ],
        [customer("7", email="a@x.co", given="A", display="Acme")],
    )
    world.apply(world.plan(_recommended()))
    assert world.store.state.object("contacts").links["1"].qbo_id == "7"
    return world


def test_invoice_is_created_with_default_fields_and_status() -> None:
    """A QBO invoice becomes a HubSpot invoice with the default mappings."""
    world = _world_with_linked_contact()
    world.qbo[("Invoice", "70")] = invoice(
        "70",
        "7",
        created=at(60),
        DocNumber="1001",
        TotalAmt="25",
        Balance="0",
        **{"CurrencyRef.value": "usd"},
    )
    result = world.plan(_recommended())
    (create,) = [
        c for c in _of(result.operations, Create) if c.type == "invoices"
    ]
    assert dict(create.fields) == {
        "hs_number": "1001",
        "hs_currency": "USD",
        "hs_amount_billed": create.fields["hs_amount_billed"],
        "hs_balance_due": create.fields["hs_balance_due"],
        "hs_invoice_status": "paid",
    }
    assert str(create.fields["hs_amount_billed"]) == "25.00"


def test_invoice_status_is_open_or_voided() -> None:
    """Balance due → open; voided (archived) → voided, and that flows later."""
    world = _world_with_linked_contact()
    world.qbo[("Invoice", "70")] = invoice(
        "70", "7", created=at(60), TotalAmt="25", Balance="25"
    )
    result = world.plan(_recommended())
    (create,) = [
        c for c in _of(result.operations, Create) if c.type == "invoices"
    ]
    assert create.fields["hs_invoice_status"] == "open"
    world.apply(result)
    voided = world.qbo[("Invoice", "70")]
    world.qbo[("Invoice", "70")] = invoice(
        "70", "7", created=at(60), TotalAmt="25", Balance="25", archived=True
    ).__class__(
        voided.side,
        voided.type,
        voided.id,
        voided.fields,
        at(600),
        version="1",
        archived=True,
    )
    (update,) = _of(world.plan(_recommended()).operations, Update)
    assert dict(update.changes) == {"hs_invoice_status": ("open", "voided")}


def test_invoice_is_associated_with_contact_and_primary_company() -> None:
    """The invoice goes to the linked contact and its PRIMARY company only."""
    world = _world_with_linked_contact()
    world.qbo[("Invoice", "70")] = invoice("70", "7", created=at(60))
    result = world.plan(_recommended())
    (create,) = [
        c for c in _of(result.operations, Create) if c.type == "invoices"
    ]
    pairs = {
        (a.to_type, a.to_id)
        for a in _of(result.operations, Associate)
        if a.from_id == Ref(create.op_id)
    }
    assert pairs == {("contacts", "1"), ("companies", "c1")}


def test_invoice_company_is_set_on_first_sync_only() -> None:
    """A later manual change of the invoice's company is kept (B15)."""
    world = _world_with_linked_contact()
    world.qbo[("Invoice", "70")] = invoice("70", "7", created=at(60))
    world.apply(world.plan(_recommended()))
    hubspot_id = world.store.state.object("invoices").qbo_links["70"]
    record = world.hubspot[("invoices", hubspot_id)]
    world.hubspot[("invoices", hubspot_id)] = record.__class__(
        record.side,
        record.type,
        record.id,
        record.fields,
        record.updated_at,
        associations={"companies": ("c2",), "contacts": ("1",)},
    )
    world.edit(world.qbo[("Invoice", "70")], Balance="1")
    result = world.plan(_recommended())
    assert _of(result.operations, Associate) == []
    assert [u.side for u in _of(result.operations, Update)] == [Side.HUBSPOT]


def test_invoice_of_an_unlinked_customer_is_a_missing_dependency() -> None:
    """An unlinked customer: MISSING_DEPENDENCY, no write."""
    result = plan(
        SyncConfig(
            [c for c in _recommended().objects if c.name == "invoices"], SETUP
        ),
        [],
        [invoice("70", "7", created=at(60))],
        SyncState(),
        now=T0,
    )
    assert result.is_empty
    (error,) = result.errors
    assert error.code is ErrorCode.MISSING_DEPENDENCY
    assert "customer 7 is not linked" in error.message


def test_invoice_of_a_customer_created_in_the_same_plan_refers_to_it() -> None:
    """The invoice's contact is a Ref to the Create of that contact."""
    result = plan(
        _recommended(),
        [],
        [
            customer("7", email="n@x.co", given="N", display="N"),
            invoice("70", "7", created=at(60)),
        ],
        SyncState(),
        now=T0,
    )
    contact_create = next(
        c for c in _of(result.operations, Create) if c.type == "contacts"
    )
    assoc = next(
        a for a in _of(result.operations, Associate) if a.to_type == "contacts"
    )
    assert assoc.to_id == Ref(contact_create.op_id)
    positions = {op.op_id: i for i, op in enumerate(result.operations)}
    assert positions[contact_create.op_id] < positions[assoc.op_id]


def test_invoice_lines_become_line_items_with_linked_products() -> None:
    """Sales lines become line_items on the invoice, with the product."""
    world = _world_with_linked_contact()
    world.qbo[("Item", "5")] = item("5", Name="Widget")
    world.apply(world.plan(_recommended()))
    product_id = world.store.state.object("products").qbo_links["5"]
    world.qbo[("Invoice", "70")] = invoice(
        "70",
        "7",
        created=at(60),
        lines=(
            sales_line("1", "5", qty="2"),
            {"Id": "2", "DetailType": "SubTotalLineDetail", "Amount": "20"},
            sales_line("3", "99"),
        ),
    )
    result = world.plan(_recommended())
    lines = [
        c for c in _of(result.operations, Create) if c.type == "line_items"
    ]
    assert [c.fields.get("hs_product_id") for c in lines] == [product_id, None]
    assert lines[0].fields["quantity"] == "2"
    (invoice_create,) = [
        c for c in _of(result.operations, Create) if c.type == "invoices"
    ]
    line_assocs = [
        a
        for a in _of(result.operations, Associate)
        if a.from_type == "line_items"
    ]
    assert {a.to_id for a in line_assocs} == {Ref(invoice_create.op_id)}
    assert {a.from_id for a in line_assocs} == {Ref(c.op_id) for c in lines}


def test_line_item_refers_to_a_product_created_in_the_same_plan() -> None:
    """A line whose item becomes a HubSpot product in this run gets a Ref."""
    world = _world_with_linked_contact()
    world.qbo[("Item", "5")] = item("5", Name="Widget")
    world.qbo[("Invoice", "70")] = invoice(
        "70", "7", created=at(60), lines=(sales_line("1", "5"),)
    )
    result = world.plan(_recommended())
    product_create = next(
        c for c in _of(result.operations, Create) if c.type == "products"
    )
    (line,) = [
        c for c in _of(result.operations, Create) if c.type == "line_items"
    ]
    assert dict(line.references) == {
        "hs_product_id": Ref(product_create.op_id)
    }
    world.apply(result)
    assert world.plan(_recommended()).is_empty


def _products_to_qbo(**defaults: str) -> SyncConfig:
    return SyncConfig(
        [
            ObjectSync(
                "products",
                "products",
                "Item",
                Direction.TWO_WAY,
                PRODUCT_FIELDS,
                match=PRODUCT_MATCH,
                qbo_defaults=defaults,
            )
        ],
        SETUP,
    )


def test_item_from_hubspot_needs_type_and_income_account() -> None:
    """Missing item defaults: MISSING_REQUIRED naming each setting."""
    result = plan(
        _products_to_qbo(),
        [product("1", name="Widget")],
        [],
        SyncState(),
        now=T0,
    )
    assert result.is_empty
    (error,) = result.errors
    assert error.code is ErrorCode.MISSING_REQUIRED
    assert "qbo_defaults['Type']" in error.message
    assert "qbo_defaults['IncomeAccountRef.value']" in error.message


def test_item_from_hubspot_uses_the_defaults() -> None:
    """With the defaults set, the item is created with them."""
    result = plan(
        _products_to_qbo(Type="Service", **{"IncomeAccountRef.value": "79"}),
        [product("1", name="Widget", price="5")],
        [],
        SyncState(),
        now=T0,
    )
    (create,) = _of(result.operations, Create)
    assert create.fields["Type"] == "Service"
    assert create.fields["IncomeAccountRef.value"] == "79"
    assert create.fields["Name"] == "Widget"


def test_item_names_are_unique_within_the_plan() -> None:
    """Two products, one name: the second is a DUPLICATE_NAME."""
    result = plan(
        _products_to_qbo(Type="Service", **{"IncomeAccountRef.value": "79"}),
        [
            product("1", name="Widget", hs_sku="A"),
            product("2", name="widget ", hs_sku="B"),
        ],
        [],
        SyncState(),
        now=T0,
    )
    assert [c.source.id for c in _of(result.operations, Create)] == ["1"]  # type: ignore[union-attr]
    (error,) = result.errors
    assert (error.id, error.code) == ("2", ErrorCode.DUPLICATE_NAME)


def test_invoice_needs_its_linked_contact_record() -> None:
    """A linked contact not passed to the planner is a MISSING_DEPENDENCY."""
    world = _world_with_linked_contact()
    config = _recommended()
    result = plan(
        config,
        [],
        [invoice("70", "7", created=at(60))],
        world.store.load(config),
        now=T0,
    )
    (error,) = result.errors
    assert error.code is ErrorCode.MISSING_DEPENDENCY
    assert "HubSpot contact 1 was not given" in error.message
    assert result.is_empty


def test_linked_item_changes_flow_to_hubspot_only() -> None:
    """Products sync QBO → HubSpot: item edits flow, product edits do not."""
    world = World.of([], [item("5", Name="Widget", UnitPrice="10")])
    config = _recommended()
    world.apply(world.plan(config))
    product_id = world.store.state.object("products").qbo_links["5"]
    world.edit(world.qbo[("Item", "5")], UnitPrice="12.5")
    world.edit(world.hubspot[("products", product_id)], description="HubSpot")
    (update,) = _of(world.plan(config).operations, Update)
    assert (update.side, update.id) == (Side.HUBSPOT, product_id)
    assert {k: str(v[1]) for k, v in update.changes.items()} == {
        "price": "12.5"
    }


def test_line_changes_after_the_first_sync_reach_hubspot() -> None:
    """A changed line updates its line item; a new line is added."""
    world = _world_with_linked_contact()
    world.qbo[("Item", "5")] = item("5", Name="Widget")
    world.qbo[("Invoice", "70")] = invoice(
        "70", "7", created=at(60), lines=(sales_line("1", "5"),)
    )
    config = _recommended()
    world.apply(world.plan(config))
    lines = world.store.state.object("invoices:lines")
    line_item = lines.link_for(Side.QBO, "70:1")
    assert line_item is not None
    hubspot_invoice = world.store.state.object("invoices").qbo_links["70"]
    world.edit(
        world.qbo[("Invoice", "70")],
        Line=(sales_line("1", "5", qty="3"), sales_line("2", "5")),
    )
    result = world.plan(config)
    (update,) = [
        u for u in _of(result.operations, Update) if u.type == "line_items"
    ]
    assert (update.id, dict(update.changes)) == (
        line_item.hubspot_id,
        {"quantity": ("1", "3")},
    )
    (create,) = _of(result.operations, Create)
    assert create.source.id == "70:2"  # type: ignore[union-attr]
    (assoc,) = _of(result.operations, Associate)
    assert assoc.to_id == hubspot_invoice
    world.apply(result)
    assert world.plan(config).is_empty


def test_lines_of_a_linked_invoice_need_line_links_in_the_store() -> None:
    """Without line links in the state, no line is planned twice."""
    world = _world_with_linked_contact()
    world.qbo[("Invoice", "70")] = invoice(
        "70", "7", created=at(60), lines=(sales_line("1", "5"),)
    )
    config = _recommended()
    world.apply(world.plan(config))
    state = world.store.load(config)
    without = SyncState(
        objects={k: v for k, v in state.objects.items() if ":" not in k}
    )
    result = plan(
        config,
        list(world.hubspot.values()),
        list(world.qbo.values()),
        without,
        now=world.clock,
    )
    assert result.is_empty


def test_a_new_custom_field_mapping_backfills_synced_invoices() -> None:
    """B13/B20: a CustomField map added later fills invoices synced before."""
    world = _world_with_linked_contact()
    world.qbo[("Invoice", "70")] = invoice(
        "70", "7", created=at(60), **{"CustomField[PO]": "PO-1"}
    )
    world.apply(world.plan(_recommended()))
    hubspot_id = world.store.state.object("invoices").qbo_links["70"]
    assert "po_number" not in world.hubspot[("invoices", hubspot_id)].fields
    po = FieldMap(
        "po_number", "CustomField[PO]", direction=Direction.QBO_TO_HUBSPOT
    )
    config = SyncConfig(
        [
            attrs.evolve(o, fields=(*o.fields, po))
            if o.name == "invoices"
            else o
            for o in _recommended().objects
        ],
        SETUP,
    )
    result = world.plan(config)
    updates = [
        (u.type, u.id, dict(u.changes)) for u in _of(result.operations, Update)
    ]
    assert updates == [("invoices", hubspot_id, {"po_number": (None, "PO-1")})]
    world.apply(result)
    assert world.plan(config).is_empty


def test_item_name_held_by_an_existing_item_is_a_duplicate() -> None:
    """Rule 4: a new product may not take the Name of a known QBO item."""
    config = _products_to_qbo(
        Type="Service", **{"IncomeAccountRef.value": "79"}
    )
    world = World.of([product("1", name="Widget")], [item("5", Name="Widget")])
    world.apply(world.plan(config))
    assert world.store.state.object("products").links["1"].qbo_id == "5"
    world.hubspot[("products", "2")] = product("2", name=" WIDGET", hs_sku="B")
    result = world.plan(config)
    assert _of(result.operations, Create) == []
    (error,) = result.errors
    assert (error.id, error.code) == ("2", ErrorCode.DUPLICATE_NAME)
    assert "QBO Item 5" in error.message
