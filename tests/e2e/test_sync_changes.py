"""Webhook changes: Sync.sync_changes syncs just the records they name."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
from world import (
    Seeded,
    World,
    hubspot_writes,
    qbo_writes,
    seed,
    sqlite_store,
    world,
)

from hsqbo import (
    MemoryStore,
    Outcome,
    Side,
    StateStore,
    StoreLockedError,
    SyncConfig,
)
from hsqbo._reader import HUBSPOT_CURSOR, QBO_CURSOR
from hsqbo.webhooks import (
    Change,
    ChangeKind,
    HubSpotWebhook,
    IntuitWebhook,
    hubspot_signature_v3,
    intuit_signature,
)


_SECRET = "hubspot-app-secret"  # noqa: S105 - a test key, signed here
_VERIFIER = "intuit-verifier-token"
_HOOK_URL = "https://hooks.example.com/webhooks/hubspot"


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
    made = sqlite_store(str(tmp_path / "state.db"), w.clock)
    yield made
    made.close()


def _synced(w: World, store: StateStore) -> Seeded:
    s = seed(w)
    w.sync(store).run()
    w.later()
    w.sync(store).run()  # reads the first run's own writes once
    w.later()
    return s


def _change(
    w: World,
    side: Side,
    type_: str,
    record_id: str,
    kind: ChangeKind = ChangeKind.UPDATED,
    *,
    merged: tuple[str, ...] = (),
) -> Change:
    return Change(
        side=side,
        type=type_,
        id=record_id,
        kind=kind,
        occurred_at=w.clock.now(),
        event_id=f"{side.value}:{type_}:{record_id}:{kind.value}",
        account=w.qbo_fake.realm_id if side is Side.QBO else "123",
        merged_ids=merged,
    )


def _customer(w: World, email: str) -> dict[str, Any]:
    found = [
        c
        for c in w.qbo_fake.customers()
        if (c.get("PrimaryEmailAddr") or {}).get("Address") == email
    ]
    assert len(found) == 1
    return found[0]


def _cursors(w: World, store: StateStore) -> dict[str, tuple[str, str]]:
    state = store.load(w.sync(store).effective_config())
    out = {}
    for obj in w.sync(store).effective_config().objects:
        cursors = state.object(obj.name).cursors
        out[obj.name] = (
            cursors.get(HUBSPOT_CURSOR, ""),
            cursors.get(QBO_CURSOR, ""),
        )
    return out


def _marks(w: World) -> tuple[int, int]:
    return len(w.hubspot_fake.calls), len(w.qbo_fake.calls)


def _no_bulk_reads(w: World, marks: tuple[int, int]) -> None:
    """No list, CDC or search-by-modified-date call since *marks*."""
    for call in w.hubspot_fake.calls[marks[0] :]:
        parts = call.path.rstrip("/").split("/")
        is_list = (
            call.method == "GET"
            and "objects" in parts
            and parts[-1]
            in {
                "contacts",
                "companies",
                "products",
                "invoices",
            }
        )
        assert not is_list, call.path
        if call.path.endswith("/search"):
            assert "hs_lastmodifieddate" not in json.dumps(call.body)
    for qcall in list(w.qbo_fake.calls)[marks[1] :]:
        assert qcall.resource != "cdc"
        if qcall.resource == "query":
            # A targeted read names its records; a list has no WHERE.
            assert " WHERE " in (qcall.query or "").upper(), qcall.query


def _is_contact_read(path: str) -> bool:
    """Whether *path* is a batch read of contacts (not of associations)."""
    return "/objects/" in path and path.endswith("/contacts/batch/read")


def _nothing_to_do(w: World, store: StateStore) -> None:
    """The next normal run (and the one after) writes nothing."""
    w.later()
    hs_mark, qb_mark = _marks(w)
    first = w.sync(store).run()
    w.later()
    second = w.sync(store).run()
    assert hubspot_writes(w.hubspot_fake, hs_mark) == []
    assert qbo_writes(w.qbo_fake, qb_mark) == []
    for report in (first, second):
        assert report.count(Outcome.CREATED) == 0
        assert report.count(Outcome.UPDATED) == 0
        assert report.errors == ()


def test_hubspot_contact_edit_reaches_qbo(w: World, store: StateStore) -> None:
    """A HubSpot contact edit reaches QBO through sync_changes alone."""
    s = _synced(w, store)
    before = _cursors(w, store)
    w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(
        [_change(w, Side.HUBSPOT, "contacts", s.carol)]
    )
    assert report.count(Outcome.UPDATED, "contacts") == 1
    assert _customer(w, "carol@home.example")["BillAddr"]["City"] == "Leeds"
    _no_bulk_reads(w, marks)
    assert report.api_calls == {
        "hubspot": len(w.hubspot_fake.calls) - marks[0],
        "qbo": len(w.qbo_fake.calls) - marks[1],
    }
    assert not report.full
    assert _cursors(w, store) == before
    _nothing_to_do(w, store)


def test_qbo_customer_edit_reaches_hubspot(
    w: World, store: StateStore
) -> None:
    """A QBO customer edit reaches the linked HubSpot contact."""
    _synced(w, store)
    before = _cursors(w, store)
    erin = _customer(w, "erin@eads.example")
    w.qbo_fake.update("Customer", str(erin["Id"]), {"FamilyName": "Eades"})
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(
        [_change(w, Side.QBO, "Customer", str(erin["Id"]))]
    )
    assert report.count(Outcome.UPDATED, "contacts") == 1
    contact = next(
        o
        for o in w.hubspot_fake.objects("contacts")
        if o.properties.get("email") == "erin@eads.example"
    )
    assert contact.properties["lastname"] == "Eades"
    _no_bulk_reads(w, marks)
    assert _cursors(w, store) == before
    _nothing_to_do(w, store)


def test_new_qbo_invoice_reaches_hubspot(w: World, store: StateStore) -> None:
    """A new QBO invoice is created in HubSpot with its lines and contact."""
    s = _synced(w, store)
    before = _cursors(w, store)
    invoice = w.qbo_fake.add_invoice(
        s.dave_customer, [(s.gadget, 2, "99")], doc_number="INV-9"
    )
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(
        [
            _change(
                w, Side.QBO, "Invoice", str(invoice["Id"]), ChangeKind.CREATED
            )
        ]
    )
    assert report.count(Outcome.CREATED, "invoices") == 1
    made = [
        o
        for o in w.hubspot_fake.objects("invoices")
        if o.properties.get("hs_number") == "INV-9"
    ]
    assert len(made) == 1
    contacts = w.hubspot_fake.associations("invoices", made[0].id, "contacts")
    assert [a.to_id for a in contacts] == [s.dave_contact]
    assert (
        len(w.hubspot_fake.associations("invoices", made[0].id, "line_items"))
        == 1
    )
    _no_bulk_reads(w, marks)
    assert _cursors(w, store) == before
    _nothing_to_do(w, store)


def _hubspot_delivery(
    w: World, events: list[dict[str, Any]]
) -> tuple[dict[str, str], bytes]:
    body = json.dumps(events).encode()
    timestamp = str(int(w.clock.now().timestamp() * 1000))
    signature = hubspot_signature_v3(
        client_secret=_SECRET,
        method="POST",
        uri=_HOOK_URL,
        body=body,
        timestamp=timestamp,
    )
    headers = {
        "Content-Type": "application/json",
        "X-HubSpot-Request-Timestamp": timestamp,
        "X-HubSpot-Signature-v3": signature,
    }
    return headers, body


def test_signed_webhooks_end_to_end(w: World, store: StateStore) -> None:
    """Verified HubSpot and Intuit deliveries sync their records."""
    s = _synced(w, store)
    w.hubspot_fake.update("contacts", s.alice, {"phone": "+44 113 496 0000"})
    erin = _customer(w, "erin@eads.example")
    w.qbo_fake.update("Customer", str(erin["Id"]), {"GivenName": "Erina"})
    w.clock.advance(5)
    millis = int(w.clock.now().timestamp() * 1000)
    headers, body = _hubspot_delivery(
        w,
        [
            {
                "eventId": 101,
                "subscriptionId": 7,
                "portalId": 123,
                "occurredAt": millis,
                "subscriptionType": "contact.propertyChange",
                "attemptNumber": 0,
                "objectId": int(s.alice),
                "propertyName": "phone",
                "propertyValue": "+44 113 496 0000",
                "changeSource": "CRM",
            }
        ],
    )
    hubspot_hook = HubSpotWebhook(_SECRET, clock=w.clock)
    changes = list(
        hubspot_hook.handle(
            method="POST", uri=_HOOK_URL, headers=headers, body=body
        )
    )
    intuit_body = json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": w.qbo_fake.realm_id,
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": "Customer",
                                "id": str(erin["Id"]),
                                "operation": "Update",
                                "lastUpdated": w.clock.now().isoformat(),
                            }
                        ]
                    },
                }
            ]
        }
    ).encode()
    intuit_hook = IntuitWebhook(
        _VERIFIER,
        realm_ids=frozenset({w.qbo_fake.realm_id}),
        clock=w.clock,
    )
    changes += intuit_hook.handle(
        headers={
            "intuit-signature": intuit_signature(
                verifier_token=_VERIFIER, body=intuit_body
            )
        },
        body=intuit_body,
    )
    assert len(changes) == 2
    marks = _marks(w)
    report = w.sync(store).sync_changes(changes)
    assert report.count(Outcome.UPDATED, "contacts") == 2
    assert (
        _customer(w, "alice@acme.example")["PrimaryPhone"]["FreeFormNumber"]
        == "+44 113 496 0000"
    )
    contact = next(
        o
        for o in w.hubspot_fake.objects("contacts")
        if o.properties.get("email") == "erin@eads.example"
    )
    assert contact.properties["firstname"] == "Erina"
    _no_bulk_reads(w, marks)
    _nothing_to_do(w, store)


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


def _four_changes(w: World, store: MemoryStore) -> tuple[int, int, int]:
    """Edit 2 records per side, sync the changes; return calls, updates."""
    changes = []
    for obj in w.hubspot_fake.objects("contacts")[:2]:
        w.hubspot_fake.update("contacts", obj.id, {"city": "Leeds"})
        changes.append(_change(w, Side.HUBSPOT, "contacts", obj.id))
    for customer in w.qbo_fake.customers()[-2:]:
        w.qbo_fake.update(
            "Customer",
            str(customer["Id"]),
            {"FamilyName": f"{customer['FamilyName']}-x"},
        )
        changes.append(_change(w, Side.QBO, "Customer", str(customer["Id"])))
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(changes)
    _no_bulk_reads(w, marks)
    return (
        report.api_calls["hubspot"],
        report.api_calls["qbo"],
        report.count(Outcome.UPDATED),
    )


def test_cost_follows_changes_not_total() -> None:
    """4 changes among 600 records cost what 4 among 60 cost, and little."""
    big, big_store = _linked_world(300)
    small, small_store = _linked_world(30)
    try:
        big_cost = _four_changes(big, big_store)
        small_cost = _four_changes(small, small_store)
    finally:
        big.close()
        small.close()
    assert big_cost == small_cost
    hubspot, qbo, updated = big_cost
    assert updated == 4
    # HubSpot: one batch read of the changed contacts and one of the
    # partners, their company associations, the pre-write re-read and one
    # batch update. QBO: the changed customers and the partners by id, one
    # batch of updates.
    assert hubspot <= 7
    assert qbo <= 4


def test_bulk_read_check_sees_a_polling_run(
    w: World, store: StateStore
) -> None:
    """The call-log check used above does catch a first and a polling run."""
    seed(w)
    marks = _marks(w)
    w.sync(store).run()
    with pytest.raises(AssertionError):
        _no_bulk_reads(w, marks)
    w.later()
    marks = _marks(w)
    w.sync(store).run()
    with pytest.raises(AssertionError):
        _no_bulk_reads(w, marks)


def test_uncovered_types_are_ignored_and_noted(
    w: World, store: StateStore
) -> None:
    """Changes of types no object sync covers read nothing; notes say so."""
    s = _synced(w, store)
    before = _cursors(w, store)
    report = w.sync(store).sync_changes(
        [
            _change(w, Side.HUBSPOT, "deals", "901"),
            _change(w, Side.HUBSPOT, "deals", "902"),
            _change(w, Side.QBO, "Vendor", "77"),
            _change(w, Side.HUBSPOT, "tickets", "5", ChangeKind.DELETED),
            _change(w, Side.HUBSPOT, "products", s.widget),
        ]
    )
    assert report.api_calls == {"hubspot": 0, "qbo": 0}
    assert report.counts == {}
    assert report.errors == ()
    assert "2 changes ignored: no object sync covers HubSpot deals" in (
        report.notes
    )
    assert "1 change ignored: no object sync covers QBO Vendor" in (
        report.notes
    )
    assert "1 change ignored: no object sync covers HubSpot tickets" in (
        report.notes
    )
    # products flow one way, QBO -> HubSpot: HubSpot edits go nowhere.
    assert (
        "1 change ignored: HubSpot products: products flows to HubSpot only"
        in report.notes
    )
    assert _cursors(w, store) == before


def test_disabled_object_does_nothing(w: World, store: StateStore) -> None:
    """A disabled object's changes are neither read nor written."""
    s = _synced(w, store)
    w.sync(store).disable("contacts")
    w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(
        [_change(w, Side.HUBSPOT, "contacts", s.carol)]
    )
    assert report.counts == {}
    assert report.api_calls == {"hubspot": 0, "qbo": 0}
    assert hubspot_writes(w.hubspot_fake, marks[0]) == []
    assert qbo_writes(w.qbo_fake, marks[1]) == []
    assert "BillAddr" not in _customer(w, "carol@home.example") or (
        _customer(w, "carol@home.example")["BillAddr"].get("City") != "Leeds"
    )
    assert report.notes == (
        "1 change ignored: HubSpot contacts: contacts disabled",
    )


def test_before_the_first_run_changes_wait(w: World) -> None:
    """Before an object's first run, its changes wait for run()."""
    s = seed(w)
    store = MemoryStore()
    report = w.sync(store).sync_changes(
        [_change(w, Side.HUBSPOT, "contacts", s.carol)]
    )
    assert report.counts == {}
    assert report.notes == (
        (
            "1 change ignored: HubSpot contacts: contacts not synced yet "
            "(run() first)"
        ),
    )
    assert w.qbo_fake.customers() == [
        c for c in w.qbo_fake.customers() if c["DisplayName"] != "Carol Cole"
    ]


def test_duplicates_are_read_once(w: World, store: StateStore) -> None:
    """Several events of one record make one targeted read of it."""
    s = _synced(w, store)
    w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
    w.clock.advance(5)
    changes = [
        _change(w, Side.HUBSPOT, "contacts", s.carol, ChangeKind.CREATED),
        _change(w, Side.HUBSPOT, "contacts", s.carol),
        _change(w, Side.HUBSPOT, "contacts", s.carol),
    ]
    marks = _marks(w)
    report = w.sync(store).sync_changes(changes)
    assert report.count(Outcome.UPDATED, "contacts") == 1
    reads = [
        c for c in w.hubspot_fake.calls[marks[0] :] if _is_contact_read(c.path)
    ]
    # One read of the changed contact (the write goes to QBO).
    assert [[i["id"] for i in c.body["inputs"]] for c in reads] == [[s.carol]]


def test_deletes_and_merges_are_reported(w: World, store: StateStore) -> None:
    """A delete is reported, not sent; a merge re-reads its survivor."""
    s = _synced(w, store)
    carol = _customer(w, "carol@home.example")
    w.hubspot_fake.update("contacts", s.alice, {"city": "Leeds"})
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(
        [
            _change(w, Side.HUBSPOT, "contacts", s.carol, ChangeKind.DELETED),
            _change(
                w,
                Side.HUBSPOT,
                "contacts",
                s.alice,
                ChangeKind.MERGED,
                merged=("999",),
            ),
        ]
    )
    assert qbo_writes(w.qbo_fake, marks[1]) == ["POST batch"]
    assert _customer(w, "carol@home.example")["Id"] == carol["Id"]
    assert _customer(w, "carol@home.example")["Active"] is True
    assert report.count(Outcome.UPDATED, "contacts") == 1
    assert sorted(report.notes) == [
        (
            f"HubSpot contacts {s.carol} was deleted; deletes are not "
            f"propagated; its partner QBO Customer {carol['Id']} kept as it is"
        ),
        (
            f"HubSpot contacts 999 merged into {s.alice}; merges are not "
            "propagated"
        ),
    ]


def test_company_change_replans_its_contacts(
    w: World, store: StateStore
) -> None:
    """A HubSpot company change re-plans the contacts associated with it."""
    s = _synced(w, store)
    # Bob failed on the first sync: Acme's name was taken by Alice. Once
    # Acme is renamed, re-planning its contacts gives him the new name.
    w.hubspot_fake.update("companies", s.acme, {"name": "Acme Group"})
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(
        [_change(w, Side.HUBSPOT, "companies", s.acme)]
    )
    assert report.notes == (
        "1 HubSpot company changed: re-planned 2 associated contacts",
    )
    reads = [
        sorted(i["id"] for i in c.body["inputs"])
        for c in w.hubspot_fake.calls[marks[0] :]
        if _is_contact_read(c.path)
    ]
    assert reads[0] == sorted([s.alice, s.bob])
    assert report.count(Outcome.CREATED, "contacts") == 1
    assert _customer(w, "bob@acme.example")["DisplayName"] == "Acme Group"
    # Alice's customer keeps its name: display names are set on create.
    assert _customer(w, "alice@acme.example")["DisplayName"] == "Acme Ltd"
    _no_bulk_reads(w, marks)
    _nothing_to_do(w, store)


def test_payment_replans_its_invoice(w: World, store: StateStore) -> None:
    """A QBO payment change updates the balance of the invoice it pays."""
    s = _synced(w, store)
    payment = w.qbo_fake.add_payment(
        s.dave_customer, "124", applied={s.dave_invoice: "124"}
    )
    w.clock.advance(5)
    marks = _marks(w)
    report = w.sync(store).sync_changes(
        [
            _change(
                w, Side.QBO, "Payment", str(payment["Id"]), ChangeKind.CREATED
            )
        ]
    )
    assert report.count(Outcome.UPDATED, "invoices") == 1
    invoice = next(
        o
        for o in w.hubspot_fake.objects("invoices")
        if o.properties.get("hs_number") == "INV-1"
    )
    assert invoice.properties["hs_invoice_status"] == "paid"
    _no_bulk_reads(w, marks)
    _nothing_to_do(w, store)


def test_changed_mapping_waits_for_run(w: World, store: StateStore) -> None:
    """After a mapping change, sync_changes leaves the backfill to run()."""
    import attrs  # noqa: PLC0415 - only here
    from world import config  # noqa: PLC0415 - only here

    from hsqbo import FieldMap  # noqa: PLC0415 - only here

    s = _synced(w, store)
    base = config()
    changed = attrs.evolve(
        base,
        objects=tuple(
            attrs.evolve(o, fields=(*o.fields, FieldMap("jobtitle", "Title")))
            if o.name == "contacts"
            else o
            for o in base.objects
        ),
    )
    w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
    w.clock.advance(5)
    report = w.sync(store, changed).sync_changes(
        [_change(w, Side.HUBSPOT, "contacts", s.carol)]
    )
    assert report.counts == {}
    assert report.notes == (
        (
            "contacts: mapping changed (or never synced); its changes "
            "wait for the next run()"
        ),
    )


def test_changes_may_be_a_generator(w: World) -> None:
    """sync_changes takes any iterable of changes, a generator too."""
    store = MemoryStore()
    sync = w.sync(store, SyncConfig.recommended(w.clock.now()))
    report = sync.sync_changes(
        c for c in [_change(w, Side.HUBSPOT, "deals", "1")]
    )
    assert report.notes == (
        "1 change ignored: no object sync covers HubSpot deals",
    )
    assert report.api_calls == {"hubspot": 0, "qbo": 0}


def test_takes_the_lease_and_is_recorded(
    w: World, tmp_path: pathlib.Path
) -> None:
    """Under another writer's lease nothing is written; runs are recorded."""
    path = str(tmp_path / "state.db")
    store = sqlite_store(path, w.clock)
    holder = sqlite_store(path, w.clock)
    try:
        s = _synced(w, store)
        runs = len(list(store.runs()))
        w.hubspot_fake.update("contacts", s.carol, {"city": "Leeds"})
        w.clock.advance(5)
        change = _change(w, Side.HUBSPOT, "contacts", s.carol)
        holder.acquire()
        marks = _marks(w)
        with pytest.raises(StoreLockedError):
            w.sync(store).sync_changes([change])
        assert hubspot_writes(w.hubspot_fake, marks[0]) == []
        assert qbo_writes(w.qbo_fake, marks[1]) == []
        holder.release()
        report = w.sync(store).sync_changes([change])
        assert report.count(Outcome.UPDATED, "contacts") == 1
        latest = next(iter(store.runs(limit=1)))
        assert latest.counts == {"contacts.updated": 1}
        assert len(list(store.runs())) == runs + 1
    finally:
        holder.close()
        store.close()
