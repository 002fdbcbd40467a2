import json

import httpx
import pytest

from hsqbo import (
    AuthenticationError,
    DuplicateError,
    NotFoundError,
    ServerError,
    ValidationError,
)


def _obj(object_id: str, **properties: str) -> dict:
    return {
        "id": object_id,
        "properties": {"hs_object_id": object_id, **properties},
        "createdAt": "2026-03-05T08:00:00Z",
        "updatedAt": "2026-03-05T08:00:00Z",
        "archived": False,
    }


def _echo_create(request: httpx.Request) -> httpx.Response:
    inputs = json.loads(request.content)["inputs"]
    results = [
        {
            **_obj(str(1000 + int(item["objectWriteTraceId"]))),
            "objectWriteTraceId": item["objectWriteTraceId"],
        }
        for item in inputs
    ]
    return httpx.Response(201, json={"status": "COMPLETE", "results": results})


def test_batch_create_reports_a_207_per_input(router, client, body):
    """A 207 fails only its bad input; the others are created."""
    route = router.post("/crm/objects/2026-03/contacts/batch/create").respond(
        207, json=body("batch_create_207")
    )
    result = client.batch_create(
        "contacts",
        [
            {"email": "a@example.com"},
            {"email": "not-an-email"},
            {"email": "c@example.com"},
        ],
    )
    sent = json.loads(route.calls.last.request.content)["inputs"]
    assert [i["objectWriteTraceId"] for i in sent] == ["0", "1", "2"]
    assert [o.index for o in result.outcomes] == [0, 1, 2]
    assert [o.ok for o in result.outcomes] == [True, False, True]
    assert [o.id for o in result.objects] == ["901", "903"]
    error = result.outcomes[1].error
    assert isinstance(error, ValidationError)
    assert error.status_code == 400
    assert {d.field for d in error.errors} == {"email"}
    assert not result.ok
    with pytest.raises(ValidationError):
        result.raise_for_errors()


def test_batch_create_chunks_to_100(router, client):
    """250 inputs go out as 100 + 100 + 50, matched back in order."""
    route = router.post("/crm/objects/2026-03/contacts/batch/create").mock(
        side_effect=_echo_create
    )
    result = client.batch_create(
        "contacts", [{"email": f"{i}@example.com"} for i in range(250)]
    )
    sizes = [len(json.loads(c.request.content)["inputs"]) for c in route.calls]
    assert sizes == [100, 100, 50]
    assert result.ok
    assert [o.object.id for o in result.outcomes] == [
        str(1000 + i) for i in range(250)
    ]


def test_a_failed_chunk_does_not_sink_the_others(router, client, body):
    """A chunk that fails whole reports its inputs; other chunks succeed."""
    calls = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 2:
            return httpx.Response(500, json=body("error_500"))
        return _echo_create(request)

    router.post("/crm/objects/2026-03/contacts/batch/create").mock(
        side_effect=answer
    )
    result = client.batch_create(
        "contacts", [{"email": f"{i}@example.com"} for i in range(150)]
    )
    failed = [o.index for o in result.errors]
    assert failed == list(range(100, 150))
    assert all(isinstance(o.error, ServerError) for o in result.errors)
    assert len(result.objects) == 100
    assert calls["n"] == 2


def test_authentication_failure_stops_the_batch(router, client, body):
    """After a 401 no further chunk is sent; every input reports it."""
    route = router.post("/crm/objects/2026-03/contacts/batch/update").respond(
        401, json=body("error_401")
    )
    result = client.batch_update(
        "contacts", [(str(i), {"firstname": "x"}) for i in range(150)]
    )
    assert route.call_count == 1
    assert len(result.errors) == 150
    assert all(isinstance(o.error, AuthenticationError) for o in result.errors)


def test_batch_read_reports_unknown_ids(router, client, body):
    """Ids HubSpot cannot find are NotFound outcomes, the rest objects."""
    route = router.post("/crm/objects/2026-03/contacts/batch/read").respond(
        207, json=body("batch_read_207")
    )
    result = client.batch_read(
        "contacts", ["404404", "2"], properties=["email"]
    )
    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "inputs": [{"id": "404404"}, {"id": "2"}],
        "properties": ["email"],
    }
    assert isinstance(result.outcomes[0].error, NotFoundError)
    assert result.outcomes[1].object.id == "2"


def test_batch_read_by_unique_property(router, client):
    """Reads by idProperty match results by that property's value."""
    route = router.post("/crm/objects/2026-03/contacts/batch/read").respond(
        200,
        json={
            "status": "COMPLETE",
            "results": [
                _obj("8", qbo_customer_id="B"),
                _obj("7", qbo_customer_id="A"),
            ],
        },
    )
    result = client.batch_read(
        "contacts", ["A", "B"], id_property="qbo_customer_id", archived=True
    )
    sent = json.loads(route.calls.last.request.content)
    assert sent["idProperty"] == "qbo_customer_id"
    assert "archived" not in sent
    assert route.calls.last.request.url.params["archived"] == "true"
    assert [o.object.id for o in result.outcomes] == ["7", "8"]


def test_batch_update_sends_ids_and_encoded_values(router, client):
    """Updates carry id, string values and a trace id per input."""
    route = router.post("/crm/objects/2026-03/deals/batch/update").respond(
        200, json={"status": "COMPLETE", "results": [_obj("5"), _obj("6")]}
    )
    result = client.batch_update(
        "deals", {"5": {"amount": 10}, "6": {"amount": None}}
    )
    sent = json.loads(route.calls.last.request.content)["inputs"]
    assert sent == [
        {"id": "5", "properties": {"amount": "10"}, "objectWriteTraceId": "0"},
        {"id": "6", "properties": {"amount": ""}, "objectWriteTraceId": "1"},
    ]
    assert [o.object.id for o in result.outcomes] == ["5", "6"]


def test_batch_upsert_by_unique_property_reports_created(router, client, body):
    """Upserts send idProperty and say which inputs were created."""
    route = router.post("/crm/objects/2026-03/contacts/batch/upsert").respond(
        200, json=body("batch_upsert")
    )
    result = client.batch_upsert(
        "contacts",
        "qbo_customer_id",
        {"59": {"email": "b@example.com"}, "58": {"email": "a@example.com"}},
    )
    sent = json.loads(route.calls.last.request.content)["inputs"]
    assert sent[0] == {
        "id": "59",
        "idProperty": "qbo_customer_id",
        "properties": {"email": "b@example.com", "qbo_customer_id": "59"},
        "objectWriteTraceId": "0",
    }
    # Results came back in another order; they are matched by value.
    assert [(o.object.id, o.created) for o in result.outcomes] == [
        ("701", True),
        ("700", False),
    ]


def test_batch_upsert_is_retried_on_server_error(router, client, body):
    """Upserts are idempotent, so a 5xx is retried."""
    route = router.post("/crm/objects/2026-03/contacts/batch/upsert").mock(
        side_effect=[
            httpx.Response(502, json=body("error_500")),
            httpx.Response(200, json=body("batch_upsert")),
        ]
    )
    result = client.batch_upsert(
        "contacts", "qbo_customer_id", [("58", {}), ("59", {})]
    )
    assert result.ok
    assert route.call_count == 2


def test_batch_create_is_not_retried_on_server_error(router, client, body):
    """A batch create that met a 5xx is reported, not resent."""
    route = router.post("/crm/objects/2026-03/contacts/batch/create").respond(
        503, json=body("error_500")
    )
    result = client.batch_create("contacts", [{"email": "a@b.co"}])
    assert route.call_count == 1
    assert isinstance(result.outcomes[0].error, ServerError)


def test_unanswered_input_gets_an_error(router, client):
    """An input that neither a result nor an error names is not lost."""
    router.post("/crm/objects/2026-03/contacts/batch/update").respond(
        200, json={"status": "COMPLETE", "results": []}
    )
    result = client.batch_update("contacts", [("1", {"firstname": "x"})])
    assert "no result" in str(result.outcomes[0].error)


def test_unnamed_error_goes_to_the_unanswered_inputs(router, client):
    """An error item without context is given to inputs left unanswered."""
    router.post("/crm/objects/2026-03/contacts/batch/update").respond(
        207,
        json={
            "status": "COMPLETE",
            "results": [{**_obj("1"), "objectWriteTraceId": "0"}],
            "errors": [
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "bad value",
                }
            ],
        },
    )
    result = client.batch_update(
        "contacts", [("1", {"a": "x"}), ("2", {"a": "y"})]
    )
    assert result.outcomes[0].ok
    assert isinstance(result.outcomes[1].error, ValidationError)


def test_batch_archive_chunks_ids(router, client):
    """batch_archive sends ids 100 at a time."""
    route = router.post(
        "/crm/objects/2026-03/line_items/batch/archive"
    ).respond(204)
    client.batch_archive("line_items", [str(i) for i in range(120)])
    sizes = [len(json.loads(c.request.content)["inputs"]) for c in route.calls]
    assert sizes == [100, 20]


def test_update_by_unique_property_matches_by_its_value(router, client):
    """batch_update(id_property=...) sends idProperty, matches by value."""
    route = router.post("/crm/objects/2026-03/contacts/batch/update").respond(
        200,
        json={
            "status": "COMPLETE",
            "results": [
                _obj("9", qbo_customer_id="B"),
                _obj("8", qbo_customer_id="A"),
            ],
        },
    )
    result = client.batch_update(
        "contacts",
        [("A", {"firstname": "x"}), ("B", {"firstname": "y"})],
        id_property="qbo_customer_id",
    )
    sent = json.loads(route.calls.last.request.content)["inputs"]
    assert {i["idProperty"] for i in sent} == {"qbo_customer_id"}
    assert [o.object.id for o in result.outcomes] == ["8", "9"]


def test_results_without_keys_fill_inputs_in_order(router, client):
    """Results naming no input go, in order, to the inputs left."""
    router.post("/crm/objects/2026-03/contacts/batch/create").respond(
        201,
        json={"status": "COMPLETE", "results": [_obj("31"), _obj("32")]},
    )
    result = client.batch_create("contacts", [{"email": "a"}, {"email": "b"}])
    assert [o.object.id for o in result.outcomes] == ["31", "32"]


def test_a_result_answering_an_answered_input_is_not_lost(router, client):
    """Two results with one trace id: the second takes a free input."""
    router.post("/crm/objects/2026-03/contacts/batch/create").respond(
        201,
        json={
            "status": "COMPLETE",
            "results": [
                {**_obj("41"), "objectWriteTraceId": "0"},
                {**_obj("42"), "objectWriteTraceId": "0"},
            ],
        },
    )
    result = client.batch_create("contacts", [{"email": "a"}, {"email": "b"}])
    assert [o.object.id for o in result.outcomes] == ["41", "42"]


def test_duplicate_in_a_207_names_the_existing_object(router, client):
    """A per-input 409 in a batch is a DuplicateError with existing_id."""
    router.post("/crm/objects/2026-03/contacts/batch/create").respond(
        207,
        json={
            "status": "COMPLETE",
            "results": [],
            "errors": [
                {
                    "status": "error",
                    "category": "CONFLICT",
                    "message": "A contact with this value already exists",
                    "context": {
                        "objectWriteTraceId": "0",
                        "existingObjectId": ["1001"],
                    },
                }
            ],
        },
    )
    result = client.batch_create("contacts", [{"email": "a@example.com"}])
    error = result.outcomes[0].error
    assert isinstance(error, DuplicateError)
    assert error.existing_id == "1001"
    assert error.status_code == 409
