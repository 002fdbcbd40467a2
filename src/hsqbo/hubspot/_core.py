"""
The sans-I/O core of the HubSpot connector.

Every operation of :class:`~hsqbo.hubspot.HubSpotClient` and
:class:`~hsqbo.hubspot.AsyncHubSpotClient` is a flow here (see
:mod:`hsqbo.hubspot._call`): which requests to make, in which order, and
what their answers mean. Nothing in this module does I/O, sleeps or reads
the clock, so both clients share it and tests can drive it by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

import attrs
import httpx

from hsqbo._errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransportError,
)
from hsqbo._filters import FilterGroup
from hsqbo._record import FieldValue
from hsqbo._retry import RetryState
from hsqbo.hubspot._associations import (
    AssociationTypes,
    association_json,
    next_after,
    parse_association_results,
    parse_targets,
    primary_first,
)
from hsqbo.hubspot._call import Call, CallKind, Emit, Flow, need
from hsqbo.hubspot._codecs import decode_datetime, encode_value
from hsqbo.hubspot._errors import (
    PROVIDER,
    error_from_body,
    error_from_response,
)
from hsqbo.hubspot._models import (
    Association,
    BatchOutcome,
    BatchResult,
    HubSpotObject,
    NewObject,
    NewProperty,
    PropertyDefinition,
    PropertyGroup,
    structure_group,
    structure_property,
    unstructure_new_property,
)
from hsqbo.hubspot._paths import Paths
from hsqbo.hubspot._search import SearchLimits, SearchWalk, Sort


__all__ = ["BATCH_SIZE", "Core", "parse_object"]

T = TypeVar("T")

BATCH_SIZE = 100
"""Inputs per batch request (HubSpot's cap for CRM objects)."""
ASSOCIATION_READ_SIZE = 1_000
"""Inputs per Associations v4 batch read (HubSpot's cap since 2025)."""
ASSOCIATION_PAGE_SIZE = 500
"""Associations per page of one object's association list."""
LIST_PAGE_SIZE = 100
"""Objects per list page (HubSpot's cap)."""
# A batch input failing like this would fail every later chunk the same
# way; stop sending instead of burning the quota.
_FATAL = (AuthenticationError, PermissionDeniedError)
_PRIMARY_TYPE_NAMES = frozenset(
    {"contact_to_company", "deal_to_company", "ticket_to_company"}
)


def _json(response: httpx.Response) -> dict[str, Any]:
    body = json.loads(response.content) if response.content else {}
    if not isinstance(body, dict):
        msg = f"expected a JSON object from HubSpot, got {type(body).__name__}"
        raise TypeError(msg)
    return body


def _embedded_associations(
    raw: object,
) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        return {}
    associations: dict[str, tuple[str, ...]] = {}
    for kind, block in raw.items():
        results = block.get("results") if isinstance(block, Mapping) else None
        primary: list[str] = []
        others: list[str] = []
        for item in results if isinstance(results, list) else []:
            if not isinstance(item, Mapping) or item.get("id") is None:
                continue
            to_id = str(item["id"])
            target = (
                primary if item.get("type") in _PRIMARY_TYPE_NAMES else others
            )
            if to_id not in target:
                target.append(to_id)
        ordered = primary + [i for i in others if i not in primary]
        associations[str(kind)] = tuple(ordered)
    return associations


def parse_object(body: Mapping[str, Any]) -> HubSpotObject:
    """Build a :class:`HubSpotObject` from one object's JSON."""
    properties = body.get("properties") or {}
    archived_at = body.get("archivedAt")
    created = body.get("createdAt") or properties.get("createdate")
    updated = (
        body.get("updatedAt")
        or properties.get("hs_lastmodifieddate")
        or properties.get("lastmodifieddate")
        or created
    )
    return HubSpotObject(
        id=str(body["id"]),
        properties={
            str(name): None if value is None else str(value)
            for name, value in properties.items()
        },
        created_at=decode_datetime(str(created)),
        updated_at=decode_datetime(str(updated)),
        archived=bool(body.get("archived", False)),
        archived_at=decode_datetime(str(archived_at)) if archived_at else None,
        associations=_embedded_associations(body.get("associations")),
        write_trace_id=body.get("objectWriteTraceId"),
    )


def _encode_properties(values: Mapping[str, FieldValue]) -> dict[str, str]:
    return {name: encode_value(value) for name, value in values.items()}


def _chunks(count: int, size: int) -> Iterable[range]:
    for start in range(0, count, size):
        yield range(start, min(count, start + size))


def _context_keys(item: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Return the trace ids and the ids an error item of a batch names."""
    context = item.get("context")
    found: tuple[list[str], list[str]] = ([], [])
    if isinstance(context, Mapping):
        for name, target in (
            ("objectWriteTraceId", found[0]),
            ("ids", found[1]),
            ("id", found[1]),
        ):
            value = context.get(name)
            if isinstance(value, list):
                target.extend(str(v) for v in value)
            elif value is not None:
                target.append(str(value))
    return found


@attrs.frozen
class _Chunk:
    """One batch request: which inputs it carries and how to match them."""

    indices: range
    traces: Mapping[str, int]
    """Trace id → input index."""
    keys: Mapping[str, int]
    """Id or unique value → input index."""

    @classmethod
    def of(
        cls,
        indices: range,
        traces: Sequence[str | None],
        keys: Sequence[str | None],
    ) -> _Chunk:
        return cls(
            indices,
            {t: i for i in indices if (t := traces[i]) is not None},
            {k: i for i in indices if (k := keys[i]) is not None},
        )

    def index_of(
        self, outcome: BatchOutcome, *, key_of: str | None
    ) -> int | None:
        """Return the input a result answers, if it says."""
        obj = outcome.object
        if obj is None:  # pragma: no cover - results always carry an object
            return None
        trace = obj.write_trace_id
        if trace is not None and trace in self.traces:
            return self.traces[trace]
        key = obj.id if key_of == "id" else obj.properties.get(key_of or "")
        return self.keys.get(key) if key is not None else None


def _result_outcome(raw: Mapping[str, Any]) -> BatchOutcome:
    created = raw.get("new")
    return BatchOutcome(
        index=-1,
        object=parse_object(raw),
        created=created if isinstance(created, bool) else None,
    )


def _match_outcomes(
    chunk: _Chunk,
    status: int,
    body: Mapping[str, Any],
    *,
    key_of: str | None,
    request: tuple[str, str],
) -> list[BatchOutcome]:
    """
    Give every input of *chunk* its result or its error.

    Results and errors are matched to inputs by the keys they name (trace
    id, id, unique value). Results naming no input fill the inputs left, in
    order (HubSpot answers in input order); errors naming no input go to
    inputs still left; an input nobody answered gets an error saying so.
    """
    method, url = request
    outcomes: dict[int, BatchOutcome] = {}
    unmatched: list[BatchOutcome] = []
    for raw in body.get("results") or ():
        outcome = _result_outcome(raw)
        index = chunk.index_of(outcome, key_of=key_of)
        if index is None or index in outcomes:
            unmatched.append(outcome)
        else:
            outcomes[index] = attrs.evolve(outcome, index=index)
    spare: list[ApiError] = []
    for item in body.get("errors") or ():
        error = error_from_body(status, item, method=method, url=url)
        traces, keys = _context_keys(item)
        named = [chunk.traces[t] for t in traces if t in chunk.traces]
        named += [chunk.keys[k] for k in keys if k in chunk.keys]
        spare.extend([] if named else [error])
        for index in named:
            outcomes.setdefault(index, BatchOutcome(index=index, error=error))
    left = iter([i for i in chunk.indices if i not in outcomes])
    for outcome, index in zip(unmatched, left, strict=False):
        outcomes[index] = attrs.evolve(outcome, index=index)
    missing = ApiError(
        "HubSpot returned no result for this input",
        provider=PROVIDER,
        status_code=status,
        method=method,
        url=url,
    )
    for index in chunk.indices:
        if index not in outcomes:
            error = spare[0] if spare else missing
            outcomes[index] = BatchOutcome(index=index, error=error)
    return [outcomes[i] for i in chunk.indices]


@attrs.frozen(kw_only=True)
class Core:
    """
    The flows of the HubSpot API, for one base URL and API version.

    Args:
        paths: Where the APIs live.
        search_limits: Caps checked before a search is sent.
    """

    paths: Paths
    search_limits: SearchLimits = attrs.field(factory=SearchLimits)

    # -- errors and retries ------------------------------------------------

    @staticmethod
    def check(call: Call, response: httpx.Response) -> httpx.Response:
        """
        Return *response* if it succeeded, else raise its typed error.

        Raises:
            ApiError: The matching subclass for the status and body.
        """
        if response.status_code < HTTPStatus.BAD_REQUEST:
            return response
        raise error_from_response(
            response.status_code,
            response.content,
            response.headers,
            method=call.method,
            url=call.path,
        )

    @staticmethod
    def retry_delay(
        call: Call, state: RetryState, error: ApiError | TransportError
    ) -> float | None:
        """
        Return how long to wait before retrying *call*, or ``None``.

        Reads and idempotent writes are retried on transport errors, 429 and
        5xx. A plain create is retried only on 429: HubSpot refused it before
        doing anything, so a retry cannot create a twin; after a 5xx or a
        lost connection the create may have happened, so it is not repeated.
        """
        if isinstance(error, TransportError):
            return state.next_delay() if call.retryable else None
        limited = error.status_code == HTTPStatus.TOO_MANY_REQUESTS
        if limited and error.policy_name == "DAILY":
            return None
        if not call.retryable and not limited:
            return None
        return state.next_delay(
            status=error.status_code, retry_after=error.retry_after
        )

    @staticmethod
    def transport_error(
        call: Call, exc: httpx.TransportError
    ) -> TransportError:
        """Wrap an httpx transport error (the caller chains it)."""
        kind = type(exc).__name__
        return TransportError(
            f"HubSpot did not answer {call.method} {call.path}: {kind}",
            provider=PROVIDER,
            method=call.method,
            url=call.path,
        )

    # -- objects -----------------------------------------------------------

    @staticmethod
    def _read_params(
        properties: Sequence[str],
        associations: Sequence[str],
        *,
        archived: bool,
    ) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if properties:
            params.append(("properties", ",".join(properties)))
        if associations:
            params.append(("associations", ",".join(associations)))
        if archived:
            params.append(("archived", "true"))
        return params

    def get(
        self,
        object_type: str,
        object_id: str,
        *,
        properties: Sequence[str],
        associations: Sequence[str],
        id_property: str | None,
        archived: bool,
    ) -> Flow[None, HubSpotObject]:
        """Read one object by id (or by a unique property's value)."""
        params = self._read_params(properties, associations, archived=archived)
        if id_property is not None:
            params.append(("idProperty", id_property))
        response = yield Call(
            method="GET",
            path=self.paths.object(object_type, object_id),
            params=tuple(params),
        )
        return parse_object(_json(need(response)))

    def list(
        self,
        object_type: str,
        *,
        properties: Sequence[str],
        associations: Sequence[str],
        archived: bool,
        page_size: int,
    ) -> Flow[HubSpotObject, None]:
        """List objects lazily, one page per request."""
        if not 1 <= page_size <= LIST_PAGE_SIZE:
            msg = f"page_size must be 1..{LIST_PAGE_SIZE}, got {page_size}"
            raise ValueError(msg)
        base = self._read_params(properties, associations, archived=archived)
        base.append(("limit", str(page_size)))
        after: str | None = None
        while True:
            params = [*base, ("after", after)] if after else base
            response = yield Call(
                method="GET",
                path=self.paths.objects(object_type),
                params=tuple(params),
            )
            body = _json(need(response))
            yield Emit(
                tuple(parse_object(raw) for raw in body.get("results") or ())
            )
            after = _next_after(body)
            if after is None:
                return

    def search(
        self,
        object_type: str,
        groups: Sequence[FilterGroup],
        *,
        properties: Sequence[str],
        sorts: Sequence[Sort],
        query: str | None,
        page_size: int,
    ) -> Flow[HubSpotObject, None]:
        """Search lazily, walking past the 10,000-result cap."""
        walk = SearchWalk(
            groups,
            properties=properties,
            sorts=sorts,
            query=query,
            limits=self.search_limits,
            page_size=page_size,
        )
        while not walk.done:
            response = yield Call(
                method="POST",
                path=self.paths.search(object_type),
                json=walk.body(),
                kind=CallKind.SEARCH,
            )
            body = _json(need(response))
            objects = tuple(
                parse_object(raw) for raw in body.get("results") or ()
            )
            yield Emit(objects)
            walk.advance(body, objects[-1].id if objects else None)

    def create(
        self, object_type: str, new: NewObject
    ) -> Flow[None, HubSpotObject]:
        """Create one object (never retried but on 429)."""
        response = yield Call(
            method="POST",
            path=self.paths.objects(object_type),
            json=_new_object_json(new),
            kind=CallKind.CREATE,
        )
        return parse_object(_json(need(response)))

    def update(
        self,
        object_type: str,
        object_id: str,
        properties: Mapping[str, FieldValue],
        *,
        id_property: str | None,
    ) -> Flow[None, HubSpotObject]:
        """Update one object's properties (sparse: only those given)."""
        params = (("idProperty", id_property),) if id_property else ()
        response = yield Call(
            method="PATCH",
            path=self.paths.object(object_type, object_id),
            params=params,
            json={"properties": _encode_properties(properties)},
            kind=CallKind.WRITE,
        )
        return parse_object(_json(need(response)))

    def archive(self, object_type: str, object_id: str) -> Flow[None, None]:
        """Move one object to the recycling bin."""
        yield Call(
            method="DELETE",
            path=self.paths.object(object_type, object_id),
            kind=CallKind.WRITE,
        )

    # -- batches -----------------------------------------------------------

    def _batch(
        self,
        object_type: str,
        action: str,
        inputs: Sequence[dict[str, Any]],
        *,
        traced: bool,
        keys: Sequence[str | None],
        key_of: str | None,
        kind: CallKind,
        extra: Mapping[str, Any],
        params: tuple[tuple[str, str], ...] = (),
    ) -> Flow[None, BatchResult]:
        """
        Send *inputs* in chunks of 100; match each answer to its input.

        Args:
            object_type: The object type.
            action: ``read``, ``create``, ``update`` or ``upsert``.
            inputs: The JSON of each input.
            traced: Whether inputs carry ``objectWriteTraceId`` (their
                position), which HubSpot echoes on results and errors.
            keys: Each input's id or unique value, matched against the
                results' id (*key_of* ``"id"``) or that property.
            key_of: ``"id"``, a unique property name, or ``None``.
            kind: The calls' kind (decides retries).
            extra: Keys sent beside ``inputs`` (``properties``...).
            params: Query parameters (``archived``).
        """
        traces = [str(i) if traced else None for i in range(len(inputs))]
        outcomes: list[BatchOutcome] = []
        path = self.paths.batch(object_type, action)
        fatal: ApiError | None = None
        for indices in _chunks(len(inputs), BATCH_SIZE):
            chunk = _Chunk.of(indices, traces, keys)
            if fatal is not None:
                outcomes.extend(
                    BatchOutcome(index=i, error=fatal) for i in indices
                )
                continue
            call = Call(
                method="POST",
                path=path,
                params=params,
                json={"inputs": [inputs[i] for i in indices], **extra},
                kind=kind,
            )
            try:
                response = need((yield call))
            except (ApiError, TransportError) as exc:
                if isinstance(exc, _FATAL):
                    fatal = exc
                outcomes.extend(
                    BatchOutcome(index=i, error=exc) for i in indices
                )
                continue
            outcomes.extend(
                _match_outcomes(
                    chunk,
                    response.status_code,
                    _json(response),
                    key_of=key_of,
                    request=("POST", path),
                )
            )
        return BatchResult(tuple(outcomes))

    def batch_read(
        self,
        object_type: str,
        ids: Sequence[str],
        *,
        properties: Sequence[str],
        id_property: str | None,
        archived: bool,
    ) -> Flow[None, BatchResult]:
        """Read objects by id (or unique value), 100 per request."""
        extra: dict[str, Any] = {"properties": list(properties)}
        if id_property is not None:
            extra["idProperty"] = id_property
        # ``archived`` is a query parameter here, unlike the inputs.
        params = (("archived", "true"),) if archived else ()
        return (
            yield from self._batch(
                object_type,
                "read",
                [{"id": str(i)} for i in ids],
                traced=False,
                keys=[str(i) for i in ids],
                key_of=id_property or "id",
                kind=CallKind.READ,
                extra=extra,
                params=params,
            )
        )

    def batch_create(
        self, object_type: str, inputs: Sequence[NewObject]
    ) -> Flow[None, BatchResult]:
        """
        Create objects, 100 per request, each with its own trace id.

        The ``objectWriteTraceId`` (the input's position) makes HubSpot
        answer 207 with per-input errors instead of failing the batch.
        """
        bodies = [
            {**_new_object_json(new), "objectWriteTraceId": str(i)}
            for i, new in enumerate(inputs)
        ]
        return (
            yield from self._batch(
                object_type,
                "create",
                bodies,
                traced=True,
                keys=[None] * len(bodies),
                key_of=None,
                kind=CallKind.CREATE,
                extra={},
            )
        )

    def batch_update(
        self,
        object_type: str,
        updates: Sequence[tuple[str, Mapping[str, FieldValue]]],
        *,
        id_property: str | None,
    ) -> Flow[None, BatchResult]:
        """Update objects by id (or unique value), 100 per request."""
        bodies: list[dict[str, Any]] = []
        for i, (object_id, values) in enumerate(updates):
            body: dict[str, Any] = {
                "id": str(object_id),
                "properties": _encode_properties(values),
                "objectWriteTraceId": str(i),
            }
            if id_property is not None:
                body["idProperty"] = id_property
            bodies.append(body)
        return (
            yield from self._batch(
                object_type,
                "update",
                bodies,
                traced=True,
                keys=[str(object_id) for object_id, _ in updates],
                key_of=id_property or "id",
                kind=CallKind.WRITE,
                extra={},
            )
        )

    def batch_upsert(
        self,
        object_type: str,
        id_property: str,
        inputs: Sequence[tuple[str, Mapping[str, FieldValue]]],
    ) -> Flow[None, BatchResult]:
        """
        Create or update objects by a unique property, 100 per request.

        Idempotent by construction, hence retried like a read.
        """
        bodies = [
            {
                "id": str(value),
                "idProperty": id_property,
                "properties": {
                    **_encode_properties(props),
                    id_property: str(value),
                },
                "objectWriteTraceId": str(i),
            }
            for i, (value, props) in enumerate(inputs)
        ]
        return (
            yield from self._batch(
                object_type,
                "upsert",
                bodies,
                traced=True,
                keys=[str(value) for value, _ in inputs],
                key_of=id_property,
                kind=CallKind.WRITE,
                extra={},
            )
        )

    def batch_archive(
        self, object_type: str, ids: Sequence[str]
    ) -> Flow[None, None]:
        """Archive objects, 100 per request."""
        path = self.paths.batch(object_type, "archive")
        for indices in _chunks(len(ids), BATCH_SIZE):
            yield Call(
                method="POST",
                path=path,
                json={"inputs": [{"id": str(ids[i])} for i in indices]},
                kind=CallKind.WRITE,
            )

    # -- associations ------------------------------------------------------

    def read_associations(
        self, from_type: str, to_type: str, ids: Sequence[str]
    ) -> Flow[None, dict[str, tuple[Association, ...]]]:
        """
        Read the associations of many objects, 1,000 per request.

        An object with more than one answer's worth (500) has the rest read
        page by page, so no link is silently dropped.
        """
        found: dict[str, list[Association]] = {str(i): [] for i in ids}
        path = self.paths.associations_batch(from_type, to_type, "read")
        for indices in _chunks(len(ids), ASSOCIATION_READ_SIZE):
            response = yield Call(
                method="POST",
                path=path,
                json={"inputs": [{"id": str(ids[i])} for i in indices]},
            )
            page, cursors = parse_association_results(_json(need(response)))
            for from_id, associations in page.items():
                found.setdefault(from_id, []).extend(associations)
            for from_id, cursor in cursors.items():
                after: str | None = cursor
                while after is not None:
                    response = yield Call(
                        method="GET",
                        path=self.paths.associations_of(
                            from_type, from_id, to_type
                        ),
                        params=(
                            ("after", after),
                            ("limit", str(ASSOCIATION_PAGE_SIZE)),
                        ),
                    )
                    body = _json(need(response))
                    found[from_id].extend(parse_targets(body.get("results")))
                    after = next_after(body)
        return {key: primary_first(value) for key, value in found.items()}

    def associate(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        types: Sequence[Any],
    ) -> Flow[None, None]:
        """Associate two objects with the given types (idempotent)."""
        yield Call(
            method="PUT",
            path=self.paths.association(from_type, from_id, to_type, to_id),
            json=[association_json(spec) for spec in types],
            kind=CallKind.WRITE,
        )

    def associate_many(
        self,
        from_type: str,
        to_type: str,
        links: Sequence[tuple[str, Association]],
    ) -> Flow[None, None]:
        """Create many associations, 100 per request (idempotent)."""
        path = self.paths.associations_batch(from_type, to_type, "create")
        for indices in _chunks(len(links), BATCH_SIZE):
            inputs = [
                {
                    "from": {"id": str(links[i][0])},
                    "to": {"id": links[i][1].to_id},
                    "types": [association_json(s) for s in links[i][1].types],
                }
                for i in indices
            ]
            response = yield Call(
                method="POST",
                path=path,
                json={"inputs": inputs},
                kind=CallKind.WRITE,
            )
            body = _json(need(response))
            for item in body.get("errors") or ():
                if isinstance(item, Mapping):
                    raise error_from_body(
                        need(response).status_code,
                        item,
                        method="POST",
                        url=path,
                    )

    def primary_company(self, contact_id: str) -> Flow[None, str | None]:
        """Return the id of a contact's primary company, if it has one."""
        found = yield from self.read_associations(
            "contacts", "companies", [contact_id]
        )
        for association in found.get(str(contact_id), ()):
            if any(
                spec.type_id
                == AssociationTypes.CONTACT_TO_COMPANY_PRIMARY.type_id
                for spec in association.types
            ):
                return association.to_id
        return None

    # -- properties --------------------------------------------------------

    def list_properties(
        self, object_type: str, *, archived: bool
    ) -> Flow[None, tuple[PropertyDefinition, ...]]:
        """List the property definitions of an object type."""
        params = (("archived", "true"),) if archived else ()
        response = yield Call(
            method="GET",
            path=self.paths.properties(object_type),
            params=params,
        )
        return tuple(
            structure_property(raw)
            for raw in _json(need(response)).get("results") or ()
        )

    def get_property(
        self, object_type: str, name: str
    ) -> Flow[None, PropertyDefinition]:
        """Read one property definition."""
        response = yield Call(
            method="GET", path=self.paths.property(object_type, name)
        )
        return structure_property(_json(need(response)))

    def list_property_groups(
        self, object_type: str
    ) -> Flow[None, tuple[PropertyGroup, ...]]:
        """List the property groups of an object type."""
        response = yield Call(
            method="GET", path=self.paths.property_groups(object_type)
        )
        return tuple(
            structure_group(raw)
            for raw in _json(need(response)).get("results") or ()
        )

    def create_property(
        self, object_type: str, prop: NewProperty
    ) -> Flow[None, PropertyDefinition]:
        """Create a property definition."""
        response = yield Call(
            method="POST",
            path=self.paths.properties(object_type),
            json=unstructure_new_property(prop),
            kind=CallKind.CREATE,
        )
        return structure_property(_json(need(response)))

    def ensure_property(
        self, object_type: str, prop: NewProperty
    ) -> Flow[None, PropertyDefinition]:
        """
        Return the property named like *prop*, creating it if missing.

        Safe to run from two processes at once: a 409 from a create that
        lost the race is answered by reading the winner's definition.
        """
        try:
            return (yield from self.get_property(object_type, prop.name))
        except NotFoundError:
            pass
        try:
            return (yield from self.create_property(object_type, prop))
        except ConflictError:
            return (yield from self.get_property(object_type, prop.name))


def _next_after(body: Mapping[str, Any]) -> str | None:
    paging = body.get("paging")
    if isinstance(paging, Mapping):
        nxt = paging.get("next")
        if isinstance(nxt, Mapping) and nxt.get("after") is not None:
            return str(nxt["after"])
    return None


def _new_object_json(new: NewObject) -> dict[str, Any]:
    body: dict[str, Any] = {"properties": _encode_properties(new.properties)}
    if new.associations:
        body["associations"] = [
            {
                "to": {"id": association.to_id},
                "types": [association_json(s) for s in association.types],
            }
            for association in new.associations
        ]
    return body
