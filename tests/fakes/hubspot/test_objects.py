"""Objects: create, read, list, update, archive, validation, timestamps."""

from __future__ import annotations

import json

import httpx
import pytest

from hsqbo.testing import FakeHubSpot, VirtualClock


BASE = ("/crm/v3/objects", "/crm/objects/2026-03")


@pytest.mark.parametrize("base", BASE)
def test_create_then_get_by_id_in_both_path_styles(
    client: httpx.Client, base: str
) -> None:
    """A created contact is readable by id under both path styles."""
    created = client.post(
        f"{base}/contacts",
        json={"properties": {"email": "ann@example.com", "firstname": "Ann"}},
    )
    assert created.status_code == 201
    object_id = created.json()["id"]
    for other in BASE:
        got = client.get(f"{other}/contacts/{object_id}")
        assert got.status_code == 200
        assert got.json()["properties"]["email"] == "ann@example.com"
        assert got.json()["properties"]["hs_object_id"] == object_id


def test_get_by_unique_id_property(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """GET accepts idProperty=email (case-insensitive) instead of the id."""
    ann = fake.create("contacts", {"email": "ann@example.com"})
    got = client.get(
        "/crm/v3/objects/contacts/ANN@example.com",
        params={"idProperty": "email"},
    )
    assert got.json()["id"] == ann.id


def test_id_property_must_be_unique(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """A non-unique idProperty is refused with a 400."""
    fake.create("contacts", {"email": "ann@example.com", "firstname": "Ann"})
    got = client.get(
        "/crm/v3/objects/contacts/Ann", params={"idProperty": "firstname"}
    )
    assert got.status_code == 400


def test_unknown_id_is_a_hubspot_404(client: httpx.Client) -> None:
    """An unknown id gets HubSpot's 404 body with a correlation id."""
    got = client.get("/crm/v3/objects/contacts/999999")
    assert got.status_code == 404
    body = got.json()
    assert body["category"] == "OBJECT_NOT_FOUND"
    assert body["status"] == "error"
    assert body["correlationId"] == got.headers["X-HubSpot-Correlation-Id"]


def test_timestamps_follow_the_injected_clock(
    fake: FakeHubSpot, client: httpx.Client, clock: VirtualClock
) -> None:
    """The createdAt stamp stays; updatedAt and the property move on writes."""
    created = client.post(
        "/crm/v3/objects/companies", json={"properties": {"name": "Acme"}}
    ).json()
    assert created["createdAt"] == "2026-03-01T09:00:00.000Z"
    assert created["properties"]["createdate"] == "2026-03-01T09:00:00.000Z"
    clock.advance(90.5)
    patched = client.patch(
        f"/crm/v3/objects/companies/{created['id']}",
        json={"properties": {"city": "Oslo"}},
    ).json()
    assert patched["createdAt"] == "2026-03-01T09:00:00.000Z"
    assert patched["updatedAt"] == "2026-03-01T09:01:30.500Z"
    stored = fake.get("companies", created["id"])
    assert stored.properties["hs_lastmodifieddate"] == patched["updatedAt"]
    assert stored.properties["city"] == "Oslo"


def test_contacts_also_keep_lastmodifieddate(
    fake: FakeHubSpot, clock: VirtualClock
) -> None:
    """Contacts carry lastmodifieddate besides hs_lastmodifieddate."""
    ann = fake.create("contacts", {"email": "a@example.com"})
    clock.advance(5)
    after = fake.update("contacts", ann.id, {"firstname": "A"})
    assert after.properties["lastmodifieddate"] == "2026-03-01T09:00:05.000Z"
    assert (
        after.properties["hs_lastmodifieddate"]
        == (after.properties["lastmodifieddate"])
    )


def test_list_pages_with_after_cursor(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Listing walks every object once, page by page, with limit <= 100."""
    ids = {fake.create("products", {"name": f"P{i}"}).id for i in range(23)}
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        params = {"limit": "10", "properties": "name"}
        if after:
            params["after"] = after
        page = client.get("/crm/objects/2026-03/products", params=params)
        body = page.json()
        seen.extend(r["id"] for r in body["results"])
        pages += 1
        after = body.get("paging", {}).get("next", {}).get("after")
        if after is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(ids)


def test_list_limit_above_100_is_refused(client: httpx.Client) -> None:
    """limit=101 on a list endpoint is a 400."""
    got = client.get("/crm/v3/objects/contacts", params={"limit": "101"})
    assert got.status_code == 400


def test_requested_properties_only(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Only requested properties (plus the system ones) come back."""
    fake.create(
        "contacts",
        {"email": "a@example.com", "firstname": "A", "city": "Rome"},
    )
    params = [("properties", "city"), ("properties", "phone")]
    result = client.get("/crm/v3/objects/contacts", params=params).json()
    properties = result["results"][0]["properties"]
    assert properties["city"] == "Rome"
    assert "firstname" not in properties
    assert "phone" not in properties  # requested but without a value
    assert "hs_object_id" in properties


def test_archive_and_archived_listing(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """DELETE archives; archived=true lists only archived objects."""
    keep = fake.create("deals", {"dealname": "Keep"})
    drop = fake.create("deals", {"dealname": "Drop"})
    assert client.delete(f"/crm/v3/objects/deals/{drop.id}").status_code == 204
    live = client.get("/crm/v3/objects/deals").json()["results"]
    gone = client.get(
        "/crm/v3/objects/deals", params={"archived": "true"}
    ).json()["results"]
    assert [r["id"] for r in live] == [keep.id]
    assert [r["id"] for r in gone] == [drop.id]
    assert gone[0]["archived"] is True
    assert "archivedAt" in gone[0]
    assert client.get(f"/crm/v3/objects/deals/{drop.id}").status_code == 404
    archived = client.get(
        f"/crm/v3/objects/deals/{drop.id}", params={"archived": "true"}
    )
    assert archived.status_code == 200


def test_validation_names_every_bad_property(client: httpx.Client) -> None:
    """Unknown property, bad option, bad e-mail and bad number: one 400."""
    got = client.post(
        "/crm/v3/objects/contacts",
        json={
            "properties": {
                "email": "not-an-address",
                "nope": "x",
                "lifecyclestage": "friend",
            }
        },
    )
    assert got.status_code == 400
    body = got.json()
    assert body["category"] == "VALIDATION_ERROR"
    codes = {e["in"]: e["code"] for e in body["errors"]}
    assert codes == {
        "email": "INVALID_EMAIL",
        "nope": "PROPERTY_DOESNT_EXIST",
        "lifecyclestage": "INVALID_OPTION",
    }
    embedded = json.loads(body["message"].split(": ", 1)[1])
    assert {e["name"] for e in embedded} == set(codes)
    assert all(e["isValid"] is False for e in embedded)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("1000", True),
        ("12.5", True),
        ("-3", True),
        ("1,000", False),
        ("1.2.3", False),
        ("ten", False),
    ],
)
def test_number_format(client: httpx.Client, value: str, ok: bool) -> None:
    """Numbers: no thousands separators, at most one decimal point."""
    got = client.post(
        "/crm/v3/objects/products",
        json={"properties": {"name": "P", "price": value}},
    )
    assert (got.status_code == 201) is ok
    if not ok:
        assert got.json()["errors"][0]["code"] == "INVALID_INTEGER"


def test_dates_are_midnight_utc_and_datetimes_iso(
    client: httpx.Client,
) -> None:
    """A date takes YYYY-MM-DD or midnight epoch ms; datetimes come as ISO."""
    ok = client.post(
        "/crm/v3/objects/invoices",
        json={
            "properties": {
                "hs_currency": "USD",
                "hs_due_date": "1430438400000",
                "hs_invoice_date": "2026-02-03",
            }
        },
    )
    assert ok.status_code == 201
    invoice_id = ok.json()["id"]
    got = client.get(
        f"/crm/v3/objects/invoices/{invoice_id}",
        params={"properties": "hs_due_date,hs_invoice_date"},
    ).json()["properties"]
    assert got["hs_due_date"] == "2015-05-01"
    assert got["hs_invoice_date"] == "2026-02-03"
    noon = client.post(
        "/crm/v3/objects/invoices",
        json={
            "properties": {
                "hs_currency": "USD",
                "hs_due_date": "1430481600000",
            }
        },
    )
    assert noon.status_code == 400
    deal = client.post(
        "/crm/v3/objects/deals",
        json={"properties": {"closedate": "1430481600000"}},
    ).json()
    assert deal["id"]
    closed = client.get(
        f"/crm/v3/objects/deals/{deal['id']}",
        params={"properties": "closedate"},
    ).json()
    assert closed["properties"]["closedate"] == "2015-05-01T12:00:00.000Z"


def test_invoice_needs_a_currency(client: httpx.Client) -> None:
    """hs_currency is required to create an invoice."""
    got = client.post(
        "/crm/v3/objects/invoices", json={"properties": {"hs_number": "1"}}
    )
    assert got.status_code == 400
    assert got.json()["errors"][0]["in"] == "hs_currency"


def test_read_only_properties_cannot_be_written(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """hs_object_id and hs_lastmodifieddate are read-only over the API."""
    ann = fake.create("contacts", {"email": "a@example.com"})
    got = client.patch(
        f"/crm/v3/objects/contacts/{ann.id}",
        json={"properties": {"hs_lastmodifieddate": "2020-01-01"}},
    )
    assert got.status_code == 400
    assert got.json()["errors"][0]["code"] == "READ_ONLY_VALUE"


def test_empty_string_clears_a_value(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """PATCH with "" clears the property."""
    ann = fake.create("contacts", {"email": "a@example.com", "city": "Rome"})
    client.patch(
        f"/crm/v3/objects/contacts/{ann.id}",
        json={"properties": {"city": ""}},
    )
    assert "city" not in fake.get("contacts", ann.id).properties


def test_duplicate_unique_value_is_a_409_with_the_existing_id(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """A taken e-mail or unique custom value: 409 naming the existing id."""
    ann = fake.create("contacts", {"email": "ann@example.com"})
    fake.define_property("products", "qbo_id", unique=True)
    item = fake.create("products", {"name": "Bolt", "qbo_id": "7"})
    contact = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"email": "Ann@Example.com"}},
    )
    product = client.post(
        "/crm/v3/objects/products",
        json={"properties": {"name": "Nut", "qbo_id": "7"}},
    )
    assert contact.status_code == product.status_code == 409
    assert contact.json()["message"] == (
        f"Contact already exists. Existing ID: {ann.id}"
    )
    assert contact.json()["category"] == "CONFLICT"
    assert f"Existing ID: {item.id}" in product.json()["message"]


def test_archived_object_frees_its_unique_value(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Once archived, an e-mail can be used by a new contact."""
    ann = fake.create("contacts", {"email": "ann@example.com"})
    fake.archive("contacts", ann.id)
    again = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"email": "ann@example.com"}},
    )
    assert again.status_code == 201


def test_line_item_amount_is_computed(fake: FakeHubSpot) -> None:
    """A line item's amount is quantity times price, kept up to date."""
    line = fake.create("line_items", {"quantity": "3", "price": "2.50"})
    assert line.properties["amount"] == "7.5"
    changed = fake.update("line_items", line.id, {"quantity": "4"})
    assert changed.properties["amount"] == "10"


def test_seeding_refuses_invalid_values(fake: FakeHubSpot) -> None:
    """Python seeding validates like the API and names the problem."""
    with pytest.raises(ValueError, match="INVALID_OPTION"):
        fake.create("deals", {"dealstage": "won"})
    with pytest.raises(ValueError, match="object type"):
        fake.create("tickets", {})


def test_unknown_object_type_and_route(client: httpx.Client) -> None:
    """Unknown object types are a 400, unknown routes a 404."""
    assert client.get("/crm/v3/objects/widgets").status_code == 400
    assert client.get("/crm/v9/whatever").status_code == 404
    assert client.put("/crm/v3/objects/contacts").status_code == 405


def test_object_type_ids_are_accepted(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Paths may name a type by its id (0-1 is contacts)."""
    ann = fake.create("contacts", {"email": "a@example.com"})
    assert client.get(f"/crm/v3/objects/0-1/{ann.id}").status_code == 200


def test_list_with_associations(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """associations=companies adds the v3 association block."""
    acme = fake.create("companies", {"name": "Acme"})
    ann = fake.create("contacts", {"email": "a@example.com"})
    fake.associate("contacts", ann.id, "companies", acme.id, type_id=1)
    body = client.get(
        f"/crm/v3/objects/contacts/{ann.id}",
        params={"associations": "companies"},
    ).json()
    results = body["associations"]["companies"]["results"]
    assert {(r["id"], r["type"]) for r in results} == {
        (acme.id, "contact_to_company"),
        (acme.id, "contact_to_company_unlabeled"),
    }


def test_property_history_halves_the_page_limit(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """With propertiesWithHistory a list page holds at most 50."""
    fake.create("contacts", {"email": "a@example.com"})
    url = "/crm/v3/objects/contacts"
    params = {"propertiesWithHistory": "email"}
    assert client.get(url, params={**params, "limit": "51"}).status_code == 400
    page = client.get(url, params={**params, "limit": "50"}).json()
    history = page["results"][0]["propertiesWithHistory"]["email"]
    assert history[0]["value"] == "a@example.com"


def test_changing_a_unique_value_frees_the_old_one(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """After an e-mail change the old address is free, the new one taken."""
    ann = fake.create("contacts", {"email": "old@example.com"})
    client.patch(
        f"/crm/v3/objects/contacts/{ann.id}",
        json={"properties": {"email": "new@example.com"}},
    )
    reuse = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"email": "old@example.com"}},
    )
    clash = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"email": "NEW@example.com"}},
    )
    assert reuse.status_code == 201
    assert clash.status_code == 409
    by_email = client.get(
        "/crm/v3/objects/contacts/new@example.com",
        params={"idProperty": "email"},
    )
    assert by_email.json()["id"] == ann.id
