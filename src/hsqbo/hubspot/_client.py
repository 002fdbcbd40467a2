"""
The HubSpot clients: thin sync and async shells over one sans-I/O core.

Each public method hands a flow of :mod:`hsqbo.hubspot._core` to a driver.
The drivers below are the only code that differs between the two clients:
send a call (with auth, rate limiting and retries), feed the answer back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import httpx

from hsqbo._clock import Clock, SystemClock
from hsqbo._errors import ApiError, TransportError
from hsqbo._filters import FilterGroup
from hsqbo._record import FieldValue, Record
from hsqbo._retry import RetryPolicy
from hsqbo._unset import UNSET, Unset
from hsqbo.hubspot._auth import (
    Auth,
    OAuthApp,
    OAuthToken,
    PrivateAppToken,
    TokenRefreshCallback,
)
from hsqbo.hubspot._call import Call, Emit, Flow
from hsqbo.hubspot._codecs import PropertyType
from hsqbo.hubspot._core import LIST_PAGE_SIZE, Core
from hsqbo.hubspot._limits import RateLimits, Throttle
from hsqbo.hubspot._models import (
    Association,
    AssociationSpec,
    BatchResult,
    HubSpotObject,
    NewObject,
    NewProperty,
    PropertyDefinition,
    PropertyGroup,
)
from hsqbo.hubspot._paths import Paths
from hsqbo.hubspot._records import property_types, to_record
from hsqbo.hubspot._search import SearchLimits, Sort


__all__ = ["DEFAULT_BASE_URL", "AsyncHubSpotClient", "HubSpotClient"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_BASE_URL = "https://api.hubapi.com"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_USER_AGENT = "hsqbo"

Token = str | PrivateAppToken | OAuthToken
NewInput = NewObject | Mapping[str, FieldValue]


def _new_objects(inputs: Sequence[NewInput]) -> list[NewObject]:
    return [
        item if isinstance(item, NewObject) else NewObject(properties=item)
        for item in inputs
    ]


def _pairs(
    values: Mapping[str, Mapping[str, FieldValue]]
    | Sequence[tuple[str, Mapping[str, FieldValue]]],
) -> list[tuple[str, Mapping[str, FieldValue]]]:
    if isinstance(values, Mapping):
        return list(values.items())
    return list(values)


_Reply = httpx.Response | ApiError | TransportError | None


def _advance(
    flow: Flow[T, R], reply: _Reply
) -> tuple[Call | Emit[T] | None, R | None]:
    """Feed *reply* to *flow*; return its next step, or its result."""
    try:
        if isinstance(reply, ApiError | TransportError):
            return flow.throw(reply), None
        return flow.send(reply), None
    except StopIteration as stop:
        return None, stop.value


def _opt(value: str | Unset) -> str | None:
    return None if value is UNSET else value


class _Base:
    """What both clients hold: the core, credentials, limits, clock."""

    def __init__(
        self,
        token: Token,
        *,
        base_url: str,
        api_version: str,
        oauth_app: OAuthApp | None,
        on_token_refresh: TokenRefreshCallback | None,
        clock: Clock,
        retry: RetryPolicy,
        rate_limits: RateLimits,
        search_limits: SearchLimits,
    ) -> None:
        self._core = Core(
            paths=Paths(api_version), search_limits=search_limits
        )
        self._auth = Auth(token, app=oauth_app, on_refresh=on_token_refresh)
        self._base_url = httpx.URL(base_url.rstrip("/") + "/")
        self._clock = clock
        self._retry = retry
        self._throttle = Throttle(rate_limits, clock)
        self._types: dict[str, dict[str, PropertyType]] = {}
        #: Requests sent so far, retries included (handy in benchmarks).
        self.requests_sent = 0

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={str(self._base_url)!r}, "
            f"api_version={self._core.paths.api_version!r}, "
            f"auth={self._auth!r})"
        )

    def _request(self, call: Call) -> httpx.Request:
        url = self._base_url.join(call.path.lstrip("/"))
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if call.authenticated:
            headers["Authorization"] = self._auth.header
        self.requests_sent += 1
        if call.form is not None:
            return httpx.Request(
                call.method, url, headers=headers, data=dict(call.form)
            )
        return httpx.Request(
            call.method,
            url,
            params=list(call.params),
            headers=headers,
            json=call.json if call.json is not None else None,
        )


class HubSpotClient(_Base):
    """
    A typed, rate-limited, retrying client for HubSpot's CRM APIs.

    Args:
        token: A private-app token (``str`` or :class:`PrivateAppToken`) or
            an :class:`OAuthToken`.
        base_url: HubSpot's API host, or a fake's (``FakeHubSpot().serve()``).
        api_version: A date version (``"2026-03"``, the default) for
            ``/crm/objects/2026-03/...`` paths, or ``"v3"`` for the legacy
            ``/crm/v3/...`` paths.
        oauth_app: Client id and secret, needed to refresh an OAuth token.
        on_token_refresh: Called with every new :class:`OAuthToken`; store
            it, the refresh token may have changed.
        http: An :class:`httpx.Client` to send with (its transport, proxies,
            timeouts). The client closes only an HTTP client it made.
        clock: Time source and sleeper; a
            :class:`~hsqbo.testing.VirtualClock` makes retries and rate
            limiting instant in tests.
        retry: When and how long to retry.
        rate_limits: The quotas to keep under (see
            :meth:`RateLimits.for_tier`).
        search_limits: HubSpot's search caps, checked before sending.

    >>> from hsqbo.hubspot import HubSpotClient
    >>> client = HubSpotClient("pat-na1-secret")
    >>> "secret" in repr(client)
    False
    >>> client.close()

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        token: Token,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_version: str = "2026-03",
        oauth_app: OAuthApp | None = None,
        on_token_refresh: TokenRefreshCallback | None = None,
        http: httpx.Client | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: RateLimits | None = None,
        search_limits: SearchLimits | None = None,
    ) -> None:
        super().__init__(
            token,
            base_url=base_url,
            api_version=api_version,
            oauth_app=oauth_app,
            on_token_refresh=on_token_refresh,
            clock=clock or SystemClock(),
            retry=retry or RetryPolicy(),
            rate_limits=rate_limits or RateLimits(),
            search_limits=search_limits or SearchLimits(),
        )
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=DEFAULT_TIMEOUT)

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client, if this client made it."""
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

    # -- the driver --------------------------------------------------------

    def _refresh_if_due(self) -> None:
        with self._auth.lock:
            if self._auth.needs_refresh(self._clock.now()):
                response = self._send(self._auth.refresh_call())
                self._auth.apply_refresh(response.content, self._clock.now())

    def _send(self, call: Call) -> httpx.Response:
        if call.authenticated:
            self._refresh_if_due()
        state = self._retry.start(self._clock)
        while True:
            self._clock.sleep(self._throttle.reserve(call.kind))
            error: ApiError | TransportError
            try:
                response = self._http.send(self._request(call))
            except httpx.TransportError as exc:
                error = self._core.transport_error(call, exc)
                cause: BaseException = exc
            else:
                self._throttle.observe(response.headers)
                try:
                    return self._core.check(call, response)
                except ApiError as exc:
                    error = cause = exc
            delay = self._core.retry_delay(call, state, error)
            if delay is None:
                if error is cause:
                    raise error
                raise error from cause
            self._clock.sleep(delay)

    def _drive(self, flow: Flow[T, Any]) -> Iterator[T]:
        reply: _Reply = None
        while True:
            step, _ = _advance(flow, reply)
            if step is None:
                return
            if isinstance(step, Emit):
                reply = None
                yield from step.items
                continue
            try:
                reply = self._send(step)
            except (ApiError, TransportError) as exc:
                reply = exc

    def _run(self, flow: Flow[Any, R]) -> R:
        reply: _Reply = None
        while True:
            step, result = _advance(flow, reply)
            if step is None:
                return cast("R", result)
            if isinstance(step, Emit):
                reply = None
                continue
            try:
                reply = self._send(step)
            except (ApiError, TransportError) as exc:
                reply = exc

    # -- objects -----------------------------------------------------------

    def get(
        self,
        object_type: str,
        object_id: str,
        *,
        properties: Sequence[str] = (),
        associations: Sequence[str] = (),
        id_property: str | Unset = UNSET,
        archived: bool = False,
    ) -> HubSpotObject:
        """
        Read one object.

        Args:
            object_type: ``contacts``, ``companies``, ``products``,
                ``invoices``, ``line_items``, ``deals``, ``notes``...
            object_id: Its id, or its value of *id_property*.
            properties: Properties to return (HubSpot's defaults if empty).
            associations: Object types whose associated ids to return.
            id_property: A unique property to look *object_id* up by.
            archived: Read an archived object.

        Raises:
            NotFoundError: No such object.
            ApiError: Any other HubSpot error.
            TransportError: HubSpot did not answer, even after retries.
        """
        return self._run(
            self._core.get(
                object_type,
                object_id,
                properties=properties,
                associations=associations,
                id_property=_opt(id_property),
                archived=archived,
            )
        )

    def list(
        self,
        object_type: str,
        *,
        properties: Sequence[str] = (),
        associations: Sequence[str] = (),
        archived: bool = False,
        page_size: int = LIST_PAGE_SIZE,
    ) -> Iterator[HubSpotObject]:
        """
        Iterate over all objects of a type, fetching pages as needed.

        Args:
            object_type: The object type.
            properties: Properties to return.
            associations: Object types whose associated ids to return.
            archived: List only archived objects (HubSpot's meaning).
            page_size: Objects per request, at most 100.
        """
        return self._drive(
            self._core.list(
                object_type,
                properties=properties,
                associations=associations,
                archived=archived,
                page_size=page_size,
            )
        )

    def search(
        self,
        object_type: str,
        filter_groups: Sequence[FilterGroup] = (),
        *,
        properties: Sequence[str] = (),
        sorts: Sequence[Sort] = (),
        query: str | Unset = UNSET,
        page_size: int = 200,
    ) -> Iterator[HubSpotObject]:
        """
        Search lazily, past HubSpot's 10,000-result cap.

        Args:
            object_type: The object type.
            filter_groups: OR of groups, each an AND of filters.
            properties: Properties to return.
            sorts: Sort order; the default (``hs_object_id`` ascending) lets
                the search go on past 10,000 results.
            query: HubSpot's free-text query.
            page_size: Objects per request, at most 200.

        Raises:
            ConfigError: Too many groups or filters (checked before any
                request), or more than 10,000 results under a custom sort.
        """
        return self._drive(
            self._core.search(
                object_type,
                filter_groups,
                properties=properties,
                sorts=sorts,
                query=_opt(query),
                page_size=page_size,
            )
        )

    def create(self, object_type: str, new: NewInput) -> HubSpotObject:
        """
        Create one object (retried only on 429, which writes nothing).

        Raises:
            DuplicateError: A unique property's value is taken;
                :attr:`~hsqbo.ApiError.existing_id` names the owner.
            ValidationError: A property value was refused.
        """
        return self._run(
            self._core.create(object_type, _new_objects([new])[0])
        )

    def update(
        self,
        object_type: str,
        object_id: str,
        properties: Mapping[str, FieldValue],
        *,
        id_property: str | Unset = UNSET,
    ) -> HubSpotObject:
        """Update the given properties of one object (``None`` clears)."""
        return self._run(
            self._core.update(
                object_type,
                object_id,
                properties,
                id_property=_opt(id_property),
            )
        )

    def archive(self, object_type: str, object_id: str) -> None:
        """Move one object to the recycling bin."""
        self._run(self._core.archive(object_type, object_id))

    def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        *,
        properties: Sequence[str] = (),
        id_property: str | Unset = UNSET,
        archived: bool = False,
    ) -> BatchResult:
        """Read many objects, 100 per request; unknown ids are errors."""
        return self._run(
            self._core.batch_read(
                object_type,
                ids,
                properties=properties,
                id_property=_opt(id_property),
                archived=archived,
            )
        )

    def batch_create(
        self, object_type: str, inputs: Sequence[NewInput]
    ) -> BatchResult:
        """
        Create many objects, 100 per request, reporting failures per input.

        Not retried but on 429: use :meth:`batch_upsert` with a unique
        property for writes that must survive a lost answer.
        """
        return self._run(
            self._core.batch_create(object_type, _new_objects(inputs))
        )

    def batch_update(
        self,
        object_type: str,
        updates: Mapping[str, Mapping[str, FieldValue]]
        | Sequence[tuple[str, Mapping[str, FieldValue]]],
        *,
        id_property: str | Unset = UNSET,
    ) -> BatchResult:
        """Update many objects (id → properties), 100 per request."""
        return self._run(
            self._core.batch_update(
                object_type, _pairs(updates), id_property=_opt(id_property)
            )
        )

    def batch_upsert(
        self,
        object_type: str,
        id_property: str,
        inputs: Mapping[str, Mapping[str, FieldValue]]
        | Sequence[tuple[str, Mapping[str, FieldValue]]],
    ) -> BatchResult:
        """
        Create or update by a unique property (value → properties).

        Idempotent, so retried: the way to make creates safe.
        """
        return self._run(
            self._core.batch_upsert(object_type, id_property, _pairs(inputs))
        )

    def batch_archive(self, object_type: str, ids: Sequence[str]) -> None:
        """Archive many objects, 100 per request."""
        self._run(self._core.batch_archive(object_type, ids))

    # -- records -----------------------------------------------------------

    def property_types(self, object_type: str) -> Mapping[str, PropertyType]:
        """Return property name → type, read once per object type."""
        if object_type not in self._types:
            self._types[object_type] = property_types(
                self.list_properties(object_type)
            )
        return self._types[object_type]

    def records(
        self,
        object_type: str,
        objects: Iterator[HubSpotObject] | Sequence[HubSpotObject],
    ) -> Iterator[Record]:
        """Convert objects to :class:`~hsqbo.Record`, decoding by type."""
        types = self.property_types(object_type)
        for obj in objects:
            yield to_record(obj, object_type, types=types)

    # -- associations ------------------------------------------------------

    def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, tuple[Association, ...]]:
        """Read the associations of many objects (1,000 per request)."""
        return self._run(self._core.read_associations(from_type, to_type, ids))

    def associate(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        *types: AssociationSpec,
    ) -> None:
        """Associate two objects with the given types (idempotent)."""
        self._run(
            self._core.associate(from_type, from_id, to_type, to_id, types)
        )

    def associate_many(
        self,
        from_type: str,
        to_type: str,
        links: Sequence[tuple[str, Association]],
    ) -> None:
        """Create many associations: (from id, association) pairs."""
        self._run(self._core.associate_many(from_type, to_type, links))

    def primary_company(self, contact_id: str) -> str | None:
        """Return the id of a contact's primary company, or ``None``."""
        return self._run(self._core.primary_company(contact_id))

    # -- properties --------------------------------------------------------

    def list_properties(
        self, object_type: str, *, archived: bool = False
    ) -> tuple[PropertyDefinition, ...]:
        """List property definitions (types, groups, options)."""
        return self._run(
            self._core.list_properties(object_type, archived=archived)
        )

    def list_property_groups(
        self, object_type: str
    ) -> tuple[PropertyGroup, ...]:
        """List the property groups of an object type."""
        return self._run(self._core.list_property_groups(object_type))

    def create_property(
        self, object_type: str, prop: NewProperty
    ) -> PropertyDefinition:
        """Create a property definition."""
        self._types.pop(object_type, None)
        return self._run(self._core.create_property(object_type, prop))

    def ensure_property(
        self, object_type: str, prop: NewProperty
    ) -> PropertyDefinition:
        """Return the property, creating it first if it does not exist."""
        self._types.pop(object_type, None)
        return self._run(self._core.ensure_property(object_type, prop))


class AsyncHubSpotClient(_Base):
    """
    The asyncio twin of :class:`HubSpotClient`: same arguments, same flows.

    Methods are coroutines; :meth:`list` and :meth:`search` are async
    iterators.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        token: Token,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_version: str = "2026-03",
        oauth_app: OAuthApp | None = None,
        on_token_refresh: TokenRefreshCallback | None = None,
        http: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: RateLimits | None = None,
        search_limits: SearchLimits | None = None,
    ) -> None:
        super().__init__(
            token,
            base_url=base_url,
            api_version=api_version,
            oauth_app=oauth_app,
            on_token_refresh=on_token_refresh,
            clock=clock or SystemClock(),
            retry=retry or RetryPolicy(),
            rate_limits=rate_limits or RateLimits(),
            search_limits=search_limits or SearchLimits(),
        )
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        self._refresh_lock = asyncio.Lock()

    async def aclose(self) -> None:
        """Close the HTTP client, if this client made it."""
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
        await self.aclose()

    # -- the driver --------------------------------------------------------

    async def _refresh_if_due(self) -> None:
        async with self._refresh_lock:
            if self._auth.needs_refresh(self._clock.now()):
                response = await self._send(self._auth.refresh_call())
                self._auth.apply_refresh(response.content, self._clock.now())

    async def _send(self, call: Call) -> httpx.Response:
        if call.authenticated:
            await self._refresh_if_due()
        state = self._retry.start(self._clock)
        while True:
            await self._clock.sleep_async(self._throttle.reserve(call.kind))
            error: ApiError | TransportError
            try:
                response = await self._http.send(self._request(call))
            except httpx.TransportError as exc:
                error = self._core.transport_error(call, exc)
                cause: BaseException = exc
            else:
                self._throttle.observe(response.headers)
                try:
                    return self._core.check(call, response)
                except ApiError as exc:
                    error = cause = exc
            delay = self._core.retry_delay(call, state, error)
            if delay is None:
                if error is cause:
                    raise error
                raise error from cause
            await self._clock.sleep_async(delay)

    async def _drive(self, flow: Flow[T, Any]) -> AsyncIterator[T]:
        reply: _Reply = None
        while True:
            step, _ = _advance(flow, reply)
            if step is None:
                return
            if isinstance(step, Emit):
                reply = None
                for item in step.items:
                    yield item
                continue
            try:
                reply = await self._send(step)
            except (ApiError, TransportError) as exc:
                reply = exc

    async def _run(self, flow: Flow[Any, R]) -> R:
        reply: _Reply = None
        while True:
            step, result = _advance(flow, reply)
            if step is None:
                return cast("R", result)
            if isinstance(step, Emit):
                reply = None
                continue
            try:
                reply = await self._send(step)
            except (ApiError, TransportError) as exc:
                reply = exc

    # -- objects -----------------------------------------------------------

    async def get(
        self,
        object_type: str,
        object_id: str,
        *,
        properties: Sequence[str] = (),
        associations: Sequence[str] = (),
        id_property: str | Unset = UNSET,
        archived: bool = False,
    ) -> HubSpotObject:
        """Read one object; see :meth:`HubSpotClient.get`."""
        return await self._run(
            self._core.get(
                object_type,
                object_id,
                properties=properties,
                associations=associations,
                id_property=_opt(id_property),
                archived=archived,
            )
        )

    def list(
        self,
        object_type: str,
        *,
        properties: Sequence[str] = (),
        associations: Sequence[str] = (),
        archived: bool = False,
        page_size: int = LIST_PAGE_SIZE,
    ) -> AsyncIterator[HubSpotObject]:
        """Iterate over all objects lazily; see :meth:`HubSpotClient.list`."""
        return self._drive(
            self._core.list(
                object_type,
                properties=properties,
                associations=associations,
                archived=archived,
                page_size=page_size,
            )
        )

    def search(
        self,
        object_type: str,
        filter_groups: Sequence[FilterGroup] = (),
        *,
        properties: Sequence[str] = (),
        sorts: Sequence[Sort] = (),
        query: str | Unset = UNSET,
        page_size: int = 200,
    ) -> AsyncIterator[HubSpotObject]:
        """Search lazily past the cap; see :meth:`HubSpotClient.search`."""
        return self._drive(
            self._core.search(
                object_type,
                filter_groups,
                properties=properties,
                sorts=sorts,
                query=_opt(query),
                page_size=page_size,
            )
        )

    async def create(self, object_type: str, new: NewInput) -> HubSpotObject:
        """Create one object; see :meth:`HubSpotClient.create`."""
        return await self._run(
            self._core.create(object_type, _new_objects([new])[0])
        )

    async def update(
        self,
        object_type: str,
        object_id: str,
        properties: Mapping[str, FieldValue],
        *,
        id_property: str | Unset = UNSET,
    ) -> HubSpotObject:
        """Update one object; see :meth:`HubSpotClient.update`."""
        return await self._run(
            self._core.update(
                object_type,
                object_id,
                properties,
                id_property=_opt(id_property),
            )
        )

    async def archive(self, object_type: str, object_id: str) -> None:
        """Move one object to the recycling bin."""
        await self._run(self._core.archive(object_type, object_id))

    async def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        *,
        properties: Sequence[str] = (),
        id_property: str | Unset = UNSET,
        archived: bool = False,
    ) -> BatchResult:
        """Read many objects; see :meth:`HubSpotClient.batch_read`."""
        return await self._run(
            self._core.batch_read(
                object_type,
                ids,
                properties=properties,
                id_property=_opt(id_property),
                archived=archived,
            )
        )

    async def batch_create(
        self, object_type: str, inputs: Sequence[NewInput]
    ) -> BatchResult:
        """Create many objects; see :meth:`HubSpotClient.batch_create`."""
        return await self._run(
            self._core.batch_create(object_type, _new_objects(inputs))
        )

    async def batch_update(
        self,
        object_type: str,
        updates: Mapping[str, Mapping[str, FieldValue]]
        | Sequence[tuple[str, Mapping[str, FieldValue]]],
        *,
        id_property: str | Unset = UNSET,
    ) -> BatchResult:
        """Update many objects; see :meth:`HubSpotClient.batch_update`."""
        return await self._run(
            self._core.batch_update(
                object_type, _pairs(updates), id_property=_opt(id_property)
            )
        )

    async def batch_upsert(
        self,
        object_type: str,
        id_property: str,
        inputs: Mapping[str, Mapping[str, FieldValue]]
        | Sequence[tuple[str, Mapping[str, FieldValue]]],
    ) -> BatchResult:
        """Upsert by unique value; see :meth:`HubSpotClient.batch_upsert`."""
        return await self._run(
            self._core.batch_upsert(object_type, id_property, _pairs(inputs))
        )

    async def batch_archive(
        self, object_type: str, ids: Sequence[str]
    ) -> None:
        """Archive many objects, 100 per request."""
        await self._run(self._core.batch_archive(object_type, ids))

    # -- records -----------------------------------------------------------

    async def property_types(
        self, object_type: str
    ) -> Mapping[str, PropertyType]:
        """Return property name → type, read once per object type."""
        if object_type not in self._types:
            self._types[object_type] = property_types(
                await self.list_properties(object_type)
            )
        return self._types[object_type]

    async def records(
        self,
        object_type: str,
        objects: AsyncIterator[HubSpotObject] | Sequence[HubSpotObject],
    ) -> AsyncIterator[Record]:
        """Convert objects to :class:`~hsqbo.Record`, decoding by type."""
        types = await self.property_types(object_type)
        if isinstance(objects, Sequence):
            for obj in objects:
                yield to_record(obj, object_type, types=types)
            return
        async for obj in objects:
            yield to_record(obj, object_type, types=types)

    # -- associations ------------------------------------------------------

    async def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> dict[str, tuple[Association, ...]]:
        """Read the associations of many objects (1,000 per request)."""
        return await self._run(
            self._core.read_associations(from_type, to_type, ids)
        )

    async def associate(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        *types: AssociationSpec,
    ) -> None:
        """Associate two objects with the given types (idempotent)."""
        await self._run(
            self._core.associate(from_type, from_id, to_type, to_id, types)
        )

    async def associate_many(
        self,
        from_type: str,
        to_type: str,
        links: Sequence[tuple[str, Association]],
    ) -> None:
        """Create many associations: (from id, association) pairs."""
        await self._run(self._core.associate_many(from_type, to_type, links))

    async def primary_company(self, contact_id: str) -> str | None:
        """Return the id of a contact's primary company, or ``None``."""
        return await self._run(self._core.primary_company(contact_id))

    # -- properties --------------------------------------------------------

    async def list_properties(
        self, object_type: str, *, archived: bool = False
    ) -> tuple[PropertyDefinition, ...]:
        """List property definitions (types, groups, options)."""
        return await self._run(
            self._core.list_properties(object_type, archived=archived)
        )

    async def list_property_groups(
        self, object_type: str
    ) -> tuple[PropertyGroup, ...]:
        """List the property groups of an object type."""
        return await self._run(self._core.list_property_groups(object_type))

    async def create_property(
        self, object_type: str, prop: NewProperty
    ) -> PropertyDefinition:
        """Create a property definition."""
        self._types.pop(object_type, None)
        return await self._run(self._core.create_property(object_type, prop))

    async def ensure_property(
        self, object_type: str, prop: NewProperty
    ) -> PropertyDefinition:
        """Return the property, creating it first if it does not exist."""
        self._types.pop(object_type, None)
        return await self._run(self._core.ensure_property(object_type, prop))
