"""
The bodies of QBO writes: create, sparse update, deactivate, delete, void.

Only what the caller set is sent; read-only bookkeeping (``MetaData``,
``domain``) is left out, and updates are always sparse so QBO never clears
a field hsqbo did not mean to touch.
"""

from __future__ import annotations

from typing import Any, Final

from hsqbo._unset import UNSET
from hsqbo.qbo._models import Entity, unstructure


__all__ = [
    "create_body",
    "deactivate_body",
    "delete_body",
    "update_body",
]

_READ_ONLY: Final = frozenset({"MetaData", "domain", "sparse", "status"})


def _identity(entity: Entity) -> dict[str, Any]:
    if entity.id is UNSET or entity.sync_token is UNSET:
        msg = (
            f"this {entity.ENTITY} needs its Id and SyncToken; "
            "read it from QBO first"
        )
        raise ValueError(msg)
    return {"Id": entity.id, "SyncToken": entity.sync_token}


def create_body(entity: Entity) -> dict[str, Any]:
    """Return the body that creates *entity*."""
    if entity.id is not UNSET:
        msg = f"this {entity.ENTITY} already has an Id; update it instead"
        raise ValueError(msg)
    return {
        key: value
        for key, value in unstructure(entity).items()
        if key not in _READ_ONLY and key != "SyncToken"
    }


def update_body(
    entity: Entity, *, base: Entity | None = None
) -> dict[str, Any]:
    """
    Return a sparse update of *entity*.

    Without *base*, every field set on *entity* is sent; with it, only the
    top-level fields whose value differs from *base*'s.
    """
    body = _identity(entity)
    wire = unstructure(entity)
    old = {} if base is None else unstructure(base)
    for key, value in wire.items():
        if key in _READ_ONLY or key in body:
            continue
        if base is not None and key in old and old[key] == value:
            continue
        body[key] = value
    body["sparse"] = True
    return body


def deactivate_body(entity: Entity) -> dict[str, Any]:
    """Return the sparse update that makes a customer or item inactive."""
    if not entity.NAME_LIST:
        msg = f"a {entity.ENTITY} cannot be deactivated"
        raise TypeError(msg)
    return {**_identity(entity), "sparse": True, "Active": False}


def delete_body(entity: Entity) -> dict[str, Any]:
    """Return the body of a delete or a void: the id and SyncToken."""
    return _identity(entity)
