"""
A seeded HubSpot portal and QBO company, and a sync between them.

Shared by the end-to-end tests and by the child process of the crash
tests, which rebuilds clients against the fakes its parent serves.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs
import httpx

from hsqbo import Direction, FieldMap, RetryPolicy, SyncConfig
from hsqbo._state import MemoryStore, StateStore
from hsqbo._sync import Sync
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import QuickBooksClient
from hsqbo.testing import FakeHubSpot, FakeQuickBooks, VirtualClock


START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SETUP_AT = START - dt.timedelta(days=1)
#: Writes that change something, per fake (reads are GET, search, batch/read
#: and the QBO query endpoint).
_HUBSPOT_READS = ("/search", "/batch/read")


def config() -> SyncConfig:
    """
    The recommended configuration, set up the day before START.

    Plus the invoice custom field "PO Number" mapped to a custom HubSpot
    invoice property (B20).
    """
    base = SyncConfig.recommended(SETUP_AT)
    po_number = FieldMap(
        "po_number",
        "CustomField[PO Number]",
        direction=Direction.QBO_TO_HUBSPOT,
    )
    return attrs.evolve(
        base,
        objects=tuple(
            attrs.evolve(o, fields=(*o.fields, po_number))
            if o.name == "invoices"
            else o
            for o in base.objects
        ),
    )


def retry() -> RetryPolicy:
    """Retries that never sleep for real (the clock is virtual)."""
    return RetryPolicy(attempts=8, max_jitter=0.0)


@attrs.define
class World:
    """The two fakes, their clients and one virtual clock."""

    clock: VirtualClock
    hubspot_fake: FakeHubSpot
    qbo_fake: FakeQuickBooks
    hubspot: HubSpotClient
    qbo: QuickBooksClient
    http: list[httpx.Client] = attrs.Factory(list)

    def sync(self, store: StateStore, cfg: SyncConfig | None = None) -> Sync:
        """A sync over the two fakes."""
        return Sync(
            cfg or config(),
            hubspot=self.hubspot,
            qbo=self.qbo,
            store=store,
            clock=self.clock,
        )

    def later(self, minutes: float = 10) -> None:
        """Let time pass between runs."""
        self.clock.advance(minutes * 60)

    def close(self) -> None:
        """Close the clients."""
        self.hubspot.close()
        self.qbo.close()
        for http in self.http:
            http.close()


def clients(
    clock: VirtualClock,
    *,
    hubspot_url: str,
    qbo_url: str,
    hubspot_http: httpx.Client | None = None,
    qbo_http: httpx.Client | None = None,
    realm_id: str = FakeQuickBooks.DEFAULT_REALM_ID,
) -> tuple[HubSpotClient, QuickBooksClient]:
    """Clients for the fakes, retrying without sleeping."""
    hubspot = HubSpotClient(
        "pat-na1-test",
        base_url=hubspot_url,
        http=hubspot_http,
        clock=clock,
        retry=retry(),
    )
    qbo = QuickBooksClient(
        realm_id,
        "qbo-access-token",
        base_url=qbo_url,
        http=qbo_http,
        clock=clock,
        retry=retry(),
    )
    return hubspot, qbo


def world(clock: VirtualClock | None = None) -> World:
    """Empty fakes reached through their httpx transports."""
    clock = clock or VirtualClock(SETUP_AT + dt.timedelta(hours=1))
    hubspot_fake = FakeHubSpot(clock=clock)
    qbo_fake = FakeQuickBooks(clock=clock, enforce_quotas=False)
    hs_http = httpx.Client(transport=hubspot_fake.transport())
    qbo_http = httpx.Client(transport=qbo_fake.transport())
    hubspot, qbo = clients(
        clock,
        hubspot_url="https://api.hubapi.com",
        qbo_url="https://quickbooks.test",
        hubspot_http=hs_http,
        qbo_http=qbo_http,
    )
    return World(
        clock=clock,
        hubspot_fake=hubspot_fake,
        qbo_fake=qbo_fake,
        hubspot=hubspot,
        qbo=qbo,
        http=[hs_http, qbo_http],
    )


def hubspot_writes(fake: FakeHubSpot, since: int = 0) -> list[str]:
    """The write requests HubSpot received after call number *since*."""
    out = []
    for call in fake.calls[since:]:
        if call.method == "GET":
            continue
        if call.method == "POST" and call.path.endswith(_HUBSPOT_READS):
            continue
        out.append(f"{call.method} {call.path}")
    return out


def qbo_writes(fake: FakeQuickBooks, since: int = 0) -> list[str]:
    """The write requests QBO received after call number *since*."""
    out = []
    for call in list(fake.calls)[since:]:
        if call.method == "GET" or call.resource in {"query", "cdc"}:
            continue
        if call.resource == "batch" and _batch_is_query(call):
            continue
        out.append(f"{call.method} {call.resource}")
    return out


def _batch_is_query(call: Any) -> bool:
    del call
    return False


def emails(records: Iterator[Any] | tuple[Any, ...], key: str) -> Counter[str]:
    """Count records by a lower-cased e-mail (duplicates show as > 1)."""
    return Counter(
        str(value).lower()
        for value in (key_of(r, key) for r in records)
        if value
    )


def key_of(record: Any, key: str) -> Any:
    """A property of a fake HubSpot object or a field of a QBO dict."""
    if isinstance(record, dict):
        node: Any = record
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node
    return record.properties.get(key)


@attrs.frozen
class Seeded:
    """Ids of the seeded records the first-sync test looks at."""

    acme: str
    globex: str
    initech: str
    alice: str
    bob: str
    carol: str
    dave_contact: str
    ivan: str
    dave_customer: str
    erin_customer: str
    widget: str
    gadget: str
    dave_invoice: str
    erin_invoice: str
    old_invoice: str


def seed(w: World, *, no_email: bool = False) -> Seeded:
    """
    The portal and company of the first-sync scenario (issue 5 §3).

    HubSpot: Acme with two contacts (Alice first, Bob later), Carol without
    a company, Dave at Globex whose e-mail matches a QBO customer, Ivan at
    Initech whose name a QBO vendor already holds. QBO: Dave (matches),
    Erin (no contact yet), two items, two invoices after set-up (one paid in
    part, with a custom field) and one from before set-up. With *no_email*,
    also Nora, a contact with neither e-mail nor company (nothing to match
    her QBO customer by but its display name).
    """
    hs, qb = w.hubspot_fake, w.qbo_fake
    hs.define_property("invoices", "po_number", label="PO number")
    acme = hs.create("companies", {"name": "Acme Ltd"})
    globex = hs.create("companies", {"name": "Globex"})
    initech = hs.create("companies", {"name": "Initech"})
    alice = hs.create(
        "contacts",
        {
            "email": "alice@acme.example",
            "firstname": "Alice",
            "lastname": "Ames",
        },
    )
    w.clock.advance(60)
    bob = hs.create(
        "contacts",
        {"email": "bob@acme.example", "firstname": "Bob", "lastname": "Burns"},
    )
    carol = hs.create(
        "contacts",
        {
            "email": "carol@home.example",
            "firstname": "Carol",
            "lastname": "Cole",
        },
    )
    dave = hs.create(
        "contacts",
        {
            "email": "Dave@Globex.example",
            "firstname": "Dave",
            "lastname": "Dunn",
        },
    )
    ivan = hs.create(
        "contacts",
        {
            "email": "ivan@initech.example",
            "firstname": "Ivan",
            "lastname": "Ito",
        },
    )
    if no_email:
        hs.create("contacts", {"firstname": "Nora", "lastname": "Nobody"})
    for contact, company in (
        (alice, acme),
        (bob, acme),
        (dave, globex),
        (ivan, initech),
    ):
        hs.associate(
            "contacts", contact.id, "companies", company.id, type_id=1
        )
    qb.add_vendor("Initech")
    dave_c = qb.add_customer(
        "Dave Dunn",
        email="dave@globex.example",
        given_name="Dave",
        family_name="Dunn",
    )
    erin_c = qb.add_customer(
        "Erin Eads",
        email="erin@eads.example",
        given_name="Erin",
        family_name="Eads",
    )
    widget = qb.add_item("Widget", unit_price="12.50", sku="W-1")
    gadget = qb.add_item("Gadget", unit_price="99", sku="G-1")
    qb.set_custom_field(1, "PO Number")
    # An invoice from before the set-up day's noon: filtered out.
    old = qb.add_invoice(
        dave_c["Id"], [(widget["Id"], 1, "12.50")], txn_date="2026-02-01"
    )
    w.clock.set(max(START, w.clock.now()))
    # Invoices after set-up noon: the recommended filter lets them through.
    w.clock.advance(60)
    dave_inv = qb.add_invoice(
        dave_c["Id"],
        [(widget["Id"], 2, "12.50"), (gadget["Id"], 1, "99")],
        doc_number="INV-1",
        custom_fields={"1": "PO-77"},
    )
    erin_inv = qb.add_invoice(
        erin_c["Id"], [(gadget["Id"], 3, "99")], doc_number="INV-2"
    )
    qb.add_payment(erin_c["Id"], "100", applied={erin_inv["Id"]: "100"})
    w.clock.advance(60)
    return Seeded(
        acme=acme.id,
        globex=globex.id,
        initech=initech.id,
        alice=alice.id,
        bob=bob.id,
        carol=carol.id,
        dave_contact=dave.id,
        ivan=ivan.id,
        dave_customer=dave_c["Id"],
        erin_customer=erin_c["Id"],
        widget=widget["Id"],
        gadget=gadget["Id"],
        dave_invoice=dave_inv["Id"],
        erin_invoice=erin_inv["Id"],
        old_invoice=old["Id"],
    )


def memory_store() -> MemoryStore:
    """A fresh in-memory store."""
    return MemoryStore()


def sqlite_store(path: str, clock: VirtualClock) -> StateStore:
    """A SQLite store in *path* on the world's clock."""
    from hsqbo import SQLiteStore  # noqa: PLC0415 - only where wanted

    return SQLiteStore(path, clock=clock)


def snapshot(w: World) -> dict[str, Any]:
    """Both sides by natural keys (ids differ between worlds)."""
    hs = w.hubspot_fake
    contacts = Counter(
        (o.properties.get("email") or "").lower()
        for o in hs.objects("contacts")
    )
    contact_fields = sorted(
        (
            (o.properties.get("email") or "").lower(),
            o.properties.get("firstname"),
            o.properties.get("lastname"),
        )
        for o in hs.objects("contacts")
    )
    emails = {
        o.id: (o.properties.get("email") or "").lower()
        for o in hs.objects("contacts")
    }
    companies = {
        o.id: o.properties.get("name") for o in hs.objects("companies")
    }
    invoices = []
    for inv in hs.objects("invoices"):
        lines = hs.associations("invoices", inv.id, "line_items")
        invoices.append(
            (
                inv.properties.get("hs_number"),
                inv.properties.get("hs_balance_due"),
                inv.properties.get("po_number"),
                tuple(
                    emails.get(a.to_id)
                    for a in hs.associations("invoices", inv.id, "contacts")
                ),
                tuple(
                    companies.get(a.to_id)
                    for a in hs.associations("invoices", inv.id, "companies")
                ),
                len(lines),
            )
        )
    customers = sorted(
        (
            c["DisplayName"],
            (c.get("PrimaryEmailAddr") or {}).get("Address", "").lower(),
            c.get("FamilyName"),
        )
        for c in w.qbo_fake.customers()
    )
    return {
        "contacts": dict(contacts),
        "contact_fields": contact_fields,
        "products": sorted(
            (o.properties.get("name"), o.properties.get("hs_sku"))
            for o in hs.objects("products")
        ),
        "line_items": len(hs.objects("line_items")),
        "invoices": sorted(invoices, key=repr),
        "customers": customers,
    }
