"""Batch endpoints: 100-input limit, 207 partial results, upsert, archive."""

from __future__ import annotations

import httpx
import pytest

from hsqbo.testing import FakeHubSpot


URL = "/crm/objects/2026-03/contacts/batch"


@pytest.mark.parametrize(
    "op", ["read", "create", "update", "upsert", "archive"]
)
def test_more_than_100_inputs_are_refused(
    client: httpx.Client, op: str
) -> None:
    """Every batch endpoint refuses 101 inputs with a 400."""
    inputs = [{"id": str(i), "properties": {}} for i in range(101)]
    got = client.post(f"{URL}/{op}", json={"inputs": inputs})
    assert got.status_code == 400
    assert "100" in got.json()["message"]


def test_batch_create_returns_201_and_every_object(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """100 valid inputs are all created in one call."""
    inputs = [
        {"properties": {"email": f"u{i}@example.com"}} for i in range(100)
    ]
    got = client.post(f"{URL}/create", json={"inputs": inputs})
    assert got.status_code == 201
    body = got.json()
    assert body["status"] == "COMPLETE"
    assert len(body["results"]) == 100
    assert len(fake.objects("contacts")) == 100


def test_one_bad_input_fails_the_whole_batch_without_trace_ids(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Without objectWriteTraceId a bad input is a 400; nothing is written."""
    inputs = [
        {"properties": {"email": "ok@example.com"}},
        {"properties": {"email": "broken"}},
    ]
    got = client.post(f"{URL}/create", json={"inputs": inputs})
    assert got.status_code == 400
    assert fake.objects("contacts") == ()


def test_trace_ids_give_207_partial_results(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """With objectWriteTraceId on each input, good apply and bad report."""
    fake.create("contacts", {"email": "taken@example.com"})
    inputs = [
        {"objectWriteTraceId": "a", "properties": {"email": "ok@example.com"}},
        {"objectWriteTraceId": "b", "properties": {"email": "broken"}},
        {
            "objectWriteTraceId": "c",
            "properties": {"email": "taken@example.com"},
        },
    ]
    got = client.post(f"{URL}/create", json={"inputs": inputs})
    assert got.status_code == 207
    body = got.json()
    assert body["numErrors"] == 2
    assert [r["objectWriteTraceId"] for r in body["results"]] == ["a"]
    by_trace = {
        e["context"]["objectWriteTraceId"][0]: e for e in body["errors"]
    }
    assert by_trace["b"]["category"] == "VALIDATION_ERROR"
    assert by_trace["b"]["errors"][0]["in"] == "email"
    assert by_trace["c"]["category"] == "CONFLICT"
    assert "Existing ID:" in by_trace["c"]["message"]
    assert len(fake.objects("contacts")) == 2


def test_duplicates_inside_one_batch_are_caught(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Two inputs with one e-mail in a create: a 409, nothing written."""
    inputs = [{"properties": {"email": "same@example.com"}}] * 2
    got = client.post(f"{URL}/create", json={"inputs": inputs})
    assert got.status_code == 409
    assert fake.objects("contacts") == ()


def test_batch_read_reports_missing_ids_with_207(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Missing ids go in one OBJECT_NOT_FOUND error; found ones are read."""
    ann = fake.create("contacts", {"email": "a@example.com", "city": "Rome"})
    got = client.post(
        f"{URL}/read",
        json={
            "inputs": [{"id": ann.id}, {"id": "424242"}],
            "properties": ["city"],
            "propertiesWithHistory": [],
        },
    )
    assert got.status_code == 207
    body = got.json()
    assert [r["properties"]["city"] for r in body["results"]] == ["Rome"]
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"]["ids"] == ["424242"]


def test_batch_read_by_id_property(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Batch read accepts idProperty."""
    ann = fake.create("contacts", {"email": "a@example.com"})
    got = client.post(
        f"{URL}/read",
        json={
            "inputs": [{"id": "a@example.com"}],
            "idProperty": "email",
            "properties": ["email"],
        },
    )
    assert got.status_code == 200
    assert got.json()["results"][0]["id"] == ann.id


def test_batch_update_changes_and_stamps(
    fake: FakeHubSpot, client: httpx.Client, clock
) -> None:
    """Batch update writes the values and moves updatedAt."""
    ann = fake.create("contacts", {"email": "a@example.com"})
    clock.advance(60)
    got = client.post(
        f"{URL}/update",
        json={"inputs": [{"id": ann.id, "properties": {"firstname": "Ann"}}]},
    )
    assert got.status_code == 200
    after = fake.get("contacts", ann.id)
    assert after.properties["firstname"] == "Ann"
    assert after.updated_at > ann.updated_at


def test_batch_update_of_unknown_id_fails_the_batch(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """An unknown id without trace ids fails the whole update with 404."""
    ann = fake.create("contacts", {"email": "a@example.com"})
    got = client.post(
        f"{URL}/update",
        json={
            "inputs": [
                {"id": ann.id, "properties": {"firstname": "Ann"}},
                {"id": "999", "properties": {"firstname": "X"}},
            ]
        },
    )
    assert got.status_code == 404
    assert "firstname" not in fake.get("contacts", ann.id).properties


def test_batch_update_refuses_duplicate_ids(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """The same id twice in one update is a 400."""
    ann = fake.create("contacts", {"email": "a@example.com"})
    inputs = [{"id": ann.id, "properties": {}}] * 2
    got = client.post(f"{URL}/update", json={"inputs": inputs})
    assert got.status_code == 400


def test_upsert_creates_then_updates_by_unique_property(
    fake: FakeHubSpot, client: httpx.Client
) -> None:
    """Upsert by a unique property: new=true first, new=false after."""
    fake.define_property("contacts", "qbo_id", unique=True)
    first = client.post(
        f"{URL}/upsert",
        json={
            "inputs": [
                {
                    "id": "Q-1",
                    "idProperty": "qbo_id",
                    "properties": {"firstname": "Ann"},
                }
            ]
        },
    ).json()["results"][0]
    second = client.post(
        f"{URL}/upsert",
        json={
            "inputs": [
                {
                    "id": "Q-1",
                    "idProperty": "qbo_id",
                    "properties": {"firstname": "Anna"},
                }
            ]
        },
    ).json()["results"][0]
    assert first["new"] is True
    assert second["new"] is False
    assert first["id"] == second["id"]
    stored = fake.get("contacts", first["id"])
    assert stored.properties["qbo_id"] == "Q-1"
    assert stored.properties["firstname"] == "Anna"
    assert len(fake.objects("contacts")) == 1


def test_upsert_needs_a_unique_id_property(client: httpx.Client) -> None:
    """Upsert without idProperty, or by a non-unique one, is a 400."""
    missing = client.post(
        f"{URL}/upsert", json={"inputs": [{"id": "x", "properties": {}}]}
    )
    plain = client.post(
        f"{URL}/upsert",
        json={"inputs": [{"id": "x", "idProperty": "city", "properties": {}}]},
    )
    assert missing.status_code == plain.status_code == 400


def test_batch_archive(fake: FakeHubSpot, client: httpx.Client) -> None:
    """Batch archive answers 204 and archives every listed id."""
    ids = [fake.create("products", {"name": f"P{i}"}).id for i in range(3)]
    got = client.post(
        "/crm/v3/objects/products/batch/archive",
        json={"inputs": [{"id": i} for i in ids[:2]] + [{"id": "777"}]},
    )
    assert got.status_code == 204
    assert [p.id for p in fake.objects("products")] == ids[2:]
    assert [p.id for p in fake.objects("products", archived=True)] == ids[:2]
