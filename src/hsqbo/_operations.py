"""
Operations: the decisions a plan is made of.

Every operation is a frozen, keyword-only attrs class. Writes
(:class:`Create`, :class:`Update`, :class:`Link`, :class:`Associate`) change
one system or the links between them; :class:`Rebase` and :class:`Remap`
only change the state store; :class:`Skip`, :class:`Conflict` and
:class:`RecordError` are reports that change nothing but explain the plan.

Each operation has an ``op_id`` derived from its content alone, so the same
decision gets the same id in every plan; the executor derives QBO
``requestid`` and HubSpot idempotency keys from it. An operation that needs a
record another operation creates in the same plan refers to it with
``Ref(op_id)``, never by name.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeAlias, cast

import attrs

from hsqbo._config import ConflictPolicy
from hsqbo._record import FieldValue, Side


__all__ = [
    "KIND_RANK",
    "Associate",
    "Conflict",
    "Create",
    "ErrorCode",
    "Link",
    "Operation",
    "Rebase",
    "RecordError",
    "RecordKey",
    "Ref",
    "Remap",
    "Skip",
    "SkipReason",
    "Target",
    "Update",
    "encode_value",
    "id_sort_key",
]


class ErrorCode(enum.Enum):
    """
    Stable codes of the per-record errors a plan reports.

    The values never change between releases, so scripts and dashboards
    may match on them.

    .. versionadded:: 0.1.0
    """

    #: Several records of the other side share the record's match key.
    AMBIGUOUS_MATCH = "AMBIGUOUS_MATCH"
    #: The QBO customer display name is already taken.
    DUPLICATE_DISPLAY_NAME = "DUPLICATE_DISPLAY_NAME"
    #: A QBO name that must be unique (an item's ``Name``) is taken.
    DUPLICATE_NAME = "DUPLICATE_NAME"
    #: The display name is one QBO refuses (colon, tab, newline, too long)
    #: or there is nothing to make one from.
    INVALID_DISPLAY_NAME = "INVALID_DISPLAY_NAME"
    #: A field map's transform cannot convert the value.
    INVALID_VALUE = "INVALID_VALUE"
    #: The record needs another record that is not linked (or not given).
    MISSING_DEPENDENCY = "MISSING_DEPENDENCY"
    #: A setting the target system requires is not configured.
    MISSING_REQUIRED = "MISSING_REQUIRED"


class SkipReason(enum.Enum):
    """
    Why a record (or one of its fields) produced no write.

    .. versionadded:: 0.1.0
    """

    #: The record fails its direction's filters.
    EXCLUDED = "excluded"
    #: Archived on HubSpot or inactive/voided on QBO; not propagated.
    ARCHIVED = "archived"
    #: The record lives on the target side of a one-way object.
    ONE_WAY = "one_way"
    #: A field was emptied on one side; empty values never wipe filled
    #: ones unless the field map sets ``empty_overwrites``.
    EMPTY_KEPT = "empty_kept"
    #: The record is linked but its partner was not passed to the planner.
    PARTNER_MISSING = "partner_missing"


@attrs.frozen
class Ref:
    """
    A record that the operation *op_id* of the same plan creates.

    .. versionadded:: 0.1.0
    """

    op_id: str


Target: TypeAlias = str | Ref
"""A record id, or a reference to a record created earlier in the plan."""


@attrs.frozen(kw_only=True)
class RecordKey:
    """
    Where a record lives: ``(side, type, id)``.

    .. versionadded:: 0.1.0
    """

    side: Side
    type: str
    id: str


def encode_value(value: FieldValue) -> object:  # noqa: PLR0911 - one per type
    """
    Encode a field value as JSON data that decodes back exactly.

    Strings, booleans, integers and ``None`` stay as they are; every other
    value is a one-key mapping naming its type, so ``"2026-01-02"`` and
    ``date(2026, 1, 2)`` stay different.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, tuple | list):
        return {"tuple": [encode_value(item) for item in value]}
    return {"map": {str(k): encode_value(v) for k, v in value.items()}}


def _canonical(value: object) -> object:
    """Turn an operation attribute into JSON data for the content hash."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Ref):
        return {"ref": value.op_id}
    if isinstance(value, RecordKey):
        return [value.side.value, value.type, value.id]
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, tuple):
        return [_canonical(item) for item in value]
    return encode_value(value)  # type: ignore[arg-type]


def id_sort_key(record_id: str) -> tuple[int, int, str]:
    """
    Order ids numerically when they are numbers (``"9"`` before ``"10"``).

    >>> sorted(["10", "9", "a"], key=id_sort_key)
    ['9', '10', 'a']
    """
    if record_id.isdigit():
        return (0, int(record_id), record_id)
    return (1, 0, record_id)


def _target_key(target: Target) -> tuple[int, int, str]:
    if isinstance(target, Ref):
        return (2, 0, target.op_id)
    return id_sort_key(target)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return dict(value)


class _Operation:
    """Behaviour shared by every operation class."""

    __slots__ = ()

    #: The operation's kind, as written in plans and summaries.
    kind: str = ""

    @property
    def op_id(self) -> str:
        """
        The operation's stable id: a hash of its kind and content.

        The same decision gets the same id in every plan, whatever the
        order the records were given in.
        """
        payload = {
            a.name: _canonical(getattr(self, a.name))
            for a in attrs.fields(
                cast("type[attrs.AttrsInstance]", type(self))
            )
            # The words of a reason may improve between releases; the
            # decision, and so the id, stays the same.
            if not (
                a.name == "reason" and isinstance(getattr(self, a.name), str)
            )
        }
        text = json.dumps([self.kind, payload], sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()[:20]
        return f"{self.kind}-{digest}"

    @property
    def is_write(self) -> bool:
        """Whether applying it changes HubSpot, QBO or the links."""
        return self.kind in {"create", "update", "link", "associate"}

    @property
    def refs(self) -> tuple[Ref, ...]:
        """The operations of the same plan this one depends on."""
        return ()


@attrs.frozen(kw_only=True, weakref_slot=False)
class Create(_Operation):
    """
    Create a record on *side* from *source*.

    Args:
        object: The name of the object sync this belongs to.
        side: The system the record is created in.
        type: Its object type there (``Customer``, ``invoices``,
            ``line_items``…).
        fields: The values to write, by the target side's field names.
        source: The record it is made from (``None`` for none).
        references: Fields whose value is the id of a record another
            operation of the plan creates (e.g. ``hs_product_id`` of a line
            item whose product is created in the same run).
        link: Whether the new record is linked to *source* once created.
        base: The base values (by ``FieldMap.key``) to store with the link.
        reason: Why, in words.

    .. versionadded:: 0.1.0
    """

    kind = "create"

    object: str
    side: Side
    type: str
    fields: Mapping[str, FieldValue] = attrs.field(converter=_mapping)
    source: RecordKey | None
    references: Mapping[str, Ref] = attrs.field(
        factory=dict, converter=_mapping
    )
    link: bool = True
    base: Mapping[str, FieldValue] = attrs.field(
        factory=dict, converter=_mapping
    )
    reason: str = ""

    @property
    def refs(self) -> tuple[Ref, ...]:
        """The operations whose created records this one refers to."""
        if not self.references:
            return ()
        return tuple(self.references[k] for k in sorted(self.references))


@attrs.frozen(kw_only=True, weakref_slot=False)
class Update(_Operation):
    """
    Change some fields of an existing record.

    Args:
        object: The name of the object sync.
        side: The system the record lives in.
        type: Its object type.
        id: Its id.
        changes: Field name → ``(old, new)``; only changed fields are sent.
        expected_version: The version the plan saw: QBO's ``SyncToken``,
            HubSpot's ``updatedAt`` (ISO 8601); the executor refuses to
            write over a newer one.
        base: The base values (by ``FieldMap.key``) to store once applied.
        reason: Why, in words.

    .. versionadded:: 0.1.0
    """

    kind = "update"

    object: str
    side: Side
    type: str
    id: str
    changes: Mapping[str, tuple[FieldValue, FieldValue]] = attrs.field(
        converter=_mapping
    )
    expected_version: str | None
    base: Mapping[str, FieldValue] = attrs.field(
        factory=dict, converter=_mapping
    )
    reason: str = ""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Link(_Operation):
    """
    Link two existing records that represent the same thing.

    Args:
        object: The name of the object sync.
        hubspot_id: The HubSpot record's id.
        qbo_id: The QBO record's id.
        base: Fields both sides already agree on, by ``FieldMap.key``.
        reason: Why they were matched.

    .. versionadded:: 0.1.0
    """

    kind = "link"

    object: str
    hubspot_id: str
    qbo_id: str
    base: Mapping[str, FieldValue] = attrs.field(
        factory=dict, converter=_mapping
    )
    reason: str = ""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Associate(_Operation):
    """
    Associate two HubSpot records (e.g. an invoice with its contact).

    Args:
        object: The name of the object sync.
        from_type: The HubSpot type of the first record (``invoices``).
        from_id: Its id, or a :class:`Ref` to the operation creating it.
        to_type: The HubSpot type of the second record (``contacts``).
        to_id: Its id, or a :class:`Ref`.
        reason: Why.

    .. versionadded:: 0.1.0
    """

    kind = "associate"

    object: str
    from_type: str
    from_id: Target
    to_type: str
    to_id: Target
    reason: str = ""

    @property
    def refs(self) -> tuple[Ref, ...]:
        """The operations whose created records this one refers to."""
        return tuple(
            t for t in (self.from_id, self.to_id) if isinstance(t, Ref)
        )


@attrs.frozen(kw_only=True, weakref_slot=False)
class Rebase(_Operation):
    """
    Record that both sides agree on some fields (state only, no API call).

    Args:
        object: The name of the object sync.
        hubspot_id: The linked HubSpot id.
        qbo_id: The linked QBO id.
        base: The agreed values by ``FieldMap.key``.
        reason: Why.

    .. versionadded:: 0.1.0
    """

    kind = "rebase"

    object: str
    hubspot_id: str
    qbo_id: str
    base: Mapping[str, FieldValue] = attrs.field(converter=_mapping)
    reason: str = ""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Remap(_Operation):
    """
    Record a changed mapping (state only): forget the stale base values.

    The base values of every field whose fingerprint changed are dropped,
    so the next plans re-sync those fields (a backfill, B13).

    Args:
        object: The name of the object sync.
        fingerprints: ``FieldMap.key`` → ``FieldMap.fingerprint`` of the
            configuration the plan was made with.
        stale: The keys whose base values are no longer valid.
        reason: Why.

    .. versionadded:: 0.1.0
    """

    kind = "remap"

    object: str
    fingerprints: Mapping[str, str] = attrs.field(converter=_mapping)
    stale: tuple[str, ...] = attrs.field(converter=_strings)
    reason: str = ""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Skip(_Operation):
    """
    A record (or a field of it) that produces no write, and why.

    Args:
        object: The name of the object sync.
        side: The side of the record.
        type: Its object type.
        id: Its id.
        reason: The kind of reason.
        detail: The reason in words (for ``EXCLUDED``, the failing filter).

    .. versionadded:: 0.1.0
    """

    kind = "skip"

    object: str
    side: Side
    type: str
    id: str
    reason: SkipReason
    detail: str = ""


@attrs.frozen(kw_only=True, weakref_slot=False)
class Conflict(_Operation):
    """
    A field changed differently on both sides since the last sync.

    Every conflict is reported, whichever side won.

    Args:
        object: The name of the object sync.
        hubspot_id: The linked HubSpot id.
        qbo_id: The linked QBO id.
        field: The ``FieldMap.key`` of the field.
        hubspot_value: HubSpot's canonical value.
        qbo_value: QBO's canonical value.
        base: The value at the last sync (``None`` when there is none).
        policy: The policy that decided.
        winner: The side whose value was kept; ``None`` when the field is
            held for a person to decide.
        reason: The decision in words.

    .. versionadded:: 0.1.0
    """

    kind = "conflict"

    object: str
    hubspot_id: str
    qbo_id: str
    field: str
    hubspot_value: FieldValue
    qbo_value: FieldValue
    base: FieldValue
    policy: ConflictPolicy
    winner: Side | None
    reason: str = ""


@attrs.frozen(kw_only=True, weakref_slot=False)
class RecordError(_Operation):
    """
    A record that cannot be synced, with a stable code.

    Args:
        object: The name of the object sync.
        side: The side of the record.
        type: Its object type.
        id: Its id.
        code: The stable error code.
        message: What is wrong and what to do about it.

    .. versionadded:: 0.1.0
    """

    kind = "error"

    object: str
    side: Side
    type: str
    id: str
    code: ErrorCode
    message: str


Operation: TypeAlias = (
    Create | Update | Link | Associate | Rebase | Remap | Skip | Conflict
)
"""Any operation of :attr:`Plan.operations <hsqbo.Plan.operations>`."""

#: Order of kinds within one dependency level.
KIND_RANK: Mapping[str, int] = {
    "remap": 0,
    "link": 1,
    "create": 2,
    "update": 3,
    "associate": 4,
    "rebase": 5,
    "conflict": 6,
    "skip": 7,
    "error": 8,
}
