"""
The planner: records of both sides + configuration + state → :class:`Plan`.

Pure and deterministic: no I/O, no clock (the caller passes ``now``).
Decisions that depend on each other (matches, claimed names, the first
contact of a company) are taken in sorted order, independent ones in any
order, and the plan is sorted at the end, so the same inputs give the same
plan whatever order the records come in. The rules are design §5:

* a linked pair is merged field by field against the base (three-way);
* an unlinked record that passes its direction's filters is matched among
  the other side's unlinked records, then linked, reported as ambiguous or
  created;
* filters, directions, archived records and disabled objects decide what
  is left out, and every record left out is reported with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

from hsqbo import _display_name as names
from hsqbo._config import ConflictPolicy, ObjectSync, SyncConfig
from hsqbo._defaults import INVOICE_STATUS_PATH
from hsqbo._filters import FilterVerdict, evaluate
from hsqbo._mapping import FieldMap, TransformError
from hsqbo._operations import (
    Associate,
    Conflict,
    Create,
    ErrorCode,
    Link,
    Operation,
    Rebase,
    RecordError,
    RecordKey,
    Ref,
    Remap,
    Skip,
    SkipReason,
    Target,
    Update,
    id_sort_key,
)
from hsqbo._plan import Plan, order_operations
from hsqbo._record import FieldValue, Record, Side
from hsqbo._state import LinkState, ObjectState, SyncState


__all__ = ["plan"]

_MISSING: Final = object()
_SIDE_NAME = {Side.HUBSPOT: "HubSpot", Side.QBO: "QBO"}
_ITEM_REQUIRED = ("Type", "IncomeAccountRef.value")
_LINE_DETAIL = "SalesItemLineDetail"
_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


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


@attrs.frozen
class _Field:
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


def _compile(obj: ObjectSync) -> tuple[_Field, ...]:
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
            _Field(
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
class _Run:
    """One object sync's compiled fields, for the hot loop of a plan."""

    obj: ObjectSync
    fields: tuple[_Field, ...]
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
        fields: tuple[_Field, ...],
        valid: frozenset[str] | None,
    ) -> _Run:
        return cls(
            obj,
            fields,
            valid,
            tuple(f.key for f in fields),
            tuple(f.hubspot for f in fields),
            tuple(f.qbo for f in fields),
            (_MISSING,) * len(fields),
            any(f.derive is not None for f in fields),
        )


def _show(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _label(side: Side, type_: str, record_id: str) -> str:
    return f"{_SIDE_NAME[side]} {type_} {record_id}"


@attrs.define
class _Pair:
    """One linked (or just matched) pair being merged, and the outcome."""

    obj: ObjectSync
    h: Record
    q: Record
    h_changes: dict[str, tuple[FieldValue, FieldValue]] = attrs.Factory(dict)
    q_changes: dict[str, tuple[FieldValue, FieldValue]] = attrs.Factory(dict)
    h_base: dict[str, FieldValue] = attrs.Factory(dict)
    q_base: dict[str, FieldValue] = attrs.Factory(dict)
    rebase: dict[str, FieldValue] = attrs.Factory(dict)
    h_why: list[str] = attrs.Factory(list)
    q_why: list[str] = attrs.Factory(list)
    reports: list[Operation] = attrs.Factory(list)
    errors: list[RecordError] = attrs.Factory(list)
    blocked: dict[Side, list[str]] = attrs.Factory(dict)

    def records(self, from_side: Side) -> tuple[Record, Record]:
        """``(source, target)`` for a flow from *from_side*."""
        if from_side is Side.HUBSPOT:
            return self.h, self.q
        return self.q, self.h


def _winner(pair: _Pair, f: _Field) -> tuple[Side | None, str]:  # noqa: PLR0911 - one return per rule, in order
    """Pick the side whose value wins a conflict, and say why."""
    if f.to_hubspot and not f.to_qbo:
        return Side.QBO, "one-way field: QBO is its source"
    if f.to_qbo and not f.to_hubspot:
        return Side.HUBSPOT, "one-way field: HubSpot is its source"
    policy = pair.obj.conflicts
    if policy is ConflictPolicy.HUBSPOT_WINS:
        return Side.HUBSPOT, "policy HUBSPOT_WINS"
    if policy is ConflictPolicy.QBO_WINS:
        return Side.QBO, "policy QBO_WINS"
    if policy is ConflictPolicy.MOST_RECENT:
        # Ties go to QBO, the books of record.
        if pair.h.updated_at > pair.q.updated_at:
            return Side.HUBSPOT, "HubSpot changed last"
        return Side.QBO, "QBO changed last"
    return None, "policy MANUAL: held for review"


class _Planner:
    """The state of one planning run; discarded afterwards."""

    def __init__(
        self,
        config: SyncConfig,
        hubspot_records: Iterable[Record],
        qbo_records: Iterable[Record],
        state: SyncState,
    ) -> None:
        self.config = config
        self.state = state
        self.hubspot = _index(hubspot_records, Side.HUBSPOT)
        self.qbo = _index(qbo_records, Side.QBO)
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

    # -- helpers ---------------------------------------------------------

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
                f"{obj.name} sync one-way to {_SIDE_NAME[record.side]}; "
                f"{_SIDE_NAME[record.side]} records are not copied back",
            )
        else:
            self.skip(
                obj,
                record,
                SkipReason.EXCLUDED,
                self.verdict(obj, record).reason,
            )

    # -- the run ---------------------------------------------------------

    def run(self) -> None:
        objects = [o for o in self.config.objects if o.enabled]
        # Invoices need the contacts' and products' links of this plan.
        objects.sort(key=lambda o: (o.qbo == "Invoice", o.name))
        for obj in objects:
            self.plan_object(obj)

    def plan_object(self, obj: ObjectSync) -> None:
        fields = _compile(obj)
        ostate = self.state.object(obj.name)
        run = _Run.of(obj, fields, self.remap(obj, ostate))
        hs = self.hubspot.get(obj.hubspot, {})
        qb = self.qbo.get(obj.qbo, {})
        unlinked_h: list[Record] = []
        unlinked_q: list[Record] = []
        links = ostate.links
        fast = run.valid is None and not run.derived
        unchanged = self.unchanged[obj.name]
        # Linked pairs are merged independently of each other, so they need
        # no order here (the plan is sorted at the end); only first-sync
        # decisions, which claim names and matches, run in sorted order.
        for hid, h in hs.items():
            link = links.get(hid)
            if link is None:
                unlinked_h.append(h)
                continue
            q = qb.get(link.qbo_id)
            if q is None:
                self.skip(
                    obj,
                    h,
                    SkipReason.PARTNER_MISSING,
                    f"linked to QBO {obj.qbo} {link.qbo_id}, which was not "
                    "given; pass the linked partners of changed records",
                )
                continue
            if fast and _agrees(link.base, run, h, q):
                unchanged.add(hid)
            else:
                self.merge_linked(run, h, q, link)
        qbo_links = ostate.qbo_links
        for qid in qb:
            partner = qbo_links.get(qid)
            if partner is None:
                unlinked_q.append(qb[qid])
            elif partner not in hs:
                self.skip(
                    obj,
                    qb[qid],
                    SkipReason.PARTNER_MISSING,
                    f"linked to HubSpot {obj.hubspot} {partner}, which was "
                    "not given; pass the linked partners of changed records",
                )
        unlinked_h.sort(key=_record_order)
        unlinked_q.sort(key=_record_order)
        self.first_sync(obj, fields, unlinked_h, unlinked_q)

    def remap(
        self, obj: ObjectSync, ostate: ObjectState
    ) -> frozenset[str] | None:
        """Compare fingerprints; return the valid base keys (None: all)."""
        current = {f.key: f.fingerprint for f in obj.fields}
        stored = ostate.fingerprints
        if stored == current:
            return None
        stale = sorted(
            {k for k, fp in current.items() if stored.get(k) != fp}
            | (set(stored) - set(current))
        )
        self.ops.append(
            Remap(
                object=obj.name,
                fingerprints=current,
                stale=tuple(stale),
                reason=(
                    f"mapping of {obj.name} changed: {', '.join(stale)}; "
                    "their records are re-synced"
                    if ostate.links
                    else f"first sync of {obj.name}: record the mapping"
                ),
            )
        )
        return frozenset(current) - frozenset(stale)

    # -- linked pairs ----------------------------------------------------

    def merge_linked(
        self, run: _Run, h: Record, q: Record, link: LinkState
    ) -> None:
        base = link.base
        if run.valid is None:
            # Fast path: nothing differs from the base, checked without
            # normalising: a raw value equal to the base normalises to the
            # base (normalisation is idempotent and the base is normalised).
            expected = list(map(base.get, run.keys, run.missing))
            if expected == list(
                map(h.fields.get, run.hubspot_paths)
            ) and expected == (
                [f.qbo_value(q) for f in run.fields]
                if run.derived
                else list(map(q.fields.get, run.qbo_paths))
            ):
                self.unchanged[run.obj.name].add(h.id)
                return
        else:
            base = {k: v for k, v in base.items() if k in run.valid}
        pair = self.merge(run.obj, run.fields, h, q, base)
        self.emit_pair(run.obj, h, q, pair, first=False)

    def merge(
        self,
        obj: ObjectSync,
        fields: tuple[_Field, ...],
        h: Record,
        q: Record,
        base: Mapping[str, FieldValue],
    ) -> _Pair:
        """Merge every field of a pair against *base* (three-way)."""
        pair = _Pair(obj, h, q)
        for f in fields:
            self.merge_field(pair, f, base.get(f.key, _MISSING))
        return pair

    def merge_field(self, pair: _Pair, f: _Field, b: object) -> None:
        """Merge one field: propagate a one-sided change, or resolve both."""
        h, q = pair.h, pair.q
        hr = h.fields.get(f.hubspot)
        qr = f.qbo_value(q)
        if b is not _MISSING and hr == b and qr == b:
            return
        values = self.normalized(pair, f, hr, qr)
        if values is None:
            return
        hn, qn = values
        if hn == qn:
            if b is _MISSING or b != hn:
                pair.rebase[f.key] = hn
            return
        if b is _MISSING:
            self.first_merge(pair, f, hn, qn)
            return
        h_changed = hn != b
        q_changed = qn != b
        if h_changed and not q_changed:
            self.flow(pair, f, Side.HUBSPOT, hn, "changed on HubSpot")
        elif q_changed and not h_changed:
            self.flow(pair, f, Side.QBO, qn, "changed on QBO")
        else:
            self.conflict(pair, f, hn, qn, b)

    def normalized(
        self, pair: _Pair, f: _Field, hr: FieldValue, qr: FieldValue
    ) -> tuple[FieldValue, FieldValue] | None:
        """Normalise both raw values; ``None`` after reporting a bad one."""
        try:
            hn = None if hr is None else f.normalize(hr)
        except TransformError as exc:
            pair.errors.append(self.invalid(pair.obj, pair.h, f, exc))
            return None
        if qr == hr:
            # Equal raw values normalise equally: normalise once (common on
            # a first sync, where most fields already agree).
            return hn, hn
        try:
            qn = None if qr is None else f.normalize(qr)
        except TransformError as exc:
            pair.errors.append(self.invalid(pair.obj, pair.q, f, exc))
            return None
        return hn, qn

    def first_merge(
        self, pair: _Pair, f: _Field, hn: FieldValue, qn: FieldValue
    ) -> None:
        """
        Merge a field with no base (first sync, new mapping).

        An empty side is filled; two different values are a conflict.
        """
        if hn is None:
            self.flow(pair, f, Side.QBO, qn, "filled from QBO")
        elif qn is None:
            self.flow(pair, f, Side.HUBSPOT, hn, "filled from HubSpot")
        else:
            self.conflict(pair, f, hn, qn, _MISSING)

    def invalid(
        self, obj: ObjectSync, record: Record, f: _Field, exc: TransformError
    ) -> RecordError:
        return RecordError(
            object=obj.name,
            side=record.side,
            type=record.type,
            id=record.id,
            code=ErrorCode.INVALID_VALUE,
            message=f"{f.path(record.side)}: {exc}",
        )

    def blocked(self, obj: ObjectSync, source: Record, target: Record) -> str:
        """Say why *source* may not flow to *target* ("" if it may)."""
        if target.archived:
            return f"{_label(target.side, target.type, target.id)} is archived"
        verdict = self.verdict(obj, source)
        if not verdict.passed:
            return f"excluded: {verdict.reason}"
        return ""

    def flow(
        self,
        pair: _Pair,
        f: _Field,
        from_side: Side,
        value: FieldValue,
        why: str,
    ) -> bool:
        """Write *value* of *f* from *from_side* to the other, if allowed."""
        source, target = pair.records(from_side)
        side = target.side
        if not f.writes_to(side):
            return False
        old = target.fields.get(f.path(side))
        if value is None and not f.map.empty_overwrites:
            pair.reports.append(
                Skip(
                    object=pair.obj.name,
                    side=source.side,
                    type=source.type,
                    id=source.id,
                    reason=SkipReason.EMPTY_KEPT,
                    detail=(
                        f"{f.path(source.side)} was emptied; "
                        f"{_SIDE_NAME[side]} keeps {_show(old)} (empty values "
                        "never wipe filled ones unless empty_overwrites)"
                    ),
                )
            )
            return False
        reason = self.blocked(pair.obj, source, target)
        if reason:
            held = pair.blocked.setdefault(source.side, [])
            held.append(f.key)
            if len(held) == 1:
                # One report per blocked direction, not one per field.
                pair.reports.append(
                    Skip(
                        object=pair.obj.name,
                        side=source.side,
                        type=source.type,
                        id=source.id,
                        reason=(
                            SkipReason.ARCHIVED
                            if target.archived
                            else SkipReason.EXCLUDED
                        ),
                        detail=reason,
                    )
                )
            return False
        path = f.path(side)
        if side is Side.HUBSPOT:
            pair.h_changes[path] = (old, value)
            pair.h_base[f.key] = value
            pair.h_why.append(f"{path} {why}")
        else:
            pair.q_changes[path] = (old, value)
            pair.q_base[f.key] = value
            pair.q_why.append(f"{path} {why}")
        return True

    def conflict(
        self, pair: _Pair, f: _Field, hn: FieldValue, qn: FieldValue, b: object
    ) -> None:
        """Resolve a field changed differently on both sides; report it."""
        winner, why = _winner(pair, f)
        if winner is not None:
            value = hn if winner is Side.HUBSPOT else qn
            if value is None and not f.map.empty_overwrites:
                winner = winner.other
                value = hn if winner is Side.HUBSPOT else qn
                why += "; its value is empty, and empty never wipes filled"
            if not self.flow(pair, f, winner, value, f"in conflict, {why}"):
                winner = None
                why += "; but it cannot be written, so the field is held"
        side_values = f"HubSpot {_show(hn)}, QBO {_show(qn)}"
        base_text = "no base" if b is _MISSING else f"base {_show(b)}"
        pair.reports.append(
            Conflict(
                object=pair.obj.name,
                hubspot_id=pair.h.id,
                qbo_id=pair.q.id,
                field=f.key,
                hubspot_value=hn,
                qbo_value=qn,
                base=None if b is _MISSING else b,  # type: ignore[arg-type]
                policy=pair.obj.conflicts,
                winner=winner,
                reason=f"{side_values} ({base_text}): {why}",
            )
        )

    def emit_pair(
        self,
        obj: ObjectSync,
        h: Record,
        q: Record,
        pair: _Pair,
        *,
        first: bool,
    ) -> None:
        """Turn a merged pair into operations."""
        if pair.h_changes:
            self.ops.append(
                Update(
                    object=obj.name,
                    side=Side.HUBSPOT,
                    type=h.type,
                    id=h.id,
                    changes=pair.h_changes,
                    expected_version=h.updated_at.isoformat(),
                    base=pair.h_base,
                    reason="; ".join(pair.h_why),
                )
            )
        if pair.q_changes:
            self.ops.append(
                Update(
                    object=obj.name,
                    side=Side.QBO,
                    type=q.type,
                    id=q.id,
                    changes=pair.q_changes,
                    expected_version=q.version,
                    base=pair.q_base,
                    reason="; ".join(pair.q_why),
                )
            )
        if pair.rebase and not first:
            self.ops.append(
                Rebase(
                    object=obj.name,
                    hubspot_id=h.id,
                    qbo_id=q.id,
                    base=pair.rebase,
                    reason=(
                        "both sides agree on " + ", ".join(sorted(pair.rebase))
                    ),
                )
            )
        self.ops.extend(pair.reports)
        self.errors.extend(pair.errors)
        wrote = pair.h_changes or pair.q_changes or pair.rebase
        if not (first or wrote or pair.reports or pair.errors):
            self.unchanged[obj.name].add(h.id)

    # -- first sync ------------------------------------------------------

    def first_sync(
        self,
        obj: ObjectSync,
        fields: tuple[_Field, ...],
        unlinked_h: list[Record],
        unlinked_q: list[Record],
    ) -> None:
        matched, ambiguous = self.match(obj, unlinked_h, unlinked_q)
        for h, q, how in matched:
            self.link(obj, fields, h, q, how)
        # Ids per side (not (Side, id) tuples): enum hashing is slow in
        # Python, and first syncs touch every record here.
        done_h = {i for s, i in ambiguous if s is Side.HUBSPOT}
        done_h.update(h.id for h, _, _ in matched)
        done_q = {i for s, i in ambiguous if s is Side.QBO}
        done_q.update(q.id for _, q, _ in matched)
        rest_h = [r for r in unlinked_h if r.id not in done_h]
        rest_q = [r for r in unlinked_q if r.id not in done_q]
        claimed_q = self.create_in_qbo(obj, fields, rest_h, rest_q)
        rest_q = [r for r in rest_q if r.id not in claimed_q]
        if obj.qbo == "Invoice":
            self.create_invoices(obj, fields, rest_q)
        else:
            self.create_in_hubspot(obj, fields, rest_q)

    def match(
        self,
        obj: ObjectSync,
        unlinked_h: list[Record],
        unlinked_q: list[Record],
    ) -> tuple[list[tuple[Record, Record, str]], set[tuple[Side, str]]]:
        """
        Pair unlinked records by the object's match keys, tier by tier.

        A key shared by exactly one record on each side links them; a key
        shared by more records on either side is ambiguous for all of them.
        """
        matched: list[tuple[Record, Record, str]] = []
        ambiguous: set[tuple[Side, str]] = set()
        pool_h = [r for r in unlinked_h if not r.archived]
        pool_q = [r for r in unlinked_q if not r.archived]
        for tier in obj.match:
            if not pool_h or not pool_q:
                break
            groups = _match_groups(tier, pool_h + pool_q)
            # Object identities: each record object is in one pool once.
            taken: set[int] = set()
            for key in sorted(groups, key=repr):
                hs, qs = groups[key]
                if not hs or not qs:
                    continue
                if not any(self.is_source(obj, r) for r in hs + qs):
                    continue
                taken.update(id(r) for r in hs + qs)
                if len(hs) == 1 and len(qs) == 1:
                    matched.append(
                        (hs[0], qs[0], f"matched by {tier.key} {_show(key)}")
                    )
                    continue
                ambiguous.update((r.side, r.id) for r in hs + qs)
                self.ambiguous(obj, f"{tier.key} {_show(key)}", hs, qs)
            pool_h = [r for r in pool_h if id(r) not in taken]
            pool_q = [r for r in pool_q if id(r) not in taken]
        return matched, ambiguous

    def ambiguous(
        self, obj: ObjectSync, key: str, hs: list[Record], qs: list[Record]
    ) -> None:
        """Report every record sharing one match key as AMBIGUOUS_MATCH."""
        for record in hs + qs:
            mine, others = (
                (hs, qs) if record.side is Side.HUBSPOT else (qs, hs)
            )
            other_ids = sorted((r.id for r in others), key=id_sort_key)
            same = sorted(
                (r.id for r in mine if r.id != record.id), key=id_sort_key
            )
            message = (
                f"{key} matches {_SIDE_NAME[record.side.other]} "
                f"{', '.join(other_ids)}"
            )
            if same:
                message += (
                    f" and is shared with {_SIDE_NAME[record.side]} "
                    f"{', '.join(same)}"
                )
            self.error(
                obj,
                record,
                ErrorCode.AMBIGUOUS_MATCH,
                message + "; link them by hand or make the key unique",
            )

    def link(
        self,
        obj: ObjectSync,
        fields: tuple[_Field, ...],
        h: Record,
        q: Record,
        how: str,
    ) -> None:
        """Link a matched pair and merge it as on a first sync."""
        pair = self.merge(obj, fields, h, q, {})
        self.ops.append(
            Link(
                object=obj.name,
                hubspot_id=h.id,
                qbo_id=q.id,
                base=pair.rebase,
                reason=how,
            )
        )
        self.new_links[obj.name][q.id] = h.id
        self.emit_pair(obj, h, q, pair, first=True)

    def create_fields(
        self, obj: ObjectSync, fields: tuple[_Field, ...], record: Record
    ) -> tuple[dict[str, FieldValue], dict[str, FieldValue]] | None:
        """Values (by target field) and base of a record copied across."""
        target = record.side.other
        defaults = (
            obj.qbo_defaults if target is Side.QBO else obj.hubspot_defaults
        )
        values: dict[str, FieldValue] = dict(defaults)
        base: dict[str, FieldValue] = {}
        failed = False
        for f in fields:
            if not f.writes_to(target):
                continue
            raw = f.value(record)
            try:
                value = None if raw is None else f.normalize(raw)
            except TransformError as exc:
                self.errors.append(self.invalid(obj, record, f, exc))
                failed = True
                continue
            path = f.path(target)
            if value is None:
                if path not in defaults:
                    base[f.key] = None
                continue
            values[path] = value
            base[f.key] = value
        return None if failed else (values, base)

    def create(
        self,
        obj: ObjectSync,
        record: Record,
        values: dict[str, FieldValue],
        base: dict[str, FieldValue],
        reason: str,
    ) -> Create:
        target = record.side.other
        op = Create(
            object=obj.name,
            side=target,
            type=obj.qbo if target is Side.QBO else obj.hubspot,
            fields=values,
            source=RecordKey(side=record.side, type=record.type, id=record.id),
            link=True,
            base=base,
            reason=reason,
        )
        self.ops.append(op)
        if record.side is Side.QBO:
            self.new_links[obj.name][record.id] = Ref(op.op_id)
        return op

    def create_in_hubspot(
        self, obj: ObjectSync, fields: tuple[_Field, ...], rest_q: list[Record]
    ) -> None:
        # HubSpot keeps contact e-mails unique: two customers sharing one
        # would make the second create fail, so it is reported instead.
        unique = (
            obj.match[0] if obj.hubspot == "contacts" and obj.match else None
        )
        if not rest_q:
            return
        claimed: dict[FieldValue, str] = {}
        if unique is not None:
            existing = self.hubspot.get(obj.hubspot, {})
            for hid in sorted(existing, key=id_sort_key):
                key = _match_key(unique, existing[hid])
                if key is not None:
                    claimed.setdefault(key, f"HubSpot {obj.hubspot} {hid}")
        for q in rest_q:
            if not self.is_source(obj, q):
                self.left_out(obj, q)
                continue
            made = self.create_fields(obj, fields, q)
            if made is None:
                continue
            values, base = made
            key = (
                _match_key(unique, q)
                if unique is not None and unique.hubspot in values
                else None
            )
            if key is not None and key in claimed:
                self.error(
                    obj,
                    q,
                    ErrorCode.AMBIGUOUS_MATCH,
                    f"{unique.key} {_show(key)} is already used by "  # type: ignore[union-attr]
                    f"{claimed[key]}; HubSpot keeps it unique, so link or "
                    "merge them by hand",
                )
                continue
            if key is not None:
                claimed[key] = f"QBO {q.type} {q.id} (created in this plan)"
            self.create(
                obj, q, values, base, self.no_match_reason(obj, "HubSpot")
            )

    def no_match_reason(self, obj: ObjectSync, where: str) -> str:
        keys = " or ".join(m.key for m in obj.match) or "no match key"
        return f"no unlinked {where} record matches ({keys})"

    def create_in_qbo(
        self,
        obj: ObjectSync,
        fields: tuple[_Field, ...],
        rest_h: list[Record],
        rest_q: list[Record],
    ) -> set[str]:
        """Create QBO records from unmatched HubSpot ones; return links."""
        sources = []
        for h in rest_h:
            if self.is_source(obj, h):
                sources.append(h)
            else:
                self.left_out(obj, h)
        if not sources:
            return set()
        if obj.qbo == "Customer":
            return self.create_customers(obj, fields, sources, rest_q)
        if obj.qbo == "Invoice":
            for h in sources:
                self.error(
                    obj,
                    h,
                    ErrorCode.MISSING_REQUIRED,
                    "creating QBO invoices from HubSpot is not supported; "
                    f"make object sync {obj.name!r} one-way QBO → HubSpot",
                )
            return set()
        self.create_named(obj, fields, sources)
        return set()

    def create_named(
        self,
        obj: ObjectSync,
        fields: tuple[_Field, ...],
        sources: list[Record],
    ) -> None:
        """Create QBO records; an item's ``Name`` must be unique (rule 4)."""
        unique = "Name" if obj.qbo == "Item" else None
        taken = self.qbo_names(obj.qbo, unique) if unique else {}
        for h in sources:
            made = self.create_fields(obj, fields, h)
            if made is None:
                continue
            values, base = made
            if unique is not None:
                if not self.item_ready(obj, h, values):
                    continue
                name = values.get(unique)
                key = names.name_key(name) if isinstance(name, str) else ""
                if key in taken:
                    self.error(
                        obj,
                        h,
                        ErrorCode.DUPLICATE_NAME,
                        f"QBO {obj.qbo} {unique} {_show(name)} is already "
                        f"used by {taken[key]}; QBO names are unique",
                    )
                    continue
                taken[key] = f"HubSpot {h.type} {h.id} (created in this plan)"
            self.create(obj, h, values, base, self.no_match_reason(obj, "QBO"))

    def item_ready(
        self, obj: ObjectSync, h: Record, values: Mapping[str, FieldValue]
    ) -> bool:
        missing = [k for k in _ITEM_REQUIRED if values.get(k) in (None, "")]
        if not values.get("Name"):
            missing.insert(0, "Name")
        if not missing:
            return True
        settings = ", ".join(
            f"qbo_defaults[{k!r}]" if k != "Name" else "a mapped Name"
            for k in missing
        )
        self.error(
            obj,
            h,
            ErrorCode.MISSING_REQUIRED,
            f"a QBO item needs {settings} on object sync {obj.name!r} "
            "(Type e.g. 'Service', IncomeAccountRef.value an income "
            "account id)",
        )
        return False

    def qbo_names(self, type_: str, path: str) -> dict[str, str]:
        """Every known QBO name of *type_*: name key → who holds it."""
        taken: dict[str, str] = {}
        records = self.qbo.get(type_, {})
        for qid in sorted(records, key=id_sort_key):
            name = records[qid].fields.get(path)
            if isinstance(name, str) and name.strip():
                taken.setdefault(names.name_key(name), f"QBO {type_} {qid}")
        return taken

    def create_customers(
        self,
        obj: ObjectSync,
        fields: tuple[_Field, ...],
        sources: list[Record],
        rest_q: list[Record],
    ) -> set[str]:
        """Create customers with unique display names (B18, B19)."""
        companies = self.hubspot.get("companies", {})
        customers = self.qbo.get(obj.qbo, {})
        taken = self.qbo_names(obj.qbo, "DisplayName")
        owners = _owners(customers)
        free_q = {r.id for r in rest_q}
        linked: set[str] = set()
        # The first contact of a company (earliest createdate, then lowest
        # id) gets the company name.
        for h in sorted(sources, key=_creation_order):
            name, company = names.display_name(obj.display_name, h, companies)
            problem = names.name_problem(name)
            if problem is not None:
                self.error(
                    obj,
                    h,
                    ErrorCode.INVALID_DISPLAY_NAME,
                    f"display name {_show(name)} {problem}"
                    if name
                    else "no company, first or last name to make a QBO "
                    "display name from",
                )
                continue
            key = names.name_key(name)
            if key in taken:
                owner = owners.get(key)
                if owner in free_q and owner not in linked:
                    free = customers[owner]
                else:
                    free = None
                resolved = self.duplicate(
                    obj, fields, h, name, taken=taken, free=free
                )
                if resolved is None:
                    continue
                if resolved is free:
                    linked.add(free.id)
                    continue
                name = str(resolved)
                key = names.name_key(name)
            made = self.create_fields(obj, fields, h)
            if made is None:
                continue
            values, base = made
            values["DisplayName"] = name
            if company is not None and "CompanyName" not in values:
                values["CompanyName"] = company
            taken[key] = f"HubSpot {h.type} {h.id} (created in this plan)"
            self.create(
                obj,
                h,
                values,
                base,
                f"{self.no_match_reason(obj, 'QBO')}; display name "
                f"{_show(name)}",
            )
        return linked

    def duplicate(
        self,
        obj: ObjectSync,
        fields: tuple[_Field, ...],
        h: Record,
        name: str,
        *,
        taken: Mapping[str, str],
        free: Record | None,
    ) -> str | Record | None:
        """
        Apply ``on_duplicate`` to a display name that is taken.

        Returns:
            The unique name to use ("suffix"), the customer *h* was linked
            to ("link"), or ``None`` when the contact is reported instead.
        """
        strategy = obj.display_name.on_duplicate
        if strategy == "link" and free is not None:
            self.link(
                obj,
                fields,
                h,
                free,
                f"display name {_show(name)} belongs to QBO customer "
                f"{free.id}: linked as the company's billing customer",
            )
            return free
        if strategy == "suffix":
            unique = names.suffixed(name, h, taken)
            problem = names.name_problem(unique)
            if problem is None:
                return unique
            self.error(
                obj,
                h,
                ErrorCode.INVALID_DISPLAY_NAME,
                f"display name {_show(name)} is taken and the suffixed "
                f"{_show(unique)} {problem}",
            )
            return None
        self.error(
            obj,
            h,
            ErrorCode.DUPLICATE_DISPLAY_NAME,
            f"QBO display name {_show(name)} is already used by "
            f"{taken[names.name_key(name)]}; QBO display names are unique "
            "(one billing contact per company, or on_duplicate='suffix' "
            "or 'link')",
        )
        return None

    # -- invoices --------------------------------------------------------

    def contact_for(self, customer_id: str) -> tuple[Target, str] | None:
        """Return the HubSpot contact of a QBO customer and how it is known."""
        for obj in sorted(self.config.objects, key=lambda o: o.name):
            if obj.qbo != "Customer" or obj.hubspot != "contacts":
                continue
            planned = self.new_links.get(obj.name, {}).get(customer_id)
            if planned is not None:
                return planned, obj.name
            link = self.state.object(obj.name).link_for(Side.QBO, customer_id)
            if link is not None:
                return link.hubspot_id, obj.name
        return None

    def product_for(self, item_id: str) -> Target | None:
        """Return the HubSpot product linked to a QBO item, if any."""
        for obj in sorted(self.config.objects, key=lambda o: o.name):
            if obj.qbo != "Item" or obj.hubspot != "products":
                continue
            planned = self.new_links.get(obj.name, {}).get(item_id)
            if planned is not None:
                return planned
            link = self.state.object(obj.name).link_for(Side.QBO, item_id)
            if link is not None:
                return link.hubspot_id
        return None

    def create_invoices(
        self, obj: ObjectSync, fields: tuple[_Field, ...], rest_q: list[Record]
    ) -> None:
        for q in rest_q:
            if not self.is_source(obj, q):
                self.left_out(obj, q)
                continue
            self.create_invoice(obj, fields, q)

    def create_invoice(
        self, obj: ObjectSync, fields: tuple[_Field, ...], q: Record
    ) -> None:
        customer = q.fields.get("CustomerRef.value")
        customer_id = str(customer) if customer not in (None, "") else ""
        contact = self.contact_for(customer_id) if customer_id else None
        if contact is None:
            self.error(
                obj,
                q,
                ErrorCode.MISSING_DEPENDENCY,
                f"its QBO customer {customer_id or '(none)'} is not linked "
                "to a HubSpot contact; sync that customer first (check the "
                "contacts filters and errors)",
            )
            return
        contact_id, _ = contact
        company: str | None = None
        if isinstance(contact_id, str):
            record = self.hubspot.get("contacts", {}).get(contact_id)
            if record is None:
                self.error(
                    obj,
                    q,
                    ErrorCode.MISSING_DEPENDENCY,
                    f"its HubSpot contact {contact_id} was not given; the "
                    "planner needs it to find the contact's primary company",
                )
                return
            companies = record.associations.get("companies", ())
            company = companies[0] if companies else None
        made = self.create_fields(obj, fields, q)
        if made is None:
            return
        values, base = made
        invoice = self.create(
            obj,
            q,
            values,
            base,
            f"new QBO invoice for customer {customer_id}",
        )
        ref = Ref(invoice.op_id)
        self.ops.append(
            Associate(
                object=obj.name,
                from_type=obj.hubspot,
                from_id=ref,
                to_type="contacts",
                to_id=contact_id,
                reason=f"the contact linked to QBO customer {customer_id}",
            )
        )
        if company is not None:
            self.ops.append(
                Associate(
                    object=obj.name,
                    from_type=obj.hubspot,
                    from_id=ref,
                    to_type="companies",
                    to_id=company,
                    reason=(
                        f"the primary company of contact {contact_id} "
                        "(set on first sync only)"
                    ),
                )
            )
        self.create_lines(obj, q, ref)

    def create_lines(self, obj: ObjectSync, q: Record, invoice: Ref) -> None:
        lines = q.fields.get("Line") or ()
        if not isinstance(lines, tuple | list):
            return
        for position, line in enumerate(lines, start=1):
            if not isinstance(line, Mapping):
                continue
            detail = line.get(_LINE_DETAIL)
            if line.get("DetailType") != _LINE_DETAIL or not isinstance(
                detail, Mapping
            ):
                continue
            item = detail.get("ItemRef")
            item_id = item.get("value") if isinstance(item, Mapping) else None
            item_name = item.get("name") if isinstance(item, Mapping) else None
            values: dict[str, FieldValue] = {
                "name": line.get("Description")
                or item_name
                or f"Line {position}",
                "quantity": detail.get("Qty"),
                "price": detail.get("UnitPrice"),
                "amount": line.get("Amount"),
                "description": line.get("Description"),
            }
            values = {k: v for k, v in values.items() if v not in (None, "")}
            references: dict[str, Ref] = {}
            product = (
                self.product_for(str(item_id)) if item_id is not None else None
            )
            if isinstance(product, Ref):
                references["hs_product_id"] = product
            elif product is not None:
                values["hs_product_id"] = product
            line_id = line.get("Id") or str(position)
            op = Create(
                object=obj.name,
                side=Side.HUBSPOT,
                type="line_items",
                fields=values,
                source=RecordKey(
                    side=Side.QBO, type="Invoice.Line", id=f"{q.id}:{line_id}"
                ),
                references=references,
                link=False,
                reason=f"line {line_id} of QBO invoice {q.id}"
                + (f", item {item_id}" if item_id is not None else ""),
            )
            self.ops.append(op)
            self.ops.append(
                Associate(
                    object=obj.name,
                    from_type="line_items",
                    from_id=Ref(op.op_id),
                    to_type=obj.hubspot,
                    to_id=invoice,
                    reason=f"line {line_id} belongs to QBO invoice {q.id}",
                )
            )


def _agrees(
    base: Mapping[str, object], run: _Run, h: Record, q: Record
) -> bool:
    """
    Tell whether a linked pair is unchanged since the last sync, quickly.

    Raw values are compared with the base, without normalising: a raw
    value equal to the base normalises to the base (normalisation is
    idempotent and the base is normalised). A pair this misses takes the
    full merge, which finds the same answer more slowly.
    """
    expected = list(map(base.get, run.keys, run.missing))
    return expected == list(
        map(h.fields.get, run.hubspot_paths)
    ) and expected == list(map(q.fields.get, run.qbo_paths))


def _owners(customers: Mapping[str, Record]) -> dict[str, str]:
    """Map each display name key to the first QBO customer holding it."""
    owners: dict[str, str] = {}
    for qid in sorted(customers, key=id_sort_key):
        name = customers[qid].fields.get("DisplayName")
        if isinstance(name, str) and name.strip():
            owners.setdefault(names.name_key(name), qid)
    return owners


def _match_key(tier: FieldMap, record: Record) -> FieldValue:
    """The normalised match key of *record* on *tier* (None if none)."""
    path = tier.hubspot if record.side is Side.HUBSPOT else tier.qbo
    try:
        return tier.normalize(record.fields.get(path))
    except TransformError:
        return None


def _match_groups(
    tier: FieldMap, records: list[Record]
) -> dict[FieldValue, tuple[list[Record], list[Record]]]:
    """Group records by their normalised match key: (HubSpot, QBO) lists."""
    groups: dict[FieldValue, tuple[list[Record], list[Record]]] = {}
    for record in records:
        key = _match_key(tier, record)
        if key is not None:
            entry = groups.setdefault(key, ([], []))
            entry[0 if record.side is Side.HUBSPOT else 1].append(record)
    return groups


def _record_order(record: Record) -> tuple[int, int, str]:
    return id_sort_key(record.id)


def _creation_order(
    record: Record,
) -> tuple[dt.datetime, tuple[int, int, str]]:
    created = record.fields.get("createdate")
    when = created if isinstance(created, dt.datetime) else _FAR_FUTURE
    return (when, id_sort_key(record.id))


def _index(
    records: Iterable[Record], side: Side
) -> dict[str, dict[str, Record]]:
    """Group records by type and id; of duplicates keep the newest."""
    out: dict[str, dict[str, Record]] = {}
    for record in records:
        if record.side is not side:
            msg = (
                f"{_label(record.side, record.type, record.id)} was passed as "
                f"a {_SIDE_NAME[side]} record"
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


def plan(
    config: SyncConfig,
    hubspot_records: Iterable[Record],
    qbo_records: Iterable[Record],
    state: SyncState,
    *,
    now: dt.datetime,
) -> Plan:
    """
    Decide what to write to make both sides agree, and explain why.

    Pure: reads nothing, writes nothing, asks no clock. The same inputs give
    the same plan in any order. Pass every record of the enabled objects
    for a full sync, or only the changed ones plus their linked partners
    (and the HubSpot companies of contacts that may become QBO customers);
    the cost grows with the records passed, not with the state.

    Args:
        config: What to sync.
        hubspot_records: HubSpot records (contacts, companies, products,
            invoices…).
        qbo_records: QBO records (Customer, Item, Invoice…).
        state: The state of the last sync (``store.load(config)``).
        now: When the plan is made (aware); recorded in the plan.

    Returns:
        The plan: its operations in dependency order and its errors.

    Raises:
        ValueError: A record was passed on the wrong side, or *now* is
            naive.

    >>> import datetime as dt
    >>> when = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    >>> contact = Record(Side.HUBSPOT, "contacts", "1",
    ...     {"email": "jo@example.com", "firstname": "Jo", "lastname": "Li",
    ...      "createdate": when}, when)
    >>> config = SyncConfig.recommended(when - dt.timedelta(days=1))
    >>> p = plan(config, [contact], [], SyncState(), now=when)
    >>> [(op.kind, op.type) for op in p.writes]
    [('create', 'Customer')]

    .. versionadded:: 0.1.0
    """
    if now.tzinfo is None or now.utcoffset() is None:
        msg = "now must be timezone-aware"
        raise ValueError(msg)
    planner = _Planner(config, hubspot_records, qbo_records, state)
    planner.run()
    return Plan(
        operations=order_operations(planner.ops),
        errors=tuple(
            sorted(
                planner.errors,
                key=lambda e: (
                    e.object,
                    e.side.value,
                    e.type,
                    id_sort_key(e.id),
                    e.code.value,
                    e.message,
                ),
            )
        ),
        unchanged={k: frozenset(v) for k, v in planner.unchanged.items()},
        planned_at=now.astimezone(dt.UTC),
    )
