"""
The QBO clients: thin sync and async shells over :mod:`hsqbo.qbo._core`.

Each shell only carries out the core's actions: send a request (inside the
per-company concurrency guard), sleep through the clock, refresh the token
under a lock, hand a new token to the caller. All decisions are the core's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from types import TracebackType
from typing import Self, TypeVar

import httpx

from hsqbo._clock import Clock, SystemClock
from hsqbo._retry import RetryPolicy
from hsqbo._unset import UNSET, Unset
from hsqbo.qbo._batch import BatchItem, BatchResult
from hsqbo.qbo._cdc import ChangeSet
from hsqbo.qbo._core import (
    DEFAULT_MINOR_VERSION,
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    PRODUCTION_URL,
    SANDBOX_URL,
    Flow,
    Persist,
    QuickBooksCore,
    Refresh,
    Send,
    Sleep,
)
from hsqbo.qbo._limits import QuickBooksLimits
from hsqbo.qbo._models import Entity, Invoice
from hsqbo.qbo._oauth import (
    OAuth2App,
    OAuth2Token,
    build_code_request,
    parse_token_response,
)
from hsqbo.qbo._preferences import SalesFormCustomField
from hsqbo.qbo._query import MAX_PAGE_SIZE, Query, select


__all__ = [
    "AsyncQuickBooksClient",
    "QuickBooksClient",
    "exchange_code",
    "exchange_code_async",
]

T = TypeVar("T")
E = TypeVar("E", bound=Entity)
_SYSTEM_CLOCK = SystemClock()

TokenCallback = Callable[[OAuth2Token], object]
"""Called with every new token before it is used; may be async for the
async client."""


def _base_url(base_url: str | Unset, *, sandbox: bool) -> str:
    if base_url is UNSET:
        return SANDBOX_URL if sandbox else PRODUCTION_URL
    if sandbox:
        msg = "pass either base_url or sandbox=True, not both"
        raise ValueError(msg)
    return base_url


def _as_query(query: Query[E] | type[E]) -> Query[E]:
    return query if isinstance(query, Query) else select(query)


def _opt(value: str | Unset) -> str | None:
    return None if value is UNSET else value


def _timeout(value: httpx.Timeout | float) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


class QuickBooksClient:
    """
    A client for one QuickBooks Online company (realm).

    Args:
        realm_id: The company id (``realmId`` from the OAuth redirect).
        token: An :class:`OAuth2Token`, or a plain access-token string.
        base_url: Where the API lives; defaults to production. Point it at
            :class:`~hsqbo.testing.FakeQuickBooks` in tests.
        sandbox: Use Intuit's sandbox instead of production.
        http: An :class:`httpx.Client` to send with (yours to close);
            by default the client makes and closes its own.
        oauth: Your Intuit app, needed to refresh *token*.
        on_token_refresh: Called with every refreshed token, *before* the
            new token is used: store its ``refresh_token`` there, since
            Intuit retires the old one.
        minor_version: The ``minorversion`` sent with every call.
        retry: How transport errors, 429 and 5xx are retried.
        limits: The quotas to keep to.
        clock: Time source and sleeper; a
            :class:`~hsqbo.testing.VirtualClock` makes tests sleep-free.
        timeout: Per-request timeout (also applied to an injected *http*).
        enhanced_custom_fields: Send ``include=enhancedAllCustomFields``
            so number and date custom fields (QBO Advanced) are read and
            written, not only the three legacy text fields.

    >>> from hsqbo.qbo import QuickBooksClient
    >>> client = QuickBooksClient("9341450000123", "access-token")
    >>> client
    QuickBooksClient(realm_id='9341450000123', base_url='https://quickbooks.api.intuit.com')
    >>> client.close()

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        realm_id: str,
        token: OAuth2Token | str,
        *,
        base_url: str | Unset = UNSET,
        sandbox: bool = False,
        http: httpx.Client | None = None,
        oauth: OAuth2App | None = None,
        on_token_refresh: TokenCallback | None = None,
        minor_version: int = DEFAULT_MINOR_VERSION,
        retry: RetryPolicy = DEFAULT_RETRY,
        limits: QuickBooksLimits = QuickBooksLimits(),  # noqa: B008 - frozen
        clock: Clock = _SYSTEM_CLOCK,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        enhanced_custom_fields: bool = False,
    ) -> None:
        self._core = QuickBooksCore(
            realm_id,
            token,
            base_url=_base_url(base_url, sandbox=sandbox),
            minor_version=minor_version,
            oauth=oauth,
            retry=retry,
            limits=limits,
            clock=clock,
            timeout=_timeout(timeout),
            enhanced_custom_fields=enhanced_custom_fields,
        )
        self._owns_http = http is None
        self._http = httpx.Client() if http is None else http
        self._on_token = on_token_refresh
        self._slots = threading.BoundedSemaphore(limits.concurrent_requests)
        self._token_lock = threading.RLock()
        #: Requests sent so far, retries included (for sync reports and
        #: benchmarks).
        self.requests_sent = 0

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(realm_id={self._core.realm_id!r}, "
            f"base_url={self._core.base_url!r})"
        )

    # -- lifecycle --------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client if this client made it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the shell --------------------------------------------------------

    def _run(self, flow: Flow[T]) -> T:
        result: object = None
        try:
            while True:
                try:
                    action = flow.send(result)
                except StopIteration as stop:
                    value: T = stop.value
                    return value
                result = self._perform(action)
        finally:
            flow.close()

    def _perform(self, action: object) -> object:
        if isinstance(action, Send):
            with self._slots:
                self.requests_sent += 1
                try:
                    return self._http.send(action.request)
                except httpx.TransportError as error:
                    return error
        if isinstance(action, Sleep):
            self._core.clock.sleep(action.seconds)
        elif isinstance(action, Refresh):
            with self._token_lock:
                # Another thread may have refreshed while this one waited.
                if self._core.token is action.stale:
                    self._run(self._core.refresh_flow(action.stale))
        elif isinstance(action, Persist) and self._on_token is not None:
            self._on_token(action.token)
        return None

    # -- public API -------------------------------------------------------

    @property
    def realm_id(self) -> str:
        """The company this client talks to."""
        return self._core.realm_id

    @property
    def token(self) -> OAuth2Token:
        """The token in use (the latest, after refreshes)."""
        return self._core.token

    def refresh_token(self) -> OAuth2Token:
        """
        Refresh the access token now and return the new token.

        :attr:`on_token_refresh` gets it first.
        """
        with self._token_lock:
            return self._run(self._core.refresh_flow(self._core.token))

    def get(self, entity: type[E], entity_id: str) -> E:
        """
        Read one object by id.

        Raises:
            NotFoundError: No such object (QBO 610).
        """
        return self._run(self._core.get(entity, entity_id))

    def query(
        self, query: Query[E] | type[E], *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[E]:
        """
        Iterate over every row *query* matches, a page at a time.

        Pages are read lazily, as the iteration reaches them.

        Args:
            query: A :func:`select` query, or an entity class for all its
                (active) rows.
            page_size: Rows per request, at most 1000.
        """
        built = _as_query(query)
        start: int | None = 1
        while start is not None:
            rows, start = self._run(
                self._core.query_page(built, start=start, page_size=page_size)
            )
            yield from rows

    def count(self, query: Query[E] | type[E]) -> int:
        """Count the rows *query* matches (``SELECT COUNT(*)``)."""
        return self._run(self._core.count(_as_query(query)))

    def create(self, entity: E, *, request_id: str | Unset = UNSET) -> E:
        """
        Create *entity* and return it as QBO stored it.

        Args:
            entity: A model without ``id``.
            request_id: QBO's idempotency key; derived when not given, and
                reused on every retry.

        Raises:
            DuplicateError: The name is taken (QBO 6240); its
                ``existing_id`` names the owner when QBO says.
        """
        return self._run(
            self._core.create(entity, request_id=_opt(request_id))
        )

    def update(
        self,
        entity: E,
        *,
        base: E | None = None,
        request_id: str | Unset = UNSET,
    ) -> E:
        """
        Sparse-update *entity* (its ``id`` and ``sync_token`` are required).

        Args:
            entity: The new state; fields left unset are not touched.
            base: The state *entity* was derived from: only fields that
                differ from it are sent.
            request_id: QBO's idempotency key (derived when not given).

        Raises:
            StaleObjectError: Someone changed it since (QBO 5010).
        """
        return self._run(
            self._core.update(entity, base=base, request_id=_opt(request_id))
        )

    def deactivate(self, entity: E, *, request_id: str | Unset = UNSET) -> E:
        """Make a customer or item inactive (QBO never deletes them)."""
        return self._run(
            self._core.deactivate(entity, request_id=_opt(request_id))
        )

    def void(
        self, invoice: Invoice, *, request_id: str | Unset = UNSET
    ) -> Invoice:
        """Void an invoice: it stays, with its amounts set to zero."""
        return self._run(self._core.void(invoice, request_id=_opt(request_id)))

    def cdc(
        self, entities: Sequence[type[Entity]], changed_since: dt.datetime
    ) -> ChangeSet:
        """
        Read what changed since *changed_since* (change data capture).

        Raises:
            ChangeWindowError: *changed_since* is more than 30 days ago.
        """
        return self._run(self._core.cdc(entities, changed_since))

    def batch(
        self, items: Sequence[BatchItem], *, request_id: str | Unset = UNSET
    ) -> list[BatchResult]:
        """
        Run *items* in batches of up to 30; one result per item, in order.

        Items succeed or fail on their own: a failure is on its result,
        never raised.
        """
        return self._run(self._core.batch(items, request_id=_opt(request_id)))

    def sales_form_custom_fields(self) -> tuple[SalesFormCustomField, ...]:
        """Read the company's sales-form custom-field slots."""
        return self._run(self._core.sales_form_custom_fields())


class AsyncQuickBooksClient:
    """
    The async twin of :class:`QuickBooksClient`.

    The same arguments and methods, awaited; ``query`` is an async
    iterator.

    *on_token_refresh* may be a coroutine function.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        realm_id: str,
        token: OAuth2Token | str,
        *,
        base_url: str | Unset = UNSET,
        sandbox: bool = False,
        http: httpx.AsyncClient | None = None,
        oauth: OAuth2App | None = None,
        on_token_refresh: TokenCallback | None = None,
        minor_version: int = DEFAULT_MINOR_VERSION,
        retry: RetryPolicy = DEFAULT_RETRY,
        limits: QuickBooksLimits = QuickBooksLimits(),  # noqa: B008 - frozen
        clock: Clock = _SYSTEM_CLOCK,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        enhanced_custom_fields: bool = False,
    ) -> None:
        self._core = QuickBooksCore(
            realm_id,
            token,
            base_url=_base_url(base_url, sandbox=sandbox),
            minor_version=minor_version,
            oauth=oauth,
            retry=retry,
            limits=limits,
            clock=clock,
            timeout=_timeout(timeout),
            enhanced_custom_fields=enhanced_custom_fields,
        )
        self._owns_http = http is None
        self._http = httpx.AsyncClient() if http is None else http
        self._on_token = on_token_refresh
        self._slots = asyncio.Semaphore(limits.concurrent_requests)
        self._token_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(realm_id={self._core.realm_id!r}, "
            f"base_url={self._core.base_url!r})"
        )

    async def close(self) -> None:
        """Close the HTTP client if this client made it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _run(self, flow: Flow[T]) -> T:
        result: object = None
        try:
            while True:
                try:
                    action = flow.send(result)
                except StopIteration as stop:
                    value: T = stop.value
                    return value
                result = await self._perform(action)
        finally:
            flow.close()

    async def _perform(self, action: object) -> object:
        if isinstance(action, Send):
            async with self._slots:
                try:
                    return await self._http.send(action.request)
                except httpx.TransportError as error:
                    return error
        if isinstance(action, Sleep):
            await self._core.clock.sleep_async(action.seconds)
        elif isinstance(action, Refresh):
            await self._refresh_unless_done(action.stale)
        elif isinstance(action, Persist) and self._on_token is not None:
            outcome = self._on_token(action.token)
            if inspect.isawaitable(outcome):
                await outcome
        return None

    async def _refresh_unless_done(self, stale: OAuth2Token) -> None:
        async with self._token_lock:
            if self._core.token is stale:
                await self._run(self._core.refresh_flow(stale))

    @property
    def realm_id(self) -> str:
        """The company this client talks to."""
        return self._core.realm_id

    @property
    def token(self) -> OAuth2Token:
        """The token in use (the latest, after refreshes)."""
        return self._core.token

    async def refresh_token(self) -> OAuth2Token:
        """Refresh the access token now and return the new token."""
        async with self._token_lock:
            return await self._run(self._core.refresh_flow(self._core.token))

    async def get(self, entity: type[E], entity_id: str) -> E:
        """Read one object by id."""
        return await self._run(self._core.get(entity, entity_id))

    async def query(
        self, query: Query[E] | type[E], *, page_size: int = MAX_PAGE_SIZE
    ) -> AsyncIterator[E]:
        """Iterate over every row *query* matches, a page at a time."""
        built = _as_query(query)
        start: int | None = 1
        while start is not None:
            rows, start = await self._run(
                self._core.query_page(built, start=start, page_size=page_size)
            )
            for row in rows:
                yield row

    async def count(self, query: Query[E] | type[E]) -> int:
        """Count the rows *query* matches."""
        return await self._run(self._core.count(_as_query(query)))

    async def create(self, entity: E, *, request_id: str | Unset = UNSET) -> E:
        """Create *entity* and return it as QBO stored it."""
        return await self._run(
            self._core.create(entity, request_id=_opt(request_id))
        )

    async def update(
        self,
        entity: E,
        *,
        base: E | None = None,
        request_id: str | Unset = UNSET,
    ) -> E:
        """Sparse-update *entity*."""
        return await self._run(
            self._core.update(entity, base=base, request_id=_opt(request_id))
        )

    async def deactivate(
        self, entity: E, *, request_id: str | Unset = UNSET
    ) -> E:
        """Make a customer or item inactive."""
        return await self._run(
            self._core.deactivate(entity, request_id=_opt(request_id))
        )

    async def void(
        self, invoice: Invoice, *, request_id: str | Unset = UNSET
    ) -> Invoice:
        """Void an invoice."""
        return await self._run(
            self._core.void(invoice, request_id=_opt(request_id))
        )

    async def cdc(
        self, entities: Sequence[type[Entity]], changed_since: dt.datetime
    ) -> ChangeSet:
        """Read what changed since *changed_since* (30 days back at most)."""
        return await self._run(self._core.cdc(entities, changed_since))

    async def batch(
        self, items: Sequence[BatchItem], *, request_id: str | Unset = UNSET
    ) -> list[BatchResult]:
        """Run *items* in batches of up to 30; one result per item."""
        return await self._run(
            self._core.batch(items, request_id=_opt(request_id))
        )

    async def sales_form_custom_fields(
        self,
    ) -> tuple[SalesFormCustomField, ...]:
        """Read the company's sales-form custom-field slots."""
        return await self._run(self._core.sales_form_custom_fields())


def exchange_code(
    app: OAuth2App,
    code: str,
    *,
    http: httpx.Client | None = None,
    clock: Clock = _SYSTEM_CLOCK,
) -> OAuth2Token:
    """
    Exchange the ``code`` of Intuit's redirect for a token (once per code).

    Raises:
        AuthenticationError: Intuit refused the code.

    .. versionadded:: 0.1.0
    """
    request = build_code_request(app, code)
    if http is None:
        with httpx.Client(timeout=DEFAULT_TIMEOUT) as own:
            response = own.send(request)
    else:
        response = http.send(request)
    return parse_token_response(response, now=clock.now(), previous=None)


async def exchange_code_async(
    app: OAuth2App,
    code: str,
    *,
    http: httpx.AsyncClient | None = None,
    clock: Clock = _SYSTEM_CLOCK,
) -> OAuth2Token:
    """
    Exchange an authorization code, asynchronously.

    .. versionadded:: 0.1.0
    """
    request = build_code_request(app, code)
    if http is None:
        async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT) as own:
            response = await own.send(request)
    else:
        response = await http.send(request)
    return parse_token_response(response, now=clock.now(), previous=None)
