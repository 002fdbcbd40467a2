"""
CRM objects of the fake portal: storage, validation, timestamps.

Objects keep their property values as HubSpot's normalised strings. Every
write stamps ``updatedAt`` and ``hs_lastmodifieddate`` (and
``lastmodifieddate`` on contacts) from the injected clock; creates also
stamp ``createdAt``, ``createdate`` and ``hs_createdate`` and set
``hs_object_id``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from hsqbo._clock import Clock
from hsqbo.testing._hubspot._errors import ApiFailure
from hsqbo.testing._hubspot._properties import (
    OBJECT_TYPES,
    REQUIRED_ON_CREATE,
    FakeHubSpotProperty,
    PropertyGroup,
    PropertyProblem,
    default_groups,
    default_properties,
    format_datetime,
    normalize_value,
    object_type,
)


__all__ = ["FakeHubSpotObject", "ObjectStore", "StoredObject", "duplicate"]

_ALWAYS = (
    "hs_object_id",
    "createdate",
    "hs_createdate",
    "hs_lastmodifieddate",
    "lastmodifieddate",
)
_STAMPED_ON_CREATE = ("createdate", "hs_createdate")
_STAMPED_ON_WRITE = ("hs_lastmodifieddate", "lastmodifieddate")


@attrs.frozen
class FakeHubSpotObject:
    """
    A snapshot of one object in the fake portal.

    Args:
        object_type: ``contacts``, ``companies``, ``deals``, ``products``,
            ``line_items``, ``notes`` or ``invoices``.
        id: The object id (a numeric string).
        properties: Every stored value, as HubSpot's strings.
        created_at: ``createdAt``.
        updated_at: ``updatedAt``.
        archived: Whether it is in the recycling bin.
        archived_at: When it was archived.

    .. versionadded:: 0.1.0
    """

    object_type: str
    id: str
    properties: Mapping[str, str]
    created_at: dt.datetime
    updated_at: dt.datetime
    archived: bool = False
    archived_at: dt.datetime | None = None


@attrs.define
class StoredObject:
    """The mutable state of one object (private to the fake)."""

    object_type: str
    id: str
    properties: dict[str, str]
    created_at: dt.datetime
    updated_at: dt.datetime
    archived: bool = False
    archived_at: dt.datetime | None = None

    def snapshot(self) -> FakeHubSpotObject:
        """Return a frozen copy."""
        return FakeHubSpotObject(
            object_type=self.object_type,
            id=self.id,
            properties=dict(self.properties),
            created_at=self.created_at,
            updated_at=self.updated_at,
            archived=self.archived,
            archived_at=self.archived_at,
        )

    def to_json(self, requested: Sequence[str] | None) -> dict[str, Any]:
        """
        Render as ``SimplePublicObject``.

        With no *requested* properties, the type's defaults come back;
        ``hs_object_id`` and the create/modify stamps always do. Properties
        without a value are left out.
        """
        names = (
            OBJECT_TYPES[self.object_type].default_properties
            if requested is None
            else tuple(requested)
        )
        properties = {
            name: self.properties[name]
            for name in (*names, *_ALWAYS)
            if self.properties.get(name, "") != ""
        }
        body: dict[str, Any] = {
            "id": self.id,
            "properties": properties,
            "createdAt": format_datetime(self.created_at),
            "updatedAt": format_datetime(self.updated_at),
            "archived": self.archived,
        }
        if self.archived_at is not None:
            body["archivedAt"] = format_datetime(self.archived_at)
        return body


class ObjectStore:
    """Objects and property definitions of every object type."""

    def __init__(self, clock: Clock, ids: Iterator[int]) -> None:
        self._clock = clock
        self._ids = ids
        self._objects: dict[str, dict[str, StoredObject]] = {
            name: {} for name in OBJECT_TYPES
        }
        self._definitions: dict[str, dict[str, FakeHubSpotProperty]] = {
            name: {p.name: p for p in default_properties(name)}
            for name in OBJECT_TYPES
        }
        # Unique values of live objects, built on first use and kept in
        # step with every write, so uniqueness checks do not scan.
        self._indexes: dict[tuple[str, str], dict[str, str]] = {}
        self._groups: dict[str, dict[str, PropertyGroup]] = {
            name: {g.name: g for g in default_groups(name)}
            for name in OBJECT_TYPES
        }

    # -- definitions ------------------------------------------------------

    def definitions(self, type_name: str) -> dict[str, FakeHubSpotProperty]:
        """Return the live definitions of *type_name* by name."""
        return self._definitions[type_name]

    def groups(self, type_name: str) -> dict[str, PropertyGroup]:
        """Return the live property groups of *type_name* by name."""
        return self._groups[type_name]

    def define(self, type_name: str, definition: FakeHubSpotProperty) -> None:
        """Add a property; 409 if the name is taken, 400 if no such group."""
        definitions = self._definitions[type_name]
        if definition.name in definitions:
            raise ApiFailure(
                409,
                "OBJECT_ALREADY_EXISTS",
                f"Property named '{definition.name}' already exists.",
            )
        if definition.group not in self._groups[type_name]:
            raise ApiFailure(
                400,
                "VALIDATION_ERROR",
                f"Property group '{definition.group}' does not exist.",
            )
        definitions[definition.name] = definition
        self._indexes.pop((type_name, definition.name), None)

    # -- reads ------------------------------------------------------------

    def all(self, type_name: str, *, archived: bool) -> list[StoredObject]:
        """Return the objects (only archived ones with *archived*), by id."""
        # Ids come from one increasing counter and objects are never
        # re-inserted, so insertion order is id order.
        return [
            stored
            for stored in self._objects[type_name].values()
            if stored.archived == archived
        ]

    def by_id(self, type_name: str, object_id: str) -> StoredObject | None:
        """Return the object with *object_id*, archived or not."""
        return self._objects[type_name].get(object_id)

    def find(
        self,
        type_name: str,
        value: str,
        *,
        id_property: str | None = None,
        archived: bool = False,
    ) -> StoredObject | None:
        """Find by id, or by the value of a unique *id_property*."""
        if id_property in {None, "hs_object_id"}:
            stored = self.by_id(type_name, value)
            if stored is not None and stored.archived == archived:
                return stored
            return None
        assert id_property is not None  # noqa: S101 - narrowed above
        self._unique_definition(type_name, id_property)
        wanted = _unique_key(id_property, value)
        if not archived:
            found = self._index(type_name, id_property).get(wanted)
            return None if found is None else self.by_id(type_name, found)
        for stored in self._objects[type_name].values():
            if stored.archived != archived:
                continue
            current = stored.properties.get(id_property, "")
            if current and _unique_key(id_property, current) == wanted:
                return stored
        return None

    def _index(self, type_name: str, name: str) -> dict[str, str]:
        """Return (building it once) unique value → id of live objects."""
        index = self._indexes.get((type_name, name))
        if index is None:
            index = {}
            for stored in self._objects[type_name].values():
                value = stored.properties.get(name, "")
                if value and not stored.archived:
                    index.setdefault(_unique_key(name, value), stored.id)
            self._indexes[(type_name, name)] = index
        return index

    def _unindex(self, stored: StoredObject) -> None:
        for (type_name, name), index in self._indexes.items():
            value = stored.properties.get(name, "")
            if type_name == stored.object_type and value:
                key = _unique_key(name, value)
                if index.get(key) == stored.id:
                    del index[key]

    def _reindex(self, stored: StoredObject) -> None:
        if stored.archived:
            return
        for (type_name, name), index in self._indexes.items():
            value = stored.properties.get(name, "")
            if type_name == stored.object_type and value:
                index.setdefault(_unique_key(name, value), stored.id)

    def _unique_definition(
        self, type_name: str, id_property: str
    ) -> FakeHubSpotProperty:
        definition = self._definitions[type_name].get(id_property)
        if definition is None or not definition.unique:
            raise ApiFailure(
                400,
                "VALIDATION_ERROR",
                f"Property '{id_property}' is not a unique identifier "
                f"property of {type_name}; idProperty must name a property "
                "with unique values.",
            )
        return definition

    # -- writes -----------------------------------------------------------

    def validate(
        self,
        type_name: str,
        properties: Mapping[str, object],
        *,
        current: StoredObject | None,
        pending: Sequence[Mapping[str, str]] = (),
        system: bool = False,
    ) -> dict[str, str]:
        """
        Check *properties* for a create (*current* is None) or an update.

        *pending* are values of other inputs of the same batch, checked for
        unique collisions too. *system* lets seeding code write read-only
        properties.

        Returns:
            The normalised values (``""`` means clear).

        Raises:
            ApiFailure: 400 naming every bad property, or 409 on a duplicate
                unique value.
        """
        definitions = self._definitions[type_name]
        problems: list[PropertyProblem] = []
        values: dict[str, str] = {}
        for name, raw in properties.items():
            definition = definitions.get(name)
            if definition is None:
                problems.append(
                    PropertyProblem(
                        name,
                        "PROPERTY_DOESNT_EXIST",
                        f'Property "{name}" does not exist',
                    )
                )
                continue
            if definition.read_only and not system:
                problems.append(
                    PropertyProblem(
                        name,
                        "READ_ONLY_VALUE",
                        f'"{name}" is a read only property; its value '
                        "cannot be set.",
                    )
                )
                continue
            try:
                values[name] = normalize_value(definition, raw)
            except PropertyProblem as problem:
                problems.append(problem)
        if current is None:
            problems.extend(
                PropertyProblem(
                    name,
                    "REQUIRED_PROPERTY",
                    f'Property "{name}" is required',
                )
                for name in REQUIRED_ON_CREATE.get(type_name, ())
                if not values.get(name)
            )
        if problems:
            raise _invalid(problems)
        self._check_unique(type_name, values, current, pending)
        return values

    def _check_unique(
        self,
        type_name: str,
        values: Mapping[str, str],
        current: StoredObject | None,
        pending: Sequence[Mapping[str, str]],
    ) -> None:
        definitions = self._definitions[type_name]
        for name, value in values.items():
            if not value or not definitions[name].unique:
                continue
            existing = self.find(type_name, value, id_property=name)
            if existing is not None and existing is not current:
                raise duplicate(type_name, name, value, existing.id)
            key = _unique_key(name, value)
            if any(
                other.get(name) and _unique_key(name, other[name]) == key
                for other in pending
            ):
                raise duplicate(type_name, name, value, None)

    def insert(
        self,
        type_name: str,
        values: Mapping[str, str],
        *,
        created_at: dt.datetime | None = None,
    ) -> StoredObject:
        """Store a new object with already validated *values*."""
        now = self._clock.now()
        object_id = str(next(self._ids))
        properties = {k: v for k, v in values.items() if v != ""}
        created = created_at or now
        stored = StoredObject(
            object_type=type_name,
            id=object_id,
            properties=properties,
            created_at=created,
            updated_at=now,
        )
        stamp = format_datetime(created)
        definitions = self._definitions[type_name]
        for name in _STAMPED_ON_CREATE:
            if name in definitions and name not in properties:
                properties[name] = stamp
        properties["hs_object_id"] = object_id
        self._touch(stored, now)
        self._objects[type_name][object_id] = stored
        self._reindex(stored)
        return stored

    def apply(self, stored: StoredObject, values: Mapping[str, str]) -> None:
        """Write validated *values* to *stored* and stamp the change."""
        self._unindex(stored)
        for name, value in values.items():
            if value == "":
                stored.properties.pop(name, None)
            else:
                stored.properties[name] = value
        self._touch(stored, self._clock.now())
        self._reindex(stored)

    def _touch(self, stored: StoredObject, now: dt.datetime) -> None:
        stored.updated_at = now
        stamp = format_datetime(now)
        definitions = self._definitions[stored.object_type]
        for name in _STAMPED_ON_WRITE:
            if name in definitions:
                stored.properties[name] = stamp
        if stored.object_type == "line_items":
            _compute_amount(stored.properties)

    def archive(self, stored: StoredObject) -> None:
        """Move *stored* to the recycling bin."""
        if stored.archived:
            return
        now = self._clock.now()
        self._unindex(stored)
        stored.archived = True
        stored.archived_at = now
        stored.updated_at = now

    def set_system(self, stored: StoredObject, name: str, value: str) -> None:
        """Set a read-only property the portal maintains itself."""
        self._unindex(stored)
        if value:
            stored.properties[name] = value
        else:
            stored.properties.pop(name, None)
        self._reindex(stored)


def _compute_amount(properties: dict[str, str]) -> None:
    try:
        amount = decimal.Decimal(properties["quantity"]) * decimal.Decimal(
            properties["price"]
        )
    except (KeyError, decimal.InvalidOperation):
        properties.pop("amount", None)
        return
    properties["amount"] = format(amount.normalize(), "f") if amount else "0"


def _unique_key(name: str, value: str) -> str:
    # HubSpot treats e-mail addresses case-insensitively.
    return value.lower() if name == "email" else value


def _invalid(problems: Sequence[PropertyProblem]) -> ApiFailure:
    legacy = json.dumps([problem.legacy() for problem in problems])
    return ApiFailure(
        400,
        "VALIDATION_ERROR",
        f"Property values were not valid: {legacy}",
        errors=[problem.detail() for problem in problems],
    )


def duplicate(
    type_name: str, name: str, value: str, existing_id: str | None
) -> ApiFailure:
    """Return the 409 for a unique value that is already taken."""
    if existing_id is None:
        return ApiFailure(
            409,
            "CONFLICT",
            f"Duplicate value {value!r} for unique property {name!r} "
            "within the batch input.",
        )
    if type_name == "contacts" and name == "email":
        message = f"Contact already exists. Existing ID: {existing_id}"
    else:
        singular = object_type(type_name).singular.capitalize()
        message = (
            f"{singular} with {name} {value!r} already exists. "
            f"Existing ID: {existing_id}"
        )
    return ApiFailure(409, "CONFLICT", message)
