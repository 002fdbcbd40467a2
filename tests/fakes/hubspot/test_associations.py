"""Associations v4: type ids, labels, primary flag, batch endpoints."""

from __future__ import annotations

import httpx
import pytest

from hsqbo.testing import FakeHubSpot


V4 = ("/crm/v4", "/crm/objects/2026-03", "/crm/associations/2026-03")


def _spec(
    type_id: int, category: str = "HUBSPOT_DEFINED"
) -> dict[str, object]:
    return {"associationCategory": category, "associationTypeId": type_id}


@pytest.fixture
def pair(fake: FakeHubSpot) -> tuple[str, str]:
    """A contact and a company, not yet associated."""
    ann = fake.create("contacts", {"email": "ann@example.com"})
    acme = fake.create("companies", {"name": "Acme"})
    return ann.id, acme.id


@pytest.mark.parametrize("base", ["/crm/v4/objects", "/crm/objects/2026-03"])
def test_labelled_put_creates_both_directions(
    fake: FakeHubSpot, client: httpx.Client, pair: tuple[str, str], base: str
) -> None:
    """PUT with type 1 makes the company primary, both ways, plus 279/280."""
    ann, acme = pair
    got = client.put(
        f"{base}/contacts/{ann}/associations/companies/{acme}", json=[_spec(1)]
    )
    assert got.status_code == 201
    assert got.json()["labels"] == ["Primary"]
    assert got.json()["fromObjectTypeId"] == "0-1"
    forward = fake.associations("contacts", ann, "companies")
    backward = fake.associations("companies", acme, "contacts")
    assert forward[0].type_ids == (1, 279)
    assert forward[0].primary
    assert backward[0].type_ids == (2, 280)
    assert fake.get("contacts", ann).properties["associatedcompanyid"] == acme


def test_labelled_put_needs_a_body(
    client: httpx.Client, pair: tuple[str, str]
) -> None:
    """An empty body is HubSpot's 400 'a request body was expected'."""
    ann, acme = pair
    got = client.put(
        f"/crm/v4/objects/contacts/{ann}/associations/companies/{acme}"
    )
    assert got.status_code == 400
    assert "request body was expected" in got.json()["message"]


def test_wrong_type_id_for_the_pair_is_400(
    client: httpx.Client, pair: tuple[str, str]
) -> None:
    """Type 177 (invoice→contact) between a contact and a company is a 400."""
    ann, acme = pair
    got = client.put(
        f"/crm/v4/objects/contacts/{ann}/associations/companies/{acme}",
        json=[_spec(177)],
    )
    assert got.status_code == 400


def test_a_new_primary_company_demotes_the_old_one(
    fake: FakeHubSpot, pair: tuple[str, str]
) -> None:
    """Only one primary company per contact; the old one stays unlabelled."""
    ann, acme = pair
    other = fake.create("companies", {"name": "Other"}).id
    fake.associate("contacts", ann, "companies", acme, type_id=1)
    fake.associate("contacts", ann, "companies", other, type_id=1)
    links = {
        a.to_id: a.type_ids
        for a in fake.associations("contacts", ann, "companies")
    }
    assert links == {other: (1, 279), acme: (279,)}
    first = fake.associations("contacts", ann, "companies")[0]
    assert first.to_id == other  # primary first
    assert fake.get("contacts", ann).properties["associatedcompanyid"] == other


def test_default_association_and_list(
    client: httpx.Client, pair: tuple[str, str]
) -> None:
    """PUT .../associations/default/... links with 279; GET lists it."""
    ann, acme = pair
    got = client.put(
        f"/crm/objects/2026-03/contacts/{ann}/associations/default/companies/{acme}"
    )
    assert got.status_code == 200
    specs = [
        r["associationSpec"]["associationTypeId"]
        for r in got.json()["results"]
    ]
    assert specs == [279, 280]
    listed = client.get(
        f"/crm/v4/objects/contacts/{ann}/associations/companies"
    )
    assert listed.json()["results"] == [
        {
            "toObjectId": acme,
            "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}
            ],
        }
    ]


def test_create_with_associations_on_an_invoice(
    fake: FakeHubSpot, client: httpx.Client, pair: tuple[str, str]
) -> None:
    """An invoice created with types 177 and 179 is linked to both."""
    ann, acme = pair
    got = client.post(
        "/crm/v3/objects/invoices",
        json={
            "properties": {"hs_currency": "EUR"},
            "associations": [
                {"to": {"id": ann}, "types": [_spec(177)]},
                {"to": {"id": acme}, "types": [_spec(179)]},
            ],
        },
    )
    assert got.status_code == 201
    invoice = got.json()["id"]
    assert [
        a.to_id for a in fake.associations("invoices", invoice, "contacts")
    ] == [ann]
    assert [
        a.to_id for a in fake.associations("contacts", ann, "invoices")
    ] == [invoice]
    assert fake.associations("companies", acme, "invoices")[0].type_ids == (
        180,
    )


def test_create_with_association_to_a_missing_object_is_400(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Associating to an id that does not exist fails the create."""
    got = client.post(
        "/crm/v3/objects/invoices",
        json={
            "properties": {"hs_currency": "EUR"},
            "associations": [{"to": {"id": "4040"}, "types": [_spec(177)]}],
        },
    )
    assert got.status_code == 400
    assert fake.objects("invoices") == ()


@pytest.mark.parametrize(
    "base", ["/crm/v4/associations", "/crm/associations/2026-03"]
)
def test_batch_create_read_archive(
    fake: FakeHubSpot, client: httpx.Client, base: str
) -> None:
    """Batch create with labels, read (207 for none), archive."""
    deal = fake.create("deals", {"dealname": "D"}).id
    invoices = [
        fake.create("invoices", {"hs_currency": "USD"}).id for _ in range(2)
    ]
    created = client.post(
        f"{base}/invoices/deals/batch/create",
        json={
            "inputs": [
                {
                    "from": {"id": invoices[0]},
                    "to": {"id": deal},
                    "types": [_spec(175)],
                }
            ]
        },
    )
    assert created.status_code == 201
    read = client.post(
        f"{base}/invoices/deals/batch/read",
        json={"inputs": [{"id": invoices[0]}, {"id": invoices[1]}]},
    )
    assert read.status_code == 207
    body = read.json()
    assert body["results"][0]["from"] == {"id": invoices[0]}
    assert body["results"][0]["to"][0]["toObjectId"] == deal
    assert (
        body["errors"][0]["subCategory"]
        == "crm.associations.NO_ASSOCIATIONS_FOUND"
    )
    archived = client.post(
        f"{base}/invoices/deals/batch/archive",
        json={"inputs": [{"from": {"id": invoices[0]}, "to": [{"id": deal}]}]},
    )
    assert archived.status_code == 204
    assert fake.associations("deals", deal, "invoices") == ()


def test_batch_read_limit_is_1000(client: httpx.Client) -> None:
    """Association batch read takes up to 1,000 inputs."""
    url = "/crm/v4/associations/contacts/companies/batch/read"
    ok = client.post(
        url, json={"inputs": [{"id": str(i)} for i in range(1000)]}
    )
    too_many = client.post(
        url, json={"inputs": [{"id": str(i)} for i in range(1001)]}
    )
    assert ok.status_code == 207
    assert too_many.status_code == 400


def test_user_labels_and_label_archive(
    fake: FakeHubSpot, client: httpx.Client, pair: tuple[str, str]
) -> None:
    """A user-defined label can be created, used, listed and removed alone."""
    ann, acme = pair
    labels = client.post(
        "/crm/v4/associations/contacts/companies/labels",
        json={"label": "Billing contact", "name": "billing_contact"},
    )
    assert labels.status_code == 201
    billing = next(
        r["typeId"]
        for r in labels.json()["results"]
        if r["label"] == "Billing contact"
    )
    client.put(
        f"/crm/v4/objects/contacts/{ann}/associations/companies/{acme}",
        json=[_spec(billing, "USER_DEFINED")],
    )
    assert fake.associations("contacts", ann, "companies")[0].labels == (
        "Billing contact",
    )
    client.post(
        "/crm/v4/associations/contacts/companies/batch/labels/archive",
        json={
            "inputs": [
                {
                    "from": {"id": ann},
                    "to": {"id": acme},
                    "types": [_spec(billing, "USER_DEFINED")],
                }
            ]
        },
    )
    assert fake.associations("contacts", ann, "companies")[0].type_ids == (
        279,
    )


def test_associations_to_archived_objects_are_hidden(
    fake: FakeHubSpot, client: httpx.Client, pair: tuple[str, str]
) -> None:
    """An archived company no longer shows among a contact's associations."""
    ann, acme = pair
    fake.associate("contacts", ann, "companies", acme)
    fake.archive("companies", acme)
    got = client.get(f"/crm/v4/objects/contacts/{ann}/associations/companies")
    assert got.json()["results"] == []


def test_delete_removes_every_type(
    fake: FakeHubSpot, client: httpx.Client, pair: tuple[str, str]
) -> None:
    """DELETE on the pair removes all types, both directions."""
    ann, acme = pair
    fake.associate("contacts", ann, "companies", acme, type_id=1)
    got = client.delete(
        f"/crm/v4/objects/contacts/{ann}/associations/companies/{acme}"
    )
    assert got.status_code == 204
    assert fake.associations("companies", acme, "contacts") == ()
    assert "associatedcompanyid" not in fake.get("contacts", ann).properties


def test_seeding_with_associations(fake: FakeHubSpot) -> None:
    """create(..., associations=) links with the default type."""
    acme = fake.create("companies", {"name": "Acme"})
    ann = fake.create(
        "contacts",
        {"email": "a@example.com"},
        associations={"companies": [acme.id]},
    )
    assert fake.associations("contacts", ann.id, "companies")[0].type_ids == (
        279,
    )
    with pytest.raises(KeyError):
        fake.associate("contacts", ann.id, "companies", "999")
    with pytest.raises(ValueError, match="not a valid association type"):
        fake.associate("contacts", ann.id, "companies", acme.id, type_id=175)
