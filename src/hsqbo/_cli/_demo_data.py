"""
The demo's small business: a deterministic HubSpot portal and QBO company.

Everything is drawn from one :class:`random.Random` seeded with ``--seed``
and dated by a :class:`~hsqbo.testing.VirtualClock`, so the same seed and
start time always give the same records with the same ids — which is what
lets a second ``hsqbo demo`` rebuild the fakes its saved state refers to.

The business: ~200 companies and ~600 contacts in HubSpot (most at a
company, several sharing one, some with none), ~150 QBO customers (a
quarter of them the same people as HubSpot contacts, their e-mail in other
letter case), ~100 products and services, ~400 invoices with 1-4 lines, a
PO number custom field on some, and full or partial payments on many.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Callable
from typing import Final

import attrs

from hsqbo.testing import FakeHubSpot, FakeQuickBooks, VirtualClock


__all__ = ["DemoSize", "DemoWorld", "edit_round", "seed_world"]

_FIRST: Final = [
    "Ada",
    "Alan",
    "Alice",
    "Amir",
    "Anna",
    "Ben",
    "Bianca",
    "Carla",
    "Chen",
    "Chloe",
    "Dan",
    "Dara",
    "Eli",
    "Emma",
    "Erin",
    "Felix",
    "Fatima",
    "Gus",
    "Hana",
    "Hugo",
    "Ida",
    "Ivan",
    "Jade",
    "Jon",
    "Kai",
    "Kim",
    "Lara",
    "Leo",
    "Lin",
    "Luca",
    "Maya",
    "Max",
    "Nia",
    "Noah",
    "Omar",
    "Olga",
    "Paul",
    "Pia",
    "Quinn",
    "Raj",
    "Rosa",
    "Sam",
    "Sara",
    "Tom",
    "Tara",
    "Uma",
    "Vic",
    "Vera",
    "Will",
    "Yara",
    "Zoe",
]
_LAST: Final = [
    "Ames",
    "Baker",
    "Cole",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hale",
    "Ito",
    "Jones",
    "Khan",
    "Lee",
    "Moreau",
    "Nagy",
    "Okafor",
    "Park",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Ueda",
    "Vance",
    "Weber",
    "Xu",
    "Young",
    "Zimmer",
    "Novak",
    "Berg",
    "Costa",
    "Dunn",
]
_WORDS: Final = [
    "Acme",
    "Apex",
    "Blue",
    "Bright",
    "Cedar",
    "Coastal",
    "Copper",
    "Delta",
    "Echo",
    "Evergreen",
    "Falcon",
    "Golden",
    "Granite",
    "Harbor",
    "Horizon",
    "Iron",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Lumen",
    "Maple",
    "Meridian",
    "Nimbus",
    "North",
    "Oak",
    "Orbit",
    "Pine",
    "Prairie",
    "Quartz",
    "Redwood",
    "Ridge",
    "River",
    "Sage",
    "Silver",
    "Summit",
    "Tidal",
    "Union",
    "Vertex",
    "Willow",
    "Zenith",
]
_KINDS: Final = [
    "Bakery",
    "Builders",
    "Consulting",
    "Dental",
    "Design",
    "Farms",
    "Foods",
    "Garage",
    "Health",
    "Labs",
    "Logistics",
    "Media",
    "Motors",
    "Outfitters",
    "Printing",
    "Robotics",
    "Studio",
    "Supply",
    "Systems",
    "Tools",
    "Travel",
    "Works",
]
_SUFFIX: Final = ("Ltd", "Inc", "LLC", "GmbH", "& Co", "")
_GOODS: Final = [
    "Widget",
    "Gadget",
    "Bracket",
    "Cable",
    "Sensor",
    "Valve",
    "Panel",
    "Filter",
    "Gasket",
    "Lamp",
    "Bolt",
    "Hinge",
    "Pump",
    "Switch",
    "Tile",
    "Brush",
    "Crate",
    "Tape",
    "Glove",
    "Helmet",
]
_GRADES: Final = ("Basic", "Standard", "Pro", "XL", "Mini", "Deluxe")
_SERVICES: Final = [
    "Installation",
    "Maintenance",
    "Consulting",
    "Training",
    "Support",
    "Delivery",
    "Repair",
    "Inspection",
    "Design",
    "Audit",
]
_CITIES: Final = (
    ("Portland", "OR"),
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Boston", "MA"),
    ("Madison", "WI"),
    ("Raleigh", "NC"),
    ("Tucson", "AZ"),
    ("Reno", "NV"),
)
_UNITS: Final = ("Hour", "Visit", "Day", "Plan")
_CENT: Final = decimal.Decimal("0.01")
#: The share of invoices with a PO number in their custom field.
_WITH_PO_NUMBER: Final = 0.4


@attrs.frozen(kw_only=True)
class DemoSize:
    """How big the demo business is (the test suite uses a smaller one)."""

    companies: int = 200
    contacts: int = 600
    customers: int = 150
    items: int = 100
    invoices: int = 400


@attrs.define
class DemoWorld:
    """The two fakes, their clock and the ids the edit rounds work on."""

    clock: VirtualClock
    hubspot: FakeHubSpot
    qbo: FakeQuickBooks
    setup_at: dt.datetime
    contacts: list[str] = attrs.Factory(list)
    customers: list[str] = attrs.Factory(list)
    items: list[str] = attrs.Factory(list)
    invoices: list[str] = attrs.Factory(list)


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _money(rng: random.Random, low: int, high: int) -> decimal.Decimal:
    return (
        decimal.Decimal(rng.randint(low * 100, high * 100)) / 100
    ).quantize(_CENT)


def _phone(rng: random.Random) -> str:
    return f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _unique_names(count: int, make: Callable[[], str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = " ".join(make().split())
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def seed_world(  # noqa: C901, PLR0915 - one event kind after another
    start: dt.datetime,
    seed: int,
    size: DemoSize = DemoSize(),
) -> DemoWorld:
    """
    Build the fakes and fill them, ending with the clock at *start*.

    The history spans the 60 days before *start*; the sync is set up 30
    days before it, so the recommended filters leave the older HubSpot
    contacts and QBO invoices out (they show as excluded).
    """
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    clock = VirtualClock(start - dt.timedelta(days=60))
    hubspot = FakeHubSpot(
        clock=clock,
        seed=seed,
        ten_second_limit=10_000,
        search_per_second=1_000,
    )
    qbo = FakeQuickBooks(clock=clock, enforce_quotas=False)
    setup_at = (start - dt.timedelta(days=30)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    world = DemoWorld(clock=clock, hubspot=hubspot, qbo=qbo, setup_at=setup_at)
    span = int((start - clock.now()).total_seconds())

    def at(fraction: float) -> dt.datetime:
        return (
            start
            - dt.timedelta(seconds=span)
            + dt.timedelta(seconds=int(span * fraction))
        )

    qbo.set_custom_field(1, "PO Number")
    # The custom invoice property the demo maps that field to (B20).
    hubspot.define_property("invoices", "po_number", label="PO Number")
    # Events are made first and applied in time order: the clock only runs
    # forward, and every record's creation time is its event's time.
    events: list[tuple[dt.datetime, int, Callable[[], None]]] = []

    def event(when: dt.datetime, action: Callable[[], None]) -> None:
        events.append((when, len(events), action))

    companies = _unique_names(
        size.companies,
        lambda: (
            f"{rng.choice(_WORDS)} {rng.choice(_KINDS)} {rng.choice(_SUFFIX)}"
        ),
    )
    company_ids: list[str] = []
    for name in companies:

        def make_company(name: str = name) -> None:
            city, state = rng.choice(_CITIES)
            company_ids.append(
                hubspot.create(
                    "companies",
                    {
                        "name": name,
                        "domain": f"{_slug(name)}.example",
                        "city": city,
                        "state": state,
                    },
                ).id
            )

        event(at(rng.uniform(0.0, 0.2)), make_company)

    people = _unique_names(
        size.contacts + size.customers,
        lambda: (
            f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.choice(_FIRST)[0]}"
        ),
    )
    contact_people = people[: size.contacts]
    for index, person in enumerate(contact_people):

        def make_contact(index: int = index, person: str = person) -> None:
            first, last, initial = person.split()
            company = (
                None
                if rng.random() < 0.25 or not company_ids  # noqa: PLR2004 - a quarter without
                else rng.choice(company_ids[: max(1, len(company_ids) // 2)])
                if rng.random() < 0.3  # noqa: PLR2004 - some companies get several
                else rng.choice(company_ids)
            )
            domain = (
                hubspot.get("companies", company).properties.get("domain")
                if company is not None
                else "mail.example"
            )
            city, state = rng.choice(_CITIES)
            created = hubspot.create(
                "contacts",
                {
                    "email": f"{first}.{last}.{initial}{index}@{domain}".lower(),  # noqa: E501
                    "firstname": first,
                    "lastname": f"{last}",
                    "phone": _phone(rng),
                    "city": city,
                    "state": state,
                },
            )
            world.contacts.append(created.id)
            if company is not None:
                hubspot.associate(
                    "contacts", created.id, "companies", company, type_id=1
                )

        event(at(rng.uniform(0.2, 0.95)), make_contact)

    goods = _unique_names(
        size.items,
        lambda: (
            f"{rng.choice(_GOODS)} {rng.choice(_GRADES)}"
            if rng.random() < 0.7  # noqa: PLR2004 - mostly goods
            else f"{rng.choice(_SERVICES)} {rng.choice(_UNITS)}"
        ),
    )
    for number, name in enumerate(goods, start=1):

        def make_item(number: int = number, name: str = name) -> None:
            service = name.split(maxsplit=1)[0] in _SERVICES
            item = qbo.add_item(
                name,
                item_type="Service" if service else "NonInventory",
                unit_price=_money(rng, 5, 400),
                sku=f"{'SV' if service else 'GD'}-{number:04d}",
                description=f"{name}, from the demo catalogue",
            )
            world.items.append(item["Id"])

        event(at(rng.uniform(0.0, 0.1)), make_item)

    # QBO customers: a quarter are HubSpot contacts (same e-mail, other
    # letter case: matched and linked, not copied), the rest QBO-only.
    matched = rng.sample(range(size.contacts), size.customers // 4)
    for number in range(size.customers):

        def make_customer(number: int = number) -> None:
            if number < len(matched) and world.contacts:
                contact = hubspot.get(
                    "contacts",
                    world.contacts[matched[number] % len(world.contacts)],
                )
                first = str(contact.properties.get("firstname"))
                last = str(contact.properties.get("lastname"))
                email = str(contact.properties.get("email")).upper()
                display = f"{first} {last} ({number})"
            else:
                first, last, _ = people[size.contacts + number].split()
                email = f"{first}.{last}{number}@customers.example"
                display = f"{first} {last} {number}"
            city, state = rng.choice(_CITIES)
            customer = qbo.add_customer(
                display,
                email=email,
                given_name=first,
                family_name=last,
                fields={
                    "BillAddr": {"City": city, "CountrySubDivisionCode": state}
                },
            )
            world.customers.append(customer["Id"])

        # Matched customers come after the contacts they match; the others
        # early, so the old invoices have customers to bill.
        event(
            at(0.96 + 0.0001 * number)
            if number < len(matched)
            else at(0.1 + 0.0001 * number),
            make_customer,
        )

    for number in range(size.invoices):

        def make_invoice(number: int = number) -> None:
            _add_invoice(world, rng, number)

        # A tenth from before the set-up day: left out by the filter.
        when = (
            at(rng.uniform(0.3, 0.45))
            if number % 10 == 0
            else at(rng.uniform(0.97, 0.999))
        )
        event(when, make_invoice)

    for when, _, action in sorted(events, key=lambda e: (e[0], e[1])):
        if when > clock.now():
            clock.set(when)
        action()
    clock.set(start)
    return world


def _add_invoice(world: DemoWorld, rng: random.Random, number: int) -> None:
    if not world.customers or not world.items:
        return
    customer = rng.choice(world.customers)
    lines = [
        (rng.choice(world.items), rng.randint(1, 12), _money(rng, 5, 400))
        for _ in range(rng.randint(1, 4))
    ]
    custom = (
        {"1": f"PO-{rng.randint(1000, 9999)}"}
        if rng.random() < _WITH_PO_NUMBER
        else {}
    )
    invoice = world.qbo.add_invoice(
        customer,
        lines,
        doc_number=f"INV-{number + 1:05d}",
        custom_fields=custom,
    )
    world.invoices.append(invoice["Id"])
    total = decimal.Decimal(str(invoice["TotalAmt"]))
    draw = rng.random()
    if draw < 0.4:  # noqa: PLR2004 - paid in full
        world.qbo.add_payment(customer, total, applied={invoice["Id"]: total})
    elif draw < 0.6:  # noqa: PLR2004 - paid in part
        part = (
            total * decimal.Decimal(rng.choice((25, 50, 75))) / 100
        ).quantize(_CENT)
        world.qbo.add_payment(customer, part, applied={invoice["Id"]: part})


def edit_round(world: DemoWorld, round_number: int, seed: int) -> list[str]:
    """
    Change records on both sides, as people do between two syncs.

    Returns:
        One line per kind of change, for the demo to print.
    """
    rng = random.Random(seed * 1000 + round_number)  # noqa: S311 - demo data
    # An hour after the last sync; the replay of a later demo run must
    # see the very same times, so the round itself moves the clock.
    world.clock.advance(3600)
    hs, qb = world.hubspot, world.qbo
    lines: list[str] = []
    contacts = rng.sample(world.contacts, min(10, len(world.contacts)))
    for contact in contacts:
        city, _ = rng.choice(_CITIES)
        hs.update("contacts", contact, {"phone": _phone(rng), "city": city})
    lines.append(
        f"HubSpot: changed phone and city of {len(contacts)} contacts"
    )
    for index in range(3):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        created = hs.create(
            "contacts",
            {
                "email": (
                    f"{first}.{last}.r{round_number}x{index}@newleads.example"
                ).lower(),
                "firstname": first,
                "lastname": last,
            },
        )
        world.contacts.append(created.id)
    lines.append("HubSpot: added 3 new contacts")
    customers = rng.sample(world.customers, min(5, len(world.customers)))
    for customer in customers:
        current = qb.get("Customer", customer)
        if current is None:
            continue
        qb.update(
            "Customer",
            customer,
            {"PrimaryPhone": {"FreeFormNumber": _phone(rng)}},
        )
    lines.append(f"QBO: changed the phone of {len(customers)} customers")
    if world.items:
        item = rng.choice(world.items)
        qb.update("Item", item, {"UnitPrice": _money(rng, 5, 400)})
        lines.append("QBO: changed the price of 1 product")
    before = len(world.invoices)
    for index in range(5):
        _add_invoice(world, rng, 100_000 * round_number + index)
    lines.append(
        f"QBO: added {len(world.invoices) - before} invoices (some paid)"
    )
    world.clock.advance(60)
    return lines
