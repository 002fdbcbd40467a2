"""Object syncs and the sync configuration."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Literal

import attrs

from hsqbo._filters import FilterGroup
from hsqbo._mapping import FieldMap
from hsqbo._record import Direction, FieldValue


__all__ = ["ConflictPolicy", "DisplayNameRule", "ObjectSync", "SyncConfig"]


class ConflictPolicy(enum.Enum):
    """
    Who wins when a field changed on both sides since the last sync.

    .. versionadded:: 0.1.0
    """

    MOST_RECENT = "most_recent"
    HUBSPOT_WINS = "hubspot_wins"
    QBO_WINS = "qbo_wins"
    MANUAL = "manual"


@attrs.frozen(kw_only=True)
class DisplayNameRule:
    """
    How a QBO customer's ``DisplayName`` is made from a HubSpot contact.

    .. versionadded:: 0.1.0
    """

    from_company: bool = True
    on_duplicate: Literal["error", "suffix", "link"] = "error"


@attrs.frozen
class ObjectSync:
    """
    One object pair kept in sync.

    .. versionadded:: 0.1.0
    """

    name: str
    hubspot: str
    qbo: str
    direction: Direction = attrs.field(converter=Direction)
    fields: tuple[FieldMap, ...] = attrs.field(converter=tuple)
    filters_to_qbo: tuple[FilterGroup, ...] = attrs.field(
        default=(), converter=tuple, kw_only=True
    )
    filters_to_hubspot: tuple[FilterGroup, ...] = attrs.field(
        default=(), converter=tuple, kw_only=True
    )
    match: tuple[FieldMap, ...] = attrs.field(
        default=(), converter=tuple, kw_only=True
    )
    conflicts: ConflictPolicy = attrs.field(
        default=ConflictPolicy.MOST_RECENT,
        converter=ConflictPolicy,
        kw_only=True,
    )
    display_name: DisplayNameRule = attrs.field(
        factory=DisplayNameRule, kw_only=True
    )
    enabled: bool = attrs.field(default=True, kw_only=True)
    qbo_defaults: Mapping[str, FieldValue] = attrs.field(
        factory=dict, kw_only=True
    )
    hubspot_defaults: Mapping[str, FieldValue] = attrs.field(
        factory=dict, kw_only=True
    )


@attrs.frozen
class SyncConfig:
    """
    Everything hsqbo syncs, and when the sync was set up.

    .. versionadded:: 0.1.0
    """

    objects: tuple[ObjectSync, ...] = attrs.field(converter=tuple)
    setup_at: dt.datetime
