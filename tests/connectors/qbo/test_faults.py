"""Every QBO error shape maps to its typed exception, with all its data."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from hsqbo import (
    ApiError,
    AuthenticationError,
    ConflictError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    QueryError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StaleObjectError,
    TransportError,
    ValidationError,
)
from hsqbo.qbo import Customer, Invoice, QuickBooksClient


API = "https://qbo.test/v3/company/9341450000123"

# (fixture, status, content type, class, main code, item count)
CASES = [
    (
        "duplicate_name.json",
        400,
        "application/json",
        DuplicateError,
        "6240",
        1,
    ),
    (
        "stale_object.json",
        400,
        "application/json",
        StaleObjectError,
        "5010",
        1,
    ),
    ("not_found.json", 400, "application/json", NotFoundError, "610", 1),
    ("query_parse.json", 400, "application/json", QueryError, "4000", 1),
    (
        "several_errors.json",
        400,
        "application/json",
        ValidationError,
        "2020",
        3,
    ),
    (
        "business_validation.json",
        400,
        "application/json",
        ValidationError,
        "6000",
        1,
    ),
    (
        "authentication.json",
        401,
        "application/json",
        AuthenticationError,
        "100",
        1,
    ),
    (
        "authentication_lowercase.json",
        401,
        "application/json",
        AuthenticationError,
        "3200",
        1,
    ),
    (
        "authorization.json",
        403,
        "application/json",
        PermissionDeniedError,
        "3100",
        1,
    ),
    (
        "authentication.xml",
        401,
        "application/xml",
        AuthenticationError,
        "3200",
        1,
    ),
    ("throttled.xml", 429, "application/xml", RateLimitError, "3001", 1),
    ("system_fault.json", 500, "application/json", ServerError, "10000", 1),
    ("unavailable.html", 503, "text/html", ServerError, None, 1),
]


@pytest.mark.parametrize(
    ("fixture", "status", "content_type", "expected", "code", "items"), CASES
)
def test_error_bodies_map_to_typed_exceptions(  # noqa: PLR0917 - fixtures
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_text: Callable[[str], str],
    fixture: str,
    status: int,
    content_type: str,
    expected: type[ApiError],
    code: str | None,
    items: int,
) -> None:
    """Each error fixture raises its class with status, code, items and tid."""
    mock.get(f"{API}/customer/412").respond(
        status,
        text=load_text(f"errors/{fixture}"),
        headers={"Content-Type": content_type, "intuit_tid": "1-abc-tid"},
    )
    client = make_client(retry=RetryPolicy.never())
    with pytest.raises(expected) as caught:
        client.get(Customer, "412")
    error = caught.value
    assert type(error) is expected
    assert error.provider == "qbo"
    assert error.status_code == status
    assert error.code == code
    assert len(error.errors) == items
    assert error.request_id == "1-abc-tid"
    assert error.method == "GET"
    assert error.url == f"{API}/customer/412"
    assert error.errors[0].message
    assert "access-token-value" not in str(error)


def test_fault_with_several_errors_keeps_every_item(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """All items of a multi-error Fault are kept in order, with fields."""
    mock.post(f"{API}/invoice").respond(
        400, json=load_json("errors/several_errors.json")
    )
    client = make_client()
    with pytest.raises(ValidationError) as caught:
        client.create(Invoice(doc_number="X" * 22))
    errors = caught.value.errors
    assert [e.code for e in errors] == ["2020", "2500", "2050"]
    assert [e.field for e in errors] == [
        "Line",
        "Line.SalesItemLineDetail.ItemRef",
        "DocNumber",
    ]
    assert "Supplied length:22" in errors[2].detail
    assert "(and 2 more)" in str(caught.value)


def test_duplicate_name_carries_the_existing_id(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """6240 with 'Id=412' in its Detail gives existing_id '412'."""
    mock.post(f"{API}/customer").respond(
        400, json=load_json("errors/duplicate_name.json")
    )
    with pytest.raises(DuplicateError) as caught:
        make_client().create(Customer(display_name="Harbor Lane Bakery"))
    assert caught.value.existing_id == "412"


def test_old_duplicate_text_has_no_existing_id(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """The pre-2020 6240 Detail names no record, so existing_id is None."""
    mock.post(f"{API}/customer").respond(
        400, json=load_json("errors/duplicate_name_old.json")
    )
    with pytest.raises(DuplicateError) as caught:
        make_client().create(Customer(display_name="Harbor Lane Bakery"))
    assert caught.value.existing_id is None


def test_fault_in_a_200_answer_is_an_error(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
) -> None:
    """QBO may answer 200 with a Fault body; it still raises."""
    mock.get(f"{API}/customer/412").respond(
        200, json=load_json("errors/stale_object.json")
    )
    with pytest.raises(StaleObjectError):
        make_client().get(Customer, "412")


def test_echoed_token_is_redacted_from_the_error(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """If QBO echoes the bearer token in a Detail, the exception hides it."""
    mock.get(f"{API}/customer/412").respond(
        400,
        json={
            "Fault": {
                "Error": [
                    {
                        "Message": "Bad",
                        "Detail": "token access-token-value is odd",
                        "code": "2010",
                    }
                ],
                "type": "ValidationFault",
            }
        },
    )
    with pytest.raises(ValidationError) as caught:
        make_client().get(Customer, "412")
    assert "access-token-value" not in str(caught.value)
    assert "access-token-value" not in repr(caught.value.errors)
    assert "***" in caught.value.errors[0].detail


def test_too_short_token_does_not_mangle_the_message(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """A token under 8 characters is not masked inside ordinary words."""
    mock.get(f"{API}/customer/412").respond(
        400,
        json={
            "Fault": {
                "Error": [
                    {
                        "Message": "Object Not Found",
                        "Detail": "Something in your company is inactive",
                        "code": "610",
                    }
                ],
                "type": "ValidationFault",
            }
        },
    )
    with pytest.raises(NotFoundError) as caught:
        make_client("y").get(Customer, "412")
    assert caught.value.errors[0].detail == (
        "Something in your company is inactive"
    )


def test_unknown_body_becomes_one_item_with_its_text(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """A plain-text 502 is a ServerError whose item holds the text."""
    mock.get(f"{API}/customer/412").respond(502, text="Bad gateway, sorry")
    with pytest.raises(ServerError) as caught:
        make_client(retry=RetryPolicy.never()).get(Customer, "412")
    assert caught.value.errors[0].message == "Bad gateway, sorry"


def test_unmapped_status_falls_back_by_status(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """A 404 without a Fault is NotFoundError; a bare 400 a ValidationError."""
    mock.get(f"{API}/customer/1").respond(404, text="")
    mock.get(f"{API}/customer/2").respond(400, json={"unexpected": True})
    client = make_client()
    with pytest.raises(NotFoundError):
        client.get(Customer, "1")
    with pytest.raises(ValidationError):
        client.get(Customer, "2")


def test_throttle_xml_sets_a_sixty_second_retry_after(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_text: Callable[[str], str],
) -> None:
    """Without Retry-After, a 429 asks for Intuit's documented 60 s wait."""
    mock.get(f"{API}/customer/412").respond(
        429,
        text=load_text("errors/throttled.xml"),
        headers={"Content-Type": "application/xml"},
    )
    with pytest.raises(RateLimitError) as caught:
        make_client(retry=RetryPolicy.never()).get(Customer, "412")
    assert caught.value.retry_after == 60.0
    assert caught.value.category == "SERVICE"


def test_retry_after_header_wins(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """A Retry-After header on a 429 is read into retry_after."""
    mock.get(f"{API}/customer/412").respond(
        429, text="", headers={"Retry-After": "7"}
    )
    with pytest.raises(RateLimitError) as caught:
        make_client(retry=RetryPolicy.never()).get(Customer, "412")
    assert caught.value.retry_after == 7.0


def test_transport_error_is_wrapped(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """A connection failure after the retries is hsqbo's TransportError."""
    route = mock.get(f"{API}/customer/412").mock(
        side_effect=httpx.ConnectError("refused")
    )
    with pytest.raises(TransportError) as caught:
        make_client().get(Customer, "412")
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.url == f"{API}/customer/412"
    assert route.call_count == 3


def test_html_page_with_200_is_a_retried_server_error(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    load_json: Callable[[str], Any],
    load_text: Callable[[str], str],
) -> None:
    """A gateway's HTML page answered with 200 is retried, then succeeds."""
    route = mock.get(f"{API}/customer/412").mock(
        side_effect=[
            httpx.Response(200, text=load_text("errors/unavailable.html")),
            httpx.Response(200, json=load_json("customer.json")),
        ]
    )
    assert make_client().get(Customer, "412").id == "412"
    assert route.call_count == 2


def _fault(code: str, kind: str) -> str:
    return json.dumps(
        {
            "Fault": {
                "Error": [{"Message": "m", "Detail": "d", "code": code}],
                "type": kind,
            }
        }
    )


# (body, status, class): the table's less common rows, decided by code,
# by status, by fault type, or by the fallbacks.
BRANCHES = [
    (_fault("120", "AuthorizationFault"), 401, PermissionDeniedError),
    (_fault("9999", "AuthorizationFault"), 400, PermissionDeniedError),
    (_fault("9999", "AuthenticationFault"), 400, AuthenticationError),
    (_fault("9999", "SystemFault"), 400, ValidationError),
    (_fault("9999", "SystemFault"), 200, ServerError),
    (_fault("9999", "ValidationFault"), 200, ValidationError),
    (_fault("003001", "SERVICE"), 403, RateLimitError),
    ("", 409, ConflictError),
    ('{"error": "invalid_client"}', 401, AuthenticationError),
    ("{not json", 400, ValidationError),
    ("<root><child/></root>", 502, ServerError),
]


@pytest.mark.parametrize(("body", "status", "expected"), BRANCHES)
def test_every_table_branch(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
    body: str,
    status: int,
    expected: type[ApiError],
) -> None:
    """Code first, then status, then fault type, then the fallbacks."""
    mock.get(f"{API}/customer/1").respond(status, text=body)
    with pytest.raises(expected) as caught:
        make_client(retry=RetryPolicy.never()).get(Customer, "1")
    assert type(caught.value) is expected
    assert caught.value.status_code == status


def test_gateway_code_is_read_from_the_message_when_missing(
    mock: respx.MockRouter,
    make_client: Callable[..., QuickBooksClient],
) -> None:
    """'errorCode=003200' in a message without code gives code 3200."""
    body = {
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; "
                    "errorCode=003200; statusCode=401",
                    "detail": "",
                    "code": None,
                }
            ],
            "type": "AUTHENTICATION",
        }
    }
    mock.get(f"{API}/customer/1").respond(401, json=body)
    with pytest.raises(AuthenticationError) as caught:
        make_client().get(Customer, "1")
    assert caught.value.code == "3200"
