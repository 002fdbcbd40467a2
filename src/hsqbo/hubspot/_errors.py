"""
Map HubSpot error responses to hsqbo's exceptions, by one table.

HubSpot's error body is ``{status, message, correlationId, category,
subCategory, errors[], context, policyName}`` with every field optional. The
status code picks the family; a few categories refine it (a 409 that names
an existing object is a :class:`~hsqbo.DuplicateError`). The same function
turns the error items of a 207 multi-status batch into exceptions, one per
failed input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus

import attrs

from hsqbo._errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    ProviderErrorDetail,
    RateLimitError,
    ServerError,
    ValidationError,
)


__all__ = ["error_from_body", "error_from_response", "retry_after_of"]

PROVIDER = "hubspot"

_EXISTING_ID = re.compile(
    r"existing\s+(?:object\s+)?id\s*[:=]?\s*(\d+)", re.IGNORECASE
)
_INVALID_PROPERTIES = re.compile(r"Property values were not valid:\s*(\[.*\])")
# Seconds to wait for a rate-limit policy when HubSpot sends no Retry-After.
_POLICY_WAIT: Mapping[str, float] = {
    "SECONDLY": 1.0,
    "TEN_SECONDLY_ROLLING": 10.0,
}
_CATEGORY_STATUS: Mapping[str, int] = {
    "INVALID_AUTHENTICATION": 401,
    "MISSING_SCOPES": 403,
    "OBJECT_NOT_FOUND": 404,
    "CONFLICT": 409,
    "OBJECT_ALREADY_EXISTS": 409,
    "RATE_LIMITS": 429,
    "INTERNAL_ERROR": 500,
}
_BAD_REQUEST = HTTPStatus.BAD_REQUEST
_SERVER = HTTPStatus.INTERNAL_SERVER_ERROR
_MIGRATING = 477
_DUPLICATE_CATEGORIES = frozenset({"CONFLICT", "OBJECT_ALREADY_EXISTS"})
_DUPLICATE_WORDS = ("already exists", "already has", "duplicate", "unique")


@attrs.frozen
class _Rule:
    """One row of the table: which responses make which exception."""

    matches: Callable[[int, str], bool]
    exception: type[ApiError]


def _status(*codes: int) -> Callable[[int, str], bool]:
    return lambda status, _category: status in codes


def _category(*names: str) -> Callable[[int, str], bool]:
    return lambda _status, category: category in names


# First match wins; order matters where a category refines a status.
_TABLE: tuple[_Rule, ...] = (
    _Rule(_status(401), AuthenticationError),
    _Rule(
        _category(
            "INVALID_AUTHENTICATION",
            "EXPIRED_AUTHENTICATION",
            # The OAuth token endpoint's codes: the credentials are bad.
            "BAD_REFRESH_TOKEN",
            "BAD_CLIENT_ID",
            "BAD_CLIENT_SECRET",
            "BAD_AUTH_CODE",
            "BAD_REDIRECT_URI",
        ),
        AuthenticationError,
    ),
    _Rule(_status(403), PermissionDeniedError),
    _Rule(_category("MISSING_SCOPES"), PermissionDeniedError),
    _Rule(_status(404), NotFoundError),
    _Rule(_category("OBJECT_NOT_FOUND"), NotFoundError),
    _Rule(_status(429), RateLimitError),
    _Rule(_category("RATE_LIMITS", "RATE_LIMIT"), RateLimitError),
    _Rule(_status(409), ConflictError),
    _Rule(_category("CONFLICT", "OBJECT_ALREADY_EXISTS"), ConflictError),
    # HubSpot answers 477 and 52x under load: the server's failure too.
    _Rule(
        lambda status, _: status >= _SERVER or status == _MIGRATING,
        ServerError,
    ),
    _Rule(lambda status, _: _BAD_REQUEST <= status < _SERVER, ValidationError),
    _Rule(_category("VALIDATION_ERROR"), ValidationError),
)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _details(body: Mapping[str, object]) -> tuple[ProviderErrorDetail, ...]:
    details: list[ProviderErrorDetail] = []
    items = body.get("errors")
    if isinstance(items, list):
        for item in items:
            if not isinstance(item, Mapping):
                continue
            context = item.get("context")
            field = _text(item.get("in"))
            if field is None and isinstance(context, Mapping):
                names = context.get("propertyName")
                if isinstance(names, list) and names:
                    field = _text(names[0])
            details.append(
                ProviderErrorDetail(
                    code=_text(item.get("code") or item.get("subCategory")),
                    message=_text(item.get("message")) or "",
                    field=field,
                )
            )
    message = _text(body.get("message")) or ""
    found = _INVALID_PROPERTIES.search(message)
    if found:
        # Property validation lists one JSON item per invalid property in
        # the message itself; surface them as details the caller can read.
        try:
            invalid = json.loads(found.group(1))
        except ValueError:
            invalid = []
        details.extend(
            ProviderErrorDetail(
                code=_text(item.get("error")),
                message=_text(item.get("message")) or "",
                field=_text(item.get("name")),
            )
            for item in (invalid if isinstance(invalid, list) else [])
            if isinstance(item, Mapping)
        )
    return tuple(details)


def _existing_id(body: Mapping[str, object]) -> str | None:
    context = body.get("context")
    if isinstance(context, Mapping):
        for key in ("existingObjectId", "existingId", "id"):
            value = context.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if isinstance(value, str | int):
                return str(value)
    found = _EXISTING_ID.search(_text(body.get("message")) or "")
    return found.group(1) if found else None


def _is_duplicate(body: Mapping[str, object], category: str) -> bool:
    if _existing_id(body) is not None:
        return True
    message = (_text(body.get("message")) or "").lower()
    return category in _DUPLICATE_CATEGORIES and any(
        word in message for word in _DUPLICATE_WORDS
    )


def retry_after_of(
    headers: Mapping[str, str], policy_name: str | None
) -> float | None:
    """
    Return how long HubSpot asks callers to wait, in seconds.

    ``Retry-After`` wins when present; otherwise the rolling window of the
    policy that was hit (a ``DAILY`` limit has no useful wait: ``None``).
    """
    header = headers.get("retry-after")
    if header is not None:
        try:
            return max(0.0, float(header))
        except ValueError:
            pass
    if policy_name == "TEN_SECONDLY_ROLLING":
        interval = headers.get("x-hubspot-ratelimit-interval-milliseconds")
        if interval is not None and interval.isdigit():
            return int(interval) / 1000
    return _POLICY_WAIT.get(policy_name or "")


def error_from_body(
    status: int,
    body: Mapping[str, object],
    *,
    headers: Mapping[str, str] | None = None,
    method: str = "",
    url: str = "",
) -> ApiError:
    """
    Build the exception for one HubSpot error body.

    Args:
        status: The HTTP status, or the item's own status in a 207.
        body: The parsed error body (or one error item of a batch).
        headers: The response headers (``Retry-After``, correlation id).
        method: The request method, for the message.
        url: The request URL without its query, for the message.

    Returns:
        The most specific :class:`~hsqbo.ApiError` the table yields.

    .. versionadded:: 0.1.0
    """
    headers = headers or {}
    category = _text(body.get("category") or body.get("errorType")) or ""
    if not category and body.get("status") not in {None, "error"}:
        # The OAuth API puts its code in "status" ("BAD_REFRESH_TOKEN").
        category = _text(body.get("status")) or ""
    if status < _BAD_REQUEST:
        # An error item of a 207 multi-status: its category says what the
        # status would have been had the input been sent alone.
        status = _CATEGORY_STATUS.get(category, 400)
    exception: type[ApiError] = ApiError
    for rule in _TABLE:
        if rule.matches(status, category):
            exception = rule.exception
            break
    if exception is ConflictError and _is_duplicate(body, category):
        exception = DuplicateError
    policy = _text(body.get("policyName"))
    message = _text(body.get("message")) or f"HTTP {status}"
    return exception(
        message,
        provider=PROVIDER,
        status_code=status,
        code=_text(body.get("subCategory")) or category or None,
        request_id=_text(body.get("correlationId"))
        or headers.get("x-hubspot-correlation-id"),
        errors=_details(body),
        method=method,
        url=url,
        retry_after=retry_after_of(headers, policy)
        if exception is RateLimitError
        else None,
        existing_id=_existing_id(body)
        if issubclass(exception, ConflictError)
        else None,
        policy_name=policy,
        category=category or None,
    )


def error_from_response(
    status: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    method: str,
    url: str,
) -> ApiError:
    """Build the exception for an error response, whatever its body holds."""
    parsed: object
    try:
        parsed = json.loads(content) if content else {}
    except ValueError:
        parsed = None
    body: Mapping[str, object]
    if isinstance(parsed, Mapping):
        body = parsed
    else:
        # A gateway's HTML page or plain text: keep its start as message.
        text = content.decode("utf-8", "replace").strip()[:200]
        body = {"message": text} if text else {}
    return error_from_body(
        status, body, headers=headers, method=method, url=url
    )
