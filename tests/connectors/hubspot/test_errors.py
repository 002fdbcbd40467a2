import httpx
import pytest

from hsqbo import (
    ApiError,
    AuthenticationError,
    ConflictError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationError,
)
from hsqbo.hubspot import HubSpotClient, error_from_body


PATH = "/crm/objects/2026-03/contacts/512"


@pytest.mark.parametrize(
    ("status", "fixture", "exception", "category"),
    [
        (401, "error_401", AuthenticationError, "INVALID_AUTHENTICATION"),
        (403, "error_403", PermissionDeniedError, "MISSING_SCOPES"),
        (404, "error_404", NotFoundError, "OBJECT_NOT_FOUND"),
        (409, "error_409_conflict", ConflictError, "CONFLICT"),
        (409, "error_409_duplicate", DuplicateError, "CONFLICT"),
        (400, "error_400_validation", ValidationError, "VALIDATION_ERROR"),
    ],
)
def test_error_statuses_map_to_typed_exceptions(  # noqa: PLR0917 - fixtures
    router, clock, body, status, fixture, exception, category
):
    """Each HubSpot error status and body becomes its own exception class."""
    router.get(PATH).respond(status, json=body(fixture))
    with (
        HubSpotClient("t", clock=clock) as hub,
        pytest.raises(exception) as caught,
    ):
        hub.get("contacts", "512")
    error = caught.value
    assert type(error) is exception
    assert error.status_code == status
    assert error.category == category
    assert error.provider == "hubspot"
    assert error.request_id == body(fixture)["correlationId"]
    assert error.method == "GET"
    assert error.url == PATH
    assert body(fixture)["correlationId"] in str(error)


def test_duplicate_carries_the_existing_id(router, client, body):
    """A 409 naming the existing object gives DuplicateError.existing_id."""
    router.post("/crm/objects/2026-03/contacts").respond(
        409, json=body("error_409_duplicate")
    )
    with pytest.raises(DuplicateError) as caught:
        client.create("contacts", {"email": "ada@example.com"})
    assert caught.value.existing_id == "1001"


def test_plain_conflict_has_no_existing_id(router, client, body):
    """A 409 that names no object stays a plain ConflictError."""
    router.post("/crm/objects/2026-03/contacts").respond(
        409, json=body("error_409_conflict")
    )
    with pytest.raises(ConflictError) as caught:
        client.create("contacts", {"email": "ada@example.com"})
    assert not isinstance(caught.value, DuplicateError)
    assert caught.value.existing_id is None


def test_validation_error_lists_every_invalid_property(router, client, body):
    """The per-property items inside the message become error details."""
    router.patch(PATH).respond(400, json=body("error_400_validation"))
    with pytest.raises(ValidationError) as caught:
        client.update("contacts", "512", {"lifecyclestage": "x"})
    details = {(d.field, d.code) for d in caught.value.errors}
    assert details == {
        ("lifecyclestage", "INVALID_OPTION"),
        ("annualrevenue", "INVALID_INTEGER"),
    }


def test_error_items_with_context_name_the_property():
    """errors[] items name their property via 'in' or context.propertyName."""
    error = error_from_body(
        400,
        {
            "category": "VALIDATION_ERROR",
            "message": "bad",
            "errors": [
                {"message": "m1", "code": "INVALID_EMAIL", "in": "email"},
                {
                    "message": "m2",
                    "subCategory": "REQUIRED",
                    "context": {"propertyName": ["hs_currency"]},
                },
                "not an object",
            ],
        },
    )
    assert [(d.field, d.code, d.message) for d in error.errors] == [
        ("email", "INVALID_EMAIL", "m1"),
        ("hs_currency", "REQUIRED", "m2"),
    ]


def test_rate_limit_error_carries_policy_and_retry_after(router, clock, body):
    """A 429 that outlasts the retries is a RateLimitError with its policy."""
    route = router.get(PATH).respond(
        429,
        json=body("error_429"),
        headers={"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
    )
    with (
        HubSpotClient(
            "t", clock=clock, retry=RetryPolicy(attempts=2, max_jitter=0.0)
        ) as hub,
        pytest.raises(RateLimitError) as caught,
    ):
        hub.get("contacts", "512")
    assert route.call_count == 2
    assert caught.value.policy_name == "TEN_SECONDLY_ROLLING"
    assert caught.value.retry_after == 10.0
    assert caught.value.code == "RATE_LIMIT"
    assert clock.slept == pytest.approx(10.0)


def test_retry_after_header_wins(router, clock, body):
    """An explicit Retry-After header sets retry_after and the wait."""
    router.get(PATH).mock(
        side_effect=[
            httpx.Response(
                429, json=body("error_429"), headers={"Retry-After": "3"}
            ),
            httpx.Response(200, json=body("contact")),
        ]
    )
    with HubSpotClient(
        "t", clock=clock, retry=RetryPolicy(max_jitter=0.0, initial_delay=0.1)
    ) as hub:
        assert hub.get("contacts", "512").id == "512"
    assert clock.slept == pytest.approx(3.0)


def test_daily_limit_is_not_retried(router, clock, body):
    """The DAILY policy will not lift within a retry: fail at once."""
    route = router.get(PATH).respond(429, json=body("error_429_daily"))
    with (
        HubSpotClient("t", clock=clock) as hub,
        pytest.raises(RateLimitError) as caught,
    ):
        hub.get("contacts", "512")
    assert route.call_count == 1
    assert caught.value.policy_name == "DAILY"
    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_for_reads(router, client, body, status):
    """A read that meets a 5xx is retried and succeeds."""
    route = router.get(PATH).mock(
        side_effect=[
            httpx.Response(status, json=body("error_500")),
            httpx.Response(200, json=body("contact")),
        ]
    )
    assert client.get("contacts", "512").id == "512"
    assert route.call_count == 2


def test_server_error_after_retries_is_a_server_error(router, client, body):
    """A 5xx that persists surfaces as ServerError with the correlation id."""
    route = router.get(PATH).respond(500, json=body("error_500"))
    with pytest.raises(ServerError) as caught:
        client.get("contacts", "512")
    assert route.call_count == 3
    assert caught.value.request_id.endswith("500")


def test_gateway_html_error_is_a_server_error(router, client):
    """A non-JSON 5xx page still maps by status, with its text as message."""
    router.get(PATH).respond(
        524, text="<html>timeout</html>", headers={"Retry-After": "0"}
    )
    with pytest.raises(ServerError, match="timeout"):
        client.get("contacts", "512")


def test_unknown_4xx_is_a_validation_error(router, client):
    """A 4xx outside the table (414) is a ValidationError, not a crash."""
    router.get(PATH).respond(414, content=b"")
    with pytest.raises(ValidationError) as caught:
        client.get("contacts", "512")
    assert caught.value.status_code == 414


def test_create_is_not_retried_on_server_error(router, client, body):
    """A plain create may have happened after a 5xx: never sent twice."""
    route = router.post("/crm/objects/2026-03/contacts").respond(
        500, json=body("error_500")
    )
    with pytest.raises(ServerError):
        client.create("contacts", {"email": "ada@example.com"})
    assert route.call_count == 1


def test_create_is_retried_on_rate_limit(router, client, body):
    """A 429 means HubSpot did nothing, so a create is safely resent."""
    route = router.post("/crm/objects/2026-03/contacts").mock(
        side_effect=[
            httpx.Response(429, json=body("error_429")),
            httpx.Response(201, json=body("contact")),
        ]
    )
    assert client.create("contacts", {"email": "a@b.co"}).id == "512"
    assert route.call_count == 2


def test_transport_errors_are_retried_then_wrapped(router, client, body):
    """Dropped connections are retried for reads; the last one is wrapped."""
    route = router.get(PATH).mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json=body("contact")),
        ]
    )
    assert client.get("contacts", "512").id == "512"
    assert route.call_count == 3


def test_transport_error_that_persists_is_a_transport_error(router, client):
    """After the last attempt the httpx error is the cause of ours."""
    router.get(PATH).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(TransportError) as caught:
        client.get("contacts", "512")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.provider == "hubspot"
    assert caught.value.method == "GET"


def test_create_is_not_retried_on_transport_error(router, client):
    """A create whose answer was lost is not resent (it may exist)."""
    route = router.post("/crm/objects/2026-03/contacts").mock(
        side_effect=httpx.RemoteProtocolError("dropped")
    )
    with pytest.raises(TransportError):
        client.create("contacts", {"email": "a@b.co"})
    assert route.call_count == 1


def test_error_messages_never_hold_the_token(router, clock, body):
    """Neither the exception text nor its attributes show the token."""
    secret = "pat-na1-TOPSECRET"  # noqa: S105 - a fake token
    router.get(PATH).respond(401, json=body("error_401"))
    with (
        HubSpotClient(secret, clock=clock) as hub,
        pytest.raises(ApiError) as caught,
    ):
        hub.get("contacts", "512")
    assert secret not in str(caught.value)
    assert secret not in repr(vars(caught.value))


def test_unparseable_property_list_keeps_the_message(router, client):
    """A validation message whose item list is not JSON still maps."""
    router.patch(PATH).respond(
        400,
        json={
            "category": "VALIDATION_ERROR",
            "message": "Property values were not valid: [not json]",
        },
    )
    with pytest.raises(ValidationError, match="not json") as caught:
        client.update("contacts", "512", {"x": "y"})
    assert caught.value.errors == ()


def test_non_numeric_retry_after_falls_back_to_the_policy(
    router, client, body
):
    """An HTTP-date Retry-After is ignored in favour of the policy's window."""
    router.get(PATH).mock(
        side_effect=[
            httpx.Response(
                429,
                json={**body("error_429"), "policyName": "SECONDLY"},
                headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"},
            ),
            httpx.Response(200, json=body("contact")),
        ]
    )
    assert client.get("contacts", "512").id == "512"
    assert client._clock.slept == pytest.approx(1.0)


def test_non_object_json_body_is_refused(router, client):
    """A 200 whose JSON is not an object is a clear TypeError."""
    router.get(PATH).respond(200, json=[1, 2])
    with pytest.raises(TypeError, match="JSON object"):
        client.get("contacts", "512")
