"""
The company's operations: the API's semantics, free of HTTP.

Create, read, update, delete, void, query, change data capture and batch.

Every operation either completes or raises a
:class:`~hsqbo.testing._qbo._errors.QboFault` before changing anything
the client can observe.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from hsqbo.testing._qbo import _errors, _query
from hsqbo.testing._qbo._entities import RULES, Options, Rules
from hsqbo.testing._qbo._store import ENTITIES, NAME_LISTS, Obj, Store, prune
from hsqbo.testing._qbo._wire import parse_datetime, wire_time


__all__ = [
    "CDC_MAX_OBJECTS",
    "CDC_WINDOW",
    "COMMON_READ_ONLY",
    "MAX_BATCH_ITEMS",
    "Company",
    "entity_named",
]

COMMON_READ_ONLY = frozenset(
    {"Id", "SyncToken", "MetaData", "domain", "sparse", "status", "time"}
)
MAX_BATCH_ITEMS = 30
CDC_WINDOW = dt.timedelta(days=30)
CDC_MAX_OBJECTS = 1000
_QUERYABLE = (*ENTITIES, "Preferences", "CompanyInfo")


def entity_named(name: str, known: Iterable[str] = ENTITIES) -> str | None:
    """Return the canonical entity name for *name* (any case), or None."""
    wanted = name.casefold()
    for entity in known:
        if entity.casefold() == wanted:
            return entity
    return None


class Company:
    """One fake QBO company: the operations of the API over a Store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- writes ----------------------------------------------------------

    @staticmethod
    def _writable(
        rules: Rules, body: Mapping[str, Any], *, creating: bool
    ) -> tuple[Obj, set[str]]:
        """Split *body* into the fields to write and the fields cleared."""
        data: Obj = {}
        cleared: set[str] = set()
        for key, value in body.items():
            if key in COMMON_READ_ONLY or key in rules.read_only:
                continue
            if not creating and key in rules.create_only:
                continue
            if value is None or value == "":
                cleared.add(key)
                continue
            data[key] = prune(copy.deepcopy(value))
        return data, cleared

    def create(
        self, entity: str, body: Mapping[str, Any], options: Options
    ) -> Obj:
        """Create an object from *body*; return it as stored."""
        store = self.store
        rules = RULES[entity]
        data, _ = self._writable(rules, body, creating=True)
        built = rules.build(store, data, None, options)
        object_id = store.new_id(entity)
        now = store.now()
        stamp = wire_time(now)
        stored: Obj = {
            "Id": object_id,
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            **built,
            "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
        }
        store.objects[entity][object_id] = stored
        store.changed_at[entity, object_id] = now
        rules.commit(store, None, stored)
        return stored

    def _current(self, entity: str, body: Mapping[str, Any]) -> Obj:
        """Return the object *body* names, checking its SyncToken."""
        object_id = body.get("Id")
        if object_id is None or object_id == "":
            raise _errors.required("Id")
        old = self.store.get(entity, object_id)
        if old is None:
            raise _errors.not_found(entity, str(object_id))
        token = body.get("SyncToken")
        if token is None or token == "":
            raise _errors.required("SyncToken")
        if str(token) != old["SyncToken"]:
            raise _errors.stale_object()
        return old

    def update(
        self,
        entity: str,
        body: Mapping[str, Any],
        options: Options,
        *,
        sparse: bool,
    ) -> Obj:
        """Apply a full or sparse update; return the object as stored."""
        store = self.store
        rules = RULES[entity]
        old = self._current(entity, body)
        data, cleared = self._writable(rules, body, creating=False)
        if sparse:
            merged = {
                key: copy.deepcopy(value)
                for key, value in old.items()
                if key not in COMMON_READ_ONLY and key not in rules.read_only
            }
            for key in cleared - rules.keep_on_clear:
                merged.pop(key, None)
            merged.update(data)
        else:
            # A full update clears every writable field left out, except
            # the ones QBO sets once on create.
            merged = data
            for key in rules.create_only & old.keys():
                merged[key] = copy.deepcopy(old[key])
        built = rules.build(store, merged, old, options)
        now = store.now()
        stored: Obj = {
            "Id": old["Id"],
            "SyncToken": str(int(old["SyncToken"]) + 1),
            "domain": "QBO",
            "sparse": False,
            **built,
            "MetaData": {
                **old["MetaData"],
                "LastUpdatedTime": wire_time(now),
            },
        }
        store.objects[entity][old["Id"]] = stored
        store.changed_at[entity, old["Id"]] = now
        rules.commit(store, old, stored)
        return stored

    def delete(self, entity: str, body: Mapping[str, Any]) -> Obj:
        """Delete a transaction; return QBO's ``status: Deleted`` stub."""
        store = self.store
        rules = RULES[entity]
        old = self._current(entity, body)
        rules.check_delete(store, old)
        del store.objects[entity][old["Id"]]
        store.changed_at.pop((entity, old["Id"]), None)
        store.tombstones[entity][old["Id"]] = store.now()
        rules.on_delete(store, old)
        return {"status": "Deleted", "domain": "QBO", "Id": old["Id"]}

    def void(
        self, entity: str, body: Mapping[str, Any], options: Options
    ) -> Obj:
        """Void a transaction: it stays, with its amounts set to zero."""
        store = self.store
        rules = RULES[entity]
        if entity == "Payment":
            voiding = Options(include=options.include | {"void"})
            return self.update(entity, body, voiding, sparse=True)
        old = self._current(entity, body)
        rules.void(store, old)
        try:
            return self.update(
                entity,
                {"Id": old["Id"], "SyncToken": old["SyncToken"]},
                options,
                sparse=True,
            )
        except _errors.QboFault:
            store.voided.discard((entity, old["Id"]))
            raise

    def write(
        self,
        entity: str,
        operation: str,
        body: Mapping[str, Any],
        options: Options,
    ) -> Obj:
        """Run one write as the HTTP API and batch items name it."""
        if operation == "delete":
            return self.delete(entity, body)
        if operation == "void":
            return self.void(entity, body, options)
        if operation == "update" and "void" in options.include:
            return self.void(entity, body, options)
        if operation not in {"create", "update"}:
            raise _errors.unsupported(
                f"Operation {operation} is not supported"
            )
        if operation == "create" and not body.get("Id"):
            return self.create(entity, body, options)
        if body.get("Id") in (None, ""):
            raise _errors.required("Id")
        return self.update(
            entity, body, options, sparse=body.get("sparse") is True
        )

    def update_preferences(self, body: Mapping[str, Any]) -> Obj:
        """Update Preferences: each section sent replaces its fields."""
        store = self.store
        preferences = store.preferences
        token = body.get("SyncToken")
        if token is None or token == "":
            raise _errors.required("SyncToken")
        if str(token) != preferences["SyncToken"]:
            raise _errors.stale_object()
        for key, value in body.items():
            if key in COMMON_READ_ONLY:
                continue
            current = preferences.get(key)
            if isinstance(current, dict) and isinstance(value, dict):
                current.update(copy.deepcopy(value))
            else:
                preferences[key] = copy.deepcopy(value)
        preferences["SyncToken"] = str(int(preferences["SyncToken"]) + 1)
        preferences["MetaData"]["LastUpdatedTime"] = wire_time(store.now())
        return preferences

    # -- reads -----------------------------------------------------------

    def read(self, entity: str, object_id: str) -> Obj:
        """Return one object, or raise 610."""
        found = self.store.get(entity, object_id)
        if found is None:
            raise _errors.not_found(entity, object_id)
        return found

    def query(self, text: str) -> Obj:
        """Run a query; return the content of ``QueryResponse``."""
        parsed = _query.parse(text)
        entity = entity_named(parsed.entity, _QUERYABLE)
        if entity is None:
            raise _errors.query_parse(
                f"Invalid entity name: {parsed.entity}. Entity is not "
                "supported or does not exist"
            )
        records: Iterable[Obj]
        if entity == "Preferences":
            records = [self.store.preferences]
        elif entity == "CompanyInfo":
            records = [self.store.company_info]
        else:
            records = list(self.store.visible(entity))
            _query.check_properties(parsed, entity, records)
        conditions = list(parsed.where)
        if entity in NAME_LISTS and not any(
            c.field.casefold() == "active" for c in conditions
        ):
            conditions.append(
                _query.Condition(field="Active", operator="=", values=(True,))
            )
        selected = _query.select(records, conditions)
        if parsed.count:
            return {"totalCount": len(selected)}
        ordered = _query.order(selected, parsed.order_by)
        start = parsed.start_position
        page = ordered[start - 1 : start - 1 + parsed.max_results]
        if not page:
            return {}
        return {
            entity: page,
            "startPosition": start,
            "maxResults": len(page),
        }

    def cdc(self, entities: str | None, changed_since: str | None) -> Obj:
        """Return the ``CDCResponse`` list for the objects changed since."""
        store = self.store
        if not entities:
            raise _errors.required("entities")
        if not changed_since:
            raise _errors.required("changedSince")
        try:
            since = parse_datetime(changed_since)
        except ValueError:
            raise _errors.bad_request(
                f"Property Name:changedSince has an invalid value: "
                f"{changed_since}"
            ) from None
        if since < store.now() - CDC_WINDOW:
            raise _errors.business(
                "The changedSince value must be within the last 30 days.",
                element="changedSince",
            )
        names: list[str] = []
        for raw in entities.split(","):
            entity = entity_named(raw.strip())
            if entity is None:
                raise _errors.invalid_enum("entities", raw.strip())
            names.append(entity)
        groups: list[Obj] = []
        remaining = CDC_MAX_OBJECTS
        for entity in names:
            changed = sorted(
                (
                    obj
                    for obj in store.objects[entity].values()
                    if store.changed_at[entity, obj["Id"]] >= since
                ),
                key=lambda obj, e=entity: store.changed_at[e, obj["Id"]],  # type: ignore[misc]
            )
            deleted = [
                {
                    "domain": "QBO",
                    "status": "Deleted",
                    "Id": object_id,
                    "MetaData": {"LastUpdatedTime": wire_time(when)},
                }
                for object_id, when in sorted(
                    store.tombstones[entity].items(), key=lambda kv: kv[1]
                )
                if when >= since
            ]
            rows = [*changed, *deleted][:remaining]
            remaining -= len(rows)
            if rows:
                groups.append(
                    {
                        entity: rows,
                        "startPosition": 1,
                        "maxResults": len(rows),
                        "totalCount": len(rows),
                    }
                )
        return {"CDCResponse": [{"QueryResponse": groups or [{}]}]}

    # -- batch -----------------------------------------------------------

    def batch(self, body: object) -> Obj:
        """Run a batch: items in order, each blind to the others' creations."""
        store = self.store
        items = (
            body.get("BatchItemRequest") if isinstance(body, dict) else None
        )
        if not isinstance(items, list) or not items:
            raise _errors.required("BatchItemRequest")
        if len(items) > MAX_BATCH_ITEMS:
            raise _errors.business(
                f"The batch has {len(items)} items; at most "
                f"{MAX_BATCH_ITEMS} are allowed in one request.",
                element="BatchItemRequest",
            )
        created: set[tuple[str, str]] = set()
        responses: list[Obj] = []
        for item in items:
            response: Obj = {
                "bId": item.get("bId") if isinstance(item, dict) else None
            }
            store.hidden = frozenset(created)
            try:
                response.update(self._batch_item(item, created))
            except _errors.QboFault as fault:
                response["Fault"] = fault.fault_json()
            finally:
                store.hidden = frozenset()
            responses.append(response)
        return {"BatchItemResponse": responses}

    def _batch_item(self, item: object, created: set[tuple[str, str]]) -> Obj:
        if not isinstance(item, dict):
            raise _errors.bad_request(
                "Property Name:BatchItemRequest must hold objects"
            )
        if "Query" in item:
            return {
                "QueryResponse": copy.deepcopy(self.query(str(item["Query"])))
            }
        entities = [key for key in item if key in RULES]
        if len(entities) != 1 or not isinstance(item[entities[0]], dict):
            raise _errors.required("BatchItemRequest entity")
        entity = entities[0]
        operation = str(item.get("operation") or "create")
        include = _batch_options(item.get("optionsData"))
        result = self.write(
            entity, operation, item[entity], Options(include=include)
        )
        if operation == "create":
            created.add((entity, result["Id"]))
        return {entity: copy.deepcopy(result)}


def _batch_options(options: object) -> frozenset[str]:
    """Read a batch item's ``optionsData`` (a string or name/value pairs)."""
    if isinstance(options, str):
        return frozenset(o.strip() for o in options.split(",") if o.strip())
    found: set[str] = set()
    if isinstance(options, list):
        for option in options:
            if isinstance(option, dict):
                found.update(
                    v.strip()
                    for v in str(option.get("Value", "")).split(",")
                    if v.strip()
                )
    return frozenset(found)
