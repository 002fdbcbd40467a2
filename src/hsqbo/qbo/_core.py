"""
The sans-I/O core of the QBO clients.

Every operation is a *flow*: a generator that yields actions (send this
request, sleep this long, refresh the token, persist this token) and gets
their results back, in the style of httpx's ``Auth.auth_flow``. The flows
hold all the logic (URLs, minorversion, requestid, quotas, retries, the
refresh-once-on-401 rule, parsing); :class:`~hsqbo.qbo.QuickBooksClient`
and :class:`~hsqbo.qbo.AsyncQuickBooksClient` only carry the actions out,
one with blocking I/O and one with ``await``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Generator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, TypeAlias, TypeVar

import attrs
import httpx

from hsqbo._clock import Clock
from hsqbo._errors import (
    ApiError,
    HsqboError,
    RateLimitError,
    ServerError,
    TransportError,
)
from hsqbo._retry import RetryPolicy, RetryState
from hsqbo.qbo._batch import BatchItem, BatchResult, batch_body, parse_batch
from hsqbo.qbo._cdc import CDC_LIMIT, ChangeSet, check_window, parse_cdc
from hsqbo.qbo._faults import error_from_response, fault_in_body
from hsqbo.qbo._limits import QuickBooksLimits, Throttle
from hsqbo.qbo._models import CONVERTER, ENTITY_TYPES, Entity, structure
from hsqbo.qbo._oauth import (
    OAuth2App,
    OAuth2Token,
    build_refresh_request,
    parse_token_response,
)
from hsqbo.qbo._preferences import (
    SalesFormCustomField,
    parse_sales_form_custom_fields,
)
from hsqbo.qbo._query import MAX_PAGE_SIZE, Query
from hsqbo.qbo._writes import (
    create_body,
    deactivate_body,
    delete_body,
    update_body,
)


__all__ = [
    "DEFAULT_MINOR_VERSION",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "PRODUCTION_URL",
    "REFRESH_MARGIN",
    "SANDBOX_URL",
    "Flow",
    "Persist",
    "QuickBooksCore",
    "Refresh",
    "Reply",
    "Send",
    "Sleep",
    "new_request_id",
]

logger = logging.getLogger("hsqbo.qbo")

PRODUCTION_URL: Final = "https://quickbooks.api.intuit.com"
SANDBOX_URL: Final = "https://sandbox-quickbooks.api.intuit.com"
DEFAULT_MINOR_VERSION: Final = 75
REFRESH_MARGIN: Final = 300.0
"""Refresh an access token this many seconds before it expires."""
DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=10.0)
"""QBO itself gives up on a request after 120 s."""
DEFAULT_RETRY: Final = RetryPolicy(
    attempts=5, initial_delay=1.0, max_delay=60.0, timeout=300.0
)
"""Five tries over up to five minutes: enough to sit out a 60 s throttle."""
MAX_REQUEST_ID: Final = 50
MAX_BATCH_REQUEST_ID: Final = 36
_REALM: Final = re.compile(r"[A-Za-z0-9_-]+")
# Looks at the leading bytes only: a page of rows is a megabyte.
_MARKUP: Final = re.compile(rb"\s*<")

T = TypeVar("T")
E = TypeVar("E", bound=Entity)


@attrs.frozen
class Send:
    """Send a request; the result is the response or the transport error."""

    request: httpx.Request


@attrs.frozen
class Sleep:
    """Wait this many seconds through the client's clock."""

    seconds: float


@attrs.frozen
class Refresh:
    """Refresh the token unless someone already replaced *stale*."""

    stale: OAuth2Token


@attrs.frozen
class Persist:
    """Hand a new token to the caller's callback before it is used."""

    token: OAuth2Token


@attrs.frozen
class Reply:
    """A good answer and its JSON body, decoded once while it was judged."""

    response: httpx.Response
    body: dict[str, Any]


Action: TypeAlias = Send | Sleep | Refresh | Persist
Flow: TypeAlias = Generator[Action, Any, T]


def new_request_id() -> str:
    """Return a fresh ``requestid``: 32 hex digits, fits batches too."""
    return uuid.uuid4().hex


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        # A JSON number; float keeps money exact up to 15 digits.
        return (
            int(value) if value == value.to_integral_value() else float(value)
        )
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    msg = f"cannot encode {type(value).__name__} as JSON"
    raise TypeError(msg)


def encode_json(body: object) -> bytes:
    """Encode a wire body; Decimals as numbers, dates as ISO strings."""
    return json.dumps(body, default=_encode, separators=(",", ":")).encode()


def decode_json(response: httpx.Response) -> dict[str, Any]:
    """Decode a JSON answer with money as Decimal."""
    body = json.loads(response.content, parse_float=Decimal)
    if not isinstance(body, dict):
        msg = "QBO answered with JSON that is not an object"
        raise TypeError(msg)
    return body


def _check_request_id(request_id: str, *, limit: int) -> str:
    if not request_id or len(request_id) > limit:
        msg = f"a QBO requestid has 1..{limit} characters"
        raise ValueError(msg)
    return request_id


class QuickBooksCore:
    """
    The state and flows shared by the sync and the async client.

    Holds no connection and never sleeps: flows yield what to do.
    """

    def __init__(
        self,
        realm_id: str,
        token: OAuth2Token | str,
        *,
        base_url: str,
        minor_version: int,
        oauth: OAuth2App | None,
        retry: RetryPolicy,
        limits: QuickBooksLimits,
        clock: Clock,
        timeout: httpx.Timeout,
        enhanced_custom_fields: bool = False,
    ) -> None:
        if not _REALM.fullmatch(realm_id):
            msg = "realm_id is the company id: letters, digits, - and _"
            raise ValueError(msg)
        self.realm_id = realm_id
        self.token = (
            token
            if isinstance(token, OAuth2Token)
            else OAuth2Token(access_token=token)
        )
        self.base_url = base_url.rstrip("/")
        self.minor_version = minor_version
        self.oauth = oauth
        self.retry = retry
        self.limits = limits
        self.clock = clock
        self.throttle = Throttle(limits, clock)
        self._timeout = timeout.as_dict()
        # Number and date custom fields only come back with this include.
        self._include = (
            {"include": "enhancedAllCustomFields"}
            if enhanced_custom_fields
            else {}
        )

    # -- requests ---------------------------------------------------------

    @property
    def can_refresh(self) -> bool:
        """Whether the client has what it needs to refresh its token."""
        return self.oauth is not None and self.token.refresh_token is not None

    def _url(self, path: str, params: Mapping[str, str]) -> httpx.URL:
        query = {
            "minorversion": str(self.minor_version),
            **self._include,
            **params,
        }
        return httpx.URL(
            f"{self.base_url}/v3/company/{self.realm_id}/{path}", params=query
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: object = None,
        text: str | None = None,
    ) -> httpx.Request:
        headers = {"Accept": "application/json"}
        content: bytes | None = None
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            content = encode_json(json_body)
        elif text is not None:
            headers["Content-Type"] = "application/text"
            content = text.encode()
        return httpx.Request(
            method,
            self._url(path, params or {}),
            headers=headers,
            content=content,
            extensions={"timeout": self._timeout},
        )

    def write_request(
        self,
        entity: type[Entity],
        body: Mapping[str, Any],
        *,
        request_id: str | None,
        operation: str | None = None,
    ) -> httpx.Request:
        """Build a create/update/delete/void; *request_id* or a new one."""
        params = {
            "requestid": _check_request_id(
                request_id or new_request_id(), limit=MAX_REQUEST_ID
            )
        }
        if operation is not None:
            params["operation"] = operation
        return self._request(
            "POST", entity.ENTITY.lower(), params=params, json_body=body
        )

    # -- sending ----------------------------------------------------------

    @staticmethod
    def _transport_delay(
        request: httpx.Request, error: httpx.TransportError, retry: RetryState
    ) -> float:
        """
        Return the wait before retrying after no answer.

        Raises:
            TransportError: No retries left.
        """
        delay = retry.next_delay()
        if delay is None:
            raise TransportError(
                f"no answer from QBO: {type(error).__name__}",
                provider="qbo",
                method=request.method,
                url=str(request.url.copy_with(query=None)),
            ) from error
        logger.info("QBO transport error; retrying in %.1fs", delay)
        return delay

    def _judge(
        self,
        request: httpx.Request,
        result: httpx.Response | httpx.TransportError,
        retry: RetryState,
    ) -> Reply | float:
        """
        Return the good answer, or the wait before a retry.

        Raises:
            ApiError: The answer is an error not worth (or out of) retries.
            TransportError: No answer, and no retries left.
        """
        if isinstance(result, httpx.TransportError):
            return self._transport_delay(request, result, retry)
        error = self._error_of(result)
        if not isinstance(error, ApiError):
            return Reply(result, body=error)
        if isinstance(error, RateLimitError | ServerError):
            # A throttle fault is retried whatever status carried it (a 2016
            # sandbox answered 3001 with 403); a fault in a 200 counts as 503.
            status = result.status_code
            if isinstance(error, RateLimitError):
                status = httpx.codes.TOO_MANY_REQUESTS
            elif status < httpx.codes.INTERNAL_SERVER_ERROR:
                status = httpx.codes.SERVICE_UNAVAILABLE
            delay = retry.next_delay(
                status=status, retry_after=error.retry_after
            )
            if delay is not None:
                logger.info(
                    "QBO answered %s; retrying in %.1fs",
                    result.status_code,
                    delay,
                )
                return delay
        raise error

    def _plain_exchange(self, request: httpx.Request) -> Flow[httpx.Response]:
        """Send with retries; no token, no quota (the token endpoint)."""
        retry = self.retry.start(self.clock)
        while True:
            result: httpx.Response | httpx.TransportError = yield Send(request)
            if isinstance(result, httpx.TransportError):
                delay = self._transport_delay(request, result, retry)
            elif result.status_code < httpx.codes.INTERNAL_SERVER_ERROR:
                return result
            else:
                retried = retry.next_delay(status=result.status_code)
                if retried is None:
                    return result
                delay = retried
            yield Sleep(delay)

    def _authorize(self) -> Flow[OAuth2Token]:
        """Return the token to use, refreshing it shortly before expiry."""
        token = self.token
        if self.can_refresh and token.expires_within(
            REFRESH_MARGIN, now=self.clock.now()
        ):
            yield Refresh(token)
            token = self.token
        return token

    def exchange(
        self, request: httpx.Request, *, batch: bool = False
    ) -> Flow[Reply]:
        """
        Send an API request until it succeeds or fails for good.

        The good answer comes back with its JSON body, decoded once: a
        1000-row page is the costliest thing a read decodes.

        Waits for quota, authorizes (refreshing ahead of expiry and once on
        a 401), retries transport errors, 429 and 5xx with backoff. Every
        request is safe to retry: reads by nature, writes because they
        carry a ``requestid`` that QBO de-duplicates.

        Raises:
            ApiError: The typed error QBO answered with.
            TransportError: No answer after the retries.
        """
        retry = self.retry.start(self.clock)
        refreshed = False
        while True:
            token = yield from self._authorize()
            wait = self.throttle.reserve(batch=batch)
            if wait > 0:
                yield Sleep(wait)
            request.headers["Authorization"] = f"Bearer {token.access_token}"
            result = yield Send(request)
            if (
                isinstance(result, httpx.Response)
                and result.status_code == httpx.codes.UNAUTHORIZED
                and self.can_refresh
                and not refreshed
            ):
                # Once: a second 401 with a fresh token is a real refusal.
                refreshed = True
                yield Refresh(token)
                continue
            outcome = self._judge(request, result, retry)
            if isinstance(outcome, Reply):
                return outcome
            yield Sleep(outcome)

    def _error_of(self, response: httpx.Response) -> ApiError | dict[str, Any]:
        """Return the error *response* carries, or else its JSON body."""
        secrets = [self.token.access_token, self.token.refresh_token or ""]
        if not response.is_success:
            return error_from_response(response, secrets=secrets)
        if _MARKUP.match(response.content):
            # An XML or HTML page with a 200: a gateway in trouble.
            return error_from_response(response, secrets=secrets)
        try:
            body = decode_json(response)
        except (ValueError, TypeError):
            return error_from_response(response, secrets=secrets)
        if fault_in_body(body) is not None:
            return error_from_response(response, secrets=secrets)
        return body

    def refresh_flow(self, stale: OAuth2Token) -> Flow[OAuth2Token]:
        """
        Refresh *stale*, hand the new token to the callback, then adopt it.

        The callback runs before the new token is used, so a rotated refresh
        token is stored before anything can depend on it.
        """
        if self.oauth is None or stale.refresh_token is None:
            msg = "refreshing needs an OAuth2App and a refresh token"
            raise ValueError(msg)
        request = build_refresh_request(self.oauth, stale)
        response = yield from self._plain_exchange(request)
        token = parse_token_response(
            response, now=self.clock.now(), previous=stale
        )
        yield Persist(token)
        self.token = token
        logger.info("QBO access token refreshed")
        return token

    # -- entity operations ------------------------------------------------

    def _entity_of(self, reply: Reply, cls: type[E]) -> E:
        payload = reply.body.get(cls.ENTITY)
        if not isinstance(payload, Mapping):
            msg = f"QBO's answer holds no {cls.ENTITY}"
            raise HsqboError(msg)
        return structure(payload, cls)

    def get(self, cls: type[E], entity_id: str) -> Flow[E]:
        """Read one object by id."""
        if not entity_id or "/" in entity_id:
            msg = "an entity id is a non-empty string without '/'"
            raise ValueError(msg)
        request = self._request("GET", f"{cls.ENTITY.lower()}/{entity_id}")
        reply = yield from self.exchange(request)
        return self._entity_of(reply, cls)

    def _query_request(self, text: str) -> httpx.Request:
        return self._request("POST", "query", text=text)

    def query_page(
        self, query: Query[E], *, start: int, page_size: int
    ) -> Flow[tuple[tuple[E, ...], int | None]]:
        """Read one page of rows; return them and the next page's start."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            msg = f"page_size must be 1..{MAX_PAGE_SIZE}"
            raise ValueError(msg)
        text = query.to_text(start_position=start, max_results=page_size)
        reply = yield from self.exchange(self._query_request(text))
        found = reply.body.get("QueryResponse") or {}
        cls = query.entity
        # The hook itself: a page is a thousand rows of one class.
        hook = CONVERTER.get_structure_hook(cls)
        rows: tuple[E, ...] = tuple(
            [hook(r, cls) for r in found.get(cls.ENTITY) or ()]
        )
        # QBO's maxResults is the number returned; a short page is the last.
        next_start = start + page_size if len(rows) >= page_size else None
        return rows, next_start

    def count(self, query: Query[Any]) -> Flow[int]:
        """Count the rows *query* matches."""
        reply = yield from self.exchange(
            self._query_request(query.count_text())
        )
        found = reply.body.get("QueryResponse") or {}
        return int(found.get("totalCount", 0))

    def create(self, entity: E, *, request_id: str | None) -> Flow[E]:
        """Create *entity*."""
        request = self.write_request(
            type(entity), create_body(entity), request_id=request_id
        )
        reply = yield from self.exchange(request)
        return self._entity_of(reply, type(entity))

    def update(
        self, entity: E, *, base: E | None, request_id: str | None
    ) -> Flow[E]:
        """Sparse-update *entity*."""
        request = self.write_request(
            type(entity), update_body(entity, base=base), request_id=request_id
        )
        reply = yield from self.exchange(request)
        return self._entity_of(reply, type(entity))

    def deactivate(self, entity: E, *, request_id: str | None) -> Flow[E]:
        """Make a customer or item inactive."""
        request = self.write_request(
            type(entity), deactivate_body(entity), request_id=request_id
        )
        reply = yield from self.exchange(request)
        return self._entity_of(reply, type(entity))

    def void(self, entity: E, *, request_id: str | None) -> Flow[E]:
        """Void an invoice."""
        if entity.ENTITY != "Invoice":
            msg = "only invoices are voided this way"
            raise TypeError(msg)
        request = self.write_request(
            type(entity),
            delete_body(entity),
            request_id=request_id,
            operation="void",
        )
        reply = yield from self.exchange(request)
        return self._entity_of(reply, type(entity))

    def _cdc_once(
        self, names: Sequence[str], since: dt.datetime
    ) -> Flow[tuple[ChangeSet, int]]:
        request = self._request(
            "GET",
            "cdc",
            params={
                "entities": ",".join(names),
                "changedSince": since.isoformat(),
            },
        )
        reply = yield from self.exchange(request)
        return parse_cdc(reply.body, ENTITY_TYPES)

    def cdc(
        self, entities: Sequence[type[Entity]], changed_since: dt.datetime
    ) -> Flow[ChangeSet]:
        """
        Read what changed since *changed_since* (30 days back at most).

        A saturated answer (1000 objects across entities) is asked again
        one entity at a time.
        """
        if not entities:
            msg = "name at least one entity for change data capture"
            raise ValueError(msg)
        check_window(changed_since, now=self.clock.now())
        names = [cls.ENTITY for cls in entities]
        changes, count = yield from self._cdc_once(names, changed_since)
        if count < CDC_LIMIT:
            return changes
        if len(names) == 1:
            return attrs.evolve(changes, saturated=True)
        merged = ChangeSet()
        for name in names:
            alone, alone_count = yield from self._cdc_once(
                [name], changed_since
            )
            if alone_count >= CDC_LIMIT:
                alone = attrs.evolve(alone, saturated=True)
            merged = merged.merge(alone)
        return merged

    def batch(
        self, items: Sequence[BatchItem], *, request_id: str | None
    ) -> Flow[list[BatchResult]]:
        """
        Run *items* in chunks; one result per item, in order.

        A chunk that fails as a whole (after retries) marks its items with
        that error and the next chunks still run.
        """
        size = self.limits.batch_size
        results: list[BatchResult] = []
        indexed = list(enumerate(items))
        for number, start in enumerate(range(0, len(indexed), size)):
            chunk = indexed[start : start + size]
            chunk_id = _chunk_request_id(request_id, number)
            request = self._request(
                "POST",
                "batch",
                params={"requestid": chunk_id},
                json_body=batch_body([item for _, item in chunk]),
            )
            try:
                reply = yield from self.exchange(request, batch=True)
            except (ApiError, TransportError) as error:
                results.extend(
                    BatchResult(index=i, item=item, error=error)
                    for i, item in chunk
                )
                continue
            results.extend(
                parse_batch(
                    reply.body,
                    chunk,
                    status_code=reply.response.status_code,
                    request_id=reply.response.headers.get("intuit_tid"),
                    url=str(request.url.copy_with(query=None)),
                )
            )
        return results

    def sales_form_custom_fields(
        self,
    ) -> Flow[tuple[SalesFormCustomField, ...]]:
        """Read the sales-form custom-field slots from ``/preferences``."""
        reply = yield from self.exchange(self._request("GET", "preferences"))
        return parse_sales_form_custom_fields(reply.body)


def _chunk_request_id(base: str | None, number: int) -> str:
    if base is None:
        return new_request_id()
    _check_request_id(base, limit=MAX_BATCH_REQUEST_ID)
    if number == 0:
        return base
    # Later chunks need their own stable id; derive it so a resumed run
    # sends the same ids again.
    suffix = f"-{number}"
    return base[: MAX_BATCH_REQUEST_ID - len(suffix)] + suffix
