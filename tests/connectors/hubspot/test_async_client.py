import asyncio
import datetime as dt
import json

import httpx
import pytest

from hsqbo import RetryPolicy, ServerError, TransportError, ValidationError
from hsqbo.hubspot import (
    Association,
    AssociationTypes,
    AsyncHubSpotClient,
    NewProperty,
    OAuthApp,
    OAuthToken,
    PropertyType,
)


def _client(clock, token="pat-na1-async", **options) -> AsyncHubSpotClient:  # noqa: S107
    return AsyncHubSpotClient(
        token,
        clock=clock,
        retry=RetryPolicy(attempts=3, max_jitter=0.0),
        **options,
    )


def test_async_get_and_lazy_list(router, clock, body):
    """The async client reads one object and pages lazily like the sync one."""
    router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    pages = router.get("/crm/objects/2026-03/contacts").mock(
        side_effect=[
            httpx.Response(200, json=body("contacts_page_1")),
            httpx.Response(200, json=body("contacts_page_2")),
        ]
    )

    async def run() -> tuple[str, list[str]]:
        async with _client(clock) as hub:
            obj = await hub.get("contacts", "512")
            ids = [o.id async for o in hub.list("contacts")]
            return obj.id, ids

    assert asyncio.run(run()) == ("512", ["1", "2", "3"])
    assert pages.call_count == 2


def test_async_batch_create_reports_per_input(router, clock, body):
    """A 207 is split per input by the async client too."""
    router.post("/crm/objects/2026-03/contacts/batch/create").respond(
        207, json=body("batch_create_207")
    )

    async def run():
        async with _client(clock) as hub:
            return await hub.batch_create(
                "contacts",
                [{"email": "a"}, {"email": "not-an-email"}, {"email": "c"}],
            )

    result = asyncio.run(run())
    assert [o.ok for o in result.outcomes] == [True, False, True]
    assert isinstance(result.outcomes[1].error, ValidationError)


def test_async_retries_reads_and_waits_on_the_clock(router, clock, body):
    """Retries of the async client wait on the virtual clock, not for real."""
    route = router.get("/crm/objects/2026-03/contacts/512").mock(
        side_effect=[
            httpx.Response(503, json=body("error_500")),
            httpx.ConnectError("refused"),
            httpx.Response(200, json=body("contact")),
        ]
    )

    async def run() -> str:
        async with _client(clock) as hub:
            return (await hub.get("contacts", "512")).id

    assert asyncio.run(run()) == "512"
    assert route.call_count == 3
    assert clock.slept == pytest.approx(0.5 + 1.0)


def test_async_errors_are_the_same_types(router, clock, body):
    """A persistent 5xx and a lost connection raise the same hsqbo errors."""
    router.get("/crm/objects/2026-03/contacts/1").respond(
        500, json=body("error_500")
    )
    router.post("/crm/objects/2026-03/contacts").mock(
        side_effect=httpx.RemoteProtocolError("dropped")
    )

    async def run() -> None:
        async with _client(clock) as hub:
            with pytest.raises(ServerError):
                await hub.get("contacts", "1")
            with pytest.raises(TransportError):
                await hub.create("contacts", {"email": "a@b.co"})

    asyncio.run(run())


def test_async_search_walks_and_associations_read(router, clock, body):
    """Search and association reads run through the shared core."""
    search = router.post("/crm/objects/2026-03/deals/search").respond(
        200,
        json={
            "total": 1,
            "results": [
                {
                    "id": "4",
                    "properties": {},
                    "createdAt": "2026-01-01T00:00:00Z",
                    "updatedAt": "2026-01-01T00:00:00Z",
                }
            ],
        },
    )
    router.post(
        "/crm/associations/2026-03/contacts/companies/batch/read"
    ).respond(200, json=body("associations_read"))

    async def run():
        async with _client(clock) as hub:
            deals = [d.id async for d in hub.search("deals")]
            return deals, await hub.primary_company("512")

    assert asyncio.run(run()) == (["4"], "91")
    assert json.loads(search.calls.last.request.content)["limit"] == 200


def test_async_oauth_refresh_and_records(router, clock, body):
    """The async client refreshes OAuth tokens and builds records."""
    router.post("/oauth/v1/token").respond(200, json=body("oauth_token"))
    router.get("/crm/properties/2026-03/contacts").respond(
        200, json=body("contact_properties")
    )
    router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    seen: list[OAuthToken] = []
    token = OAuthToken(
        access_token="at",  # noqa: S106 - fake
        refresh_token="rt",  # noqa: S106 - fake
        expires_at=clock.now() - dt.timedelta(seconds=1),
    )

    async def run():
        async with _client(
            clock,
            token,
            oauth_app=OAuthApp(client_id="c", client_secret="s"),  # noqa: S106
            on_token_refresh=seen.append,
        ) as hub:
            obj = await hub.get("contacts", "512")
            return [r async for r in hub.records("contacts", [obj])]

    (record,) = asyncio.run(run())
    assert record.fields["date_of_birth"] == dt.date(1815, 12, 10)
    assert [t.access_token for t in seen] == ["at-fresh-0002"]


def test_async_client_leaves_an_injected_http_client_open(clock):
    """aclose() closes only an httpx.AsyncClient it created."""
    injected = httpx.AsyncClient()

    async def run() -> bool:
        async with _client(clock, http=injected):
            pass
        closed = injected.is_closed
        await injected.aclose()
        return closed

    assert asyncio.run(run()) is False


def test_async_batch_writes_and_properties(router, clock, body):
    """Async batch update, archive, upsert and property calls mirror sync."""
    update = router.post("/crm/objects/2026-03/deals/batch/update").respond(
        200, json={"status": "COMPLETE", "results": []}
    )
    archive = router.post("/crm/objects/2026-03/deals/batch/archive").respond(
        204
    )
    router.post("/crm/objects/2026-03/contacts/batch/upsert").respond(
        200, json=body("batch_upsert")
    )
    router.post("/crm/objects/2026-03/contacts/batch/read").respond(
        207, json=body("batch_read_207")
    )
    router.patch("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    router.delete("/crm/objects/2026-03/contacts/512").respond(204)
    router.post("/crm/properties/2026-03/contacts").respond(
        201, json=body("property_created")
    )
    router.get("/crm/properties/2026-03/contacts/qbo_customer_id").respond(
        200, json=body("property_created")
    )
    router.get("/crm/properties/2026-03/contacts/groups").respond(
        200, json=body("contact_property_groups")
    )
    router.get("/crm/properties/2026-03/contacts").respond(
        200, json=body("contact_properties")
    )
    router.put("/crm/objects/2026-03/notes/1/associations/deals/2").respond(
        200, json={}
    )
    router.post("/crm/associations/2026-03/notes/deals/batch/create").respond(
        201, json={"status": "COMPLETE", "results": []}
    )
    router.get("/crm/objects/2026-03/contacts").respond(
        200, json=body("contacts_page_2")
    )
    prop = NewProperty(
        name="qbo_customer_id",
        label="QBO",
        type=PropertyType.STRING,
        field_type="text",
        group_name="contactinformation",
        has_unique_value=True,
    )
    note = AssociationTypes.NOTE_TO_DEAL

    async def run():
        async with _client(clock) as hub:
            await hub.batch_update("deals", {"1": {"amount": 1}})
            await hub.batch_archive("deals", ["1"])
            upserted = await hub.batch_upsert(
                "contacts", "qbo_customer_id", [("58", {}), ("59", {})]
            )
            read = await hub.batch_read("contacts", ["404404", "2"])
            await hub.update("contacts", "512", {"firstname": "A"})
            await hub.archive("contacts", "512")
            await hub.create_property("contacts", prop)
            await hub.ensure_property("contacts", prop)
            groups = await hub.list_property_groups("contacts")
            await hub.associate("notes", "1", "deals", "2", note)
            await hub.associate_many(
                "notes",
                "deals",
                [("1", Association(to_id="2", types=(note,)))],
            )
            records = [
                r async for r in hub.records("contacts", hub.list("contacts"))
            ]
            return upserted, read, groups, records

    upserted, read, groups, records = asyncio.run(run())
    assert [o.created for o in upserted.outcomes] == [False, True]
    assert [o.ok for o in read.outcomes] == [False, True]
    assert len(groups) == 2
    assert [r.id for r in records] == ["3"]
    assert json.loads(update.calls.last.request.content)["inputs"][0][
        "properties"
    ] == {"amount": "1"}
    assert archive.call_count == 1
