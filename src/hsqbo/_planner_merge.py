"""
Linked pairs: where a field is merged and a conflict is decided.

Each mapped field is compared with its base (design §5.1); one-sided
changes flow, two-sided ones are conflicts resolved by policy.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from hsqbo import _display_name as display_name
from hsqbo._config import ConflictPolicy, ObjectSync
from hsqbo._mapping import TransformError
from hsqbo._operations import (
    Conflict,
    ErrorCode,
    Link,
    Operation,
    Rebase,
    RecordError,
    Skip,
    SkipReason,
    Update,
)
from hsqbo._planner_base import (
    MISSING,
    SIDE_NAME,
    UNIQUE_NAMES,
    CompiledField,
    ObjectRun,
    PlannerBase,
    label,
    show,
)
from hsqbo._record import FieldValue, Record, Side
from hsqbo._state import LinkState


@attrs.define
class Pair:
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


def conflict_winner(pair: Pair, f: CompiledField) -> tuple[Side | None, str]:  # noqa: PLR0911 - one return per rule, in order
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


def agrees(
    base: Mapping[str, object], run: ObjectRun, h: Record, q: Record
) -> bool:
    """
    Tell whether a linked pair is unchanged since the last sync, quickly.

    Raw values are compared with the base, without normalising: a raw
    value equal to the base normalises to the base (normalisation is
    idempotent and the base is normalised). A pair this misses takes the
    full merge, which finds the same answer more slowly.
    """
    expected = list(map(base.get, run.keys, run.missing))
    if expected != list(map(h.fields.get, run.hubspot_paths)):
        return False
    if run.derived:
        return expected == [f.qbo_value(q) for f in run.fields]
    return expected == list(map(q.fields.get, run.qbo_paths))


class MergeRules(PlannerBase):
    """Linked pairs: the three-way merge, conflicts, links (design §5.1)."""

    def merge_linked(
        self, run: ObjectRun, h: Record, q: Record, link: LinkState
    ) -> None:
        """Merge a linked pair whose fields do not all agree with the base."""
        base = link.base
        if run.valid is not None:
            base = {k: v for k, v in base.items() if k in run.valid}
        pair = self.merge(run.obj, run.fields, h, q, base)
        self.emit_pair(run.obj, h, q, pair, first=False)

    def merge(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        h: Record,
        q: Record,
        base: Mapping[str, FieldValue],
    ) -> Pair:
        """Merge every field of a pair against *base* (three-way)."""
        pair = Pair(obj, h, q)
        for f in fields:
            self.merge_field(pair, f, base.get(f.key, MISSING))
        return pair

    def merge_field(self, pair: Pair, f: CompiledField, b: object) -> None:
        """Merge one field: propagate a one-sided change, or resolve both."""
        h, q = pair.h, pair.q
        hr = h.fields.get(f.hubspot)
        qr = f.qbo_value(q)
        if b is not MISSING and hr == b and qr == b:
            return
        values = self.normalized(pair, f, hr, qr)
        if values is None:
            return
        hn, qn = values
        if hn == qn:
            if b is MISSING or b != hn:
                pair.rebase[f.key] = hn
            return
        if b is MISSING:
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
        self, pair: Pair, f: CompiledField, hr: FieldValue, qr: FieldValue
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
        self, pair: Pair, f: CompiledField, hn: FieldValue, qn: FieldValue
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
            self.conflict(pair, f, hn, qn, MISSING)

    def invalid(
        self,
        obj: ObjectSync,
        record: Record,
        f: CompiledField,
        exc: TransformError,
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
            return f"{label(target.side, target.type, target.id)} is archived"
        verdict = self.verdict(obj, source)
        if not verdict.passed:
            return f"excluded: {verdict.reason}"
        return ""

    def flow(
        self,
        pair: Pair,
        f: CompiledField,
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
                        f"{SIDE_NAME[side]} keeps {show(old)} (empty values "
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
        self,
        pair: Pair,
        f: CompiledField,
        hn: FieldValue,
        qn: FieldValue,
        b: object,
    ) -> None:
        """Resolve a field changed differently on both sides; report it."""
        winner, why = conflict_winner(pair, f)
        if winner is not None:
            value = hn if winner is Side.HUBSPOT else qn
            if value is None and not f.map.empty_overwrites:
                winner = winner.other
                value = hn if winner is Side.HUBSPOT else qn
                why += "; its value is empty, and empty never wipes filled"
            if not self.flow(pair, f, winner, value, f"in conflict, {why}"):
                winner = None
                why += "; but it cannot be written, so the field is held"
        side_values = f"HubSpot {show(hn)}, QBO {show(qn)}"
        base_text = "no base" if b is MISSING else f"base {show(b)}"
        pair.reports.append(
            Conflict(
                object=pair.obj.name,
                hubspot_id=pair.h.id,
                qbo_id=pair.q.id,
                field=f.key,
                hubspot_value=hn,
                qbo_value=qn,
                base=None if b is MISSING else b,  # type: ignore[arg-type]
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
        pair: Pair,
        *,
        first: bool,
    ) -> None:
        """Turn a merged pair into operations."""
        unique = UNIQUE_NAMES.get(q.type)
        if unique is not None and unique in pair.q_changes:
            self.check_rename(obj, h, q, pair, unique)
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

    def check_rename(
        self, obj: ObjectSync, h: Record, q: Record, pair: Pair, path: str
    ) -> None:
        """Keep a QBO name unique when an update renames a record (rule 4)."""
        name = pair.q_changes[path][1]
        if not isinstance(name, str):
            return
        key = display_name.name_key(name)
        taken = self.names_of(q.type, path)
        own = f"QBO {q.type} {q.id}"
        holder = taken.get(key, own)
        problem = (
            display_name.name_problem(name) if path == "DisplayName" else None
        )
        if holder == own and problem is None:
            taken[key] = own
            return
        del pair.q_changes[path]
        for field_key in [k for k in pair.q_base if k.endswith(f"={path}")]:
            del pair.q_base[field_key]
        pair.q_why = [w for w in pair.q_why if not w.startswith(f"{path} ")]
        if problem is not None:
            code = ErrorCode.INVALID_DISPLAY_NAME
            message = f"QBO {path} {show(name)} {problem}; not renamed"
        else:
            code = (
                ErrorCode.DUPLICATE_DISPLAY_NAME
                if path == "DisplayName"
                else ErrorCode.DUPLICATE_NAME
            )
            message = (
                f"QBO {path} {show(name)} is already used by {holder}; "
                f"{own} keeps its name (QBO names are unique)"
            )
        pair.errors.append(
            RecordError(
                object=obj.name,
                side=h.side,
                type=h.type,
                id=h.id,
                code=code,
                message=message,
            )
        )

    def link(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
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
