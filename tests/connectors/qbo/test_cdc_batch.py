"""Change data capture and batch: markers, windows, chunks, per-item faults."""

# The tokens and secrets here are made up for the tests.
# ruff: noqa: S106

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from hsqbo import (
    ConfigError,
    DuplicateError,
    ServerError,
    StaleObjectError,
)
from hsqbo.qbo import (
    BatchItem,
    ChangeWindowError,
    Customer,
    Invoice,
    Item,
    QuickBooksClient,
    select,
)
from hsqbo.testing import VirtualClock


API = "https://qbo.test/v3/company/9341450000123"


def test_cdc_reads_changes_and_deleted_markers(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """Changed objects come typed; deleted ones as markers with their time."""
    route = mock.get(f"{API}/cdc").respond(json=load_json("cdc.json"))
    since = clock.now() - dt.timedelta(days=2)
    changes = make_client().cdc([Customer, Invoice], since)
    request = route.calls.last.request
    assert request.url.params["entities"] == "Customer,Invoice"
    assert request.url.params["changedSince"] == since.isoformat()
    assert request.url.params["minorversion"] == "75"
    assert [type(e).__name__ for e in changes.changed] == [
        "Customer",
        "Invoice",
    ]
    [deleted] = changes.deleted
    assert (deleted.entity, deleted.id) == ("Invoice", "1075")
    assert deleted.last_updated_time == dt.datetime(
        2026, 2, 11, 17, 20, 44, tzinfo=dt.UTC
    )
    records = list(changes.records())
    assert [(r.type, r.id, r.archived) for r in records] == [
        ("Customer", "412", True),
        ("Invoice", "1088", False),
        ("Invoice", "1075", True),
    ]
    assert not changes.saturated


def test_cdc_with_no_changes_is_empty(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """The empty CDC envelope gives an empty change set."""
    mock.get(f"{API}/cdc").respond(json=load_json("cdc_empty.json"))
    changes = make_client().cdc([Customer], clock.now())
    assert changes.changed == ()
    assert changes.deleted == ()


def test_cdc_refuses_windows_older_than_thirty_days(
    make_client: Callable[..., QuickBooksClient], clock: VirtualClock
) -> None:
    """A 31-day-old start raises a clear error before any request."""
    with pytest.raises(ChangeWindowError) as caught:
        make_client().cdc([Customer], clock.now() - dt.timedelta(days=31))
    assert isinstance(caught.value, ConfigError)
    [problem] = caught.value.problems
    assert problem.path == "changed_since"
    assert "more than 30 days ago" in problem.message
    assert "MetaData.LastUpdatedTime" in problem.message


def test_cdc_accepts_exactly_thirty_days(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    clock: VirtualClock,
) -> None:
    """The 30-day boundary itself is allowed."""
    mock.get(f"{API}/cdc").respond(json=load_json("cdc_empty.json"))
    make_client().cdc([Customer], clock.now() - dt.timedelta(days=30))


def test_cdc_refuses_naive_datetimes(
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """A naive changedSince would shift by the server's offset: refused."""
    with pytest.raises(ChangeWindowError, match="timezone-aware"):
        make_client().cdc([Customer], dt.datetime(2026, 2, 10))  # noqa: DTZ001


def _cdc_body(entity: str, count: int) -> dict[str, Any]:
    rows = [
        {
            "Id": str(n),
            "MetaData": {"LastUpdatedTime": "2026-02-11T09:01:00-08:00"},
        }
        for n in range(count)
    ]
    return {"CDCResponse": [{"QueryResponse": [{entity: rows}]}]}


def test_saturated_cdc_is_asked_again_per_entity(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    clock: VirtualClock,
) -> None:
    """1000 objects across entities triggers one call per entity."""

    def answer(request: httpx.Request) -> httpx.Response:
        names = request.url.params["entities"]
        if names == "Customer,Invoice":
            return httpx.Response(200, json=_cdc_body("Customer", 1000))
        if names == "Customer":
            return httpx.Response(200, json=_cdc_body("Customer", 600))
        return httpx.Response(200, json=_cdc_body("Invoice", 1000))

    route = mock.get(f"{API}/cdc").mock(side_effect=answer)
    changes = make_client().cdc(
        [Customer, Invoice], clock.now() - dt.timedelta(days=1)
    )
    assert route.call_count == 3
    assert len(changes.changed) == 1600
    assert changes.saturated


def test_batch_gives_one_result_per_item_never_all_or_nothing(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """A created entity, two typed faults and a query, in input order."""
    route = mock.post(f"{API}/batch").respond(json=load_json("batch.json"))
    items = [
        BatchItem.create(Customer(display_name="Ada Lovelace")),
        BatchItem.create(Customer(display_name="Harbor Lane Bakery")),
        BatchItem.update(Customer(id="412", sync_token="1", notes="x")),
        BatchItem.select(
            select(Item).where("Name", "=", "Onboarding Workshop")
        ),
    ]
    results = make_client().batch(items)
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert results[0].ok
    assert results[0].entity == Customer(
        id="501",
        sync_token="0",
        display_name="Ada Lovelace",
        meta_data=results[0].entity.meta_data,  # type: ignore[union-attr]
    )
    assert isinstance(results[1].error, DuplicateError)
    assert results[1].error.existing_id == "412"
    assert isinstance(results[2].error, StaleObjectError)
    assert [row.id for row in results[3].rows] == ["37"]
    sent = json.loads(route.calls.last.request.content)["BatchItemRequest"]
    assert sent[0] == {
        "bId": "0",
        "operation": "create",
        "Customer": {"DisplayName": "Ada Lovelace"},
    }
    assert sent[2]["Customer"]["sparse"] is True
    assert sent[3] == {
        "bId": "3",
        "Query": "SELECT * FROM Item WHERE Name = 'Onboarding Workshop' "
        "MAXRESULTS 1000",
    }
    assert "requestid" in route.calls.last.request.url.params


def _echo(request: httpx.Request) -> httpx.Response:
    sent = json.loads(request.content)["BatchItemRequest"]
    return httpx.Response(
        200,
        json={
            "BatchItemResponse": [
                {
                    "bId": item["bId"],
                    "Customer": {**item["Customer"], "Id": item["bId"]},
                }
                for item in sent
            ]
        },
    )


def test_batch_is_chunked_by_thirty(
    mock: respx.MockRouter, make_client: Callable[..., QuickBooksClient]
) -> None:
    """65 items go out as 30 + 30 + 5, and results keep the input order."""
    route = mock.post(f"{API}/batch").mock(side_effect=_echo)
    items = [
        BatchItem.create(Customer(display_name=f"C{n}")) for n in range(65)
    ]
    results = make_client().batch(items)
    sizes = [
        len(json.loads(c.request.content)["BatchItemRequest"])
        for c in route.calls
    ]
    assert sizes == [30, 30, 5]
    assert [r.entity.display_name for r in results] == [  # type: ignore[union-attr]
        f"C{n}" for n in range(65)
    ]
    assert len({c.request.url.params["requestid"] for c in route.calls}) == 3


def test_failed_chunk_marks_its_items_and_the_rest_still_run(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """A chunk that fails for good does not stop the next chunk."""
    failing = httpx.Response(500, json=load_json("errors/system_fault.json"))
    answers = iter([failing, failing, failing])

    def answer(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)["BatchItemRequest"]
        if sent[0]["Customer"]["DisplayName"] == "C0":
            return next(answers)
        return _echo(request)

    mock.post(f"{API}/batch").mock(side_effect=answer)
    items = [
        BatchItem.create(Customer(display_name=f"C{n}")) for n in range(35)
    ]
    results = make_client().batch(items)
    assert all(isinstance(r.error, ServerError) for r in results[:30])
    assert all(r.ok for r in results[30:])


def test_batch_request_ids_derive_from_the_callers(
    mock: respx.MockRouter, make_client: Callable[..., QuickBooksClient]
) -> None:
    """A given batch requestid is reused for chunk 0 and suffixed after."""
    route = mock.post(f"{API}/batch").mock(side_effect=_echo)
    items = [
        BatchItem.create(Customer(display_name=f"C{n}")) for n in range(31)
    ]
    make_client().batch(items, request_id="plan-7-op-3")
    assert [c.request.url.params["requestid"] for c in route.calls] == [
        "plan-7-op-3",
        "plan-7-op-3-1",
    ]


def test_batch_requestid_over_36_is_refused(
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """Batch requestids are limited to 36 characters."""
    with pytest.raises(ValueError, match=r"1\.\.36"):
        make_client().batch(
            [BatchItem.create(Customer(display_name="A"))],
            request_id="x" * 37,
        )


def test_batch_delete_sends_id_and_synctoken(
    mock: respx.MockRouter, make_client: Callable[..., QuickBooksClient]
) -> None:
    """A delete item carries only Id and SyncToken; success has no entity."""
    route = mock.post(f"{API}/batch").respond(
        json={
            "BatchItemResponse": [
                {"bId": "0", "Invoice": {"Id": "9", "status": "Deleted"}}
            ]
        }
    )
    [result] = make_client().batch(
        [BatchItem.delete(Invoice(id="9", sync_token="4"))]
    )
    assert result.ok
    assert result.entity is None
    sent = json.loads(route.calls.last.request.content)["BatchItemRequest"]
    assert sent == [
        {
            "bId": "0",
            "operation": "delete",
            "Invoice": {"Id": "9", "SyncToken": "4"},
        }
    ]


def test_preferences_give_sales_form_custom_fields(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """The three legacy slots come with ids, labels and on/off state."""
    mock.get(f"{API}/preferences").respond(json=load_json("preferences.json"))
    slots = make_client().sales_form_custom_fields()
    assert [(s.definition_id, s.name, s.enabled) for s in slots] == [
        ("1", "HubSpot Deal", True),
        ("2", "Region", False),
        ("3", "PO Number", True),
    ]
    definition = slots[1].to_definition()
    assert definition.path == "CustomField[Region]"
    assert not definition.active
    assert definition.type == "text"
