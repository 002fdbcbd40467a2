"""
The planner's shared parts: compiled field maps, the run's state, reports.

The rules live in ``_planner_merge`` (linked pairs), ``_planner_create``
(records copied across), ``_planner_invoices`` and ``_planner`` (matching
and the run); each builds on the one before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

from hsqbo import _display_name as display_name
from hsqbo._config import ObjectSync, SyncConfig
from hsqbo._defaults import INVOICE_STATUS_PATH
from hsqbo._filters import FilterVerdict, evaluate
from hsqbo._mapping import FieldMap, TransformError
from hsqbo._operations import (
    ErrorCode,
    Operation,
    RecordError,
    Skip,
    SkipReason,
    Target,
    id_sort_key,
)
from hsqbo._record import FieldValue, Record, Side
from hsqbo._state import SyncState


MISSING: Final = object()
SIDE_NAME = {Side.HUBSPOT: "HubSpot", Side.QBO: "QBO"}
ITEM_REQUIRED = ("Type", "IncomeAccountRef.value")
LINE_DETAIL = "SalesItemLineDetail"
#: The QBO fields that must be unique per type (design §5 rule 4).
UNIQUE_NAMES = {"Customer": "DisplayName", "Item": "Name"}
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _invoice_status(record: Record) -> FieldValue:
    """Derive ``hsqbo.status``: voided, paid or open."""
    if record.archived:
        return "voided"
    balance = _decimal(record.fields.get("Balance"))
    total = _decimal(record.fields.get("TotalAmt"))
    if balance is not None and total is not None and balance == 0 < total:
        return "paid"
    return "open"


def _decimal(value: FieldValue) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int | float | str):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


_VIRTUAL: Mapping[str, Callable[[Record], FieldValue]] = {
    INVOICE_STATUS_PATH: _invoice_status,
}
#: The derived QBO paths (``hsqbo.<name>``) and how each is computed.
VIRTUAL = _VIRTUAL


@attrs.frozen
class CompiledField:
    """A field map compiled for the hot loop."""

    map: FieldMap
    key: str
    hubspot: str
    qbo: str
    to_hubspot: bool
    to_qbo: bool
    derive: Callable[[Record], FieldValue] | None
    normalize: Callable[[FieldValue], FieldValue]

    def qbo_value(self, record: Record) -> FieldValue:
        if self.derive is not None:
            return self.derive(record)
        return record.fields.get(self.qbo)

    def value(self, record: Record) -> FieldValue:
        if record.side is Side.HUBSPOT:
            return record.fields.get(self.hubspot)
        return self.qbo_value(record)

    def path(self, side: Side) -> str:
        return self.hubspot if side is Side.HUBSPOT else self.qbo

    def writes_to(self, side: Side) -> bool:
        return self.to_hubspot if side is Side.HUBSPOT else self.to_qbo


def compile_fields(obj: ObjectSync) -> tuple[CompiledField, ...]:
    compiled = []
    for fmap in obj.fields:
        to_h = fmap.writes_to(Side.HUBSPOT, obj.direction)
        to_q = fmap.writes_to(Side.QBO, obj.direction)
        if fmap.qbo in _VIRTUAL:
            # A derived value cannot be written to QBO.
            to_q = False
        if not (to_h or to_q):
            continue
        compiled.append(
            CompiledField(
                fmap,
                fmap.key,
                fmap.hubspot,
                fmap.qbo,
                to_h,
                to_q,
                _VIRTUAL.get(fmap.qbo),
                fmap.normalize,
            )
        )
    return tuple(compiled)


@attrs.frozen
class ObjectRun:
    """One object sync's compiled fields, for the hot loop of a plan."""

    obj: ObjectSync
    fields: tuple[CompiledField, ...]
    valid: frozenset[str] | None
    """The keys whose base is valid; ``None`` when all are."""
    keys: tuple[str, ...]
    hubspot_paths: tuple[str, ...]
    qbo_paths: tuple[str, ...]
    missing: tuple[object, ...]
    derived: bool

    @classmethod
    def of(
        cls,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        valid: frozenset[str] | None,
    ) -> ObjectRun:
        return cls(
            obj,
            fields,
            valid,
            tuple(f.key for f in fields),
            tuple(f.hubspot for f in fields),
            tuple(f.qbo for f in fields),
            (MISSING,) * len(fields),
            any(f.derive is not None for f in fields),
        )


def show(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def label(side: Side, type_: str, record_id: str) -> str:
    return f"{SIDE_NAME[side]} {type_} {record_id}"


def match_key(tier: FieldMap, record: Record) -> FieldValue:
    """The normalised match key of *record* on *tier* (None if none)."""
    path = tier.hubspot if record.side is Side.HUBSPOT else tier.qbo
    try:
        return tier.normalize(record.fields.get(path))
    except TransformError:
        return None


def index_records(
    records: Iterable[Record], side: Side
) -> dict[str, dict[str, Record]]:
    """Group records by type and id; of duplicates keep the newest."""
    out: dict[str, dict[str, Record]] = {}
    for record in records:
        if record.side is not side:
            msg = (
                f"{label(record.side, record.type, record.id)} was passed as "
                f"a {SIDE_NAME[side]} record"
            )
            raise ValueError(msg)
        by_id = out.setdefault(record.type, {})
        old = by_id.get(record.id)
        if old is None or _newer(record, old):
            by_id[record.id] = record
    return out


def _newer(a: Record, b: Record) -> bool:
    # Ties are broken on content so that input order never matters.
    if a.updated_at != b.updated_at:
        return a.updated_at > b.updated_at
    return repr(sorted(a.fields.items())) > repr(sorted(b.fields.items()))


class PlannerBase:
    """The state of one planning run, and the helpers every rule uses."""

    def __init__(
        self,
        config: SyncConfig,
        hubspot_records: Iterable[Record],
        qbo_records: Iterable[Record],
        state: SyncState,
    ) -> None:
        self.config = config
        self.state = state
        self.hubspot = index_records(hubspot_records, Side.HUBSPOT)
        self.qbo = index_records(qbo_records, Side.QBO)
        self.ops: list[Operation] = []
        self.errors: list[RecordError] = []
        # Per object: QBO id → HubSpot id or Ref, for links made in this
        # plan (Link and Create); the state holds the older ones.
        self.new_links: dict[str, dict[str, Target]] = defaultdict(dict)
        # Keyed by object name and the record object's identity (records
        # live as long as the run; hashing a Side enum is slow).
        self.verdicts: dict[tuple[str, int], FilterVerdict] = {}
        # Unchanged linked pairs by object: HubSpot ids, not operations,
        # because a re-plan of a big portal is mostly these.
        self.unchanged: dict[str, set[str]] = defaultdict(set)
        # QBO names that must be unique, by (type, path): name key → holder;
        # names claimed by creates and renames of this plan are added.
        self.names: dict[tuple[str, str], dict[str, str]] = {}

    def error(
        self, obj: ObjectSync, record: Record, code: ErrorCode, message: str
    ) -> None:
        self.errors.append(
            RecordError(
                object=obj.name,
                side=record.side,
                type=record.type,
                id=record.id,
                code=code,
                message=message,
            )
        )

    def skip(
        self, obj: ObjectSync, record: Record, reason: SkipReason, detail: str
    ) -> None:
        self.ops.append(
            Skip(
                object=obj.name,
                side=record.side,
                type=record.type,
                id=record.id,
                reason=reason,
                detail=detail,
            )
        )

    def names_of(self, type_: str, path: str) -> dict[str, str]:
        """
        Every known QBO name of *type_* (name key → who holds it).

        Built once per plan from the QBO records given, then shared, so that
        names claimed earlier in the plan count too (rule 4).
        """
        found = self.names.get((type_, path))
        if found is None:
            found = {}
            records = self.qbo.get(type_, {})
            for qid in sorted(records, key=id_sort_key):
                name = records[qid].fields.get(path)
                if isinstance(name, str) and name.strip():
                    found.setdefault(
                        display_name.name_key(name), f"QBO {type_} {qid}"
                    )
            self.names[(type_, path)] = found
        return found

    def verdict(self, obj: ObjectSync, record: Record) -> FilterVerdict:
        """Evaluate the filters of the direction *record* is the source of."""
        key = (obj.name, id(record))
        found = self.verdicts.get(key)
        if found is None:
            groups = (
                obj.filters_to_qbo
                if record.side is Side.HUBSPOT
                else obj.filters_to_hubspot
            )
            found = evaluate(groups, record)
            self.verdicts[key] = found
        return found

    def is_source(self, obj: ObjectSync, record: Record) -> bool:
        """Whether *record* may be copied to the other side."""
        if not obj.direction.writes_to(record.side.other):
            return False
        return not record.archived and self.verdict(obj, record).passed

    def left_out(self, obj: ObjectSync, record: Record) -> None:
        """Report an unlinked record that produces no write, and why."""
        if record.archived:
            self.skip(
                obj,
                record,
                SkipReason.ARCHIVED,
                "archived or inactive; not propagated",
            )
        elif not obj.direction.writes_to(record.side.other):
            self.skip(
                obj,
                record,
                SkipReason.ONE_WAY,
                f"{obj.name} sync one-way to {SIDE_NAME[record.side]}; "
                f"{SIDE_NAME[record.side]} records are not copied back",
            )
        else:
            self.skip(
                obj,
                record,
                SkipReason.EXCLUDED,
                self.verdict(obj, record).reason,
            )
