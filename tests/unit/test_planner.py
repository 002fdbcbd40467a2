"""The planner's rules, one behaviour per test (design §5)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TypeVar

import pytest
from planner_support import (
    T0,
    World,
    at,
    company,
    config_of,
    contact,
    contacts_sync,
    customer,
)

from hsqbo._config import ConflictPolicy, DisplayNameRule, SyncConfig
from hsqbo._defaults import CONTACT_FIELDS
from hsqbo._filters import Filter, FilterGroup, Operator
from hsqbo._mapping import FieldMap
from hsqbo._operations import (
    Conflict,
    Create,
    ErrorCode,
    Link,
    Rebase,
    Remap,
    Skip,
    SkipReason,
    Update,
)
from hsqbo._planner import plan
from hsqbo._record import Direction, Side
from hsqbo._state import SyncState


T = TypeVar("T")


def _of(ops: Any, kind: type[T]) -> list[T]:
    return [op for op in ops if isinstance(op, kind)]


def _linked(
    sync: object = None,
) -> tuple[World, SyncConfig]:
    """A world with one contact linked to one customer, both in agreement."""
    config = config_of(sync or contacts_sync())  # type: ignore[arg-type]
    world = World.of(
        [contact("1", email="jo@example.com", first="Jo", last="Li")],
        [customer("7", email="jo@example.com", given="Jo", family="Li")],
    )
    world.apply(world.plan(config))
    assert world.plan(config).is_empty
    return world, config


# -- linked pairs: three-way merge ------------------------------------------


def test_change_on_hubspot_updates_qbo_only() -> None:
    """A field changed on HubSpot alone is one QBO update (old, new)."""
    world, config = _linked()
    world.edit(world.hubspot[("contacts", "1")], firstname="Joanna")
    updates = _of(world.plan(config).operations, Update)
    assert [(u.side, u.id, dict(u.changes)) for u in updates] == [
        (Side.QBO, "7", {"GivenName": ("Jo", "Joanna")})
    ]
    assert updates[0].base == {"firstname=GivenName": "Joanna"}
    assert updates[0].expected_version == world.qbo[("Customer", "7")].version


def test_change_on_qbo_updates_hubspot_only() -> None:
    """A field changed on QBO alone becomes one HubSpot update."""
    world, config = _linked()
    world.edit(world.qbo[("Customer", "7")], FamilyName="Lee")
    updates = _of(world.plan(config).operations, Update)
    assert [(u.side, dict(u.changes)) for u in updates] == [
        (Side.HUBSPOT, {"lastname": ("Li", "Lee")})
    ]


def test_same_change_on_both_sides_only_refreshes_the_base() -> None:
    """Both sides changed to the same value: no write, one Rebase."""
    world, config = _linked()
    world.edit(world.hubspot[("contacts", "1")], firstname="Joe")
    world.edit(world.qbo[("Customer", "7")], GivenName="Joe ")
    result = world.plan(config)
    assert result.is_empty
    rebases = _of(result.operations, Rebase)
    assert [dict(r.base) for r in rebases] == [{"firstname=GivenName": "Joe"}]
    world.apply(result)
    assert _of(world.plan(config).operations, Rebase) == []


def _conflicting(policy: ConflictPolicy, hubspot_last: bool) -> list[object]:
    world, config = _linked(contacts_sync(conflicts=policy))
    first, second = (
        (("Customer", "7"), ("contacts", "1"))
        if hubspot_last
        else (("contacts", "1"), ("Customer", "7"))
    )
    for key in (first, second):
        records = world.qbo if key[0] == "Customer" else world.hubspot
        name = "GivenName" if key[0] == "Customer" else "firstname"
        world.edit(records[key], **{name: f"{key[0]}-edit"})
    return list(world.plan(config).operations)


def test_conflict_most_recent_takes_the_later_side() -> None:
    """MOST_RECENT: the side changed last wins; the conflict is reported."""
    ops = _conflicting(ConflictPolicy.MOST_RECENT, hubspot_last=True)
    (conflict,) = _of(ops, Conflict)
    assert conflict.winner is Side.HUBSPOT
    (update,) = _of(ops, Update)
    assert (update.side, dict(update.changes)) == (
        Side.QBO,
        {"GivenName": ("Customer-edit", "contacts-edit")},
    )
    ops = _conflicting(ConflictPolicy.MOST_RECENT, hubspot_last=False)
    assert _of(ops, Conflict)[0].winner is Side.QBO
    assert _of(ops, Update)[0].side is Side.HUBSPOT


def test_conflict_fixed_policies_pick_their_side() -> None:
    """HUBSPOT_WINS and QBO_WINS ignore which side changed last."""
    ops = _conflicting(ConflictPolicy.HUBSPOT_WINS, hubspot_last=False)
    assert _of(ops, Conflict)[0].winner is Side.HUBSPOT
    assert _of(ops, Update)[0].side is Side.QBO
    ops = _conflicting(ConflictPolicy.QBO_WINS, hubspot_last=True)
    assert _of(ops, Conflict)[0].winner is Side.QBO
    assert _of(ops, Update)[0].side is Side.HUBSPOT


def test_conflict_manual_holds_the_field_and_reports_it() -> None:
    """MANUAL writes neither side and reports the held field."""
    ops = _conflicting(ConflictPolicy.MANUAL, hubspot_last=True)
    assert _of(ops, Update) == []
    (conflict,) = _of(ops, Conflict)
    assert conflict.winner is None
    assert (conflict.hubspot_value, conflict.qbo_value, conflict.base) == (
        "contacts-edit",
        "Customer-edit",
        "Jo",
    )


def test_own_writes_do_not_echo() -> None:
    """After applying a plan, the written values are not planned back."""
    world, config = _linked()
    world.edit(world.hubspot[("contacts", "1")], phone="+1 555", city="Oslo")
    world.edit(world.qbo[("Customer", "7")], FamilyName="Lee")
    world.apply(world.plan(config))
    again = world.plan(config)
    assert again.operations == ()
    assert again.unchanged == {"contacts": frozenset({"1"})}


def test_empty_value_does_not_wipe_a_filled_one() -> None:
    """Clearing a field on one side is reported, not propagated."""
    world, config = _linked()
    world.edit(world.hubspot[("contacts", "1")], lastname="  ")
    result = world.plan(config)
    assert result.is_empty
    (skip,) = _of(result.operations, Skip)
    assert skip.reason is SkipReason.EMPTY_KEPT
    assert "'Li'" in skip.detail


def test_an_empty_conflict_winner_does_not_wipe_the_other_side() -> None:
    """HUBSPOT_WINS with HubSpot cleared: QBO's new value fills HubSpot."""
    world, _ = _linked()
    config = config_of(contacts_sync(conflicts=ConflictPolicy.HUBSPOT_WINS))
    world.edit(world.hubspot[("contacts", "1")], lastname="")
    world.edit(world.qbo[("Customer", "7")], FamilyName="Lee")
    result = world.plan(config)
    (update,) = _of(result.operations, Update)
    assert (update.side, dict(update.changes)) == (
        Side.HUBSPOT,
        {"lastname": ("", "Lee")},
    )
    (conflict,) = _of(result.operations, Conflict)
    assert conflict.field == "lastname=FamilyName"
    world.apply(result)
    assert world.plan(config).is_empty


def test_empty_overwrites_lets_a_clear_through() -> None:
    """With empty_overwrites, clearing a field clears the other side."""
    fields = [
        FieldMap(f.hubspot, f.qbo, transform="strip", empty_overwrites=True)
        for f in CONTACT_FIELDS
    ]
    world, config = _linked(contacts_sync(fields=fields))
    world.edit(world.hubspot[("contacts", "1")], lastname="")
    (update,) = _of(world.plan(config).operations, Update)
    assert dict(update.changes) == {"FamilyName": ("Li", None)}


def test_one_way_field_never_writes_its_source() -> None:
    """A HubSpot→QBO field changed in QBO is not written to HubSpot."""
    fields = [
        FieldMap("firstname", "GivenName", direction=Direction.HUBSPOT_TO_QBO),
        *CONTACT_FIELDS[1:],
    ]
    world, config = _linked(contacts_sync(fields=fields))
    world.edit(world.qbo[("Customer", "7")], GivenName="Q")
    assert world.plan(config).is_empty


def test_one_way_field_conflict_goes_to_its_source() -> None:
    """Both sides changed a one-way field: its source wins, reported."""
    fields = [
        FieldMap("firstname", "GivenName", direction=Direction.HUBSPOT_TO_QBO),
        *CONTACT_FIELDS[1:],
    ]
    world, config = _linked(
        contacts_sync(fields=fields, conflicts=ConflictPolicy.QBO_WINS)
    )
    world.edit(world.hubspot[("contacts", "1")], firstname="H")
    world.edit(world.qbo[("Customer", "7")], GivenName="Q")
    ops = world.plan(config).operations
    assert _of(ops, Conflict)[0].winner is Side.HUBSPOT
    assert [u.side for u in _of(ops, Update)] == [Side.QBO]


def test_normalised_equal_values_are_unchanged() -> None:
    """Whitespace the transform strips is not a change."""
    world, config = _linked()
    world.edit(world.hubspot[("contacts", "1")], firstname="  Jo ")
    assert _of(world.plan(config).operations, Update) == []


def test_invalid_value_is_a_record_error() -> None:
    """A value the transform cannot convert is an INVALID_VALUE error."""
    fields = [FieldMap("num_employees", "Notes", transform="decimal")]
    world, config = _linked(contacts_sync(fields=(*CONTACT_FIELDS, *fields)))
    world.edit(world.hubspot[("contacts", "1")], num_employees="many")
    result = world.plan(config)
    assert [(e.code, e.side, e.id) for e in result.errors] == [
        (ErrorCode.INVALID_VALUE, Side.HUBSPOT, "1")
    ]
    assert "num_employees" in result.errors[0].message


def test_linked_partner_not_given_is_reported() -> None:
    """A changed record whose linked partner was not passed is skipped."""
    world, config = _linked()
    changed = world.edit(world.hubspot[("contacts", "1")], firstname="X")
    result = plan(
        config, [changed], [], world.store.load(config), now=world.clock
    )
    (skip,) = _of(result.operations, Skip)
    assert skip.reason is SkipReason.PARTNER_MISSING
    assert result.is_empty


# -- first sync: matching -----------------------------------------------------


def test_first_sync_links_by_normalised_email() -> None:
    """An unlinked pair with the same e-mail (case, spaces) is linked."""
    config = config_of(contacts_sync())
    result = plan(
        config,
        [contact("1", email=" Jo@Example.com", first="Jo")],
        [customer("7", email="jo@example.COM ", given="Jo", family="Li")],
        SyncState(),
        now=T0,
    )
    (link,) = _of(result.operations, Link)
    assert (link.hubspot_id, link.qbo_id) == ("1", "7")
    assert _of(result.operations, Create) == []
    # The first merge fills the HubSpot last name from QBO.
    updates = {u.side: dict(u.changes) for u in _of(result.operations, Update)}
    assert updates[Side.HUBSPOT]["lastname"] == (None, "Li")


def test_ambiguous_match_is_an_error_not_a_guess() -> None:
    """Two customers share the contact's e-mail: AMBIGUOUS_MATCH, no write."""
    config = config_of(contacts_sync())
    result = plan(
        config,
        [contact("1", email="a@x.co", first="A")],
        [customer("7", email="a@x.co"), customer("8", email="A@x.co")],
        SyncState(),
        now=T0,
    )
    assert result.is_empty
    assert sorted((e.side.value, e.id) for e in result.errors) == [
        ("hubspot", "1"),
        ("qbo", "7"),
        ("qbo", "8"),
    ]
    assert {e.code for e in result.errors} == {ErrorCode.AMBIGUOUS_MATCH}
    assert "7, 8" in next(e.message for e in result.errors if e.id == "1")


def test_no_match_creates_the_record_on_the_other_side() -> None:
    """An unmatched contact becomes a QBO customer with mapped fields."""
    config = config_of(contacts_sync())
    result = plan(
        config,
        [contact("1", email="a@x.co", first=" Ann ", last="Lee")],
        [],
        SyncState(),
        now=T0,
    )
    (create,) = _of(result.operations, Create)
    assert (create.side, create.type, create.source.id) == (  # type: ignore[union-attr]
        Side.QBO,
        "Customer",
        "1",
    )
    assert create.fields["GivenName"] == "Ann"
    assert create.fields["DisplayName"] == "Ann Lee"
    assert create.base["firstname=GivenName"] == "Ann"


def test_customers_sharing_an_email_create_one_contact() -> None:
    """Two new customers, one e-mail: the second is reported, not created."""
    config = config_of(contacts_sync())
    result = plan(
        config,
        [],
        [customer("8", email="a@x.co"), customer("7", email=" A@x.co")],
        SyncState(),
        now=T0,
    )
    assert [c.source.id for c in _of(result.operations, Create)] == ["7"]  # type: ignore[union-attr]
    (error,) = result.errors
    assert (error.id, error.code) == ("8", ErrorCode.AMBIGUOUS_MATCH)
    assert "QBO Customer 7" in error.message


def test_items_match_by_sku_then_by_name() -> None:
    """Products link to items by SKU first, then by name when SKU is absent."""
    from planner_support import item, product  # noqa: PLC0415

    config = SyncConfig.recommended(T0)
    result = plan(
        config,
        [
            product("1", name="Widget", hs_sku="W-1"),
            product("2", name="Gadget"),
        ],
        [
            item("10", Name="Widget renamed", Sku="w-1"),
            item("20", Name="gadget"),
        ],
        SyncState(),
        now=T0,
    )
    links = {(op.hubspot_id, op.qbo_id) for op in _of(result.operations, Link)}
    assert links == {("1", "10"), ("2", "20")}
    assert _of(result.operations, Create) == []


# -- filters, directions, disabled objects ------------------------------------


_AFTER_SETUP = (FilterGroup([Filter("createdate", Operator.GT, value=T0)]),)


def test_filtered_record_is_left_out_with_the_failing_filter() -> None:
    """A contact failing its filters is not created; explain says why."""
    config = config_of(contacts_sync(filters_to_qbo=_AFTER_SETUP))
    result = plan(
        config,
        [contact("1", email="a@x.co", first="A", created=at(-60))],
        [],
        SyncState(),
        now=T0,
    )
    assert result.is_empty
    (skip,) = _of(result.operations, Skip)
    assert skip.reason is SkipReason.EXCLUDED
    assert "createdate GT" in skip.detail
    assert "createdate GT" in result.explain()


def test_linked_pair_whose_source_stops_passing_is_excluded() -> None:
    """No updates flow from an excluded source; the link and base are kept."""
    world, _ = _linked()
    config = config_of(contacts_sync(filters_to_qbo=_AFTER_SETUP))
    world.edit(world.hubspot[("contacts", "1")], firstname="Changed")
    result = world.plan(config)
    assert result.is_empty
    (skip,) = _of(result.operations, Skip)
    assert skip.reason is SkipReason.EXCLUDED
    before = world.store.state.object("contacts").links["1"]
    world.apply(result)
    assert world.store.state.object("contacts").links["1"] == before
    # The other direction still flows.
    world.edit(world.qbo[("Customer", "7")], FamilyName="Lee")
    updates = _of(world.plan(config).operations, Update)
    assert [u.side for u in updates] == [Side.HUBSPOT]


def test_excluded_pair_resumes_when_its_source_passes_again() -> None:
    """The change held back while excluded flows once the filter passes."""
    world, _ = _linked()
    config = config_of(contacts_sync(filters_to_qbo=_AFTER_SETUP))
    world.edit(world.hubspot[("contacts", "1")], firstname="Changed")
    world.apply(world.plan(config))
    assert world.qbo[("Customer", "7")].fields["GivenName"] == "Jo"
    world.edit(world.hubspot[("contacts", "1")], createdate=at(1))
    updates = _of(world.plan(config).operations, Update)
    assert [(u.side, dict(u.changes)) for u in updates] == [
        (Side.QBO, {"GivenName": ("Jo", "Changed")})
    ]


def test_one_way_object_never_writes_its_source() -> None:
    """QBO→HubSpot contacts: HubSpot contacts and edits stay there."""
    world, _ = _linked()
    config = config_of(contacts_sync(direction=Direction.QBO_TO_HUBSPOT))
    world.edit(world.hubspot[("contacts", "1")], firstname="Changed")
    world.hubspot[("contacts", "2")] = contact("2", email="n@x.co", first="N")
    result = world.plan(config)
    assert result.is_empty
    reasons = {(s.id, s.reason) for s in _of(result.operations, Skip)}
    assert ("2", SkipReason.ONE_WAY) in reasons


def test_disabled_object_produces_nothing() -> None:
    """A disabled object sync plans no operation and no error."""
    config = config_of(contacts_sync(enabled=False))
    result = plan(
        config,
        [contact("1", email="a@x.co", first="A")],
        [customer("7", email="b@x.co")],
        SyncState(),
        now=T0,
    )
    assert result.operations == ()
    assert result.errors == ()


def test_archived_records_are_reported_not_propagated() -> None:
    """Archived records are not created; a linked archived side no write."""
    config = config_of(contacts_sync())
    result = plan(
        config,
        [contact("1", email="a@x.co", first="A", archived=True)],
        [customer("7", email="b@x.co", archived=True)],
        SyncState(),
        now=T0,
    )
    assert result.is_empty
    assert {(s.id, s.reason) for s in _of(result.operations, Skip)} == {
        ("1", SkipReason.ARCHIVED),
        ("7", SkipReason.ARCHIVED),
    }
    world, config = _linked()
    archived = world.qbo[("Customer", "7")]
    world.qbo[("Customer", "7")] = archived.__class__(
        archived.side,
        archived.type,
        archived.id,
        archived.fields,
        archived.updated_at,
        version=archived.version,
        archived=True,
    )
    world.edit(world.hubspot[("contacts", "1")], firstname="New")
    result = world.plan(config)
    assert result.is_empty
    assert SkipReason.ARCHIVED in {
        s.reason for s in _of(result.operations, Skip)
    }


# -- display names (B18, B19) -------------------------------------------------


def _customers_for(
    contacts: list[object], qbo: list[object] = (), **rule: object
) -> object:
    config = config_of(contacts_sync(display_name=DisplayNameRule(**rule)))
    companies = [company("c1", "Acme Corp"), company("c2", "Beta: West")]
    return plan(
        config,
        [*contacts, *companies],  # type: ignore[list-item]
        list(qbo),  # type: ignore[arg-type]
        SyncState(),
        now=T0,
    )


def test_display_name_is_the_primary_company_name() -> None:
    """A contact gets its primary company's name, CompanyName too."""
    result = _customers_for(
        [contact("1", email="a@x.co", first="A", companies=("c1", "c2"))]
    )
    (create,) = _of(result.operations, Create)  # type: ignore[attr-defined]
    assert create.fields["DisplayName"] == "Acme Corp"
    assert create.fields["CompanyName"] == "Acme Corp"


def test_display_name_falls_back_to_first_and_last_name() -> None:
    """No company, or the company rule off: 'first last', spaces collapsed."""
    result = _customers_for(
        [
            contact("1", email="a@x.co", first=" Ann  Marie ", last=" Lee"),
            contact("2", email="b@x.co", first="Bo", companies=("c1",)),
        ],
        from_company=False,
    )
    names = {
        op.source.id: op.fields["DisplayName"]
        for op in _of(result.operations, Create)  # type: ignore[attr-defined]
    }
    assert names == {"1": "Ann Marie Lee", "2": "Bo"}


def test_forbidden_display_names_are_errors() -> None:
    """Colons, tabs, newlines, > 500 characters or no name are refused."""
    result = _customers_for(
        [
            contact("1", email="a@x.co", companies=("c2",)),
            contact("2", email="b@x.co", first="Tab\tby"),
            contact("3", email="c@x.co", first="x" * 501),
            contact("4", email="d@x.co"),
        ]
    )
    codes = {(e.id, e.code) for e in result.errors}  # type: ignore[attr-defined]
    assert codes == {
        (i, ErrorCode.INVALID_DISPLAY_NAME) for i in ("1", "2", "3", "4")
    }
    assert _of(result.operations, Create) == []  # type: ignore[attr-defined]


def test_first_contact_of_a_company_gets_the_name() -> None:
    """Earliest createdate, then lowest id, gets the name (B19)."""
    contacts = [
        contact(
            "30", email="c@x.co", first="C", companies=("c1",), created=at(5)
        ),
        # The lowest id, created last: creation time decides before the id.
        contact(
            "5", email="e@x.co", first="E", companies=("c1",), created=at(9)
        ),
        contact(
            "9", email="b@x.co", first="B", companies=("c1",), created=at(1)
        ),
        contact(
            "10", email="a@x.co", first="A", companies=("c1",), created=at(1)
        ),
    ]
    result = _customers_for(contacts)
    (create,) = _of(result.operations, Create)  # type: ignore[attr-defined]
    assert create.source.id == "9"
    assert sorted(e.id for e in result.errors) == ["10", "30", "5"]  # type: ignore[attr-defined]
    assert {e.code for e in result.errors} == {  # type: ignore[attr-defined]
        ErrorCode.DUPLICATE_DISPLAY_NAME
    }


def test_display_name_taken_by_an_existing_customer_is_an_error() -> None:
    """Names are checked against every known QBO customer, any case."""
    result = _customers_for(
        [contact("1", email="a@x.co", first="A", companies=("c1",))],
        [customer("7", email="z@x.co", display="ACME  corp")],
    )
    (error,) = result.errors  # type: ignore[attr-defined]
    assert error.code is ErrorCode.DUPLICATE_DISPLAY_NAME
    assert "QBO Customer 7" in error.message


def test_suffix_strategy_keeps_names_unique() -> None:
    """on_duplicate='suffix' appends the contact's name, still unique."""
    contacts = [
        contact(
            "1", email="a@x.co", first="Jane", last="Doe", companies=("c1",)
        ),
        contact(
            "2", email="b@x.co", first="Jane", last="Doe", companies=("c1",)
        ),
        contact("3", email="c@x.co", first="Jim", companies=("c1",)),
    ]
    result = _customers_for(contacts, on_duplicate="suffix")
    names = sorted(
        op.fields["DisplayName"]
        for op in _of(result.operations, Create)  # type: ignore[attr-defined]
    )
    assert names == [
        "Acme Corp",
        "Acme Corp (Jane Doe)",
        "Acme Corp (Jim)",
    ]


def test_link_strategy_links_the_company_customer() -> None:
    """on_duplicate='link' links the contact to the company customer."""
    result = _customers_for(
        [contact("1", email="a@x.co", first="A", companies=("c1",))],
        [customer("7", email="billing@acme.co", display="Acme Corp")],
        on_duplicate="link",
    )
    (link,) = _of(result.operations, Link)  # type: ignore[attr-defined]
    assert (link.hubspot_id, link.qbo_id) == ("1", "7")
    assert _of(result.operations, Create) == []  # type: ignore[attr-defined]


# -- backfill (B13) -----------------------------------------------------------


def test_changed_mapping_resyncs_the_fields_it_changed() -> None:
    """A new transform invalidates that field's base; records are re-synced."""
    world, _ = _linked()
    world.edit(world.hubspot[("contacts", "1")], city="oslo")
    world.edit(world.qbo[("Customer", "7")], **{"BillAddr.City": "oslo"})
    config = config_of(contacts_sync())
    world.apply(world.plan(config))
    upper = [
        FieldMap("city", "BillAddr.City", transform="strip|upper")
        if f.hubspot == "city"
        else f
        for f in CONTACT_FIELDS
    ]
    changed = config_of(contacts_sync(fields=upper))
    result = world.plan(changed)
    (remap,) = _of(result.operations, Remap)
    assert remap.stale == ("city=BillAddr.City",)
    # Both sides normalise to OSLO now, so only the base is refreshed...
    (rebase,) = _of(result.operations, Rebase)
    assert dict(rebase.base) == {"city=BillAddr.City": "OSLO"}
    world.apply(result)
    assert world.plan(changed).operations == ()


def test_new_mapped_field_is_backfilled_from_history() -> None:
    """A new field map syncs records linked before the change (B13)."""
    world, _ = _linked()
    world.edit(world.qbo[("Customer", "7")], Notes="VIP")
    extra = FieldMap("hs_notes", "Notes", direction=Direction.QBO_TO_HUBSPOT)
    config = config_of(contacts_sync(fields=(*CONTACT_FIELDS, extra)))
    updates = _of(world.plan(config).operations, Update)
    assert [(u.side, dict(u.changes)) for u in updates] == [
        (Side.HUBSPOT, {"hs_notes": (None, "VIP")})
    ]


# -- determinism --------------------------------------------------------------


def test_plan_does_not_depend_on_input_order() -> None:
    """Shuffled inputs give the same plan, operation for operation."""
    hubspot = [
        contact(
            str(i), email=f"{i % 7}@x.co", first=f"F{i}", companies=("c1",)
        )
        for i in range(20)
    ] + [company("c1", "Acme Corp")]
    qbo = [customer(str(100 + i), email=f"{i % 5}@x.co") for i in range(10)]
    config = config_of(contacts_sync())
    expected = plan(config, hubspot, qbo, SyncState(), now=T0)
    rng = random.Random(4)  # noqa: S311 - a reproducible shuffle, not a secret
    for _ in range(5):
        rng.shuffle(hubspot)
        rng.shuffle(qbo)
        assert plan(config, hubspot, qbo, SyncState(), now=T0) == expected


def test_now_must_be_aware() -> None:
    """A naive now is refused: the planner never guesses a time zone."""
    config = config_of(contacts_sync())
    naive = dt.datetime(2026, 1, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        plan(config, [], [], SyncState(), now=naive)


_NAMED = (*CONTACT_FIELDS, FieldMap("company", "DisplayName"))


def test_a_mapped_display_name_wins_over_the_rule() -> None:
    """With company ⇄ DisplayName mapped, a new customer takes that name."""
    config = config_of(contacts_sync(fields=_NAMED))
    result = plan(
        config,
        [contact("1", email="a@x.co", first="A", company="Acme West")],
        [],
        SyncState(),
        now=T0,
    )
    (create,) = _of(result.operations, Create)
    assert create.fields["DisplayName"] == "Acme West"


def test_renames_keep_qbo_display_names_unique() -> None:
    """A rename to a taken name is refused; of two, the lower id gets it."""
    config = config_of(contacts_sync(fields=_NAMED))
    world = World.of(
        [
            contact(str(i), email=f"{i}@x.co", first="A", company=f"C{i}")
            for i in (1, 2, 3)
        ],
        [customer("9", email="z@x.co", display="Taken")],
    )
    world.apply(world.plan(config))
    assert world.plan(config).is_empty
    for i, name in (("1", "New"), ("2", "new"), ("3", "TAKEN")):
        world.edit(world.hubspot[("contacts", i)], company=name)
    result = world.plan(config)
    renamed = [
        u.changes["DisplayName"][1]
        for u in _of(result.operations, Update)
        if "DisplayName" in u.changes
    ]
    assert renamed == ["New"]
    assert sorted((e.id, e.code) for e in result.errors) == [
        ("2", ErrorCode.DUPLICATE_DISPLAY_NAME),
        ("3", ErrorCode.DUPLICATE_DISPLAY_NAME),
    ]
    world.apply(result)
    names = [r.fields.get("DisplayName") for r in world.qbo.values()]
    assert len({str(n).casefold() for n in names}) == len(names)
