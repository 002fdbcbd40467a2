import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest
import respx

from hsqbo import ConfigError, Filter, FilterGroup, Operator
from hsqbo.hubspot import (
    Association,
    AssociationTypes,
    HubSpotClient,
    NewObject,
    RateLimits,
    Sort,
    SortDirection,
    to_record,
)
from hsqbo.hubspot._core import parse_object
from hsqbo.testing import VirtualClock


def test_get_reads_one_object_with_properties_and_associations(
    router, client, body
):
    """get() sends chosen properties; associations come primary first."""
    route = router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    obj = client.get(
        "contacts",
        "512",
        properties=["email", "firstname"],
        associations=["companies"],
    )
    params = route.calls.last.request.url.params
    assert params["properties"] == "email,firstname"
    assert params["associations"] == "companies"
    assert obj.id == "512"
    assert obj.properties["email"] == "ada@example.com"
    assert obj.updated_at == dt.datetime(
        2026, 3, 4, 10, 0, 0, 250000, tzinfo=dt.UTC
    )
    assert obj.associations == {"companies": ("91", "77")}


def test_get_by_unique_property_sends_id_property(router, client, body):
    """get(id_property=...) looks the object up by a unique value."""
    route = router.get("/crm/objects/2026-03/contacts/C-58").respond(
        200, json=body("contact")
    )
    client.get("contacts", "C-58", id_property="qbo_customer_id")
    assert route.calls.last.request.url.params["idProperty"] == (
        "qbo_customer_id"
    )


def test_requests_carry_the_bearer_token(router, client, body):
    """Every CRM request is authenticated with the private-app token."""
    route = router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    client.get("contacts", "512")
    auth = route.calls.last.request.headers["Authorization"]
    assert auth.startswith("Bearer pat-na1-")


def test_list_is_lazy_and_follows_the_after_cursor(router, client, body):
    """list() fetches the next page only when the caller gets that far."""
    route = router.get("/crm/objects/2026-03/contacts").mock(
        side_effect=[
            httpx.Response(200, json=body("contacts_page_1")),
            httpx.Response(200, json=body("contacts_page_2")),
        ]
    )
    objects = client.list("contacts", properties=["email"])
    first = next(objects)
    assert first.id == "1"
    assert route.call_count == 1
    rest = [obj.id for obj in objects]
    assert rest == ["2", "3"]
    assert route.call_count == 2
    second = route.calls[1].request.url.params
    assert second["after"] == "2"
    assert second["limit"] == "100"


def test_list_archived_asks_for_archived_objects(router, client, body):
    """list(archived=True) sends archived=true (HubSpot lists only those)."""
    route = router.get("/crm/objects/2026-03/deals").respond(
        200, json=body("contacts_page_2")
    )
    assert [o.id for o in client.list("deals", archived=True)] == ["3"]
    assert route.calls.last.request.url.params["archived"] == "true"


def test_list_refuses_pages_over_100(client):
    """A page size above HubSpot's cap is refused before any request."""
    with pytest.raises(ValueError, match="page_size"):
        next(client.list("contacts", page_size=101))


@pytest.mark.parametrize(
    ("api_version", "prefix"),
    [("2026-03", "/crm/objects/2026-03"), ("v3", "/crm/v3/objects")],
)
def test_api_version_selects_the_path_style(
    router, clock, body, api_version, prefix
):
    """api_version picks date-versioned or legacy object paths."""
    router.get(f"{prefix}/invoices/9").respond(200, json=body("contact"))
    with HubSpotClient("t", api_version=api_version, clock=clock) as hub:
        assert hub.get("invoices", "9").id == "512"


def test_bad_api_version_is_refused():
    """An api_version that is neither a date nor v3 fails at construction."""
    with pytest.raises(ValueError, match="api_version"):
        HubSpotClient("t", api_version="v4")


def test_object_type_cannot_inject_a_path():
    """Object types with slashes or dots never reach a URL."""
    with pytest.raises(ValueError, match="object type"):
        HubSpotClient("t").get("contacts/../owners", "1")


def test_create_encodes_values_as_strings(router, client, body):
    """create() sends every property value as HubSpot's string form."""
    route = router.post("/crm/objects/2026-03/deals").respond(
        201, json=body("contact")
    )
    client.create(
        "deals",
        {
            "amount": Decimal("1500.00"),
            "closedate": dt.date(2026, 3, 31),
            "hs_is_closed": True,
        },
    )
    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "properties": {
            "amount": "1500",
            "closedate": "2026-03-31",
            "hs_is_closed": "true",
        }
    }


def test_create_with_associations_sends_type_ids(router, client, body):
    """NewObject associations become HubSpot's association specs."""
    route = router.post("/crm/objects/2026-03/invoices").respond(
        201, json=body("contact")
    )
    client.create(
        "invoices",
        NewObject(
            properties={"hs_currency": "USD"},
            associations=[
                Association(
                    to_id="512", types=(AssociationTypes.INVOICE_TO_CONTACT,)
                )
            ],
        ),
    )
    sent = json.loads(route.calls.last.request.content)
    assert sent["associations"] == [
        {
            "to": {"id": "512"},
            "types": [
                {
                    "associationCategory": "HUBSPOT_DEFINED",
                    "associationTypeId": 177,
                }
            ],
        }
    ]


def test_update_is_sparse_and_none_clears(router, client, body):
    """update() sends only the given properties; None becomes ''."""
    route = router.patch("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    client.update("contacts", "512", {"phone": None, "firstname": "Ada"})
    sent = json.loads(route.calls.last.request.content)
    assert sent == {"properties": {"phone": "", "firstname": "Ada"}}


def test_archive_deletes_the_object(router, client):
    """archive() moves one object to the recycling bin (DELETE)."""
    route = router.delete("/crm/objects/2026-03/products/5").respond(204)
    client.archive("products", "5")
    assert route.call_count == 1


def _search_page(start: int, count: int, total: int) -> dict:
    results = [
        {
            "id": str(i),
            "properties": {"hs_object_id": str(i)},
            "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
            "archived": False,
        }
        for i in range(start, start + count)
    ]
    return {"total": total, "results": results}


def test_search_pushes_filter_groups_down(router, client):
    """Filter groups compile to filterGroups with string values."""
    route = router.post("/crm/objects/2026-03/contacts/search").respond(
        200, json=_search_page(1, 2, 2)
    )
    groups = [
        FilterGroup(
            [
                Filter("createdate", Operator.GTE, value=dt.date(2026, 3, 1)),
                Filter("email", Operator.HAS_PROPERTY),
            ]
        ),
        FilterGroup(
            [
                Filter(
                    "lifecyclestage", Operator.IN, values=("lead", "customer")
                )
            ]
        ),
    ]
    found = list(client.search("contacts", groups, properties=["email"]))
    assert [o.id for o in found] == ["1", "2"]
    sent = json.loads(route.calls.last.request.content)
    assert sent["filterGroups"] == [
        {
            "filters": [
                {
                    "propertyName": "createdate",
                    "operator": "GTE",
                    "value": "1772323200000",
                },
                {"propertyName": "email", "operator": "HAS_PROPERTY"},
            ]
        },
        {
            "filters": [
                {
                    "propertyName": "lifecyclestage",
                    "operator": "IN",
                    "values": ["lead", "customer"],
                }
            ]
        },
    ]
    assert sent["sorts"] == [
        {"propertyName": "hs_object_id", "direction": "ASCENDING"}
    ]
    assert sent["limit"] == 200
    assert sent["properties"] == ["email"]


def test_search_walks_past_the_10000_cap(router, client):
    """At the cap the search restarts beyond the last hs_object_id seen."""
    total = 10_250
    pages = []
    for offset in range(0, 10_000, 200):
        page = _search_page(offset + 1, 200, total)
        page["paging"] = {"next": {"after": str(offset + 200)}}
        pages.append(httpx.Response(200, json=page))
    pages.append(httpx.Response(200, json=_search_page(10_001, 200, 250)))
    last = _search_page(10_201, 50, 250)
    pages.append(httpx.Response(200, json=last))
    pages[-2] = httpx.Response(
        200,
        json={
            **_search_page(10_001, 200, 250),
            "paging": {"next": {"after": "200"}},
        },
    )
    route = router.post("/crm/objects/2026-03/contacts/search").mock(
        side_effect=pages
    )
    groups = [FilterGroup([Filter("email", Operator.HAS_PROPERTY)])]
    ids = [int(o.id) for o in client.search("contacts", groups)]
    assert ids == list(range(1, total + 1))
    bodies = [json.loads(c.request.content) for c in route.calls]
    assert all("after" not in b for b in (bodies[0], bodies[50]))
    assert bodies[49]["after"] == "9800"
    restart = bodies[50]["filterGroups"][0]["filters"]
    assert restart[-1] == {
        "propertyName": "hs_object_id",
        "operator": "GT",
        "value": "10000",
    }
    assert bodies[51]["after"] == "200"


def test_search_with_custom_sort_stops_at_the_cap_with_a_clear_error(
    router, client
):
    """A custom sort cannot walk past 10,000 results; the error says why."""
    page = _search_page(1, 200, 20_000)
    page["paging"] = {"next": {"after": "10000"}}
    router.post("/crm/objects/2026-03/contacts/search").respond(200, json=page)
    found = client.search(
        "contacts",
        sorts=[Sort("lastmodifieddate", SortDirection.DESCENDING)],
    )
    with pytest.raises(ConfigError, match="hs_object_id"):
        list(found)


def test_search_limits_are_checked_before_sending(client):
    """Too many groups fail with a ConfigError, no request made."""
    groups = [FilterGroup([Filter("email", Operator.HAS_PROPERTY)])] * 6
    with pytest.raises(ConfigError, match="at most 5"):
        next(client.search("contacts", groups))


def test_search_is_throttled_to_five_per_second(router, clock):
    """Search requests wait for the 5-per-second search window."""
    router.post("/crm/objects/2026-03/contacts/search").respond(
        200, json=_search_page(1, 1, 1)
    )
    with HubSpotClient("t", clock=clock) as hub:
        for _ in range(11):
            list(hub.search("contacts"))
    assert clock.slept == pytest.approx(2.0)


def test_burst_limit_keeps_under_the_rolling_window(router, clock, body):
    """The 11th call within the window waits for the oldest to leave it."""
    router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    with HubSpotClient(
        "t", clock=clock, rate_limits=RateLimits(burst=10)
    ) as hub:
        for _ in range(10):
            hub.get("contacts", "512")
        assert clock.slept == 0
        hub.get("contacts", "512")
    assert clock.slept == pytest.approx(10.0)


def test_rate_limit_headers_shrink_the_quota(router, clock, body):
    """A lower X-HubSpot-RateLimit-Max than configured is obeyed."""
    router.get("/crm/objects/2026-03/contacts/512").respond(
        200,
        json=body("contact"),
        headers={
            "X-HubSpot-RateLimit-Max": "3",
            "X-HubSpot-RateLimit-Remaining": "2",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        },
    )
    with HubSpotClient("t", clock=clock) as hub:
        for _ in range(4):
            hub.get("contacts", "512")
    assert clock.slept == pytest.approx(10.0)


def test_rate_limit_remaining_zero_pauses_one_interval(router, clock, body):
    """Remaining 0 (other apps used the quota) pauses a whole interval."""
    router.get("/crm/objects/2026-03/contacts/512").respond(
        200,
        json=body("contact"),
        headers={
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        },
    )
    with HubSpotClient("t", clock=clock) as hub:
        hub.get("contacts", "512")
        hub.get("contacts", "512")
    assert clock.slept == pytest.approx(10.0)


def test_records_decode_by_property_type(router, client, body):
    """records() reads property types once and decodes values by them."""
    router.get("/crm/objects/2026-03/contacts/512").respond(
        200, json=body("contact")
    )
    types_route = router.get("/crm/properties/2026-03/contacts").respond(
        200, json=body("contact_properties")
    )
    obj = client.get("contacts", "512")
    (record,) = client.records("contacts", [obj])
    (again,) = client.records("contacts", [obj])
    assert types_route.call_count == 1
    assert record == again
    assert record.fields["annualrevenue"] == Decimal("1250000.50")
    assert record.fields["date_of_birth"] == dt.date(1815, 12, 10)
    assert record.fields["hs_email_optout"] is False
    assert record.fields["createdate"] == dt.datetime(
        2026, 3, 2, 9, 15, tzinfo=dt.UTC
    )
    assert record.associations == {"companies": ("91", "77")}
    assert record.updated_at == obj.updated_at


def test_to_record_keeps_the_archived_flag(body):
    """An archived object becomes an archived Record."""
    raw = {
        **body("contact"),
        "archived": True,
        "archivedAt": "2026-03-06T00:00:00Z",
    }
    record = to_record(parse_object(raw), "contacts")
    assert record.archived is True
    assert record.fields["email"] == "ada@example.com"


def test_client_made_http_is_closed_and_injected_one_is_not(clock):
    """close() closes only an httpx.Client the client created itself."""
    injected = httpx.Client()
    with HubSpotClient("t", http=injected, clock=clock) as hub:
        owned = HubSpotClient("t", clock=clock)
    owned.close()
    assert owned._http.is_closed
    assert not injected.is_closed
    assert hub._http is injected
    injected.close()


def test_virtual_clock_fixture_starts_at_setup(clock: VirtualClock):
    """The tests run on a virtual clock that has not slept."""
    assert clock.slept == 0
    assert respx is not None
