"""
Change data capture: what changed in a company since a moment.

QBO answers ``/cdc`` with full objects for changes and small
``status: Deleted`` markers for deleted transactions, at most 1000 objects
in all, for moments no older than 30 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from hsqbo._errors import ConfigError, ConfigProblem
from hsqbo._record import Record, Side
from hsqbo._unset import UNSET
from hsqbo.qbo._models import Entity, MetaData, structure
from hsqbo.qbo._records import to_record


__all__ = [
    "CDC_LIMIT",
    "CDC_WINDOW",
    "ChangeSet",
    "ChangeWindowError",
    "DeletedEntity",
    "check_window",
    "parse_cdc",
]

CDC_WINDOW: Final = dt.timedelta(days=30)
"""QBO answers CDC only for moments within the last 30 days."""
CDC_LIMIT: Final = 1000
"""QBO returns at most this many objects per CDC call, all entities
together."""


class ChangeWindowError(ConfigError):
    """
    A CDC window starts more than 30 days ago, which QBO cannot answer.

    Read the entities with a query (``MetaData.LastUpdatedTime >= ...``)
    instead, then use CDC from there.

    .. versionadded:: 0.1.0
    """


def check_window(changed_since: dt.datetime, *, now: dt.datetime) -> None:
    """
    Refuse a naive *changed_since* or one older than 30 days.

    Raises:
        ChangeWindowError: The window cannot be asked for.
    """
    if changed_since.tzinfo is None or changed_since.utcoffset() is None:
        raise ChangeWindowError(
            [
                ConfigProblem(
                    "changed_since",
                    "must be timezone-aware (QBO times carry an offset)",
                )
            ]
        )
    oldest = now - CDC_WINDOW
    if changed_since < oldest:
        raise ChangeWindowError(
            [
                ConfigProblem(
                    "changed_since",
                    f"{changed_since.isoformat()} is more than 30 days ago "
                    f"(the oldest QBO accepts now is {oldest.isoformat()}); "
                    "read older changes with a query on "
                    "MetaData.LastUpdatedTime",
                )
            ]
        )


@attrs.frozen(kw_only=True)
class DeletedEntity:
    """
    A deleted object, as CDC reports it: its type, id and when.

    .. versionadded:: 0.1.0
    """

    entity: str
    """QBO's entity name (``Invoice``)."""
    id: str
    last_updated_time: dt.datetime
    """When it was deleted, aware UTC."""

    def to_record(self) -> Record:
        """Return an archived :class:`~hsqbo.Record` without fields."""
        return Record(
            Side.QBO,
            self.entity,
            self.id,
            {},
            self.last_updated_time,
            archived=True,
        )


@attrs.frozen(kw_only=True)
class ChangeSet:
    """
    The answer to a CDC call: changed objects and deletion markers.

    .. versionadded:: 0.1.0
    """

    changed: tuple[Entity, ...] = ()
    """Changed or created objects, full, by entity then update time."""
    deleted: tuple[DeletedEntity, ...] = ()
    """Deleted transactions (name-list objects are deactivated instead)."""
    saturated: bool = False
    """``True`` if an entity reached QBO's 1000-object cap even when asked
    for alone: shorten the window to see every change."""

    def records(self) -> Iterator[Record]:
        """Yield every change as a :class:`~hsqbo.Record`, deletions too."""
        for entity in self.changed:
            yield to_record(entity)
        for deleted in self.deleted:
            yield deleted.to_record()

    def merge(self, other: ChangeSet) -> ChangeSet:
        """Return this change set with *other*'s changes added."""
        return ChangeSet(
            changed=self.changed + other.changed,
            deleted=self.deleted + other.deleted,
            saturated=self.saturated or other.saturated,
        )


def _deleted(name: str, row: Mapping[str, Any]) -> DeletedEntity:
    meta = structure(row.get("MetaData") or {}, MetaData)
    if meta.last_updated_time is UNSET:
        msg = f"a deleted {name} {row.get('Id')} came without a time"
        raise ValueError(msg)
    return DeletedEntity(
        entity=name,
        id=str(row["Id"]),
        last_updated_time=meta.last_updated_time,
    )


def parse_cdc(
    body: Mapping[str, Any], entities: Mapping[str, type[Entity]]
) -> tuple[ChangeSet, int]:
    """
    Read a ``CDCResponse`` body; return the change set and the object count.

    Entities hsqbo does not model are skipped.
    """
    changed: list[Entity] = []
    deleted: list[DeletedEntity] = []
    count = 0
    responses: Sequence[Any] = body.get("CDCResponse") or []
    for response in responses:
        for group in response.get("QueryResponse") or []:
            for name, rows in group.items():
                cls = entities.get(name)
                if cls is None or not isinstance(rows, list):
                    continue
                for row in rows:
                    count += 1
                    if row.get("status") == "Deleted":
                        deleted.append(_deleted(name, row))
                    else:
                        changed.append(structure(row, cls))
    return ChangeSet(changed=tuple(changed), deleted=tuple(deleted)), count
