"""
HTTP routing: turn an :class:`httpx.Request` into QBO's answer.

The pipeline for a company API call follows QBO's own layers: injected
faults (the gateway), the bearer check (401), the realm check (403), the
throttle (429), then the service itself, with ``requestid`` replay in front
of every write.
"""

from __future__ import annotations

import re
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from hsqbo._clock import Clock
from hsqbo.testing._faults import FaultInjector, FaultKind
from hsqbo.testing._qbo import _errors
from hsqbo.testing._qbo._calls import FakeQuickBooksCall, FakeQuickBooksCallLog
from hsqbo.testing._qbo._company import Company, entity_named
from hsqbo.testing._qbo._entities import ENHANCED_INCLUDE, Options
from hsqbo.testing._qbo._oauth import TokenAuthority, discovery_document
from hsqbo.testing._qbo._quota import Quotas
from hsqbo.testing._qbo._wire import dumps, loads, wire_time_ms
from hsqbo.testing._server import DropConnection, SimulatedTimeout


__all__ = ["Api"]

_COMPANY_PATH = re.compile(r"^/v3/company/(?P<realm>[^/]+)/(?P<rest>.+?)/?$")
_DISCOVERY_PATHS = frozenset(
    {
        "/.well-known/openid_configuration",
        "/.well-known/openid_sandbox_configuration",
    }
)
MAX_REQUEST_ID = 50
MAX_BATCH_REQUEST_ID = 36
_JSON = "application/json;charset=UTF-8"
_XML = "application/xml"
_UNAVAILABLE_PAGE = (
    b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title>"
    b"</head><body><h1>Service Unavailable</h1><p>The server is temporarily"
    b" unable to service your request. Please try again later.</p></body>"
    b"</html>"
)
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n"
    b"%%EOF\n"
)


def _tid() -> str:
    return f"1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"


class _Drop(Exception):  # noqa: N818 - a signal, not an error
    """The connection is to be dropped after the call is logged."""

    def __init__(self, signal: Exception) -> None:
        super().__init__()
        self.signal = signal


class Api:
    """The fake's HTTP face: one callable from request to response."""

    def __init__(
        self,
        *,
        realm_id: str,
        clock: Clock,
        company: Company,
        lock: threading.RLock,
        authority: TokenAuthority,
        quotas: Quotas,
        faults: FaultInjector,
        calls: FakeQuickBooksCallLog,
        xml_throttle: bool,
    ) -> None:
        self.realm_id = realm_id
        self.clock = clock
        self.company = company
        self.lock = lock
        self.authority = authority
        self.quotas = quotas
        self.faults = faults
        self.calls = calls
        self.xml_throttle = xml_throttle
        self._replies: dict[str, tuple[int, bytes]] = {}

    # -- responses -------------------------------------------------------

    def _json(self, status: int, payload: dict[str, Any]) -> httpx.Response:
        body = dumps({**payload, "time": wire_time_ms(self.clock.now())})
        return self._raw(status, body, _JSON)

    @staticmethod
    def _raw(status: int, body: bytes, content_type: str) -> httpx.Response:
        return httpx.Response(
            status,
            content=body,
            headers={"Content-Type": content_type, "intuit_tid": _tid()},
        )

    def _fault(self, fault: _errors.QboFault) -> httpx.Response:
        return self._json(fault.status, {"Fault": fault.fault_json()})

    def _throttled(self) -> httpx.Response:
        fault = _errors.QboFault(
            [
                _errors.ErrorItem(
                    code="3001",
                    message="message=ThrottleExceeded; errorCode=003001; "
                    "statusCode=429",
                    detail="The request limit was reached.  Try again later",
                )
            ],
            status=429,
            fault_type="SERVICE",
        )
        if self.xml_throttle:
            return self._raw(429, _xml_fault(fault, self.clock), _XML)
        return self._fault(fault)

    def _server_error(self) -> httpx.Response:
        fault = _errors.QboFault(
            [
                _errors.ErrorItem(
                    code="10000",
                    message="An application error has occurred while "
                    "processing your request",
                    detail="System Failure Error: An unexpected error "
                    "occurred while accessing or saving your data.",
                )
            ],
            status=500,
            fault_type="SystemFault",
        )
        return self._fault(fault)

    def _unauthorized(self, why: str) -> httpx.Response:
        # The gateway answers auth failures in its own lower-case shape,
        # with ``time`` in epoch milliseconds.
        body: dict[str, Any] = {
            "warnings": None,
            "intuitObject": None,
            "fault": {
                "error": [
                    {
                        "message": "message=AuthenticationFailed; "
                        "errorCode=003200; statusCode=401",
                        "detail": why,
                        "code": "3200",
                        "element": None,
                    }
                ],
                "type": "AUTHENTICATION",
            },
            "report": None,
            "queryResponse": None,
            "batchItemResponse": [],
            "attachableResponse": [],
            "syncErrorResponse": None,
            "requestId": None,
            "time": int(self.clock.now().timestamp() * 1000),
            "status": None,
            "cdcresponse": [],
        }
        return self._raw(401, dumps(body), _JSON)

    def _forbidden(self) -> httpx.Response:
        fault = _errors.QboFault(
            [
                _errors.ErrorItem(
                    code="3100",
                    message="message=ApplicationAuthorizationFailed; "
                    "errorCode=003100; statusCode=403",
                    detail="The application is not authorized to access "
                    "this company (realm).",
                )
            ],
            status=403,
            fault_type="AUTHORIZATION",
        )
        return self._fault(fault)

    # -- entry point -----------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """Answer *request* as QBO and Intuit's OAuth server would."""
        path = request.url.path
        params = dict(request.url.params.multi_items())
        match = _COMPANY_PATH.match(path)
        resource = (
            match.group("rest").split("/")[0].lower()
            if match
            else _oauth_resource(path)
        )
        status: int | None = None
        try:
            response = (
                self._company_call(request, match, params)
                if match
                else self._oauth_call(request, path)
            )
            status = response.status_code
        except _Drop as drop:
            raise drop.signal from None
        finally:
            self.calls.append(
                FakeQuickBooksCall(
                    method=request.method,
                    path=path,
                    resource=resource,
                    params=params,
                    status=status,
                    at=self.clock.now(),
                    query=_query_text(request, params)
                    if resource == "query"
                    else None,
                )
            )
        return response

    # -- OAuth -----------------------------------------------------------

    def _oauth_call(self, request: httpx.Request, path: str) -> httpx.Response:
        routes: dict[
            tuple[str, str], Callable[[httpx.Request], httpx.Response]
        ]
        routes = {
            ("discovery", "GET"): self._discovery,
            ("token", "POST"): self._token,
            ("revoke", "POST"): self._revoke,
            ("authorize", "GET"): self._authorize,
        }
        route = routes.get((_oauth_resource(path), request.method))
        if route is not None:
            return route(request)
        fault = _errors.unsupported(f"Unsupported path: {path}")
        return self._json(404, {"Fault": fault.fault_json()})

    def _discovery(self, request: httpx.Request) -> httpx.Response:
        base = f"{request.url.scheme}://{request.url.netloc.decode()}"
        return self._raw(200, dumps(discovery_document(base)), _JSON)

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        hard = request.headers.get("x-include-refresh-token-hard-expires-in")
        status, body = self.authority.token_grant(
            form,
            authorization=request.headers.get("Authorization"),
            hard_expiry=(hard or "").lower() == "true",
        )
        return self._raw(status, dumps(body), "application/json")

    def _revoke(self, request: httpx.Request) -> httpx.Response:
        try:
            token = str(loads(request.content).get("token", ""))
        except (ValueError, AttributeError):
            token = ""
        if not token:
            return self._raw(
                400, dumps({"error": "invalid_request"}), "application/json"
            )
        self.authority.revoke(token)
        return self._raw(200, b"", "application/json")

    def _authorize(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        redirect = params.get("redirect_uri")
        if not redirect or params.get("response_type") != "code":
            return self._raw(
                400, dumps({"error": "invalid_request"}), "application/json"
            )
        query = {"code": self.authority.issue_code(), "realmId": self.realm_id}
        if params.get("state"):
            query["state"] = params["state"]
        separator = "&" if "?" in redirect else "?"
        location = f"{redirect}{separator}{urlencode(query)}"
        return httpx.Response(
            302, headers={"Location": location, "intuit_tid": _tid()}
        )

    # -- company API -----------------------------------------------------

    def _company_call(
        self,
        request: httpx.Request,
        match: re.Match[str],
        params: dict[str, str],
    ) -> httpx.Response:
        injected = self.faults.draw()
        kind = injected.kind if injected is not None else None
        if kind is not None and kind is not FaultKind.DROP_AFTER_APPLY:
            return self._injected(kind)
        why = self.authority.check_bearer(request.headers.get("Authorization"))
        if why:
            return self._unauthorized(why)
        if match.group("realm") != self.realm_id:
            return self._forbidden()
        rest = match.group("rest")
        is_batch = rest.lower() == "batch"
        if not self.quotas.enter(batch=is_batch):
            return self._throttled()
        try:
            response = self._service(request, rest, params, batch=is_batch)
        finally:
            self.quotas.leave()
        if kind is FaultKind.DROP_AFTER_APPLY:
            raise _Drop(DropConnection())
        return response

    def _injected(self, kind: FaultKind) -> httpx.Response:
        """Answer (or not) as the gateway does for an injected fault."""
        if kind is FaultKind.DROP:
            raise _Drop(DropConnection())
        if kind is FaultKind.TIMEOUT:
            raise _Drop(SimulatedTimeout())
        if kind is FaultKind.RATE_LIMIT:
            return self._throttled()
        if kind is FaultKind.UNAVAILABLE:
            return self._raw(503, _UNAVAILABLE_PAGE, "text/html")
        return self._server_error()

    def _service(
        self,
        request: httpx.Request,
        rest: str,
        params: dict[str, str],
        *,
        batch: bool,
    ) -> httpx.Response:
        request_id = params.get("requestid", "")
        limit = MAX_BATCH_REQUEST_ID if batch else MAX_REQUEST_ID
        if request_id and len(request_id) > limit:
            return self._fault(
                _errors.business(
                    f"You cannot enter more than {limit} characters in the "
                    "request_id field."
                )
            )
        replayable = bool(request_id) and request.method == "POST"
        with self.lock:
            if replayable and request_id in self._replies:
                status, body = self._replies[request_id]
                return self._raw(status, body, _JSON)
            try:
                status, payload = self._dispatch(request, rest, params)
            except _errors.QboFault as fault:
                status, payload = fault.status, {"Fault": fault.fault_json()}
            if isinstance(payload, bytes):
                return self._raw(status, payload, "application/pdf")
            hidden = self.company.store.enhanced_fields.keys()
            if hidden and ENHANCED_INCLUDE not in _include(params):
                payload = _without_custom_fields(payload, hidden)
            body = dumps({**payload, "time": wire_time_ms(self.clock.now())})
            if replayable:
                self._replies[request_id] = (status, body)
        return self._raw(status, body, _JSON)

    def _dispatch(
        self, request: httpx.Request, rest: str, params: dict[str, str]
    ) -> tuple[int, dict[str, Any] | bytes]:
        parts = rest.split("/")
        resource = parts[0].lower()
        if len(parts) == 1:
            route = self._routes().get((resource, request.method))
            if route is not None:
                return 200, route(request, params)
        if resource == "companyinfo" and parts[1:] == [self.realm_id]:
            return 200, {"CompanyInfo": self.company.store.company_info}
        entity = entity_named(resource)
        if entity is not None:
            return self._entity(
                request, entity, parts, params, _include(params)
            )
        raise _errors.unsupported(f"Unsupported resource path: /{rest}")

    def _routes(
        self,
    ) -> dict[tuple[str, str], Callable[[httpx.Request, dict[str, str]], Any]]:
        return {
            ("query", "GET"): self._query,
            ("query", "POST"): self._query,
            ("cdc", "GET"): lambda _, params: self.company.cdc(
                params.get("entities"), params.get("changedSince")
            ),
            ("batch", "POST"): lambda request, _: self.company.batch(
                _json_body(request)
            ),
            ("preferences", "GET"): lambda _, __: {
                "Preferences": self.company.store.preferences
            },
            ("preferences", "POST"): self._update_preferences,
        }

    def _query(
        self, request: httpx.Request, params: dict[str, str]
    ) -> dict[str, Any]:
        text = _query_text(request, params)
        if not text:
            raise _errors.query_parse(
                'Encountered "<EOF>". The query is empty.'
            )
        return {"QueryResponse": self.company.query(text)}

    def _update_preferences(
        self, request: httpx.Request, params: dict[str, str]
    ) -> dict[str, Any]:
        del params
        body = _json_body(request)
        if not isinstance(body, dict):
            raise _errors.bad_request(
                "Property Name:Preferences must be an object"
            )
        return {"Preferences": self.company.update_preferences(body)}

    def _entity(
        self,
        request: httpx.Request,
        entity: str,
        parts: list[str],
        params: dict[str, str],
        include: frozenset[str],
    ) -> tuple[int, dict[str, Any] | bytes]:
        company = self.company
        if request.method == "GET" and len(parts) == 2:  # noqa: PLR2004
            return 200, {entity: company.read(entity, parts[1])}
        if (
            request.method == "GET"
            and parts[2:] == ["pdf"]
            and entity == "Invoice"
        ):
            company.read(entity, parts[1])
            return 200, _PDF
        if request.method == "POST" and len(parts) == 1:
            body = _json_body(request)
            if not isinstance(body, dict):
                raise _errors.bad_request(
                    f"Property Name:{entity} must be an object"
                )
            operation = params.get("operation", "").lower()
            if not operation:
                operation = "update" if body.get("Id") else "create"
            result = company.write(
                entity, operation, body, Options(include=include)
            )
            return 200, {entity: result}
        raise _errors.unsupported(
            f"Unsupported operation {request.method} /{'/'.join(parts)}"
        )


def _xml_fault(fault: _errors.QboFault, clock: Clock) -> bytes:
    """Write *fault* as QBO's XML ``IntuitResponse``."""
    root = ET.Element(
        "IntuitResponse",
        {
            "xmlns": "http://schema.intuit.com/finance/v3",
            "time": wire_time_ms(clock.now()),
        },
    )
    element = ET.SubElement(root, "Fault", {"type": fault.fault_type})
    for error in fault.errors:
        item = ET.SubElement(
            element, "Error", {"code": error.code, "element": error.element}
        )
        ET.SubElement(item, "Message").text = error.message
        ET.SubElement(item, "Detail").text = error.detail
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written


def _include(params: dict[str, str]) -> frozenset[str]:
    """Return the ``include=`` flags, lower-cased."""
    return frozenset(
        part.strip().casefold()
        for part in params.get("include", "").split(",")
        if part.strip()
    )


def _without_custom_fields(value: Any, hidden: Collection[str]) -> Any:  # noqa: ANN401 - JSON
    """Copy *value* leaving out the custom fields named in *hidden*."""
    if isinstance(value, dict):
        copied = {}
        for key, item in value.items():
            if key == "CustomField" and isinstance(item, list):
                copied[key] = [
                    field
                    for field in item
                    if not (
                        isinstance(field, dict)
                        and str(field.get("DefinitionId")) in hidden
                    )
                ]
            else:
                copied[key] = _without_custom_fields(item, hidden)
        return copied
    if isinstance(value, list):
        return [_without_custom_fields(item, hidden) for item in value]
    return value


def _oauth_resource(path: str) -> str:
    names: dict[str, str] = {
        "/oauth2/v1/tokens/bearer": "token",
        "/v2/oauth2/tokens/revoke": "revoke",
        "/connect/oauth2": "authorize",
    }
    if path.rstrip("/") in _DISCOVERY_PATHS:
        return "discovery"
    return names.get(path, path)


def _query_text(request: httpx.Request, params: dict[str, str]) -> str:
    if request.method == "GET":
        return params.get("query", "").strip()
    return request.content.decode("utf-8", errors="replace").strip()


def _json_body(request: httpx.Request) -> Any:  # noqa: ANN401 - JSON is untyped
    try:
        return loads(request.content)
    except ValueError:
        raise _errors.bad_request(
            "Request has invalid or unsupported property: the body is not "
            "valid JSON"
        ) from None
