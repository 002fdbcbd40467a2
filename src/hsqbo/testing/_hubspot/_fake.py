"""The public face of the fake portal: :class:`FakeHubSpot`."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import random
import threading
import urllib.parse
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import httpx

from hsqbo._clock import Clock, SystemClock
from hsqbo.testing._faults import FaultInjector, FaultKind
from hsqbo.testing._hubspot._associations import (
    HUBSPOT_DEFINED,
    AssociationStore,
    FakeHubSpotAssociation,
)
from hsqbo.testing._hubspot._errors import ApiFailure
from hsqbo.testing._hubspot._handlers import (
    Answer,
    Api,
    is_search,
    match_route,
)
from hsqbo.testing._hubspot._limits import RateLimits
from hsqbo.testing._hubspot._oauth import FakeHubSpotTokens, TokenAuthority
from hsqbo.testing._hubspot._objects import FakeHubSpotObject, ObjectStore
from hsqbo.testing._hubspot._properties import (
    FakeHubSpotProperty,
    FakeHubSpotPropertyOption,
    check_definitions,
    default_groups,
    object_type,
)
from hsqbo.testing._server import (
    DropConnection,
    SimulatedTimeout,
    serve,
    transport,
)


__all__ = ["FakeHubSpot", "FakeHubSpotCall"]

_SECRET_FORM_FIELDS = frozenset({"client_secret", "refresh_token", "code"})
_FIELD_TYPE_OF = {
    "string": "text",
    "number": "number",
    "date": "date",
    "datetime": "date",
    "enumeration": "select",
    "bool": "booleancheckbox",
    "phone_number": "phonenumber",
}


@attrs.frozen
class FakeHubSpotCall:
    """
    One request the fake received, for call-count assertions.

    The ``Authorization`` header is not kept, and secrets sent to the
    token endpoint are masked.

    Args:
        method: ``GET``, ``POST``, ...
        path: The URL path, e.g. ``/crm/v3/objects/contacts/batch/read``.
        query: The query parameters, each with all its values.
        body: The JSON (or form) body, if any.
        status: The answer's status; ``None`` if the connection was
            dropped or timed out.
        fault: The injected fault, if any.

    .. versionadded:: 0.1.0
    """

    method: str
    path: str
    query: Mapping[str, tuple[str, ...]]
    body: Any
    status: int | None
    fault: FaultKind | None = None


class FakeHubSpot:
    """
    An in-memory HubSpot portal that speaks HubSpot's HTTP API.

    Reach it through :meth:`transport` (an httpx transport, sync and async)
    or :meth:`serve` (a real HTTP server on loopback, for clients with their
    own HTTP stack, like the official ones); both share one state, and
    the fake is thread-safe. Seed and inspect it from Python with
    :meth:`create`, :meth:`get`, :meth:`objects`, :meth:`associate` and
    :attr:`calls`.

    Args:
        clock: Time source for ``createdAt``/``updatedAt``, token expiry
            and rate limits; pass a :class:`~hsqbo.testing.VirtualClock`
            and nothing ever sleeps.
        strict_tokens: Accept only tokens this fake issued (see
            :meth:`issue_tokens`, :meth:`add_private_app_token`) instead of
            any non-empty bearer token.
        ten_second_limit: Requests allowed in any rolling 10 seconds (100
            on Free/Starter, 190 on Professional/Enterprise).
        search_per_second: Search requests allowed per rolling second.
        daily_limit: Requests allowed per UTC day.
        seed: Seeds correlation ids and issued tokens, for reproducible
            runs.

    >>> import httpx
    >>> fake = FakeHubSpot()
    >>> alice = fake.create("contacts", {"email": "alice@example.com"})
    >>> with httpx.Client(transport=fake.transport(),
    ...                   base_url="https://api.hubapi.com",
    ...                   headers={"Authorization": "Bearer pat-na1-x"}) as c:
    ...     r = c.get(f"/crm/objects/2026-03/contacts/{alice.id}")
    >>> r.json()["properties"]["email"]
    'alice@example.com'

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        strict_tokens: bool = False,
        ten_second_limit: int = 100,
        search_per_second: int = 5,
        daily_limit: int = 250_000,
        seed: int = 0,
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        #: Fault injection: ``fake.faults.fail_next(2, FaultKind.RATE_LIMIT)``.
        self.faults = FaultInjector()
        self._lock = threading.RLock()
        self._rng = random.Random(seed)  # noqa: S311 - test data
        self._store = ObjectStore(self.clock, itertools.count(101))
        self._associations = AssociationStore()
        token_rng = random.Random(seed + 1)  # noqa: S311 - test data
        self._tokens = TokenAuthority(
            self.clock, token_rng, strict=strict_tokens
        )
        self._limits = RateLimits(
            self.clock,
            ten_second_limit=ten_second_limit,
            search_per_second=search_per_second,
            daily_limit=daily_limit,
        )
        self._api = Api(
            self._store,
            self._associations,
            self.clock,
            lambda form: self._tokens.token_endpoint(form).to_json(),
        )
        self._calls: list[FakeHubSpotCall] = []

    def __repr__(self) -> str:
        with self._lock:
            counts = ", ".join(
                f"{name}={len(self._store.all(name, archived=False))}"
                for name in ("contacts", "companies", "products", "invoices")
            )
        return f"FakeHubSpot({counts}, calls={len(self._calls)})"

    # -- serving --------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """
        Return an httpx transport (for ``Client`` and ``AsyncClient``).

        Injected timeouts and dropped connections surface as
        :class:`httpx.ReadTimeout` and :class:`httpx.RemoteProtocolError`.
        """
        return transport(self.handle)

    def serve(self) -> contextlib.AbstractContextManager[str]:
        """
        Serve the portal on ``127.0.0.1``; the context yields the base URL.

        >>> import httpx
        >>> with FakeHubSpot().serve() as base_url:
        ...     r = httpx.get(f"{base_url}/crm/v3/objects/contacts",
        ...                   headers={"Authorization": "Bearer t"})
        >>> r.status_code, r.json()["results"]
        (200, [])
        """
        return serve(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one HTTP request (the function behind both ways in)."""
        body = _parse_body(request)
        fault = self.faults.draw()
        kind = fault.kind if fault is not None else None
        status: int | None = None
        try:
            if kind is FaultKind.TIMEOUT:
                raise SimulatedTimeout
            if kind is FaultKind.DROP:
                raise DropConnection
            response = self._answer(request, body, kind)
            status = response.status_code
            if kind is FaultKind.DROP_AFTER_APPLY:
                raise DropConnection
            return response
        finally:
            self._log(request, body, status, kind)

    def _answer(
        self, request: httpx.Request, body: object, kind: FaultKind | None
    ) -> httpx.Response:
        correlation_id = str(
            uuid.UUID(int=self._rng.getrandbits(128), version=4)
        )
        headers = {"X-HubSpot-Correlation-Id": correlation_id}
        if kind is FaultKind.UNAVAILABLE:
            return httpx.Response(
                503,
                headers={**headers, "Content-Type": "text/html"},
                text="<html><body><h1>503 Service Temporarily "
                "Unavailable</h1></body></html>",
            )
        try:
            answer = self._route(request, body, kind, headers)
        except ApiFailure as failure:
            headers.update(failure.headers)
            answer = Answer(failure.status, failure.body(correlation_id))
        if answer.body is None:
            return httpx.Response(answer.status, headers=headers)
        return httpx.Response(answer.status, headers=headers, json=answer.body)

    def _route(
        self,
        request: httpx.Request,
        body: object,
        kind: FaultKind | None,
        headers: dict[str, str],
    ) -> Answer:
        if kind is FaultKind.SERVER_ERROR:
            raise ApiFailure(500, "INTERNAL_ERROR", "internal error")
        if kind is FaultKind.RATE_LIMIT:
            raise self._limits.rate_limited()
        route = match_route(request.method, request.url.path)
        with self._lock:
            if route.name != "oauth_token":
                self._tokens.check_bearer(request.headers.get("Authorization"))
                headers.update(self._limits.admit(search=is_search(route)))
            return self._api.call(route, request, body)

    def _log(
        self,
        request: httpx.Request,
        body: object,
        status: int | None,
        kind: FaultKind | None,
    ) -> None:
        params = request.url.params
        query = {key: tuple(params.get_list(key)) for key in params}
        if isinstance(body, dict) and request.url.path.startswith("/oauth"):
            body = {
                key: "***" if key in _SECRET_FORM_FIELDS else value
                for key, value in body.items()
            }
        call = FakeHubSpotCall(
            method=request.method,
            path=request.url.path,
            query=query,
            body=body,
            status=status,
            fault=kind,
        )
        with self._lock:
            self._calls.append(call)

    # -- inspection -----------------------------------------------------------

    @property
    def calls(self) -> tuple[FakeHubSpotCall, ...]:
        """Every request so far, oldest first."""
        with self._lock:
            return tuple(self._calls)

    def clear_calls(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self._calls.clear()

    def get(self, object_type_name: str, object_id: str) -> FakeHubSpotObject:
        """
        Return one object (archived ones too).

        Raises:
            KeyError: No object of that type has that id.
        """
        type_name = _type(object_type_name)
        with self._lock:
            stored = self._store.by_id(type_name, object_id)
            if stored is None:
                raise KeyError(f"no {type_name} with id {object_id!r}")
            return stored.snapshot()

    def objects(
        self, object_type_name: str, *, archived: bool = False
    ) -> tuple[FakeHubSpotObject, ...]:
        """Return the live (or only the archived) objects of a type, by id."""
        type_name = _type(object_type_name)
        with self._lock:
            return tuple(
                stored.snapshot()
                for stored in self._store.all(type_name, archived=archived)
            )

    def associations(
        self, object_type_name: str, object_id: str, to_object_type: str
    ) -> tuple[FakeHubSpotAssociation, ...]:
        """Return an object's associations to a type, primary first."""
        with self._lock:
            return tuple(
                self._associations.links(
                    _type(object_type_name), object_id, _type(to_object_type)
                )
            )

    def properties(
        self, object_type_name: str
    ) -> tuple[FakeHubSpotProperty, ...]:
        """Return the property definitions of a type."""
        with self._lock:
            return tuple(
                self._store.definitions(_type(object_type_name)).values()
            )

    # -- seeding --------------------------------------------------------------

    def create(
        self,
        object_type_name: str,
        properties: Mapping[str, object] | None = None,
        *,
        associations: Mapping[str, Iterable[str]] | None = None,
        created_at: dt.datetime | None = None,
    ) -> FakeHubSpotObject:
        """
        Create an object, validated as the API would.

        Args:
            object_type_name: ``contacts``, ``companies``, ...
            properties: Property values (strings, or numbers and booleans).
                Read-only properties may be seeded here.
            associations: Object type → ids to associate with the default
                type; use :meth:`associate` for labelled or primary types.
            created_at: Backdate ``createdAt``/``createdate``.

        Raises:
            ValueError: A value the API would refuse (the HubSpot message
                says which).
        """
        type_name = _type(object_type_name)
        with self._lock:
            try:
                values = self._store.validate(
                    type_name, properties or {}, current=None, system=True
                )
            except ApiFailure as failure:
                raise ValueError(failure.message) from None
            stored = self._store.insert(
                type_name, values, created_at=created_at
            )
            for to_name, ids in (associations or {}).items():
                for to_id in ids:
                    self.associate(type_name, stored.id, to_name, to_id)
            return stored.snapshot()

    def update(
        self,
        object_type_name: str,
        object_id: str,
        properties: Mapping[str, object],
    ) -> FakeHubSpotObject:
        """
        Change properties of an object, as a user in HubSpot's UI would.

        Raises:
            KeyError: No such object.
            ValueError: A value the API would refuse.
        """
        type_name = _type(object_type_name)
        with self._lock:
            stored = self._store.by_id(type_name, object_id)
            if stored is None:
                raise KeyError(f"no {type_name} with id {object_id!r}")
            try:
                values = self._store.validate(
                    type_name, properties, current=stored, system=True
                )
            except ApiFailure as failure:
                raise ValueError(failure.message) from None
            self._store.apply(stored, values)
            return stored.snapshot()

    def archive(self, object_type_name: str, object_id: str) -> None:
        """Move an object to the recycling bin (``archived=true``)."""
        type_name = _type(object_type_name)
        with self._lock:
            stored = self._store.by_id(type_name, object_id)
            if stored is None:
                raise KeyError(f"no {type_name} with id {object_id!r}")
            self._store.archive(stored)

    def associate(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        *,
        type_id: int | None = None,
        category: str = HUBSPOT_DEFINED,
    ) -> None:
        """
        Associate two objects (both directions).

        Args:
            from_type: The source object type.
            from_id: The source object id.
            to_type: The target object type.
            to_id: The target object id.
            type_id: The association type, e.g. ``1`` for a contact's
                primary company; the pair's default type when omitted.
            category: ``HUBSPOT_DEFINED`` or ``USER_DEFINED`` (labels from
                :meth:`define_association_label`).

        Raises:
            KeyError: One of the objects does not exist.
            ValueError: The type does not exist for this pair.
        """
        source, target = _type(from_type), _type(to_type)
        with self._lock:
            for name, object_id in ((source, from_id), (target, to_id)):
                if self._store.by_id(name, object_id) is None:
                    raise KeyError(f"no {name} with id {object_id!r}")
            try:
                kind = (
                    self._associations.default_type(source, target)
                    if type_id is None
                    else self._associations.type(
                        source, target, type_id, category
                    )
                )
            except ApiFailure as failure:
                raise ValueError(failure.message) from None
            self._api.link(source, from_id, target, to_id, kind)

    def define_association_label(
        self, from_type: str, to_type: str, label: str
    ) -> int:
        """Create a user-defined association label; return its type id."""
        with self._lock:
            return self._associations.define_label(
                _type(from_type), _type(to_type), label
            ).type_id

    def define_property(
        self,
        object_type_name: str,
        name: str,
        *,
        type: str = "string",  # noqa: A002 - HubSpot's own field name
        field_type: str | None = None,
        label: str | None = None,
        group: str | None = None,
        options: Sequence[str] = (),
        unique: bool = False,
    ) -> FakeHubSpotProperty:
        """
        Add a custom property, as the properties API would.

        Args:
            object_type_name: The object type.
            name: Internal name.
            type: ``string``, ``number``, ``date``, ``datetime``,
                ``enumeration``, ``bool`` or ``phone_number``.
            field_type: The form field; derived from *type* when omitted.
            label: Shown in the UI; derived from *name* when omitted.
            group: The property group; the type's information group when
                omitted.
            options: Option values of an enumeration.
            unique: ``hasUniqueValue``: refuse duplicates and allow the
                property as ``idProperty``.

        Raises:
            ValueError: The name is taken, or type or group is unknown.
        """
        type_name = _type(object_type_name)
        definition = FakeHubSpotProperty(
            name=name,
            type=type,
            field_type=field_type or _FIELD_TYPE_OF.get(type, "text"),
            group=group or default_groups(type_name)[0].name,
            label=label or name.replace("_", " ").capitalize(),
            options=tuple(
                FakeHubSpotPropertyOption(
                    value=value, label=value, display_order=index
                )
                for index, value in enumerate(options)
            ),
            unique=unique,
            hubspot_defined=False,
        )
        with self._lock:
            try:
                check_definitions([definition])
                self._store.define(type_name, definition)
            except ApiFailure as failure:
                raise ValueError(failure.message) from None
        return definition

    # -- tokens ---------------------------------------------------------------

    @property
    def strict_tokens(self) -> bool:
        """Whether only tokens the fake issued are accepted."""
        return self._tokens.strict

    def add_private_app_token(self, token: str) -> None:
        """Accept *token* (a private-app token) in strict mode."""
        self._tokens.add_private_app_token(token)

    def register_app(
        self,
        client_id: str,
        client_secret: str,
        *,
        redirect_uri: str | None = None,
    ) -> None:
        """
        Register an OAuth app; the token endpoint then checks its secret.

        Without any registered app, any non-empty client id and secret are
        accepted.
        """
        self._tokens.register_app(client_id, client_secret, redirect_uri)

    def authorization_code(
        self, client_id: str, *, redirect_uri: str | None = None
    ) -> str:
        """Return a single-use code, as HubSpot's consent screen would."""
        return self._tokens.authorization_code(client_id, redirect_uri)

    def issue_tokens(self) -> FakeHubSpotTokens:
        """Issue an access/refresh token pair, as after an OAuth consent."""
        return self._tokens.issue()

    def rate_limit_headers(self) -> Mapping[str, str]:
        """Return the ``X-HubSpot-RateLimit-*`` headers as they stand now."""
        return self._limits.headers()


def _type(name: str) -> str:
    try:
        return object_type(name).name
    except ApiFailure as failure:
        raise ValueError(failure.message) from None


def _parse_body(request: httpx.Request) -> object:
    content = request.content
    if not content:
        return None
    content_type = request.headers.get("Content-Type", "")
    if "application/x-www-form-urlencoded" in content_type:
        return dict(urllib.parse.parse_qsl(content.decode()))
    try:
        return json.loads(content)
    except ValueError:
        return content.decode(errors="replace")
