"""One behavioural suite for every state store: MemoryStore and SQLiteStore."""

from __future__ import annotations

import datetime as dt
import pathlib
import tempfile
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_support import (
    CONFIG,
    at,
    batches,
    create_in_qbo,
    error,
    failed,
    link,
    ok,
    skip,
    update,
)

from hsqbo._config import SyncConfig
from hsqbo._operations import ErrorCode, SkipReason
from hsqbo._record import Direction, Side
from hsqbo._sqlite import SQLiteStore
from hsqbo._state import MemoryStore, StateStore, Status, SyncState, fold
from hsqbo._store_query import (
    RECORD_COLUMNS,
    RecordQuery,
    RunOutcome,
    RunRecord,
)


Store = MemoryStore | SQLiteStore
Factory = Callable[[pathlib.Path], Store]

FACTORIES: dict[str, Factory] = {
    "memory": lambda _: MemoryStore(),
    "sqlite": lambda folder: SQLiteStore(folder / "state.db"),
}


@pytest.fixture(params=sorted(FACTORIES))
def store(
    request: pytest.FixtureRequest, tmp_path: pathlib.Path
) -> Iterator[Store]:
    """Each kind of store, empty, closed after the test."""
    made = FACTORIES[request.param](tmp_path)
    yield made
    made.close()


def _filled(store: Store) -> None:
    """Commit a typical first sync: links, a create, an error, a skip."""
    store.commit(
        [
            ok(link("1", "7", a_A="x")),
            ok(create_in_qbo("2"), id="8"),
            ok(error(Side.HUBSPOT, "3", ErrorCode.DUPLICATE_DISPLAY_NAME), 5),
            ok(skip(Side.QBO, "9", SkipReason.EXCLUDED), 10),
            ok(skip(Side.HUBSPOT, "4", SkipReason.ARCHIVED, "products"), 15),
            ok(update(Side.QBO, "7", a_A="y"), 20),
        ],
        cursors={"contacts": {"qbo": "c1", "hubspot": "h1"}},
    )


def test_an_empty_store_has_no_state_records_or_runs(
    store: Store,
) -> None:
    """A new store loads an empty state and lists no rows or runs."""
    assert store.load(CONFIG) == SyncState()
    assert list(store.records()) == []
    assert list(store.runs()) == []


def test_the_store_satisfies_the_protocol(store: Store) -> None:
    """Both stores implement every method of the StateStore protocol."""
    assert isinstance(store, StateStore)
    with store as same:
        assert same is store


def test_a_commit_stores_what_fold_derives(store: Store) -> None:
    """Loading after commits gives exactly the fold of the same batches."""
    _filled(store)
    second = [ok(update(Side.HUBSPOT, "2", firstname_GivenName="N"), 30)]
    store.commit(second, cursors={"contacts": {"qbo": "c2"}})
    expected = fold(
        SyncState(),
        [
            ok(link("1", "7", a_A="x")),
            ok(create_in_qbo("2"), id="8"),
            ok(error(Side.HUBSPOT, "3", ErrorCode.DUPLICATE_DISPLAY_NAME), 5),
            ok(skip(Side.QBO, "9", SkipReason.EXCLUDED), 10),
            ok(skip(Side.HUBSPOT, "4", SkipReason.ARCHIVED, "products"), 15),
            ok(update(Side.QBO, "7", a_A="y"), 20),
        ],
        cursors={"contacts": {"qbo": "c1", "hubspot": "h1"}},
    )
    expected = fold(expected, second, cursors={"contacts": {"qbo": "c2"}})
    state = store.load(CONFIG)
    assert state == expected
    assert store.state == expected
    contacts = state.object("contacts")
    assert contacts.links["1"].base == {"a=A": "y"}
    assert contacts.link_for(Side.QBO, "8") == contacts.links["2"]
    assert contacts.cursors == {"qbo": "c2", "hubspot": "h1"}


def test_a_failed_result_keeps_the_base_and_records_the_error(
    store: Store,
) -> None:
    """A failed update leaves the base and marks the record as an error."""
    store.commit([ok(link("1", "7", a_A="x"))])
    store.commit([failed(update(Side.QBO, "7", a_A="y"), "5010", "stale", 3)])
    contacts = store.load(CONFIG).object("contacts")
    assert contacts.links["1"].base == {"a=A": "x"}
    row = contacts.records[Side.QBO, "Customer", "7"]
    assert (row.status, row.code, row.message) == (
        Status.ERROR,
        "5010",
        "stale",
    )


def test_load_returns_only_the_object_syncs_of_the_config(
    store: Store,
) -> None:
    """Object syncs the config does not name are not loaded."""
    store.commit([ok(link("1", "7")), ok(link("5", "50", "elsewhere"))])
    assert set(store.load(CONFIG).objects) == {"contacts"}
    assert set(store.state.objects) == {"contacts", "elsewhere"}
    only_products = SyncConfig(
        objects=(CONFIG.object("products"),), setup_at=CONFIG.setup_at
    )
    assert store.load(only_products).objects == {}


def test_cursors_merge_per_object_and_name(store: Store) -> None:
    """A cursor commit changes the given cursors and keeps the others."""
    store.commit([], cursors={"contacts": {"qbo": "1", "hubspot": "a"}})
    store.commit(
        [], cursors={"contacts": {"qbo": "2"}, "products": {"qbo": "p"}}
    )
    state = store.load(CONFIG)
    assert state.object("contacts").cursors == {"qbo": "2", "hubspot": "a"}
    assert state.object("products").cursors == {"qbo": "p"}


def test_an_empty_cursor_value_deletes_the_cursor(store: Store) -> None:
    """Committing "" for a cursor removes it; the other cursors stay."""
    store.commit([], cursors={"contacts": {"qbo": "1", "intent:c1": "{}"}})
    store.commit([], cursors={"contacts": {"intent:c1": ""}})
    assert store.load(CONFIG).object("contacts").cursors == {"qbo": "1"}


def test_forget_deletes_one_object_sync_only(store: Store) -> None:
    """Forgetting an object sync drops its links, cursors and rows only."""
    _filled(store)
    store.forget("contacts")
    store.forget("never-synced")
    state = store.load(CONFIG)
    assert set(state.objects) == {"products"}
    assert {r.object for r in store.records()} == {"products"}
    store.commit([ok(link("1", "70"))])
    assert store.load(CONFIG).object("contacts").links["1"].qbo_id == "70"


def test_records_have_both_ids_of_linked_pairs(store: Store) -> None:
    """A linked record's row names its partner; an unlinked one has none."""
    _filled(store)
    rows = {(r.side, r.id): r for r in store.records()}
    created = rows[Side.HUBSPOT, "2"]
    assert (created.hubspot_id, created.qbo_id) == ("2", "8")
    assert created.direction is Direction.HUBSPOT_TO_QBO
    updated = rows[Side.QBO, "7"]
    assert (updated.hubspot_id, updated.qbo_id) == ("1", "7")
    excluded = rows[Side.QBO, "9"]
    assert (excluded.hubspot_id, excluded.qbo_id, excluded.direction) == (
        None,
        "9",
        None,
    )
    assert excluded.message == "excluded detail"


def test_records_come_in_table_order(store: Store) -> None:
    """Rows are ordered by object sync, side, type and id."""
    _filled(store)
    keys = [(r.object, r.side.value, r.type, r.id) for r in store.records()]
    assert keys == sorted(keys)
    assert len(keys) == 5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (RecordQuery(object="products"), {("hubspot", "4")}),
        (RecordQuery(statuses=Status.ERROR), {("hubspot", "3")}),
        (
            RecordQuery(statuses={Status.EXCLUDED, Status.ARCHIVED}),
            {("qbo", "9"), ("hubspot", "4")},
        ),
        (RecordQuery(codes="DUPLICATE_DISPLAY_NAME"), {("hubspot", "3")}),
        (RecordQuery(codes="6240"), set()),
        (RecordQuery(sides=Side.QBO), {("qbo", "9"), ("qbo", "7")}),
        (
            RecordQuery(since=at(10)),
            {("qbo", "9"), ("hubspot", "4"), ("qbo", "7")},
        ),
        (RecordQuery(until=at(10)), {("hubspot", "2"), ("hubspot", "3")}),
        (
            RecordQuery(
                object="contacts", sides=Side.QBO, since=at(5), until=at(15)
            ),
            {("qbo", "9")},
        ),
    ],
)
def test_records_filters(
    store: Store, query: RecordQuery, expected: set[tuple[str, str]]
) -> None:
    """Each filter of a query, alone or combined, selects the same rows."""
    _filled(store)
    assert {(r.side.value, r.id) for r in store.records(query)} == expected


def test_a_query_refuses_naive_times() -> None:
    """A time range without a timezone is refused, not guessed."""
    with pytest.raises(ValueError, match="naive datetime"):
        RecordQuery(since=dt.datetime(2026, 11, 27, 9))  # noqa: DTZ001


def test_records_choose_columns(store: Store) -> None:
    """With columns, each row is a tuple of those columns in that order."""
    _filled(store)
    rows = list(
        store.records(
            RecordQuery(statuses=Status.ERROR),
            columns=("message", "status", "hubspot_id"),
        )
    )
    assert rows == [
        ("DUPLICATE_DISPLAY_NAME for 3", Status.ERROR, "3"),
    ]
    full = next(iter(store.records(columns=RECORD_COLUMNS)))
    assert full == tuple(
        getattr(next(iter(store.records())), c) for c in RECORD_COLUMNS
    )


def test_records_refuse_unknown_columns_before_reading(
    store: Store,
) -> None:
    """An unknown column is refused when asked, naming the valid ones."""
    with pytest.raises(ValueError, match=r"unknown record col.*hubspot_id"):
        store.records(columns=("id", "colour"))


def test_records_stream_from_one_snapshot(store: Store) -> None:
    """Rows are read lazily and commits made while reading are not seen."""
    _filled(store)
    rows = store.records()
    assert not isinstance(rows, list | tuple)
    first = next(rows)
    store.commit([ok(error(Side.QBO, "99", ErrorCode.INVALID_VALUE), 50)])
    rest = list(rows)
    assert [first.id, *(r.id for r in rest)] == ["2", "3", "7", "9", "4"]
    assert "99" in {r.id for r in store.records()}


def test_run_history_replaces_by_id_newest_first(store: Store) -> None:
    """A run recorded twice keeps its last version; runs list newest first."""
    store.record_run(RunRecord(id="a", started_at=at(0)))
    store.record_run(RunRecord(id="b", started_at=at(10)))
    store.record_run(
        RunRecord(
            id="a",
            started_at=at(0),
            finished_at=at(2),
            outcome=RunOutcome.PARTIAL,
            counts={"contacts.create": 3, "contacts.error": 1},
            message="",
        )
    )
    runs = list(store.runs())
    assert [r.id for r in runs] == ["b", "a"]
    assert runs[1].outcome is RunOutcome.PARTIAL
    assert runs[1].counts == {"contacts.create": 3, "contacts.error": 1}
    assert runs[1].finished_at == at(2)
    assert [r.id for r in store.runs(limit=1)] == ["b"]


def test_acquire_and_release_let_one_store_write(store: Store) -> None:
    """The lease holder can write, release, and take the lease again."""
    store.acquire()
    store.acquire()
    store.commit([ok(link("1", "7"))])
    store.release()
    store.commit([ok(link("2", "8"))])
    assert set(store.load(CONFIG).object("contacts").links) == {"1", "2"}


@settings(deadline=None, max_examples=60)
@given(
    batches=batches,
    queries=st.lists(
        st.builds(
            RecordQuery,
            object=st.sampled_from(("contacts", "products")),
            statuses=st.sets(st.sampled_from(list(Status)), max_size=2),
            sides=st.sets(st.sampled_from(list(Side)), max_size=1),
            since=st.integers(0, 600).map(at),
        ),
        max_size=3,
    ),
)
def test_random_commits_give_the_same_state_on_every_store(
    batches: list[tuple[list[object], dict[str, dict[str, str]]]],
    queries: list[RecordQuery],
) -> None:
    """Any sequence of commits gives both stores fold's state and rows."""
    expected = SyncState()
    with tempfile.TemporaryDirectory() as folder:
        stores = [make(pathlib.Path(folder)) for make in FACTORIES.values()]
        try:
            for results, cursors in batches:
                expected = fold(expected, results, cursors=cursors)  # type: ignore[arg-type]
                for each in stores:
                    each.commit(results, cursors=cursors)  # type: ignore[arg-type]
            loaded = [each.load(CONFIG) for each in stores]
            wanted = {
                n: o
                for n, o in expected.objects.items()
                if n in {"contacts", "products", "invoices"}
            }
            assert all(state == SyncState(objects=wanted) for state in loaded)
            for query in [RecordQuery(), *queries]:
                rows = [list(each.records(query)) for each in stores]
                assert rows[0] == rows[1]
        finally:
            for each in stores:
                each.close()


def test_part_syncs_load_and_forget_with_their_object(store: Store) -> None:
    """'<name>:lines' loads with <name> and is forgotten with it."""
    store.commit(
        [
            ok(link("1", "101", "invoices")),
            ok(link("1:1", "101:1", "invoices:lines")),
            ok(link("2", "202")),
        ]
    )
    loaded = store.load(CONFIG)
    assert loaded.object("invoices:lines").link_for(Side.QBO, "101:1")
    store.forget("invoices")
    after = store.load(CONFIG)
    assert "invoices" not in after.objects
    assert "invoices:lines" not in after.objects
    assert after.object("contacts").link_for(Side.HUBSPOT, "2")
