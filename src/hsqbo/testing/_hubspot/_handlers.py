"""
HTTP routing of the fake: HubSpot's paths, both styles, to the portal.

Every route exists in the legacy form and in the date-versioned form that
``hubspot-sdk`` uses (any ``YYYY-MM`` version is accepted):

* ``/crm/v3/objects/{type}/...`` and ``/crm/objects/2026-03/{type}/...``;
* ``/crm/v4/objects/{type}/{id}/associations/...`` and
  ``/crm/objects/2026-03/{type}/{id}/associations/...``;
* ``/crm/v4/associations/{from}/{to}/...`` and
  ``/crm/associations/2026-03/{from}/{to}/...``;
* ``/crm/v3/properties/{type}/...`` and ``/crm/properties/2026-03/...``;
* ``/oauth/v1/token`` (also ``/oauth/v3/token``, ``/oauth/2026-03/token``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import httpx

from hsqbo._clock import Clock
from hsqbo.testing._hubspot._associations import (
    CATEGORIES,
    AssociationStore,
    AssociationType,
)
from hsqbo.testing._hubspot._errors import (
    ApiFailure,
    ErrorDetail,
    error_body,
    not_found,
    validation,
)
from hsqbo.testing._hubspot._objects import ObjectStore, StoredObject
from hsqbo.testing._hubspot._properties import (
    OBJECT_TYPES,
    FakeHubSpotProperty,
    FakeHubSpotPropertyOption,
    PropertyGroup,
    check_definitions,
    format_datetime,
    object_type,
)
from hsqbo.testing._hubspot._search import search


__all__ = ["BATCH_LIMIT", "Answer", "Api", "Route", "is_search", "match_route"]

BATCH_LIMIT = 100
ASSOCIATION_READ_LIMIT = 1000
ASSOCIATION_WRITE_LIMIT = 2000
LIST_LIMIT = 100
HISTORY_LIST_LIMIT = 50
ASSOCIATION_LIST_LIMIT = 500

JsonObject = dict[str, Any]

_V = r"\d{4}-\d{2}"
_SEG = r"[^/]+"
_OBJ = rf"/crm/(?:v3/objects|objects/{_V})"
_AOBJ = rf"/crm/(?:v4/objects|objects/{_V})"
_ASSOC = rf"/crm/(?:v4/associations|associations/{_V})"
_PROPS = rf"/crm/(?:v3/properties|properties/{_V})"


@attrs.frozen
class Answer:
    """A status and a JSON body (None for an empty answer)."""

    status: int
    body: Any = None


@attrs.frozen
class Route:
    """A matched route: its handler name and the path parameters."""

    name: str
    params: Mapping[str, str]


_ROUTES: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...] = tuple(
    (name, re.compile(f"^{pattern}$"), frozenset(methods.split()))
    for name, pattern, methods in (
        ("oauth_token", rf"/oauth/(?:v1|v3|{_V})/token", "POST"),
        ("search", rf"{_OBJ}/(?P<type>{_SEG})/search", "POST"),
        (
            "batch",
            (
                rf"{_OBJ}/(?P<type>{_SEG})/batch/"
                r"(?P<op>read|create|update|upsert|archive)"
            ),
            "POST",
        ),
        ("collection", rf"{_OBJ}/(?P<type>{_SEG})", "GET POST"),
        (
            "item",
            rf"{_OBJ}/(?P<type>{_SEG})/(?P<id>{_SEG})",
            "GET PATCH DELETE",
        ),
        (
            "association_default",
            (
                rf"{_AOBJ}/(?P<type>{_SEG})/(?P<id>{_SEG})/associations/default/"
                rf"(?P<to>{_SEG})/(?P<to_id>{_SEG})"
            ),
            "PUT",
        ),
        (
            "association_pair",
            (
                rf"{_AOBJ}/(?P<type>{_SEG})/(?P<id>{_SEG})/associations/"
                rf"(?P<to>{_SEG})/(?P<to_id>{_SEG})"
            ),
            "PUT DELETE",
        ),
        (
            "association_list",
            (
                rf"{_AOBJ}/(?P<type>{_SEG})/(?P<id>{_SEG})/associations/"
                rf"(?P<to>{_SEG})"
            ),
            "GET",
        ),
        (
            "association_batch",
            (
                rf"{_ASSOC}/(?P<type>{_SEG})/(?P<to>{_SEG})/batch/"
                r"(?P<op>read|create|archive|associate/default|labels/archive)"
            ),
            "POST",
        ),
        (
            "association_labels",
            rf"{_ASSOC}/(?P<type>{_SEG})/(?P<to>{_SEG})/labels",
            "GET POST",
        ),
        ("property_groups", rf"{_PROPS}/(?P<type>{_SEG})/groups", "GET POST"),
        (
            "property_group",
            rf"{_PROPS}/(?P<type>{_SEG})/groups/(?P<name>{_SEG})",
            "GET",
        ),
        (
            "property_batch",
            rf"{_PROPS}/(?P<type>{_SEG})/batch/(?P<op>read|create)",
            "POST",
        ),
        ("properties", rf"{_PROPS}/(?P<type>{_SEG})", "GET POST"),
        (
            "property",
            rf"{_PROPS}/(?P<type>{_SEG})/(?P<name>{_SEG})",
            "GET PATCH DELETE",
        ),
    )
)


def match_route(method: str, path: str) -> Route:
    """Find the route for *method* and *path*; 404 or 405 if none."""
    path = path.rstrip("/") or "/"
    allowed = False
    for name, pattern, methods in _ROUTES:
        found = pattern.match(path)
        if found is None:
            continue
        if method in methods:
            return Route(name=name, params=found.groupdict())
        allowed = True
    if allowed:
        raise ApiFailure(
            405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on {path}"
        )
    raise ApiFailure(
        404, "OBJECT_NOT_FOUND", f"Unable to find route: {method} {path}"
    )


def is_search(route: Route) -> bool:
    """Tell whether *route* counts against the search limit."""
    return route.name == "search"


# -- request helpers ----------------------------------------------------------


def _list_param(params: httpx.QueryParams, name: str) -> list[str] | None:
    raw = params.get_list(name)
    if not raw:
        return None
    return [item for value in raw for item in value.split(",") if item]


def _bool_param(params: httpx.QueryParams, name: str) -> bool:
    value = str(params.get(name, "false")).lower()
    if value not in {"true", "false"}:
        raise validation(f"{name} must be true or false, got {value!r}")
    return value == "true"


def _int_param(
    params: httpx.QueryParams, name: str, default: int, maximum: int
) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation(f"{name} must be an integer, got {raw!r}") from None
    if not 1 <= value <= maximum:
        raise validation(
            f"{name} must be between 1 and {maximum}, got {value}"
        )
    return value


def _object(body: object, what: str = "request body") -> JsonObject:
    if not isinstance(body, dict):
        raise validation(f"The {what} must be a JSON object.")
    return body


def _inputs(body: object, limit: int = BATCH_LIMIT) -> list[JsonObject]:
    inputs = _object(body).get("inputs")
    if not isinstance(inputs, list):
        raise validation("The request body needs an 'inputs' list.")
    if len(inputs) > limit:
        raise validation(
            f"Batch input limit exceeded: {len(inputs)} inputs; the limit "
            f"is {limit}.",
        )
    return [_object(item, "input") for item in inputs]


def _properties_of(item: Mapping[str, Any]) -> Mapping[str, object]:
    properties = item.get("properties", {})
    if not isinstance(properties, dict):
        raise validation("'properties' must be an object.")
    return properties


def _written(stored: StoredObject, values: Iterable[str]) -> list[str]:
    """Name what a write answer shows: the defaults and what was written."""
    defaults = OBJECT_TYPES[stored.object_type].default_properties
    return [*defaults, *(name for name in values if name not in defaults)]


def _ref_id(raw: object) -> str:
    """Read the id of an ``{"id": ...}`` reference."""
    object_id = _object(raw, "object reference").get("id")
    if object_id is None or object_id == "":
        raise validation("An object reference needs an 'id'.")
    return str(object_id)


def _wire_singular(type_name: str) -> str:
    return (
        type_name[:-3] + "y" if type_name.endswith("ies") else type_name[:-1]
    )


class Api:
    """The endpoints, over the portal's state (the caller holds its lock)."""

    def __init__(
        self,
        store: ObjectStore,
        associations: AssociationStore,
        clock: Clock,
        token_endpoint: Callable[[Mapping[str, str]], JsonObject],
    ) -> None:
        self.store = store
        self.associations = associations
        self._clock = clock
        self._token_endpoint = token_endpoint
        self._created = format_datetime(clock.now())

    def call(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        """Run the endpoint of *route*."""
        handler: Callable[[Route, httpx.Request, object], Answer] = getattr(
            self, f"_{route.name}"
        )
        return handler(route, request, body)

    # -- helpers ------------------------------------------------------------

    def _stamps(self) -> JsonObject:
        now = format_datetime(self._clock.now())
        return {"startedAt": now, "completedAt": now, "requestedAt": now}

    def _require(
        self,
        type_name: str,
        object_id: str,
        *,
        id_property: str | None = None,
        archived: bool = False,
    ) -> StoredObject:
        stored = self.store.find(
            type_name, object_id, id_property=id_property, archived=archived
        )
        if stored is None:
            raise not_found(type_name, object_id)
        return stored

    def _render(
        self,
        stored: StoredObject,
        properties: Sequence[str] | None,
        *,
        associations: Sequence[str] | None = None,
        with_history: Sequence[str] | None = None,
    ) -> JsonObject:
        body = stored.to_json(properties)
        if with_history:
            body["propertiesWithHistory"] = {
                name: [
                    {
                        "value": stored.properties[name],
                        "timestamp": format_datetime(stored.updated_at),
                        "sourceType": "API",
                    }
                ]
                for name in with_history
                if name in stored.properties
            }
        if associations:
            block: JsonObject = {}
            for to_alias in associations:
                try:
                    to_type = object_type(to_alias).name
                except ApiFailure:
                    continue  # unknown types are ignored, as documented
                results = self._associated_ids(stored, to_type)
                if results:
                    block[to_alias] = {"results": results}
            if block:
                body["associations"] = block
        return body

    def _associated_ids(
        self, stored: StoredObject, to_type: str
    ) -> list[JsonObject]:
        source = _wire_singular(stored.object_type)
        base = f"{source}_to_{_wire_singular(to_type)}"
        has_primary = any(
            t.primary
            for t in self.associations.types(stored.object_type, to_type)
        )
        results = []
        for link in self._live_links(stored.object_type, stored.id, to_type):
            for type_id in link.type_ids:
                kind = self.associations.type(
                    stored.object_type,
                    to_type,
                    type_id,
                    self._category(stored.object_type, to_type, type_id),
                )
                if kind.default:
                    name = f"{base}_unlabeled" if has_primary else base
                elif kind.primary or kind.label == "Primary":
                    name = base
                else:
                    name = (kind.label or base).lower().replace(" ", "_")
                results.append({"id": link.to_id, "type": name})
        return results

    def _category(self, from_type: str, to_type: str, type_id: int) -> str:
        for kind in self.associations.types(from_type, to_type):
            if kind.type_id == type_id:
                return kind.category
        raise validation(f"unknown association type {type_id}")

    def _live_links(
        self, from_type: str, from_id: str, to_type: str
    ) -> list[Any]:
        # Links to archived objects are hidden, and come back on restore.
        return [
            link
            for link in self.associations.links(from_type, from_id, to_type)
            if (target := self.store.by_id(to_type, link.to_id)) is not None
            and not target.archived
        ]

    # -- objects ------------------------------------------------------------

    def _collection(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        type_name = object_type(route.params["type"]).name
        if request.method == "POST":
            item = _object(body)
            values = self.store.validate(
                type_name, _properties_of(item), current=None
            )
            links = self._association_inputs(
                type_name, item.get("associations")
            )
            stored = self.store.insert(type_name, values)
            self._link_all(stored, links)
            return Answer(201, self._render(stored, _written(stored, values)))
        params = request.url.params
        with_history = _list_param(params, "propertiesWithHistory")
        # Property history makes pages smaller (hubspot-api.md §3.6).
        maximum = HISTORY_LIST_LIMIT if with_history else LIST_LIMIT
        limit = _int_param(params, "limit", 10, maximum)
        archived = _bool_param(params, "archived")
        after = params.get("after")
        everything = self.store.all(type_name, archived=archived)
        if after:
            try:
                start = int(after)
            except ValueError:
                raise validation(f"Invalid after cursor {after!r}") from None
            first = bisect.bisect_left(
                everything, start, key=lambda stored: int(stored.id)
            )
            everything = everything[first:]
        page = everything[:limit]
        properties = _list_param(params, "properties")
        associations = _list_param(params, "associations")
        answer: JsonObject = {
            "results": [
                self._render(
                    stored,
                    properties,
                    associations=associations,
                    with_history=with_history,
                )
                for stored in page
            ]
        }
        if len(everything) > limit:
            next_id = everything[limit].id
            answer["paging"] = {
                "next": {
                    "after": next_id,
                    "link": f"{request.url.path}?after={next_id}",
                }
            }
        return Answer(200, answer)

    def _item(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        type_name = object_type(route.params["type"]).name
        object_id = route.params["id"]
        params = request.url.params
        id_property = params.get("idProperty")
        if request.method == "DELETE":
            stored = self.store.find(
                type_name, object_id, id_property=id_property
            )
            if stored is not None:
                self.store.archive(stored)
            return Answer(204)
        if request.method == "PATCH":
            stored = self._require(
                type_name, object_id, id_property=id_property
            )
            values = self.store.validate(
                type_name, _properties_of(_object(body)), current=stored
            )
            self.store.apply(stored, values)
            return Answer(200, self._render(stored, _written(stored, values)))
        stored = self._require(
            type_name,
            object_id,
            id_property=id_property,
            archived=_bool_param(params, "archived"),
        )
        return Answer(
            200,
            self._render(
                stored,
                _list_param(params, "properties"),
                associations=_list_param(params, "associations"),
                with_history=_list_param(params, "propertiesWithHistory"),
            ),
        )

    def _search(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        del request
        type_name = object_type(route.params["type"]).name
        return Answer(200, search(self.store, type_name, _object(body)))

    # -- batch --------------------------------------------------------------

    def _batch(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        type_name = object_type(route.params["type"]).name
        op = route.params["op"]
        inputs = _inputs(body)
        if op == "read":
            return self._batch_read(type_name, request, _object(body), inputs)
        if op == "archive":
            for item in inputs:
                stored = self.store.find(type_name, str(item.get("id", "")))
                if stored is not None:
                    self.store.archive(stored)
            return Answer(204)
        return self._batch_write(type_name, op, inputs)

    def _batch_read(
        self,
        type_name: str,
        request: httpx.Request,
        body: JsonObject,
        inputs: list[JsonObject],
    ) -> Answer:
        id_property = body.get("idProperty")
        archived = _bool_param(request.url.params, "archived")
        properties = body.get("properties") or None
        with_history = body.get("propertiesWithHistory") or None
        results: list[JsonObject] = []
        missing: list[str] = []
        seen: set[str] = set()
        for item in inputs:
            wanted = str(item.get("id", ""))
            stored = self.store.find(
                type_name, wanted, id_property=id_property, archived=archived
            )
            if stored is None:
                missing.append(wanted)
            elif stored.id not in seen:
                seen.add(stored.id)
                results.append(
                    self._render(stored, properties, with_history=with_history)
                )
        answer: JsonObject = {"status": "COMPLETE", "results": results}
        answer.update(self._stamps())
        if not missing:
            return Answer(200, answer)
        singular = _wire_singular(type_name).upper()
        answer["numErrors"] = 1
        answer["errors"] = [
            error_body(
                "OBJECT_NOT_FOUND",
                f"Could not get some {singular} objects, they may be deleted "
                "or not exist. Check that ids are valid.",
                context={"ids": missing},
            )
        ]
        return Answer(207, answer)

    def _batch_write(
        self, type_name: str, op: str, inputs: list[JsonObject]
    ) -> Answer:
        # With an objectWriteTraceId on every input HubSpot reports failures
        # per input (207); otherwise one bad input fails the whole batch
        # (hubspot-api.md §3.8).
        partial = bool(inputs) and all(
            item.get("objectWriteTraceId") for item in inputs
        )
        ids = [str(item.get("id")) for item in inputs if op != "create"]
        if op == "update" and len(set(ids)) != len(ids):
            raise validation("Duplicate IDs found in batch input.")
        plans: list[Callable[[], JsonObject]] = []
        errors: list[JsonObject] = []
        pending: list[Mapping[str, str]] = []
        for item in inputs:
            try:
                plan, values = self._plan_write(type_name, op, item, pending)
            except ApiFailure as failure:
                if not partial:
                    raise
                errors.append(self._input_error(failure, item))
                continue
            pending.append(values)
            plans.append(plan)
        results = []
        for plan in plans:
            result = plan()
            results.append(result)
        answer: JsonObject = {"status": "COMPLETE", "results": results}
        answer.update(self._stamps())
        if errors:
            answer["numErrors"] = len(errors)
            answer["errors"] = errors
            return Answer(207, answer)
        return Answer(201 if op == "create" else 200, answer)

    def _input_error(
        self, failure: ApiFailure, item: JsonObject
    ) -> JsonObject:
        context = dict(failure.context)
        context["objectWriteTraceId"] = [str(item["objectWriteTraceId"])]
        if "id" in item:
            context.setdefault("ids", [str(item["id"])])
        return error_body(
            failure.category,
            failure.message,
            errors=failure.errors,
            context=context,
            sub_category=failure.sub_category,
        )

    def _plan_write(
        self,
        type_name: str,
        op: str,
        item: JsonObject,
        pending: Sequence[Mapping[str, str]],
    ) -> tuple[Callable[[], JsonObject], Mapping[str, str]]:
        """Validate one batch input; return how to apply it, and its values."""
        properties = _properties_of(item)
        trace = item.get("objectWriteTraceId")
        id_property = item.get("idProperty")
        shown = [*properties, *([str(id_property)] if id_property else [])]

        def finish(stored: StoredObject, *, new: bool | None) -> JsonObject:
            rendered = self._render(stored, _written(stored, shown))
            if new is not None:
                rendered["new"] = new
            if trace:
                rendered["objectWriteTraceId"] = trace
            return rendered

        if op == "create":
            links = self._association_inputs(
                type_name, item.get("associations")
            )
            return self._plan_create(
                type_name,
                properties,
                pending,
                links,
                lambda s: finish(s, new=None),
            )
        object_id = str(item.get("id", ""))
        if op == "upsert" and not id_property:
            raise validation("Upsert inputs need an idProperty.")
        existing = self.store.find(
            type_name, object_id, id_property=id_property
        )
        if existing is None and op == "upsert":
            with_key = {**properties, str(id_property): object_id}
            return self._plan_create(
                type_name, with_key, pending, [], lambda s: finish(s, new=True)
            )
        if existing is None:
            raise not_found(type_name, object_id)
        current = existing
        values = self.store.validate(
            type_name, properties, current=current, pending=pending
        )

        def update() -> JsonObject:
            self.store.apply(current, values)
            return finish(current, new=False if op == "upsert" else None)

        return update, values

    def _plan_create(
        self,
        type_name: str,
        properties: Mapping[str, object],
        pending: Sequence[Mapping[str, str]],
        links: Sequence[tuple[str, str, AssociationType]],
        finish: Callable[[StoredObject], JsonObject],
    ) -> tuple[Callable[[], JsonObject], Mapping[str, str]]:
        values = self.store.validate(
            type_name, properties, current=None, pending=pending
        )

        def create() -> JsonObject:
            stored = self.store.insert(type_name, values)
            self._link_all(stored, links)
            return finish(stored)

        return create, values

    # -- associations -------------------------------------------------------

    def _association_inputs(
        self, type_name: str, raw: object
    ) -> list[tuple[str, str, AssociationType]]:
        """Check ``associations`` of a create; return (to type, id, type)."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise validation("'associations' must be a list.")
        links = []
        for entry in raw:
            entry_obj = _object(entry, "association")
            to_id = str(
                _object(entry_obj.get("to"), "association 'to'").get("id")
            )
            types = entry_obj.get("types")
            if not isinstance(types, list) or not types:
                raise validation(
                    "An association needs a non-empty 'types' list."
                )
            for spec in types:
                kind = self._spec_type(type_name, None, _object(spec))
                target = self.store.by_id(kind.to_type, to_id)
                if target is None or target.archived:
                    raise validation(
                        f"Cannot associate to {kind.to_type} {to_id}: it does "
                        "not exist.",
                    )
                links.append((kind.to_type, to_id, kind))
        return links

    def _spec_type(
        self, from_type: str, to_type: str | None, spec: Mapping[str, Any]
    ) -> AssociationType:
        category = spec.get("associationCategory", spec.get("category"))
        type_id = spec.get("associationTypeId", spec.get("typeId"))
        if category not in CATEGORIES or not isinstance(type_id, int):
            raise validation(
                "An association type needs associationCategory (one of "
                f"{sorted(CATEGORIES)}) and an integer associationTypeId.",
            )
        targets = [to_type] if to_type else list(OBJECT_TYPES)
        for target in targets:
            for kind in self.associations.types(from_type, target):
                if kind.type_id == type_id and kind.category == category:
                    return kind
        return self.associations.type(
            from_type, to_type or "?", type_id, category
        )

    def _link_all(
        self,
        stored: StoredObject,
        links: Sequence[tuple[str, str, AssociationType]],
    ) -> None:
        for to_type, to_id, kind in links:
            self.link(stored.object_type, stored.id, to_type, to_id, kind)

    def link(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        kind: AssociationType,
    ) -> None:
        """Associate two objects and keep derived properties in step."""
        self.associations.add(from_type, from_id, to_type, to_id, kind)
        self._sync_primary_company(from_type, from_id, to_type, to_id)

    def unlink(
        self,
        from_type: str,
        from_id: str,
        to_type: str,
        to_id: str,
        type_ids: Sequence[int] | None = None,
    ) -> None:
        """Remove association types between two objects."""
        self.associations.remove(from_type, from_id, to_type, to_id, type_ids)
        self._sync_primary_company(from_type, from_id, to_type, to_id)

    def _sync_primary_company(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> None:
        # Contacts expose their primary company as associatedcompanyid.
        pair = {from_type: from_id, to_type: to_id}
        if set(pair) != {"contacts", "companies"}:
            return
        contact = self.store.by_id("contacts", pair["contacts"])
        if contact is None:
            return
        primary = next(
            (
                link.to_id
                for link in self.associations.links(
                    "contacts", contact.id, "companies"
                )
                if 1 in link.type_ids
            ),
            "",
        )
        self.store.set_system(contact, "associatedcompanyid", primary)

    def _endpoints(self, route: Route) -> tuple[str, str]:
        return object_type(route.params["type"]).name, object_type(
            route.params["to"]
        ).name

    def _existing(self, type_name: str, object_id: str) -> StoredObject:
        stored = self.store.by_id(type_name, object_id)
        if stored is None or stored.archived:
            raise not_found(type_name, object_id)
        return stored

    def _pair(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> JsonObject:
        labels = [
            label
            for link in self.associations.links(from_type, from_id, to_type)
            if link.to_id == to_id
            for label in link.labels
        ]
        return {
            "fromObjectTypeId": OBJECT_TYPES[from_type].type_id,
            "fromObjectId": from_id,
            "toObjectTypeId": OBJECT_TYPES[to_type].type_id,
            "toObjectId": to_id,
            "labels": labels,
        }

    def _default_results(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> list[JsonObject]:
        kind = self.associations.default_type(from_type, to_type)
        return [
            {
                "from": {"id": from_id},
                "to": {"id": to_id},
                "associationSpec": {
                    "associationCategory": kind.category,
                    "associationTypeId": kind.type_id,
                },
            },
            {
                "from": {"id": to_id},
                "to": {"id": from_id},
                "associationSpec": {
                    "associationCategory": kind.category,
                    "associationTypeId": kind.inverse_id,
                },
            },
        ]

    def _association_default(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        del request, body
        from_type, to_type = self._endpoints(route)
        from_id, to_id = route.params["id"], route.params["to_id"]
        self._existing(from_type, from_id)
        self._existing(to_type, to_id)
        kind = self.associations.default_type(from_type, to_type)
        self.link(from_type, from_id, to_type, to_id, kind)
        answer: JsonObject = {
            "status": "COMPLETE",
            "results": self._default_results(
                from_type, from_id, to_type, to_id
            ),
        }
        answer.update(self._stamps())
        return Answer(200, answer)

    def _association_pair(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        from_type, to_type = self._endpoints(route)
        from_id, to_id = route.params["id"], route.params["to_id"]
        if request.method == "DELETE":
            self.unlink(from_type, from_id, to_type, to_id)
            return Answer(204)
        if not isinstance(body, list) or not body:
            raise validation(
                "a request body was expected: a list of association types"
            )
        self._existing(from_type, from_id)
        self._existing(to_type, to_id)
        kinds = [self._spec_type(from_type, to_type, _object(s)) for s in body]
        for kind in kinds:
            self.link(from_type, from_id, to_type, to_id, kind)
        return Answer(201, self._pair(from_type, from_id, to_type, to_id))

    def _association_list(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        del body
        from_type, to_type = self._endpoints(route)
        self._existing(from_type, route.params["id"])
        params = request.url.params
        limit = _int_param(
            params, "limit", ASSOCIATION_LIST_LIMIT, ASSOCIATION_LIST_LIMIT
        )
        links = self._live_links(from_type, route.params["id"], to_type)
        start = int(params.get("after") or 0)
        page = links[start : start + limit]
        answer: JsonObject = {
            "results": [
                self._multi(from_type, to_type, link.to_id, link.type_ids)
                for link in page
            ]
        }
        if start + limit < len(links):
            answer["paging"] = {"next": {"after": str(start + limit)}}
        return Answer(200, answer)

    def _multi(
        self, from_type: str, to_type: str, to_id: str, type_ids: Sequence[int]
    ) -> JsonObject:
        return {
            "toObjectId": to_id,
            "associationTypes": [
                self.associations.spec(from_type, to_type, type_id)
                for type_id in type_ids
            ],
        }

    def _association_batch(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        del request
        from_type, to_type = self._endpoints(route)
        op = route.params["op"]
        if op == "read":
            return self._association_read(
                from_type, to_type, _inputs(body, ASSOCIATION_READ_LIMIT)
            )
        inputs = _inputs(body, ASSOCIATION_WRITE_LIMIT)
        if op == "archive":
            self._association_archive(from_type, to_type, inputs)
            return Answer(204)
        if op == "labels/archive":
            self._association_labels_archive(from_type, to_type, inputs)
            return Answer(204)
        results: list[JsonObject] = []
        for item in inputs:
            from_id = _ref_id(item.get("from"))
            to_id = _ref_id(item.get("to"))
            self._existing(from_type, from_id)
            self._existing(to_type, to_id)
            if op == "associate/default":
                kind = self.associations.default_type(from_type, to_type)
                self.link(from_type, from_id, to_type, to_id, kind)
                results.extend(
                    self._default_results(from_type, from_id, to_type, to_id)
                )
                continue
            for kind in self._spec_types(from_type, to_type, item):
                self.link(from_type, from_id, to_type, to_id, kind)
            results.append(self._pair(from_type, from_id, to_type, to_id))
        answer: JsonObject = {"status": "COMPLETE", "results": results}
        answer.update(self._stamps())
        return Answer(201 if op == "create" else 200, answer)

    def _spec_types(
        self, from_type: str, to_type: str, item: Mapping[str, Any]
    ) -> list[AssociationType]:
        specs = item.get("types")
        if not isinstance(specs, list) or not specs:
            raise validation("Each input needs a non-empty 'types' list.")
        return [
            self._spec_type(from_type, to_type, _object(spec))
            for spec in specs
        ]

    def _association_archive(
        self, from_type: str, to_type: str, inputs: list[JsonObject]
    ) -> None:
        for item in inputs:
            from_id = _ref_id(item.get("from"))
            targets = item.get("to")
            if not isinstance(targets, list):
                raise validation("Each input needs a 'to' list.")
            for target in targets:
                self.unlink(from_type, from_id, to_type, _ref_id(target))

    def _association_labels_archive(
        self, from_type: str, to_type: str, inputs: list[JsonObject]
    ) -> None:
        for item in inputs:
            kinds = self._spec_types(from_type, to_type, item)
            self.unlink(
                from_type,
                _ref_id(item.get("from")),
                to_type,
                _ref_id(item.get("to")),
                [kind.type_id for kind in kinds],
            )

    def _association_read(
        self, from_type: str, to_type: str, inputs: list[JsonObject]
    ) -> Answer:
        results: list[JsonObject] = []
        errors: list[JsonObject] = []
        for item in inputs:
            from_id = str(item.get("id", ""))
            links = self._live_links(from_type, from_id, to_type)
            if not links:
                errors.append(
                    error_body(
                        "OBJECT_NOT_FOUND",
                        f"No {_wire_singular(to_type)} is associated with "
                        f"{_wire_singular(from_type)} {from_id}.",
                        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                        context={"fromObjectId": [from_id]},
                    )
                )
                continue
            results.append(
                {
                    "from": {"id": from_id},
                    "to": [
                        self._multi(
                            from_type, to_type, link.to_id, link.type_ids
                        )
                        for link in links
                    ],
                }
            )
        answer: JsonObject = {"status": "COMPLETE", "results": results}
        answer.update(self._stamps())
        if errors:
            answer["numErrors"] = len(errors)
            answer["errors"] = errors
            return Answer(207, answer)
        return Answer(200, answer)

    def _association_labels(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        from_type, to_type = self._endpoints(route)
        if request.method == "POST":
            label = _object(body).get("label")
            if not isinstance(label, str) or not label:
                raise validation("A label needs a non-empty 'label'.")
            self.associations.define_label(from_type, to_type, label)
        return Answer(
            200 if request.method == "GET" else 201,
            {
                "results": [
                    self.associations.spec(from_type, to_type, kind.type_id)
                    for kind in self.associations.types(from_type, to_type)
                ]
            },
        )

    # -- properties ---------------------------------------------------------

    def _property_json(self, definition: FakeHubSpotProperty) -> JsonObject:
        return definition.to_json(self._created)

    def _definition(self, type_name: str, name: str) -> FakeHubSpotProperty:
        definition = self.store.definitions(type_name).get(name)
        if definition is None:
            raise ApiFailure(
                404,
                "OBJECT_NOT_FOUND",
                f"Unable to find property with name '{name}' for object "
                f"type '{type_name}'",
            )
        return definition

    def parse_definition(self, raw: Mapping[str, Any]) -> FakeHubSpotProperty:
        """Build a definition from a properties API create body."""
        missing = [
            key
            for key in ("name", "label", "type", "fieldType", "groupName")
            if not raw.get(key)
        ]
        if missing:
            raise ApiFailure(
                400,
                "VALIDATION_ERROR",
                f"Missing required fields: {', '.join(missing)}",
                errors=[
                    ErrorDetail(
                        message=f"{key} is required",
                        code="REQUIRED_FIELD",
                        in_=key,
                    )
                    for key in missing
                ],
            )
        options = raw.get("options") or []
        definition = FakeHubSpotProperty(
            name=str(raw["name"]),
            type=str(raw["type"]),
            field_type=str(raw["fieldType"]),
            group=str(raw["groupName"]),
            label=str(raw["label"]),
            options=tuple(
                FakeHubSpotPropertyOption(
                    value=str(option.get("value")),
                    label=str(option.get("label", option.get("value"))),
                    display_order=int(option.get("displayOrder", index)),
                    hidden=bool(option.get("hidden", False)),
                )
                for index, option in enumerate(options)
                if isinstance(option, dict)
            ),
            unique=bool(raw.get("hasUniqueValue", False)),
            hubspot_defined=False,
        )
        check_definitions([definition])
        return definition

    def _properties(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        type_name = object_type(route.params["type"]).name
        if request.method == "POST":
            definition = self.parse_definition(_object(body))
            self.store.define(type_name, definition)
            return Answer(201, self._property_json(definition))
        return Answer(
            200,
            {
                "results": [
                    self._property_json(d)
                    for d in self.store.definitions(type_name).values()
                ]
            },
        )

    def _property(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        type_name = object_type(route.params["type"]).name
        definition = self._definition(type_name, route.params["name"])
        if request.method == "DELETE":
            if definition.hubspot_defined:
                raise validation(
                    f"{definition.name} is a HubSpot-defined property and "
                    "cannot be archived."
                )
            del self.store.definitions(type_name)[definition.name]
            return Answer(204)
        if request.method == "PATCH":
            changes = _object(body)
            if definition.hubspot_defined:
                raise validation(
                    f"{definition.name} is a HubSpot-defined property and "
                    "cannot be changed."
                )
            merged = {
                "name": definition.name,
                "label": changes.get("label", definition.label),
                "type": changes.get("type", definition.type),
                "fieldType": changes.get("fieldType", definition.field_type),
                "groupName": changes.get("groupName", definition.group),
                "hasUniqueValue": definition.unique,
                "options": changes.get(
                    "options", [o.to_json() for o in definition.options]
                ),
            }
            definition = self.parse_definition(merged)
            self.store.definitions(type_name)[definition.name] = definition
        return Answer(200, self._property_json(definition))

    def _property_batch(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        del request
        type_name = object_type(route.params["type"]).name
        inputs = _inputs(body)
        if route.params["op"] == "read":
            results = [
                self._property_json(d)
                for item in inputs
                if (
                    d := self.store.definitions(type_name).get(
                        str(item.get("name"))
                    )
                )
            ]
            status = 200
        else:
            definitions = [self.parse_definition(item) for item in inputs]
            for definition in definitions:
                self.store.define(type_name, definition)
            results = [self._property_json(d) for d in definitions]
            status = 201
        answer: JsonObject = {"status": "COMPLETE", "results": results}
        answer.update(self._stamps())
        return Answer(status, answer)

    def _property_groups(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        type_name = object_type(route.params["type"]).name
        groups = self.store.groups(type_name)
        if request.method == "POST":
            raw = _object(body)
            name, label = raw.get("name"), raw.get("label")
            if not isinstance(name, str) or not isinstance(label, str):
                raise validation("A property group needs 'name' and 'label'.")
            if name in groups:
                raise ApiFailure(
                    409,
                    "OBJECT_ALREADY_EXISTS",
                    f"Property group '{name}' already exists.",
                )
            group = PropertyGroup(
                name=name,
                label=label,
                display_order=int(raw.get("displayOrder", -1)),
            )
            groups[name] = group
            return Answer(201, group.to_json())
        return Answer(200, {"results": [g.to_json() for g in groups.values()]})

    def _property_group(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        del request, body
        type_name = object_type(route.params["type"]).name
        group = self.store.groups(type_name).get(route.params["name"])
        if group is None:
            raise ApiFailure(
                404,
                "OBJECT_NOT_FOUND",
                f"Unable to find property group '{route.params['name']}'",
            )
        return Answer(200, group.to_json())

    # -- oauth --------------------------------------------------------------

    def _oauth_token(
        self, route: Route, request: httpx.Request, body: object
    ) -> Answer:
        del route, request
        if not isinstance(body, dict):
            raise validation("The token endpoint takes a form-encoded body.")
        return Answer(200, self._token_endpoint(body))
