"""The state snapshot, the fold of applied results, and MemoryStore."""

from __future__ import annotations

import datetime as dt

import pytest
from planner_support import (
    SETUP,
    T0,
    World,
    config_of,
    contact,
    contacts_sync,
    customer,
)

from hsqbo._config import SyncConfig
from hsqbo._operations import (
    Create,
    ErrorCode,
    Link,
    Rebase,
    RecordError,
    RecordKey,
    Remap,
    Skip,
    SkipReason,
    Update,
)
from hsqbo._record import Side
from hsqbo._state import (
    LinkState,
    MemoryStore,
    ObjectState,
    OperationResult,
    StateStore,
    Status,
    SyncState,
    fold,
)


def _linked_state(base: dict[str, object] | None = None) -> SyncState:
    link = LinkState(hubspot_id="1", qbo_id="7", base=base or {"a=A": "x"})
    return SyncState(
        objects={
            "contacts": ObjectState(links={"1": link}, qbo_links={"7": "1"})
        }
    )


def _ok(op: object, **kw: object) -> OperationResult:
    return OperationResult(operation=op, at=T0, **kw)  # type: ignore[arg-type]


def test_link_result_creates_the_link_with_its_base() -> None:
    """A committed Link adds the pair both ways, with the agreed base."""
    op = Link(object="contacts", hubspot_id="1", qbo_id="7", base={"a=A": "x"})
    state = fold(SyncState(), [_ok(op)])
    obj = state.object("contacts")
    assert obj.links["1"].base == {"a=A": "x"}
    assert obj.link_for(Side.QBO, "7") == obj.links["1"]


def test_create_result_links_the_source_to_the_assigned_id() -> None:
    """A committed linking Create links its source to the id the API gave."""
    op = Create(
        object="contacts",
        side=Side.QBO,
        type="Customer",
        fields={"GivenName": "A"},
        source=RecordKey(side=Side.HUBSPOT, type="contacts", id="1"),
        base={"firstname=GivenName": "A"},
    )
    state = fold(SyncState(), [_ok(op, id="55")])
    link = state.object("contacts").links["1"]
    assert (link.qbo_id, link.base) == ("55", {"firstname=GivenName": "A"})
    status = state.object("contacts").records[(Side.HUBSPOT, "contacts", "1")]
    assert status.status is Status.SYNCED


def test_line_item_create_makes_no_link() -> None:
    """A Create with link=False (line items) leaves the links alone."""
    op = Create(
        object="invoices",
        side=Side.HUBSPOT,
        type="line_items",
        fields={},
        source=RecordKey(side=Side.QBO, type="Invoice.Line", id="70:1"),
        link=False,
    )
    assert fold(SyncState(), [_ok(op, id="9")]).object("invoices").links == {}


def test_update_result_stores_its_base_and_failure_does_not() -> None:
    """Only a successful Update moves the base; a failure marks an error."""
    op = Update(
        object="contacts",
        side=Side.QBO,
        type="Customer",
        id="7",
        changes={"A": ("x", "y")},
        expected_version="0",
        base={"a=A": "y"},
    )
    before = _linked_state()
    after = fold(before, [_ok(op)])
    assert after.object("contacts").links["1"].base == {"a=A": "y"}
    failed = fold(before, [_ok(op, error_code="5010", error_message="stale")])
    assert failed.object("contacts").links["1"].base == {"a=A": "x"}
    row = failed.object("contacts").records[(Side.QBO, "Customer", "7")]
    assert (row.status, row.code, row.message) == (
        Status.ERROR,
        "5010",
        "stale",
    )
    # Folding is pure: the input state is untouched.
    assert before.object("contacts").links["1"].base == {"a=A": "x"}


def test_rebase_merges_into_the_base() -> None:
    """A Rebase adds agreed values without dropping the others."""
    op = Rebase(object="contacts", hubspot_id="1", qbo_id="7", base={"b=B": 2})
    base = fold(_linked_state(), [_ok(op)]).object("contacts").links["1"].base
    assert base == {"a=A": "x", "b=B": 2}


def test_remap_forgets_stale_bases_and_records_fingerprints() -> None:
    """A Remap drops the base of changed fields only."""
    state = _linked_state({"a=A": "x", "b=B": "y"})
    op = Remap(
        object="contacts",
        fingerprints={"a=A": "f1", "b=B": "f2"},
        stale=("b=B",),
    )
    after = fold(state, [_ok(op)]).object("contacts")
    assert after.links["1"].base == {"a=A": "x"}
    assert after.fingerprints == {"a=A": "f1", "b=B": "f2"}


def test_reports_become_record_statuses() -> None:
    """Errors and exclusions are kept per record with code or filter."""
    error = RecordError(
        object="contacts",
        side=Side.HUBSPOT,
        type="contacts",
        id="2",
        code=ErrorCode.DUPLICATE_DISPLAY_NAME,
        message="taken",
    )
    skip = Skip(
        object="contacts",
        side=Side.HUBSPOT,
        type="contacts",
        id="3",
        reason=SkipReason.EXCLUDED,
        detail="filter group 1, filter 1: createdate GT …",
    )
    rows = (
        fold(SyncState(), [_ok(error), _ok(skip)]).object("contacts").records
    )
    two = rows[(Side.HUBSPOT, "contacts", "2")]
    three = rows[(Side.HUBSPOT, "contacts", "3")]
    assert (two.status, two.code) == (Status.ERROR, "DUPLICATE_DISPLAY_NAME")
    assert (three.status, three.message) == (Status.EXCLUDED, skip.detail)


def test_relinking_a_record_drops_its_old_pair() -> None:
    """A record is in one link at most: relinking replaces the pair."""
    op = Link(object="contacts", hubspot_id="2", qbo_id="7")
    obj = fold(_linked_state(), [_ok(op)]).object("contacts")
    assert set(obj.links) == {"2"}
    assert obj.qbo_links == {"7": "2"}


def test_memory_store_commits_batches_and_cursors() -> None:
    """MemoryStore folds each batch, keeps cursors, and forgets an object."""
    store = MemoryStore()
    assert isinstance(store, StateStore)
    store.commit(
        [_ok(Link(object="contacts", hubspot_id="1", qbo_id="7"))],
        cursors={"contacts": {"hubspot": "2026-11-27T09:00:00+00:00"}},
    )
    config = config_of(contacts_sync())
    loaded = store.load(config).object("contacts")
    assert loaded.links["1"].qbo_id == "7"
    assert loaded.cursors == {"hubspot": "2026-11-27T09:00:00+00:00"}
    other = SyncConfig([], SETUP)
    assert store.load(other).objects == {}
    store.forget("contacts")
    assert store.load(config).object("contacts").links == {}


def test_applied_first_sync_leaves_links_and_statuses() -> None:
    """After a first sync, every record has a link or a status row."""
    world = World.of(
        [
            contact("1", email="a@x.co", first="A"),
            contact("2", email="b@x.co", first="B"),
        ],
        [customer("7", email="a@x.co", given="A")],
    )
    world.apply(world.plan(config_of(contacts_sync())))
    obj = world.store.state.object("contacts")
    assert obj.links["1"].qbo_id == "7"
    assert "2" in obj.links
    rows = obj.records
    assert rows[(Side.HUBSPOT, "contacts", "2")].status is Status.SYNCED


def test_a_loaded_snapshot_cannot_write_into_the_store() -> None:
    """Writing into a MemoryStore snapshot fails and leaves the store as is."""
    config = SyncConfig.recommended(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    store = MemoryStore()
    store.commit(
        [
            OperationResult(
                operation=Link(object="contacts", hubspot_id="1", qbo_id="9"),
                at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
            )
        ]
    )
    snapshot = store.load(config).object("contacts")
    with pytest.raises(TypeError):
        snapshot.links["2"] = snapshot.links["1"]  # type: ignore[index]
    assert set(store.load(config).object("contacts").links) == {"1"}
