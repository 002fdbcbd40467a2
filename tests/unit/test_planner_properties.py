"""Hypothesis properties of the planner over random records and edits."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from planner_support import (
    SETUP,
    T0,
    World,
    company,
    config_of,
    contact,
    contacts_sync,
    customer,
    invoice,
    item,
    product,
    sales_line,
)

from hsqbo import _display_name as names
from hsqbo._config import (
    ConflictPolicy,
    DisplayNameRule,
    ObjectSync,
    SyncConfig,
)
from hsqbo._defaults import PRODUCT_FIELDS, PRODUCT_MATCH
from hsqbo._filters import Filter, FilterGroup, Operator, evaluate
from hsqbo._mapping import FieldMap
from hsqbo._operations import Create, Update
from hsqbo._plan import Plan
from hsqbo._planner import plan
from hsqbo._record import Direction, Record, Side


_EMAILS = ("a@x.co", "A@x.co ", "b@x.co", "c@x.co", None)
_NAMES = ("Ann", "Bo", " Ann ", "", None, "Cy")
_PHONES = ("1", "2", "", None)
_STATUS = ("ok", "blocked", None)

_FIELDS = {
    "firstname": "GivenName",
    "lastname": "FamilyName",
    "phone": "PrimaryPhone.FreeFormNumber",
    "website": "WebAddr.URI",
}


@st.composite
def _configs(draw: st.DrawFn) -> SyncConfig:
    direction = draw(st.sampled_from(list(Direction)))
    fields = []
    for hubspot, qbo in _FIELDS.items():
        fields.append(
            FieldMap(
                hubspot,
                qbo,
                direction=draw(
                    st.sampled_from(
                        [Direction.TWO_WAY, Direction.TWO_WAY, *Direction]
                    )
                ),
                transform="strip",
                empty_overwrites=draw(st.booleans()),
            )
        )
    to_qbo = (
        (
            FilterGroup(
                [Filter("hs_lead_status", Operator.NEQ, value="blocked")]
            ),
        )
        if draw(st.booleans())
        else ()
    )
    to_hubspot = (
        (FilterGroup([Filter("Notes", Operator.NEQ, value="blocked")]),)
        if draw(st.booleans())
        else ()
    )
    return config_of(
        contacts_sync(
            direction=direction,
            fields=fields,
            conflicts=draw(
                st.sampled_from(
                    [
                        ConflictPolicy.MOST_RECENT,
                        ConflictPolicy.HUBSPOT_WINS,
                        ConflictPolicy.QBO_WINS,
                    ]
                )
            ),
            filters_to_qbo=to_qbo,
            filters_to_hubspot=to_hubspot,
            display_name=DisplayNameRule(
                from_company=draw(st.booleans()),
                on_duplicate=draw(
                    st.sampled_from(["error", "suffix", "link"])
                ),
            ),
        )
    )


@st.composite
def _worlds(draw: st.DrawFn) -> World:
    hubspot: list[Record] = [company("c1", "Acme"), company("c2", "Beta")]
    hubspot += [
        contact(
            str(i + 1),
            email=draw(st.sampled_from(_EMAILS)),
            first=draw(st.sampled_from(_NAMES)),
            last=draw(st.sampled_from(_NAMES)),
            created=T0 + dt.timedelta(minutes=draw(st.integers(0, 3))),
            companies=draw(st.sampled_from([(), ("c1",), ("c2", "c1")])),
            phone=draw(st.sampled_from(_PHONES)),
            hs_lead_status=draw(st.sampled_from(_STATUS)),
        )
        for i in range(draw(st.integers(0, 6)))
    ]
    display = ["Acme", "Bo", "Other", "Ann", "Cy Ann"]
    qbo = [
        customer(
            str(100 + i),
            email=draw(st.sampled_from(_EMAILS)),
            given=draw(st.sampled_from(_NAMES)),
            display=display[i],
            fields={
                "PrimaryPhone.FreeFormNumber": draw(st.sampled_from(_PHONES)),
                "Notes": draw(st.sampled_from(_STATUS)),
            },
        )
        for i in range(draw(st.integers(0, 5)))
    ]
    return World.of(hubspot, qbo)


def _edit(draw: st.DrawFn, world: World) -> dict[tuple[Side, str, str], Any]:
    """Edit random fields on both sides; return {(side, id, field): value}."""
    edits: dict[tuple[Side, str, str], Any] = {}
    records = sorted(
        (
            r
            for r in (*world.hubspot.values(), *world.qbo.values())
            if r.type in {"contacts", "Customer"}
        ),
        key=lambda r: (r.side.value, r.id),
    )
    for record in records:
        if not draw(st.booleans()):
            continue
        hubspot_field = draw(st.sampled_from(sorted(_FIELDS)))
        name = (
            hubspot_field
            if record.side is Side.HUBSPOT
            else _FIELDS[hubspot_field]
        )
        value = draw(st.sampled_from(("Zed", "Ann", "", "9", None)))
        world.edit(
            world.side(record.side)[(record.type, record.id)], **{name: value}
        )
        edits[(record.side, record.id, hubspot_field)] = value
    return edits


def _norm(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value


def _check_plan(config: SyncConfig, world: World, result: Plan) -> None:
    """(e) and (f): one-way safety and no filtered-out record created."""
    obj = config.objects[0]
    for op in result.operations:
        if isinstance(op, Create | Update):
            assert obj.direction.writes_to(op.side), f"wrote its source: {op}"
        if isinstance(op, Create) and op.source is not None:
            source = world.side(op.source.side)[(op.source.type, op.source.id)]
            groups = (
                obj.filters_to_qbo
                if source.side is Side.HUBSPOT
                else obj.filters_to_hubspot
            )
            assert evaluate(groups, source).passed, f"created filtered {op}"


def _check_names(world: World) -> None:
    """(g): no two QBO customers share a display name."""
    keys = [
        names.name_key(r.fields["DisplayName"])  # type: ignore[arg-type]
        for r in world.qbo.values()
        if r.type == "Customer" and r.fields.get("DisplayName")
    ]
    assert len(keys) == len(set(keys)), keys


def _sync(config: SyncConfig, world: World) -> None:
    """Plan, check, apply, and check that re-planning writes nothing (b)."""
    result = world.plan(config)
    _check_plan(config, world, result)
    world.apply(result)
    _check_names(world)
    again = world.plan(config)
    assert again.is_empty, again.explain()


def _converged(config: SyncConfig, world: World) -> None:
    """(c): every two-way field of every linked pair agrees on both sides."""
    obj = config.objects[0]
    for link in world.store.state.object("contacts").links.values():
        h = world.hubspot[("contacts", link.hubspot_id)]
        q = world.qbo[("Customer", link.qbo_id)]
        if not (
            evaluate(obj.filters_to_qbo, h).passed
            and evaluate(obj.filters_to_hubspot, q).passed
        ):
            continue  # an excluded pair keeps its differences
        for fmap in obj.fields:
            if not (
                fmap.writes_to(Side.HUBSPOT, obj.direction)
                and fmap.writes_to(Side.QBO, obj.direction)
            ):
                continue
            hv = _norm(h.fields.get(fmap.hubspot))
            qv = _norm(q.fields.get(fmap.qbo))
            if (hv is None or qv is None) and not fmap.empty_overwrites:
                continue  # an emptied field never wipes the filled side
            assert hv == qv, (link, fmap.key, hv, qv)


@settings(max_examples=60, deadline=None)
@given(config=_configs(), world=_worlds(), data=st.data())
def test_sync_edit_sync_converges_safely(
    config: SyncConfig, world: World, data: st.DataObject
) -> None:
    """(b)-(g): sync, edit both sides, sync: converged, safe, unique."""
    _sync(config, world)
    _converged(config, world)
    before = {
        (r.side, r.id): dict(r.fields)
        for r in (*world.hubspot.values(), *world.qbo.values())
    }
    edits = _edit(data.draw, world)
    # (a) with a stored state and edits on both sides too, and the plan
    # survives JSON.
    edited = world.plan(config)
    shuffled = plan(
        config,
        data.draw(st.permutations(list(world.hubspot.values()))),
        data.draw(st.permutations(list(world.qbo.values()))),
        world.store.load(config),
        now=world.clock,
    )
    assert shuffled == edited
    assert Plan.from_dict(json.loads(json.dumps(edited.to_dict()))) == edited
    _sync(config, world)
    _converged(config, world)
    links = world.store.state.object("contacts").links
    for (side, record_id, field), value in edits.items():
        # (d): a field changed on one side only keeps its new value, never
        # the other side's old one.
        if side is Side.HUBSPOT:
            link = links.get(record_id)
            partner = None if link is None else (Side.QBO, link.qbo_id)
        else:
            hubspot_id = world.store.state.object("contacts").qbo_links.get(
                record_id
            )
            partner = (
                None if hubspot_id is None else (Side.HUBSPOT, hubspot_id)
            )
        if partner is None or (partner[0], partner[1], field) in edits:
            continue
        other_field = _FIELDS[field] if partner[0] is Side.QBO else field
        old_other = _norm(before.get(partner, {}).get(other_field))
        mine = world.side(side)
        record = next(r for r in mine.values() if r.id == record_id)
        own_field = field if side is Side.HUBSPOT else _FIELDS[field]
        final = _norm(record.fields.get(own_field))
        if _norm(value) != old_other:
            assert final != old_other or final == _norm(value), (
                side,
                record_id,
                field,
            )


@settings(max_examples=40, deadline=None)
@given(world=_worlds(), config=_configs(), data=st.data())
def test_plan_is_the_same_under_any_input_order(
    world: World, config: SyncConfig, data: st.DataObject
) -> None:
    """(a): permuting the records of either side never changes the plan."""
    hubspot = list(world.hubspot.values())
    qbo = list(world.qbo.values())
    state = world.store.load(config)
    expected = plan(config, hubspot, qbo, state, now=T0)
    shuffled = plan(
        config,
        data.draw(st.permutations(hubspot)),
        data.draw(st.permutations(qbo)),
        state,
        now=T0,
    )
    assert shuffled == expected
    assert shuffled.to_dict() == expected.to_dict()


@st.composite
def _full_worlds(draw: st.DrawFn) -> World:
    """Contacts, products and invoices with lines."""
    base = draw(_worlds())
    for i in range(draw(st.integers(0, 3))):
        base.qbo[("Item", f"{i + 1}")] = item(
            f"{i + 1}",
            Name=draw(st.sampled_from(["Widget", "Gadget", "widget", "Nut"])),
            Sku=draw(st.sampled_from(["S1", "S2", None])),
        )
    for i in range(draw(st.integers(0, 2))):
        base.hubspot[("products", f"p{i}")] = product(
            f"p{i}", name=draw(st.sampled_from(["Widget", "Bolt"]))
        )
    customers = sorted(k[1] for k in base.qbo if k[0] == "Customer")
    for i in range(draw(st.integers(0, 3))):
        customer_id = draw(st.sampled_from([*customers, "999"]))
        lines = tuple(
            sales_line(str(n), draw(st.sampled_from(["1", "2", "77"])))
            for n in range(draw(st.integers(0, 2)))
        )
        base.qbo[("Invoice", f"{500 + i}")] = invoice(
            f"{500 + i}",
            customer_id,
            lines=lines,
            created=SETUP + dt.timedelta(days=draw(st.integers(0, 2))),
            TotalAmt="10",
            Balance=draw(st.sampled_from(["0", "10"])),
        )
    return base


@settings(max_examples=40, deadline=None)
@given(world=_full_worlds(), data=st.data())
def test_recommended_config_plans_are_stable(
    world: World, data: st.DataObject
) -> None:
    """(a), (b), (e) with products and invoices too."""
    config = SyncConfig.recommended(SETUP)
    hubspot = list(world.hubspot.values())
    qbo = list(world.qbo.values())
    first = world.plan(config)
    again = plan(
        config,
        data.draw(st.permutations(hubspot)),
        data.draw(st.permutations(qbo)),
        world.store.load(config),
        now=world.clock,
    )
    assert again == first
    assert Plan.from_dict(first.to_dict()) == first
    for op in first.operations:
        if isinstance(op, Create | Update) and op.object != "contacts":
            assert op.side is Side.HUBSPOT
    world.apply(first)
    assert world.plan(config).is_empty
    # Later QBO edits of an invoice (balance, lines) flow and settle again.
    for key, record in sorted(world.qbo.items()):
        if key[0] == "Invoice":
            lines = (
                sales_line("0", "1", qty=data.draw(st.sampled_from("123"))),
                sales_line("9", data.draw(st.sampled_from(["1", "77"]))),
            )
            world.edit(record, Balance="0", Line=lines)
    world.apply(world.plan(config))
    assert world.plan(config).is_empty


_PRODUCT_NAMES = ("Widget", "widget ", "Gadget", "Nut", "", None)
_SKUS = ("S1", "s1", "S2", None)


def _products_two_way() -> SyncConfig:
    return config_of(
        ObjectSync(
            "products",
            "products",
            "Item",
            Direction.TWO_WAY,
            PRODUCT_FIELDS,
            match=PRODUCT_MATCH,
            qbo_defaults={"Type": "Service", "IncomeAccountRef.value": "79"},
        )
    )


@st.composite
def _product_worlds(draw: st.DrawFn) -> World:
    """Products and items that share names and SKUs in every case."""
    hubspot = [
        product(
            f"{i + 1}",
            **{
                k: v
                for k, v in {
                    "name": draw(st.sampled_from(_PRODUCT_NAMES)),
                    "hs_sku": draw(st.sampled_from(_SKUS)),
                }.items()
                if v is not None
            },
        )
        for i in range(draw(st.integers(0, 6)))
    ]
    qbo = [
        item(
            f"{100 + i}",
            **{
                k: v
                for k, v in {
                    "Name": draw(st.sampled_from(_PRODUCT_NAMES)),
                    "Sku": draw(st.sampled_from(_SKUS)),
                }.items()
                if v is not None
            },
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    return World.of(hubspot, qbo)


@settings(max_examples=60, deadline=None)
@given(world=_product_worlds(), data=st.data())
def test_two_way_products_plan_in_any_order_with_unique_item_names(
    world: World, data: st.DataObject
) -> None:
    """(a), (b), rule 4: items claim unique names whatever the input order."""
    config = _products_two_way()
    first = world.plan(config)
    again = plan(
        config,
        data.draw(st.permutations(list(world.hubspot.values()))),
        data.draw(st.permutations(list(world.qbo.values()))),
        world.store.load(config),
        now=world.clock,
    )
    assert again == first
    existing = {
        names.name_key(r.fields["Name"])  # type: ignore[arg-type]
        for r in world.qbo.values()
        if r.fields.get("Name")
    }
    world.apply(first)
    created = [
        names.name_key(r.fields["Name"])  # type: ignore[arg-type]
        for key, r in world.qbo.items()
        if int(key[1]) >= 90_000
    ]
    assert len(created) == len(set(created)), created
    assert not existing & set(created), (existing, created)
    assert world.plan(config).is_empty
