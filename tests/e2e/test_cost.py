"""An incremental run costs in proportion to the changes, not the records."""

from __future__ import annotations

from world import World, hubspot_writes, qbo_writes, world

from hsqbo import MemoryStore, Outcome


def _linked_world(pairs: int) -> tuple[World, MemoryStore]:
    """*pairs* contacts and customers that match by e-mail, synced."""
    w = world()
    for n in range(pairs):
        email = f"person{n}@example.com"
        w.hubspot_fake.create(
            "contacts",
            {"email": email, "firstname": f"First{n}", "lastname": f"Last{n}"},
        )
        w.qbo_fake.add_customer(
            f"First{n} Last{n}",
            email=email,
            given_name=f"First{n}",
            family_name=f"Last{n}",
        )
    w.later()
    store = MemoryStore()
    w.sync(store).run()
    w.later()
    w.sync(store).run()
    w.later()
    return w, store


def _ten_changes(
    w: World, store: MemoryStore
) -> tuple[int, int, int, list[str], list[str]]:
    """Edit 5 records on each side and run; the calls, updates and writes."""
    for obj in w.hubspot_fake.objects("contacts")[:5]:
        w.hubspot_fake.update("contacts", obj.id, {"city": "Leeds"})
    for customer in w.qbo_fake.customers()[-5:]:
        w.qbo_fake.update(
            "Customer",
            str(customer["Id"]),
            {"FamilyName": f"{customer['FamilyName']}-x"},
        )
    w.later()
    hs_before, qb_before = len(w.hubspot_fake.calls), len(w.qbo_fake.calls)
    report = w.sync(store).run()
    assert report.api_calls == {
        "hubspot": len(w.hubspot_fake.calls) - hs_before,
        "qbo": len(w.qbo_fake.calls) - qb_before,
    }
    return (
        report.api_calls["hubspot"],
        report.api_calls["qbo"],
        report.count(Outcome.UPDATED),
        hubspot_writes(w.hubspot_fake, hs_before),
        qbo_writes(w.qbo_fake, qb_before),
    )


def test_incremental_cost_follows_changes_not_total() -> None:
    """10 changes among 2,000 records cost what 10 among 200 cost."""
    big, big_store = _linked_world(1000)
    small, small_store = _linked_world(100)
    try:
        assert len(big_store.state.object("contacts").links) == 1000
        big_cost = _ten_changes(big, big_store)
        small_cost = _ten_changes(small, small_store)
    finally:
        big.close()
        small.close()
    assert big_cost == small_cost
    hubspot, qbo, updated, hubspot_written, qbo_written = big_cost
    assert updated == 10
    # HubSpot: 3 searches (one per object), the changed contacts' and the
    # partners' company associations, the partners' batch read, the
    # pre-write re-read and one batch update. QBO: one CDC call for every
    # entity, the partners by id, one batch of updates.
    assert (hubspot, qbo) == (8, 3)
    assert hubspot_written == [
        "POST /crm/objects/2026-03/contacts/batch/update"
    ]
    assert qbo_written == ["POST batch"]


def test_writes_go_in_the_largest_batches() -> None:
    """130 HubSpot creates take 2 batches (100 + 30), 60 QBO creates take 2."""
    w = world()
    try:
        for n in range(60):
            w.hubspot_fake.create(
                "contacts",
                {
                    "email": f"hub{n}@example.com",
                    "firstname": f"Hub{n}",
                    "lastname": "Spot",
                },
            )
        for n in range(130):
            w.qbo_fake.add_customer(
                f"Quick {n}", email=f"qbo{n}@example.com", family_name="Books"
            )
        w.later()
        qb_before = len(w.qbo_fake.calls)
        report = w.sync(MemoryStore()).run()
        assert report.count(Outcome.CREATED, "contacts") == 190
        upserts = [
            len(c.body["inputs"])
            for c in w.hubspot_fake.calls
            if c.path.endswith("/contacts/batch/upsert")
        ]
        assert upserts == [100, 30]
        # The fake refuses more than 30 items per QBO batch.
        assert qbo_writes(w.qbo_fake, qb_before) == ["POST batch"] * 2
    finally:
        w.close()
