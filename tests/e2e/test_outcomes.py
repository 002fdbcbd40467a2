"""One bad record never stops the others, and every outcome is recorded."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from world import World, config, world

from hsqbo import (
    Direction,
    FieldMap,
    MemoryStore,
    Outcome,
    RunOutcome,
    Side,
    Status,
)
from hsqbo.testing import FaultKind


@pytest.fixture
def w() -> Iterator[World]:
    """Fresh fakes and clients."""
    made = world()
    yield made
    made.close()


def test_one_refused_input_does_not_sink_its_batch(w: World) -> None:
    """HubSpot refuses a whole batch for one bad value; the rest still go."""
    w.hubspot_fake.define_property("contacts", "loyalty_points", type="number")
    base = config()
    contacts = base.object("contacts")
    cfg = attrs.evolve(
        base,
        objects=tuple(
            attrs.evolve(
                o,
                fields=(
                    *contacts.fields,
                    FieldMap(
                        "loyalty_points",
                        "Notes",
                        direction=Direction.QBO_TO_HUBSPOT,
                    ),
                ),
            )
            if o.name == "contacts"
            else o
            for o in base.objects
        ),
    )
    ids = [
        w.qbo_fake.add_customer(
            f"Customer {n}",
            email=f"c{n}@example.com",
            fields={"Notes": "lots" if n == 3 else str(10 * n)},
        )["Id"]
        for n in range(7)
    ]
    w.later()
    store = MemoryStore()
    report = w.sync(store, cfg).run()
    made = {
        o.properties["email"]: o.properties.get("loyalty_points")
        for o in w.hubspot_fake.objects("contacts")
    }
    assert sorted(made) == sorted(
        f"c{n}@example.com" for n in range(7) if n != 3
    )
    assert made["c4@example.com"] == "40"
    assert [(p.id, p.outcome) for p in report.problems] == [
        (ids[3], Outcome.FAILED)
    ]
    row = store.state.object("contacts").records[
        (Side.QBO, "Customer", ids[3])
    ]
    assert row.status is Status.ERROR
    assert row.code == report.problems[0].code
    assert report.count(Outcome.CREATED, "contacts") == 6


def test_refused_qbo_write_is_tried_afresh(w: World) -> None:
    """A create QBO refused (6240) is sent with a new requestid next time."""
    hs = w.hubspot_fake
    initech = hs.create("companies", {"name": "Initech"})
    ivan = hs.create(
        "contacts",
        {"email": "ivan@initech.example", "firstname": "Ivan"},
    )
    hs.associate("contacts", ivan.id, "companies", initech.id, type_id=1)
    vendor = w.qbo_fake.add_vendor("Initech")
    w.later()
    store = MemoryStore()
    first = w.sync(store).run()
    assert [(p.id, p.code) for p in first.errors] == [(ivan.id, "6240")]
    w.qbo_fake.update(
        "Vendor", str(vendor["Id"]), {"DisplayName": "Initech Supplies"}
    )
    w.later()
    # A full run plans the very same create in the very same batch; QBO
    # must not answer it from its memory of the refused request.
    again = w.sync(store).run(full=True)
    assert again.count(Outcome.CREATED, "contacts") == 1
    names = {c["DisplayName"] for c in w.qbo_fake.customers()}
    assert names == {"Initech"}


def test_runs_are_recorded_in_the_store(w: World) -> None:
    """Each apply leaves one finished entry in the store's run history."""
    w.qbo_fake.add_customer("Ada Byron", email="ada@example.com")
    w.later()
    store = MemoryStore()
    report = w.sync(store).run()
    w.later()
    w.sync(store).run()
    runs = list(store.runs())
    assert [r.outcome for r in runs] == [RunOutcome.SUCCEEDED] * 2
    assert all(r.finished_at is not None for r in runs)
    oldest = runs[-1]
    assert oldest.counts["contacts.created"] == report.count(
        Outcome.CREATED, "contacts"
    )


def test_the_report_times_the_run_and_counts_its_calls(w: World) -> None:
    """Elapsed time covers the waits of retries; calls are counted per API."""
    w.qbo_fake.add_customer("Ada Byron", email="ada@example.com")
    w.later()
    # The first two QBO requests are refused with 429: the client waits
    # (on the virtual clock) and retries.
    w.qbo_fake.faults.fail_next(2, FaultKind.RATE_LIMIT)
    started = w.clock.monotonic()
    hs_mark, qb_mark = len(w.hubspot_fake.calls), len(w.qbo_fake.calls)
    report = w.sync(MemoryStore()).run()
    assert report.elapsed == w.clock.monotonic() - started
    assert report.elapsed > 0
    assert report.api_calls == {
        "hubspot": len(w.hubspot_fake.calls) - hs_mark,
        "qbo": len(w.qbo_fake.calls) - qb_mark,
    }
    assert report.count(Outcome.CREATED, "contacts") == 1


def test_a_run_that_raises_is_recorded_as_failed(w: World) -> None:
    """An apply cut short by an exception leaves a finished, failed run."""
    w.qbo_fake.add_customer("Ada Byron", email="ada@example.com")
    w.later()
    store = MemoryStore()

    def interrupt(done: int, total: int) -> None:
        msg = f"stopped at {done} of {total}"
        raise KeyboardInterrupt(msg)

    with pytest.raises(KeyboardInterrupt):
        w.sync(store).run(progress=interrupt)
    (run,) = store.runs()
    assert run.outcome is RunOutcome.FAILED
    assert run.finished_at is not None
    assert run.message.startswith("KeyboardInterrupt: stopped at")
