"""Change data capture and batch on the fake QBO."""

from __future__ import annotations

from typing import Any

import httpx

from hsqbo.testing import FakeQuickBooks, VirtualClock


def _cdc(http: httpx.Client, entities: str, since: str) -> httpx.Response:
    return http.get(
        "/cdc", params={"entities": entities, "changedSince": since}
    )


def _groups(response: httpx.Response) -> dict[str, list[dict[str, Any]]]:
    assert response.status_code == 200, response.text
    return {
        key: value
        for group in response.json()["CDCResponse"][0]["QueryResponse"]
        for key, value in group.items()
        if isinstance(value, list)
    }


def test_cdc_returns_objects_changed_since(
    http: httpx.Client, fake: FakeQuickBooks, clock: VirtualClock
) -> None:
    """Changes since changedSince come back by entity, oldest first."""
    old = fake.add_customer("Old")
    clock.advance(3600)
    since = "2026-02-10T10:30:00-08:00"
    fresh = fake.add_customer("Fresh")
    clock.advance(60)
    fake.update("Customer", old["Id"], {"Notes": "touched"})
    item = fake.add_item("W")
    groups = _groups(_cdc(http, "Customer,Item", since))
    assert [c["Id"] for c in groups["Customer"]] == [fresh["Id"], old["Id"]]
    assert [i["Id"] for i in groups["Item"]] == [item["Id"]]


def test_cdc_group_envelope(http: httpx.Client, fake: FakeQuickBooks) -> None:
    """Each group carries startPosition, maxResults and totalCount."""
    fake.add_customer("A")
    body = _cdc(http, "Customer", "2026-02-10").json()
    group = body["CDCResponse"][0]["QueryResponse"][0]
    assert group["startPosition"] == 1
    assert group["maxResults"] == group["totalCount"] == 1


def test_cdc_without_changes(http: httpx.Client) -> None:
    """No changes answers [{"QueryResponse": [{}]}]."""
    body = _cdc(http, "Customer", "2026-02-10").json()
    assert body["CDCResponse"] == [{"QueryResponse": [{}]}]


def test_cdc_reports_deleted_transactions_and_inactive_names(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Deleted invoices are stubs; inactive customers full objects."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("W", unit_price=1)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 1)])
    fake.delete("Invoice", invoice["Id"])
    gone = fake.add_customer("Gone", active=False)
    groups = _groups(_cdc(http, "Invoice,Customer", "2026-02-10"))
    assert groups["Invoice"] == [
        {
            "domain": "QBO",
            "status": "Deleted",
            "Id": invoice["Id"],
            "MetaData": {"LastUpdatedTime": "2026-02-10T10:00:00-08:00"},
        }
    ]
    inactive = [c for c in groups["Customer"] if c["Id"] == gone["Id"]]
    assert inactive[0]["Active"] is False


def test_cdc_window_is_30_days(http: httpx.Client) -> None:
    """A window start older than 30 days is refused."""
    assert (
        _cdc(http, "Customer", "2026-01-11T11:00:00-08:00").status_code == 200
    )
    refused = _cdc(http, "Customer", "2026-01-10")
    assert refused.status_code == 400
    assert refused.json()["Fault"]["Error"][0]["element"] == "changedSince"


def test_cdc_caps_at_1000_objects_across_entities(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """At most 1000 objects come back, counted across all entities."""
    for number in range(990):
        fake.add_customer(f"C{number}")
    for number in range(20):
        fake.add_item(f"I{number}")
    groups = _groups(_cdc(http, "Customer,Item", "2026-02-10"))
    assert len(groups["Customer"]) == 990
    assert len(groups["Item"]) == 10


def test_cdc_parameters_are_checked(http: httpx.Client) -> None:
    """Missing parameters are 2020; an unknown entity is refused."""
    assert (
        http.get("/cdc", params={"entities": "Customer"}).json()["Fault"][
            "Error"
        ][0]["code"]
        == "2020"
    )
    assert _cdc(http, "Widget", "2026-02-10").status_code == 400


def _batch(http: httpx.Client, items: list[dict[str, Any]]) -> httpx.Response:
    return http.post("/batch", json={"BatchItemRequest": items})


def test_batch_partial_success_is_http_200(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Each item succeeds or faults on its own; the batch answers 200."""
    fake.add_customer("Taken")
    response = _batch(
        http,
        [
            {
                "bId": "b1",
                "operation": "create",
                "Customer": {"DisplayName": "New"},
            },
            {
                "bId": "b2",
                "operation": "create",
                "Customer": {"DisplayName": "Taken"},
            },
            {
                "bId": "b3",
                "Query": "select * from Customer where DisplayName = 'Taken'",
            },
        ],
    )
    assert response.status_code == 200
    answers = {
        item["bId"]: item for item in response.json()["BatchItemResponse"]
    }
    assert answers["b1"]["Customer"]["DisplayName"] == "New"
    assert answers["b2"]["Fault"]["Error"][0]["code"] == "6240"
    assert answers["b2"]["Fault"]["type"] == "ValidationFault"
    assert (
        answers["b3"]["QueryResponse"]["Customer"][0]["DisplayName"] == "Taken"
    )
    assert len(fake.customers()) == 2


def test_batch_items_are_blind_to_each_other(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Items cannot see what earlier items of the batch created."""
    fake.add_item("W", unit_price=1)
    response = _batch(
        http,
        [
            {
                "bId": "c",
                "operation": "create",
                "Customer": {"DisplayName": "Fresh"},
            },
            {"bId": "q", "Query": "select * from Customer"},
            {
                "bId": "i",
                "operation": "create",
                "Invoice": {
                    "CustomerRef": {"value": "1"},
                    "Line": [
                        {
                            "DetailType": "SalesItemLineDetail",
                            "Amount": 1,
                            "SalesItemLineDetail": {"ItemRef": {"value": "1"}},
                        }
                    ],
                },
            },
        ],
    )
    answers = {
        item["bId"]: item for item in response.json()["BatchItemResponse"]
    }
    assert answers["c"]["Customer"]["Id"] == "1"
    assert answers["q"]["QueryResponse"] == {}
    assert answers["i"]["Fault"]["Error"][0]["code"] == "2500"
    # After the batch, the customer is visible as usual.
    assert fake.get("Customer", "1") is not None


def test_batch_update_and_delete_items(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """Sparse updates (SyncToken checked) and deletes work in a batch."""
    customer = fake.add_customer("Bakery")
    item = fake.add_item("W", unit_price=1)
    invoice = fake.add_invoice(customer["Id"], [(item["Id"], 1, 1)])
    response = _batch(
        http,
        [
            {
                "bId": "u",
                "operation": "update",
                "Customer": {
                    "Id": customer["Id"],
                    "SyncToken": "0",
                    "sparse": True,
                    "Notes": "n",
                },
            },
            {
                "bId": "s",
                "operation": "update",
                "Item": {
                    "Id": item["Id"],
                    "SyncToken": "7",
                    "sparse": True,
                    "Active": False,
                },
            },
            {
                "bId": "d",
                "operation": "delete",
                "Invoice": {"Id": invoice["Id"], "SyncToken": "0"},
            },
        ],
    )
    answers = {
        item["bId"]: item for item in response.json()["BatchItemResponse"]
    }
    assert answers["u"]["Customer"]["Notes"] == "n"
    assert answers["s"]["Fault"]["Error"][0]["code"] == "5010"
    assert answers["d"]["Invoice"]["status"] == "Deleted"


def test_batch_of_more_than_30_is_refused(
    http: httpx.Client, fake: FakeQuickBooks
) -> None:
    """31 items are refused as a whole; 30 are fine."""
    items = [
        {
            "bId": str(n),
            "operation": "create",
            "Customer": {"DisplayName": f"C{n}"},
        }
        for n in range(31)
    ]
    refused = _batch(http, items)
    assert refused.status_code == 400
    assert fake.customers() == []
    assert len(_batch(http, items[:30]).json()["BatchItemResponse"]) == 30
