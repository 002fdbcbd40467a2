"""
QBO error answers to typed exceptions: one table, every body shape.

QBO reports errors as a JSON ``Fault``, as a gateway's lower-case
``fault``, as XML (throttling and some auth errors, whatever ``Accept``
says) and, from a failing gateway, as an HTML page. :func:`parse_fault`
reads all of them into the same error items; :func:`error_from_fault`
picks the exception class from three tables, most specific first: the
fault code, then the HTTP status, then the fault type.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import attrs
import httpx

from hsqbo._errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    DuplicateError,
    NotFoundError,
    PermissionDeniedError,
    ProviderErrorDetail,
    QueryError,
    RateLimitError,
    ServerError,
    StaleObjectError,
    ValidationError,
)


__all__ = [
    "BY_CODE",
    "BY_FAULT_TYPE",
    "BY_STATUS",
    "ParsedFault",
    "error_from_fault",
    "error_from_response",
    "fault_in_body",
    "fault_items",
    "parse_fault",
]

BY_CODE: Final[Mapping[str, type[ApiError]]] = {
    "100": AuthenticationError,  # General Authentication Error
    "120": PermissionDeniedError,  # the connecting user is no admin anymore
    "610": NotFoundError,  # Object Not Found
    "3001": RateLimitError,  # ThrottleExceeded
    "3100": PermissionDeniedError,  # ApplicationAuthorizationFailed
    "3200": AuthenticationError,  # (Application)AuthenticationFailed
    "4000": QueryError,  # Error parsing query
    "5010": StaleObjectError,  # Stale Object Error (SyncToken)
    "6240": DuplicateError,  # Duplicate Name Exists Error
    "10000": ServerError,  # An application error has occurred
}
"""QBO fault codes that decide the exception class on their own."""

BY_STATUS: Final[Mapping[int, type[ApiError]]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}
"""HTTP statuses that decide the class when no code does."""

BY_FAULT_TYPE: Final[Mapping[str, type[ApiError]]] = {
    "authenticationfault": AuthenticationError,
    "authentication": AuthenticationError,
    "authorizationfault": PermissionDeniedError,
    "systemfault": ServerError,
    "validationfault": ValidationError,
}
"""``Fault.type`` values, lower-cased, for faults without a known code."""

_EXISTING_ID = re.compile(r"\bId\s*=\s*(\d+)")
_GATEWAY_CODE = re.compile(r"errorCode=0*(\d+)")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@attrs.frozen(kw_only=True)
class ParsedFault:
    """The error items and fault type read from an error body."""

    errors: tuple[ProviderErrorDetail, ...]
    fault_type: str | None = None


def _code(value: object) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        # Gateways write "003200"; the Fault table uses "3200".
        return text.lstrip("0") or "0"
    return text


def _text(value: object) -> str:
    return "" if value is None else str(value)


def fault_items(fault: Mapping[str, Any]) -> ParsedFault:
    raw_items = fault.get("Error", fault.get("error")) or []
    if isinstance(raw_items, Mapping):
        raw_items = [raw_items]
    items = []
    for raw in raw_items if isinstance(raw_items, Sequence) else []:
        if not isinstance(raw, Mapping):
            continue
        message = _text(raw.get("Message", raw.get("message")))
        code = _code(raw.get("code", raw.get("Code")))
        if code is None:
            found = _GATEWAY_CODE.search(message)
            code = found.group(1) if found else None
        element = raw.get("element", raw.get("Element"))
        items.append(
            ProviderErrorDetail(
                code=code,
                message=message,
                detail=_text(raw.get("Detail", raw.get("detail"))),
                field=_text(element) or None,
            )
        )
    fault_type = fault.get("type", fault.get("Type"))
    return ParsedFault(
        errors=tuple(items),
        fault_type=None if fault_type is None else str(fault_type),
    )


def fault_in_body(body: object) -> Mapping[str, Any] | None:
    """Return the ``Fault`` (or gateway ``fault``) of a JSON body, if any."""
    if not isinstance(body, Mapping):
        return None
    for key in ("Fault", "fault"):
        fault = body.get(key)
        if isinstance(fault, Mapping):
            return fault
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(content: bytes) -> ParsedFault | None:
    try:
        root = ET.fromstring(content)  # noqa: S314 - the provider's error page
    except ET.ParseError:
        return None
    fault = next((e for e in root.iter() if _local(e.tag) == "Fault"), None)
    if fault is None:
        return None
    items = []
    for error in fault:
        if _local(error.tag) != "Error":
            continue
        parts = {_local(child.tag): (child.text or "") for child in error}
        message = parts.get("Message", "")
        code = _code(error.get("code"))
        if code is None:
            found = _GATEWAY_CODE.search(message)
            code = found.group(1) if found else None
        items.append(
            ProviderErrorDetail(
                code=code,
                message=message,
                detail=parts.get("Detail", ""),
                field=error.get("element") or None,
            )
        )
    return ParsedFault(errors=tuple(items), fault_type=fault.get("type"))


def _parse_html(text: str) -> ParsedFault:
    title = _TITLE.search(text)
    summary = title.group(1) if title else _TAGS.sub(" ", text)
    summary = _SPACE.sub(" ", html.unescape(summary)).strip()[:200]
    return ParsedFault(
        errors=(ProviderErrorDetail(message=summary or "HTML error page"),)
    )


def parse_fault(response: httpx.Response) -> ParsedFault:
    """
    Read the error items of any QBO error body.

    JSON ``Fault``/``fault``, XML ``IntuitResponse``/``Fault`` and HTML
    pages are understood; anything else becomes one item holding the
    start of the body.
    """
    content = response.content
    stripped = content.lstrip()
    if stripped.startswith((b"{", b"[")):
        try:
            body = json.loads(content, parse_float=Decimal)
        except ValueError:
            body = None
        fault = fault_in_body(body)
        if fault is not None:
            return fault_items(fault)
        if isinstance(body, Mapping) and "error" in body:
            # An OAuth-style answer: {"error": "invalid_grant", ...}.
            code = _text(body["error"])
            return ParsedFault(
                errors=(
                    ProviderErrorDetail(
                        code=code,
                        message=code,
                        detail=_text(body.get("error_description")),
                    ),
                )
            )
    if stripped.startswith(b"<"):
        parsed = _parse_xml(stripped)
        if parsed is not None:
            return parsed
        return _parse_html(stripped.decode("utf-8", "replace"))
    text = stripped.decode("utf-8", "replace").strip()[:200]
    return ParsedFault(
        errors=(ProviderErrorDetail(message=text or response.reason_phrase),)
    )


def _client_error(status: int) -> bool:
    return (
        httpx.codes.BAD_REQUEST <= status < httpx.codes.INTERNAL_SERVER_ERROR
    )


def _pick_class(status: int, parsed: ParsedFault) -> type[ApiError]:
    for item in parsed.errors:
        if item.code is not None and item.code in BY_CODE:
            return BY_CODE[item.code]
    if status in BY_STATUS:
        return BY_STATUS[status]
    if parsed.fault_type and parsed.fault_type.lower() in BY_FAULT_TYPE:
        kind = BY_FAULT_TYPE[parsed.fault_type.lower()]
        # A SystemFault that came with a 4xx is the request's fault.
        if kind is not ServerError or not _client_error(status):
            return kind
    if _client_error(status):
        return ValidationError
    # A 5xx, or a success status carrying an error nothing else explains
    # (an HTML page with 200 from a struggling gateway): the server's fault.
    return ServerError


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_from_fault(
    parsed: ParsedFault,
    *,
    status_code: int,
    request_id: str | None,
    method: str,
    url: str,
    retry_after: float | None = None,
) -> ApiError:
    """
    Build the typed exception for an already parsed fault.

    Used for whole responses and for the per-item faults of a batch.
    """
    cls = _pick_class(status_code, parsed)
    first = parsed.errors[0] if parsed.errors else ProviderErrorDetail()
    message = first.message or "QuickBooks Online reported an error"
    if first.detail and first.detail != message:
        message = f"{message}: {first.detail}"
    if len(parsed.errors) > 1:
        message += f" (and {len(parsed.errors) - 1} more)"
    existing_id = None
    if cls is DuplicateError:
        for item in parsed.errors:
            found = _EXISTING_ID.search(item.detail)
            if found:
                existing_id = found.group(1)
                break
    if cls is RateLimitError and retry_after is None:
        # Intuit documents a 60 s wait after a 429 and no Retry-After.
        retry_after = 60.0
    return cls(
        message,
        provider="qbo",
        status_code=status_code,
        code=first.code,
        request_id=request_id,
        errors=parsed.errors,
        method=method,
        url=url,
        retry_after=retry_after,
        existing_id=existing_id,
        category=parsed.fault_type,
    )


_SHORTEST_SECRET = 8
"""Shorter "secrets" are not real tokens (a test's ``"t"``); masking them
would mangle ordinary words in QBO's messages ("company" → "compan***")."""


def _redact(parsed: ParsedFault, secrets: Sequence[str]) -> ParsedFault:
    # Longest first, so a secret that contains another is masked whole.
    masked = sorted(
        (s for s in secrets if len(s) >= _SHORTEST_SECRET),
        key=len,
        reverse=True,
    )

    def clean(text: str) -> str:
        for secret in masked:
            text = text.replace(secret, "***")
        return text

    return ParsedFault(
        errors=tuple(
            attrs.evolve(
                item, message=clean(item.message), detail=clean(item.detail)
            )
            for item in parsed.errors
        ),
        fault_type=parsed.fault_type,
    )


def error_from_response(
    response: httpx.Response, *, secrets: Sequence[str] = ()
) -> ApiError:
    """
    Build the typed exception for an error answer.

    The URL is kept without its query string. Any of *secrets* (the tokens
    in use) that the provider echoed back is replaced by ``***``; strings
    shorter than 8 characters are not tokens and are left alone.
    """
    request = response.request
    return error_from_fault(
        _redact(parse_fault(response), secrets),
        status_code=response.status_code,
        request_id=response.headers.get("intuit_tid"),
        method=request.method,
        url=str(request.url.copy_with(query=None)),
        retry_after=_retry_after(response.headers),
    )
