"""Polling with watch(), and the fallback when a cursor is too old."""

from __future__ import annotations

import pathlib
import signal
from collections.abc import Iterator

import pytest
from world import (
    World,
    hubspot_writes,
    qbo_writes,
    seed,
    sqlite_store,
    world,
)

from hsqbo import MemoryStore, Outcome, StoreLockedError, SyncReport
from hsqbo.testing import FaultKind


@pytest.fixture
def w() -> Iterator[World]:
    """Fresh fakes and clients."""
    made = world()
    yield made
    made.close()


def test_watch_polls_until_the_callback_says_stop(w: World) -> None:
    """Runs every interval on the virtual clock; stops when asked."""
    seed(w)
    reports: list[SyncReport] = []
    start = w.clock.monotonic()
    runs = w.sync(MemoryStore()).watch(
        interval=60, stop=lambda: len(reports) >= 3, on_report=reports.append
    )
    assert runs == 3
    assert len(reports) == 3
    assert reports[0].full
    assert not reports[2].full
    # Two full waits between three runs (the runs take virtual time too).
    assert w.clock.monotonic() - start >= 120


def test_watch_stops_cleanly_on_sigterm(w: World) -> None:
    """SIGTERM ends the loop after the current run; handlers are restored."""
    seed(w)
    before = signal.getsignal(signal.SIGTERM)

    def terminate(report: SyncReport) -> None:
        del report
        signal.raise_signal(signal.SIGTERM)

    runs = w.sync(MemoryStore()).watch(interval=60, on_report=terminate)
    assert runs == 1
    assert signal.getsignal(signal.SIGTERM) is before


def test_cursor_older_than_cdc_window_reads_in_full(w: World) -> None:
    """After 31 quiet days QBO is read in full, reported; nothing changes."""
    seed(w)
    store = MemoryStore()
    w.sync(store).run()
    w.later()
    w.sync(store).run()
    w.later(31 * 24 * 60)
    hs_mark, qb_mark = len(w.hubspot_fake.calls), len(w.qbo_fake.calls)
    report = w.sync(store).run()
    assert report.full
    assert any("30-day" in note for note in report.notes)
    assert not any(
        c.resource == "cdc" for c in list(w.qbo_fake.calls)[qb_mark:]
    )
    assert hubspot_writes(w.hubspot_fake, hs_mark) == []
    assert qbo_writes(w.qbo_fake, qb_mark) == []


def test_full_qbo_read_still_finds_hubspot_partners(w: World) -> None:
    """QBO read in full, HubSpot incrementally: a QBO edit still flows."""
    seed(w)
    store = MemoryStore()
    w.sync(store).run()
    w.later()
    w.sync(store).run()
    w.later(31 * 24 * 60)
    # Carol has no invoice, so nothing else brings her contact in.
    carol = next(
        c for c in w.qbo_fake.customers() if c["DisplayName"] == "Carol Cole"
    )
    w.qbo_fake.update("Customer", str(carol["Id"]), {"FamilyName": "Cole-Ray"})
    w.later()
    report = w.sync(store).run()
    assert report.count(Outcome.UPDATED, "contacts") == 1
    contact = next(
        o
        for o in w.hubspot_fake.objects("contacts")
        if o.properties.get("email") == "carol@home.example"
    )
    assert contact.properties["lastname"] == "Cole-Ray"


def test_watch_survives_a_failed_run(w: World) -> None:
    """A run that fails (QBO down past every retry) is retried next tick."""
    seed(w)
    w.qbo_fake.faults.fail_next(8, FaultKind.UNAVAILABLE)
    reports: list[SyncReport] = []
    runs = w.sync(MemoryStore()).watch(
        interval=60, stop=lambda: len(reports) >= 1, on_report=reports.append
    )
    assert runs == 2
    assert reports[0].count(Outcome.CREATED) > 0


def test_progress_reaches_the_total(w: World) -> None:
    """The progress callback counts up to every operation of the plan."""
    seed(w)
    seen: list[tuple[int, int]] = []
    sync = w.sync(MemoryStore())
    plan = sync.plan()
    sync.apply(plan, progress=lambda done, total: seen.append((done, total)))
    total = len(plan.operations) + len(plan.errors)
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_second_writer_is_refused_before_writing(
    w: World, tmp_path: pathlib.Path
) -> None:
    """Two processes on one store: the second fails before any write."""
    seed(w)
    path = str(tmp_path / "state.db")
    holder = sqlite_store(path, w.clock)
    other = sqlite_store(path, w.clock)
    try:
        holder.acquire()
        sync = w.sync(other)
        plan = sync.plan()
        hs_mark, qb_mark = len(w.hubspot_fake.calls), len(w.qbo_fake.calls)
        with pytest.raises(StoreLockedError):
            sync.apply(plan)
        assert hubspot_writes(w.hubspot_fake, hs_mark) == []
        assert qbo_writes(w.qbo_fake, qb_mark) == []
    finally:
        holder.close()
        other.close()
