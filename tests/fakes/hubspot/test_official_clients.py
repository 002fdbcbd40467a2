"""
The official clients work unchanged against FakeHubSpot().serve().

hubspot-sdk (date-versioned paths, httpx) and hubspot-api-client (v3/v4
paths, urllib3) are only given the fake's base URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hubspot import HubSpot as LegacyHubSpot
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicFetchAssociationsBatchRequest,
)
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputUpsert,
)
from hubspot.crm.contacts.exceptions import ApiException
from hubspot_sdk import HubSpot as SdkHubSpot
from hubspot_sdk import NotFoundError

from hsqbo.testing import FakeHubSpot


TOKEN = "pat-na1-fake"  # noqa: S105 - the fake takes any token
APP_SECRET = "app-secret"  # noqa: S105 - a test value
TWO_GROUPS = [
    {
        "filters": [
            {
                "propertyName": "email",
                "operator": "CONTAINS_TOKEN",
                "value": "*@acme.com",
            },
            {
                "propertyName": "lifecyclestage",
                "operator": "EQ",
                "value": "customer",
            },
        ]
    },
    {
        "filters": [
            {"propertyName": "firstname", "operator": "IN", "values": ["zed"]}
        ]
    },
]


@pytest.fixture
def portal(fake: FakeHubSpot) -> Iterator[tuple[FakeHubSpot, str]]:
    """Serve a fake with 25 contacts and a unique qbo_id property."""
    fake.define_property("contacts", "qbo_id", unique=True)
    for i in range(25):
        fake.create(
            "contacts",
            {
                "email": f"u{i}@{'acme.com' if i % 2 else 'other.org'}",
                "firstname": "Zed" if i == 4 else f"U{i}",
                "lifecyclestage": "customer" if i % 3 == 0 else "lead",
            },
        )
    with fake.serve() as base_url:
        yield fake, base_url


def _expected_search(fake: FakeHubSpot) -> set[str]:
    return {
        c.id
        for c in fake.objects("contacts")
        if (
            c.properties["email"].endswith("@acme.com")
            and c.properties["lifecyclestage"] == "customer"
        )
        or c.properties["firstname"] == "Zed"
    }


def test_hubspot_sdk(portal: tuple[FakeHubSpot, str]) -> None:
    """hubspot-sdk 0.1.0a9 (2026-03 paths): every operation of the contract."""
    fake, base_url = portal
    sdk = SdkHubSpot(access_token=TOKEN, base_url=base_url, max_retries=0)
    fake.clear_calls()

    # list with paging: the SDK's auto-pager walks the after cursor
    listed = list(
        sdk.crm.objects.contacts.list(limit=10, properties=["email"])
    )
    assert sorted(c.id for c in listed) == sorted(
        c.id for c in fake.objects("contacts")
    )
    assert [c.path for c in fake.calls] == [
        "/crm/objects/2026-03/contacts"
    ] * 3

    # search with two filter groups
    found = sdk.crm.objects.contacts.search(
        after="0",
        filter_groups=TWO_GROUPS,
        limit=100,
        properties=["email"],
        sorts=["email"],
    )
    assert {r.id for r in found.results} == _expected_search(fake)
    assert found.total == len(found.results)

    # batch create and batch update
    created = sdk.crm.objects.contacts.batch.create(
        inputs=[
            {"properties": {"email": "new1@acme.com"}, "associations": []},
            {"properties": {"email": "new2@acme.com"}, "associations": []},
        ]
    )
    new_ids = [r.id for r in created.results]
    assert created.status == "COMPLETE"
    sdk.crm.objects.contacts.batch.update(
        inputs=[
            {"id": new_ids[0], "properties": {"firstname": "Neu"}},
        ]
    )
    assert fake.get("contacts", new_ids[0]).properties["firstname"] == "Neu"

    # batch upsert by a unique property: create, then update
    for name in ("First", "Second"):
        upserted = sdk.crm.objects.contacts.batch.upsert(
            inputs=[
                {
                    "id": "QB-1",
                    "id_property": "qbo_id",
                    "properties": {"firstname": name},
                }
            ]
        )
    assert upserted.results[0].new is False
    matches = [
        c
        for c in fake.objects("contacts")
        if c.properties.get("qbo_id") == "QB-1"
    ]
    assert [c.properties["firstname"] for c in matches] == ["Second"]

    # get by id
    got = sdk.crm.objects.contacts.get(new_ids[0], properties=["firstname"])
    assert got.properties["firstname"] == "Neu"

    # association create and read
    acme = sdk.crm.objects.companies.create(
        properties={"name": "Acme"}, associations=[]
    )
    pair = sdk.crm.associations.update_labels(
        acme.id,
        object_type="contacts",
        object_id=new_ids[0],
        to_object_type="companies",
        body=[
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}
        ],
    )
    assert pair.labels == ["Primary"]
    read = sdk.crm.associations.batch.get(
        "companies", from_object_type="contacts", inputs=[{"id": new_ids[0]}]
    )
    assert read.results[0].to[0].to_object_id == acme.id
    assert {t.type_id for t in read.results[0].to[0].association_types} == {
        1,
        279,
    }

    # archive
    sdk.crm.objects.contacts.delete(new_ids[1])
    with pytest.raises(NotFoundError):
        sdk.crm.objects.contacts.get(new_ids[1])
    archived = list(sdk.crm.objects.contacts.list(archived=True))
    assert [c.id for c in archived] == [new_ids[1]]
    assert all(
        c.path.startswith("/crm/") and "/v3/" not in c.path for c in fake.calls
    )


def test_hubspot_api_client(portal: tuple[FakeHubSpot, str]) -> None:
    """hubspot-api-client 12 (v3/v4 paths): every operation of the contract."""
    fake, base_url = portal
    api = LegacyHubSpot(access_token=TOKEN, host=base_url)
    contacts = api.crm.contacts

    # list with paging
    page = contacts.basic_api.get_page(limit=10, properties=["email"])
    assert len(page.results) == 10
    second = contacts.basic_api.get_page(
        limit=10, after=page.paging.next.after
    )
    assert not {r.id for r in page.results} & {r.id for r in second.results}
    everything = contacts.get_all(properties=["email"])
    assert len(everything) == 25

    # search with two filter groups
    found = contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(
            filter_groups=TWO_GROUPS, limit=100, properties=["email"]
        )
    )
    assert {r.id for r in found.results} == _expected_search(fake)

    # batch create and batch update
    created = contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                {"properties": {"email": "new1@acme.com"}},
                {"properties": {"email": "new2@acme.com"}},
            ]
        )
    )
    new_ids = [r.id for r in created.results]
    contacts.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[{"id": new_ids[0], "properties": {"firstname": "Neu"}}]
        )
    )
    assert fake.get("contacts", new_ids[0]).properties["firstname"] == "Neu"

    # batch upsert by a unique property
    for name in ("First", "Second"):
        upserted = contacts.batch_api.upsert(
            BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[
                    SimplePublicObjectBatchInputUpsert(
                        id="QB-1",
                        id_property="qbo_id",
                        properties={"firstname": name},
                    )
                ]
            )
        )
    assert upserted.results[0].new is False
    assert upserted.results[0].properties["qbo_id"] == "QB-1"

    # get by id (and by idProperty)
    got = contacts.basic_api.get_by_id(new_ids[0], properties=["firstname"])
    assert got.properties["firstname"] == "Neu"
    by_email = contacts.basic_api.get_by_id(
        "new1@acme.com", id_property="email"
    )
    assert by_email.id == new_ids[0]

    # association create and read
    acme = api.crm.companies.basic_api.create({"properties": {"name": "Acme"}})
    pair = api.crm.associations.v4.basic_api.create(
        "contacts",
        new_ids[0],
        "companies",
        acme.id,
        [
            AssociationSpec(
                association_category="HUBSPOT_DEFINED", association_type_id=1
            )
        ],
    )
    assert pair.labels == ["Primary"]
    read = api.crm.associations.v4.batch_api.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[{"id": new_ids[0]}]
        ),
    )
    assert read.results[0].to[0].to_object_id == acme.id
    listed = api.crm.associations.v4.basic_api.get_page(
        "contacts", new_ids[0], "companies"
    )
    assert [t.type_id for t in listed.results[0].association_types] == [1, 279]

    # archive
    contacts.basic_api.archive(new_ids[1])
    with pytest.raises(ApiException) as missing:
        contacts.basic_api.get_by_id(new_ids[1])
    assert missing.value.status == 404
    archived = contacts.basic_api.get_page(archived=True)
    assert [r.id for r in archived.results] == [new_ids[1]]
    paths = {
        c.path.split("/")[2] for c in fake.calls if c.path.startswith("/crm/")
    }
    assert paths == {"v3", "v4"}


def test_sdk_sees_hubspot_errors(portal: tuple[FakeHubSpot, str]) -> None:
    """Validation failures reach hubspot-sdk as its BadRequestError."""
    from hubspot_sdk import BadRequestError, ConflictError  # noqa: PLC0415

    _, base_url = portal
    sdk = SdkHubSpot(access_token=TOKEN, base_url=base_url, max_retries=0)
    with pytest.raises(BadRequestError) as bad:
        sdk.crm.objects.contacts.create(
            properties={"lifecyclestage": "friend"}, associations=[]
        )
    assert bad.value.body["errors"][0]["code"] == "INVALID_OPTION"
    with pytest.raises(ConflictError):
        sdk.crm.objects.contacts.create(
            properties={"email": "u1@acme.com"}, associations=[]
        )


def test_hubspot_sdk_async(portal: tuple[FakeHubSpot, str]) -> None:
    """hubspot-sdk's AsyncHubSpot pages and searches the served fake too."""
    from hubspot_sdk import AsyncHubSpot  # noqa: PLC0415

    fake, base_url = portal

    async def main() -> tuple[int, set[str]]:
        async with AsyncHubSpot(
            access_token=TOKEN, base_url=base_url, max_retries=0
        ) as sdk:
            listed = [c async for c in sdk.crm.objects.contacts.list(limit=10)]
            found = await sdk.crm.objects.contacts.search(
                after="0",
                filter_groups=TWO_GROUPS,
                limit=100,
                properties=["email"],
                sorts=["email"],
            )
            return len(listed), {r.id for r in found.results}

    count, found = asyncio.run(main())
    assert count == 25
    assert found == _expected_search(fake)


def test_both_clients_refresh_tokens_in_strict_mode(clock) -> None:
    """Each client's OAuth refresh call gets rotated tokens it can then use."""
    fake = FakeHubSpot(clock=clock, strict_tokens=True)
    fake.register_app("app", APP_SECRET)
    first, second = fake.issue_tokens(), fake.issue_tokens()
    with fake.serve() as base_url:
        legacy = LegacyHubSpot(host=base_url).oauth.tokens_api.create(
            grant_type="refresh_token",
            client_id="app",
            client_secret=APP_SECRET,
            refresh_token=first.refresh_token,
        )
        sdk = SdkHubSpot(access_token=TOKEN, base_url=base_url, max_retries=0)
        fresh = sdk.auth.oauth.create_token(
            grant_type="refresh_token",
            client_id="app",
            client_secret=APP_SECRET,
            refresh_token=second.refresh_token,
        )
        assert legacy.refresh_token != first.refresh_token
        assert fresh.refresh_token != second.refresh_token
        page = LegacyHubSpot(
            access_token=legacy.access_token, host=base_url
        ).crm.contacts.basic_api.get_page()
        assert page.results == []
        with_new = SdkHubSpot(
            access_token=fresh.access_token, base_url=base_url, max_retries=0
        )
        assert list(with_new.crm.objects.contacts.list()) == []
    assert [c.path for c in fake.calls[:2]] == [
        "/oauth/v1/token",
        "/oauth/2026-03/token",
    ]
