"""
HubSpot-shaped error bodies.

HubSpot answers errors with ``{"status": "error", "message": ...,
"correlationId": ..., "category": ..., "errors": [...], "context": {...},
"links": {...}}``; every field is optional in general, but the official
clients' models require ``status``, ``message``, ``category``,
``errors``, ``context`` and ``links`` on errors inside batch responses, so
the fake always sends them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs


__all__ = [
    "ApiFailure",
    "ErrorDetail",
    "error_body",
    "not_found",
    "validation",
]

JsonObject = dict[str, Any]


@attrs.frozen
class ErrorDetail:
    """One entry of an error body's ``errors`` list."""

    message: str
    code: str
    in_: str | None = None
    sub_category: str | None = None
    context: Mapping[str, Sequence[str]] = attrs.field(factory=dict)

    def to_json(self) -> JsonObject:
        """Render the entry as HubSpot does."""
        body: JsonObject = {"message": self.message, "code": self.code}
        if self.in_ is not None:
            body["in"] = self.in_
        if self.sub_category is not None:
            body["subCategory"] = self.sub_category
        if self.context:
            body["context"] = {k: list(v) for k, v in self.context.items()}
        return body


class ApiFailure(Exception):  # noqa: N818 - an answer, not a bug
    """
    Raised inside the fake to answer a request with a HubSpot error.

    Carries everything the handler needs to build the body; the handler
    adds the correlation id.
    """

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        errors: Sequence[ErrorDetail] = (),
        context: Mapping[str, Sequence[str]] | None = None,
        sub_category: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = tuple(errors)
        self.context = dict(context or {})
        self.sub_category = sub_category
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def body(self, correlation_id: str | None) -> JsonObject:
        """Render the error body, with *correlation_id* when given."""
        return error_body(
            self.category,
            self.message,
            correlation_id=correlation_id,
            errors=self.errors,
            context=self.context,
            sub_category=self.sub_category,
            extra=self.extra,
        )


def error_body(
    category: str,
    message: str,
    *,
    correlation_id: str | None = None,
    errors: Sequence[ErrorDetail] = (),
    context: Mapping[str, Sequence[str]] | None = None,
    sub_category: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JsonObject:
    """Build a HubSpot error body (also used for the entries of a 207)."""
    body: JsonObject = {"status": "error", "message": message}
    if correlation_id is not None:
        body["correlationId"] = correlation_id
    body["category"] = category
    if sub_category is not None:
        body["subCategory"] = sub_category
    body["errors"] = [error.to_json() for error in errors]
    body["context"] = {k: list(v) for k, v in (context or {}).items()}
    body["links"] = {}
    body.update(extra or {})
    return body


def not_found(object_type: str, object_id: str) -> ApiFailure:
    """Return the 404 HubSpot gives for an unknown or archived object."""
    del object_type
    return ApiFailure(
        404,
        "OBJECT_NOT_FOUND",
        "resource not found",
        context={"id": [object_id]},
    )


def validation(message: str, **context: Sequence[str]) -> ApiFailure:
    """Return a 400 ``VALIDATION_ERROR`` with *message*."""
    return ApiFailure(400, "VALIDATION_ERROR", message, context=context)
