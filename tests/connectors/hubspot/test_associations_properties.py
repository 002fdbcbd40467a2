import json

import httpx
import pytest

from hsqbo import ConflictError, NotFoundError
from hsqbo.hubspot import (
    Association,
    AssociationCategory,
    AssociationSpec,
    AssociationTypes,
    HubSpotClient,
    NewProperty,
    PropertyType,
)


def test_read_associations_orders_primary_first(router, client, body):
    """A v4 batch read returns links per input, the primary one first."""
    route = router.post(
        "/crm/associations/2026-03/contacts/companies/batch/read"
    ).respond(200, json=body("associations_read"))
    found = client.read_associations(
        "contacts", "companies", ["512", "513", "514"]
    )
    assert json.loads(route.calls.last.request.content) == {
        "inputs": [{"id": "512"}, {"id": "513"}, {"id": "514"}]
    }
    assert [a.to_id for a in found["512"]] == ["91", "77"]
    assert found["512"][0].is_primary
    assert not found["512"][1].is_primary
    assert [a.to_id for a in found["513"]] == ["77"]
    assert found["514"] == ()


def test_read_associations_chunks_to_1000(router, client):
    """More than 1,000 inputs are split into batch reads of 1,000."""
    route = router.post(
        "/crm/associations/2026-03/invoices/contacts/batch/read"
    ).respond(200, json={"status": "COMPLETE", "results": []})
    client.read_associations(
        "invoices", "contacts", [str(i) for i in range(2_500)]
    )
    sizes = [len(json.loads(c.request.content)["inputs"]) for c in route.calls]
    assert sizes == [1000, 1000, 500]


def test_primary_company_of_a_contact(router, client, body):
    """primary_company() picks the company linked with type 1."""
    router.post(
        "/crm/associations/2026-03/contacts/companies/batch/read"
    ).respond(200, json=body("associations_read"))
    assert client.primary_company("512") == "91"


def test_contact_without_primary_company_has_none(router, client, body):
    """A contact with only unlabelled companies has no primary company."""
    router.post(
        "/crm/associations/2026-03/contacts/companies/batch/read"
    ).respond(200, json=body("associations_read"))
    assert client.primary_company("513") is None


@pytest.mark.parametrize(
    ("api_version", "path"),
    [
        ("2026-03", "/crm/objects/2026-03/invoices/8/associations/deals/4"),
        ("v3", "/crm/v4/objects/invoices/8/associations/deals/4"),
    ],
)
def test_associate_puts_the_type_ids(router, clock, api_version, path):
    """associate() PUTs the labelled types on the v4 (or dated) path."""
    route = router.put(path).respond(200, json={"fromObjectId": 8})
    with HubSpotClient("t", api_version=api_version, clock=clock) as hub:
        hub.associate(
            "invoices", "8", "deals", "4", AssociationTypes.INVOICE_TO_DEAL
        )
    assert json.loads(route.calls.last.request.content) == [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 175}
    ]


def test_associate_many_batches_links(router, client):
    """associate_many() sends from/to/types inputs to batch/create."""
    route = router.post(
        "/crm/associations/2026-03/notes/deals/batch/create"
    ).respond(201, json={"status": "COMPLETE", "results": []})
    label = AssociationSpec(
        42, category=AssociationCategory.USER_DEFINED, label="Payment"
    )
    client.associate_many(
        "notes",
        "deals",
        [
            (
                "n1",
                Association(
                    to_id="d1", types=(AssociationTypes.NOTE_TO_DEAL,)
                ),
            ),
            ("n2", Association(to_id="d1", types=(label,))),
        ],
    )
    inputs = json.loads(route.calls.last.request.content)["inputs"]
    assert inputs[0] == {
        "from": {"id": "n1"},
        "to": {"id": "d1"},
        "types": [
            {
                "associationCategory": "HUBSPOT_DEFINED",
                "associationTypeId": 214,
            }
        ],
    }
    assert inputs[1]["types"][0]["associationCategory"] == "USER_DEFINED"


def test_associate_many_raises_batch_errors(router, client):
    """An association the batch refuses is raised, not dropped."""
    router.post(
        "/crm/associations/2026-03/invoices/contacts/batch/create"
    ).respond(
        207,
        json={
            "status": "COMPLETE",
            "results": [],
            "errors": [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": "no such invoice",
                    "context": {"ids": ["9"]},
                }
            ],
        },
    )
    link = Association(to_id="1", types=(AssociationTypes.INVOICE_TO_CONTACT,))
    with pytest.raises(NotFoundError, match="no such invoice"):
        client.associate_many("invoices", "contacts", [("9", link)])


def test_documented_association_type_ids():
    """The named type ids are HubSpot's documented ones."""
    assert AssociationTypes.CONTACT_TO_COMPANY_PRIMARY.type_id == 1
    assert AssociationTypes.INVOICE_TO_CONTACT.type_id == 177
    assert AssociationTypes.INVOICE_TO_COMPANY.type_id == 179
    assert AssociationTypes.INVOICE_TO_DEAL.type_id == 175
    assert AssociationTypes.INVOICE_TO_LINE_ITEM.type_id == 409
    assert AssociationTypes.NOTE_TO_DEAL.type_id == 214


def test_list_properties_reads_types_groups_and_options(router, client, body):
    """Property definitions come with type, group, options and uniqueness."""
    router.get("/crm/properties/2026-03/contacts").respond(
        200, json=body("contact_properties")
    )
    props = {p.name: p for p in client.list_properties("contacts")}
    assert props["annualrevenue"].type is PropertyType.NUMBER
    assert props["email"].group_name == "contactinformation"
    assert props["email"].hubspot_defined
    stages = [o.value for o in props["lifecyclestage"].options]
    assert stages == ["subscriber", "lead", "customer"]
    assert props["hs_object_id"].read_only_value
    assert props["qbo_customer_id"].has_unique_value


def test_list_property_groups(router, client, body):
    """Property groups are listed with their labels."""
    router.get("/crm/properties/2026-03/contacts/groups").respond(
        200, json=body("contact_property_groups")
    )
    groups = client.list_property_groups("contacts")
    assert [(g.name, g.label) for g in groups] == [
        ("contactinformation", "Contact information"),
        ("emailinformation", "Email information"),
    ]


QBO_ID = NewProperty(
    name="qbo_customer_id",
    label="QuickBooks customer id",
    type=PropertyType.STRING,
    field_type="text",
    group_name="contactinformation",
    description="Set by hsqbo",
    has_unique_value=True,
)


def test_create_property_sends_a_unique_value_property(router, client, body):
    """create_property() posts the definition with hasUniqueValue."""
    route = router.post("/crm/properties/2026-03/contacts").respond(
        201, json=body("property_created")
    )
    created = client.create_property("contacts", QBO_ID)
    assert json.loads(route.calls.last.request.content) == {
        "name": "qbo_customer_id",
        "label": "QuickBooks customer id",
        "type": "string",
        "fieldType": "text",
        "groupName": "contactinformation",
        "description": "Set by hsqbo",
        "hasUniqueValue": True,
    }
    assert created.has_unique_value


def test_ensure_property_creates_a_missing_property(router, client, body):
    """ensure_property() creates the property when HubSpot has none."""
    router.get("/crm/properties/2026-03/contacts/qbo_customer_id").respond(
        404, json=body("error_404")
    )
    router.post("/crm/properties/2026-03/contacts").respond(
        201, json=body("property_created")
    )
    assert client.ensure_property("contacts", QBO_ID).name == "qbo_customer_id"


def test_ensure_property_keeps_an_existing_property(router, client, body):
    """ensure_property() sends no create when the property exists."""
    router.get("/crm/properties/2026-03/contacts/qbo_customer_id").respond(
        200, json=body("property_created")
    )
    assert client.ensure_property("contacts", QBO_ID).has_unique_value


def test_ensure_property_survives_losing_a_create_race(router, client, body):
    """A 409 from a concurrent create is answered by reading the winner."""
    router.get("/crm/properties/2026-03/contacts/qbo_customer_id").mock(
        side_effect=[
            httpx.Response(404, json=body("error_404")),
            httpx.Response(200, json=body("property_created")),
        ]
    )
    router.post("/crm/properties/2026-03/contacts").respond(
        409,
        json={
            "status": "error",
            "category": "OBJECT_ALREADY_EXISTS",
            "message": "A property named 'qbo_customer_id' already exists.",
        },
    )
    assert client.ensure_property("contacts", QBO_ID).name == "qbo_customer_id"


def test_create_property_conflict_is_raised(router, client):
    """create_property() on a taken name raises a ConflictError."""
    router.post("/crm/properties/2026-03/contacts").respond(
        409,
        json={
            "status": "error",
            "category": "OBJECT_ALREADY_EXISTS",
            "message": "A property named 'qbo_customer_id' already exists.",
        },
    )
    with pytest.raises(ConflictError):
        client.create_property("contacts", QBO_ID)


def test_v3_property_paths(router, clock, body):
    """api_version v3 reads properties from /crm/v3/properties."""
    router.get("/crm/v3/properties/invoices").respond(
        200, json=body("contact_properties")
    )
    with HubSpotClient("t", api_version="v3", clock=clock) as hub:
        assert hub.list_properties("invoices")


def test_read_associations_follows_per_object_paging(router, client):
    """An object with more links than one answer holds gets the rest read."""
    router.post(
        "/crm/associations/2026-03/companies/contacts/batch/read"
    ).respond(
        200,
        json={
            "status": "COMPLETE",
            "results": [
                {
                    "from": {"id": "7"},
                    "to": [
                        {
                            "toObjectId": 1,
                            "associationTypes": [
                                {"category": "HUBSPOT_DEFINED", "typeId": 280}
                            ],
                        }
                    ],
                    "paging": {"next": {"after": "c1"}},
                }
            ],
        },
    )
    more = router.get(
        "/crm/objects/2026-03/companies/7/associations/contacts"
    ).mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "results": [{"toObjectId": 2, "associationTypes": []}],
                    "paging": {"next": {"after": "c2"}},
                },
            ),
            httpx.Response(
                200,
                json={"results": [{"toObjectId": 3, "associationTypes": []}]},
            ),
        ]
    )
    found = client.read_associations("companies", "contacts", ["7"])
    assert [a.to_id for a in found["7"]] == ["1", "2", "3"]
    assert [c.request.url.params["after"] for c in more.calls] == ["c1", "c2"]
