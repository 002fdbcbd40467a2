"""Properties API: definitions, groups, custom unique properties."""

from __future__ import annotations

import httpx
import pytest

from hsqbo.testing import FakeHubSpot


@pytest.mark.parametrize(
    "base", ["/crm/v3/properties", "/crm/properties/2026-03"]
)
def test_list_has_types_options_and_groups(
    client: httpx.Client, base: str
) -> None:
    """Definitions carry type, fieldType, groupName and enumeration options."""
    body = client.get(f"{base}/deals").json()
    by_name = {p["name"]: p for p in body["results"]}
    stage = by_name["dealstage"]
    assert stage["type"] == "enumeration"
    assert "closedwon" in [o["value"] for o in stage["options"]]
    assert by_name["amount"]["type"] == "number"
    accounting = {
        p["name"] for p in body["results"] if p["groupName"] == "accounting"
    }
    assert accounting
    groups = client.get(f"{base}/deals/groups").json()["results"]
    assert "accounting" in {g["name"] for g in groups}


def test_every_object_type_has_its_default_properties(
    client: httpx.Client,
) -> None:
    """Each of the seven types lists the properties hsqbo maps."""
    expected = {
        "contacts": {"email", "firstname", "lastname", "phone", "city"},
        "companies": {"name", "domain"},
        "products": {"name", "price", "hs_sku", "description"},
        "invoices": {
            "hs_currency",
            "hs_invoice_status",
            "hs_amount_billed",
            "hs_balance_due",
            "hs_due_date",
            "hs_number",
        },
        "line_items": {"hs_product_id", "quantity", "price", "name"},
        "deals": {"dealname", "amount", "dealstage"},
        "notes": {"hs_note_body", "hs_timestamp"},
    }
    for object_type, names in expected.items():
        listed = client.get(f"/crm/v3/properties/{object_type}").json()[
            "results"
        ]
        have = {p["name"] for p in listed}
        assert names <= have, object_type
        assert {"hs_object_id", "hs_lastmodifieddate"} <= have


def test_create_a_unique_property_then_use_it(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """A property created over the API enforces unique values."""
    created = client.post(
        "/crm/v3/properties/invoices",
        json={
            "name": "qbo_id",
            "label": "QBO id",
            "type": "string",
            "fieldType": "text",
            "groupName": "invoiceinformation",
            "hasUniqueValue": True,
        },
    )
    assert created.status_code == 201
    assert created.json()["hasUniqueValue"] is True
    again = client.post(
        "/crm/v3/properties/invoices",
        json={
            "name": "qbo_id",
            "label": "QBO id",
            "type": "string",
            "fieldType": "text",
            "groupName": "invoiceinformation",
        },
    )
    assert again.status_code == 409
    fake.create("invoices", {"hs_currency": "USD", "qbo_id": "9"})
    with pytest.raises(ValueError, match="Existing ID"):
        fake.create("invoices", {"hs_currency": "USD", "qbo_id": "9"})


def test_create_property_validation(client: httpx.Client) -> None:
    """Missing fields, an unknown type or an unknown group are 400s."""
    base = {
        "name": "x",
        "label": "X",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
    }
    assert (
        client.post(
            "/crm/v3/properties/contacts", json={"name": "x"}
        ).status_code
        == 400
    )
    bad_type = {**base, "type": "blob"}
    assert (
        client.post("/crm/v3/properties/contacts", json=bad_type).status_code
        == 400
    )
    bad_group = {**base, "groupName": "nowhere"}
    assert (
        client.post("/crm/v3/properties/contacts", json=bad_group).status_code
        == 400
    )


def test_custom_enumeration_validates_options(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """A custom enumeration refuses other values, per ;-separated option."""
    fake.define_property(
        "contacts", "tier", type="enumeration", options=("gold", "silver")
    )
    fake.define_property(
        "contacts",
        "tags",
        type="enumeration",
        field_type="checkbox",
        options=("a", "b"),
    )
    ok = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"tier": "gold", "tags": "a;b"}},
    )
    bad = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"tier": "bronze", "tags": "a;c"}},
    )
    assert ok.status_code == 201
    assert bad.status_code == 400
    assert {e["in"] for e in bad.json()["errors"]} == {"tier", "tags"}


def test_get_one_property_and_404(client: httpx.Client) -> None:
    """A single definition by name; an unknown one is a 404."""
    assert (
        client.get("/crm/v3/properties/contacts/email").json()["name"]
        == "email"
    )
    assert client.get("/crm/v3/properties/contacts/nope").status_code == 404


def test_groups_batch_read_and_archive(client: httpx.Client) -> None:
    """Groups can be created; batch read finds properties; customs archive."""
    group = client.post(
        "/crm/v3/properties/products/groups",
        json={"name": "sync", "label": "Sync"},
    )
    assert group.status_code == 201
    created = client.post(
        "/crm/v3/properties/products/batch/create",
        json={
            "inputs": [
                {
                    "name": "qbo_item",
                    "label": "QBO item",
                    "type": "string",
                    "fieldType": "text",
                    "groupName": "sync",
                }
            ]
        },
    )
    assert created.status_code == 201
    read = client.post(
        "/crm/v3/properties/products/batch/read",
        json={
            "inputs": [{"name": "qbo_item"}, {"name": "price"}],
            "archived": False,
        },
    )
    assert {p["name"] for p in read.json()["results"]} == {"qbo_item", "price"}
    assert (
        client.delete("/crm/v3/properties/products/qbo_item").status_code
        == 204
    )
    assert (
        client.delete("/crm/v3/properties/products/price").status_code == 400
    )
