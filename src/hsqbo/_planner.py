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
from collections.abc import Iterable

from hsqbo._config import ObjectSync, SyncConfig
from hsqbo._deals import DealRule
from hsqbo._mapping import FieldMap
from hsqbo._operations import (
    ErrorCode,
    Remap,
    SkipReason,
    id_sort_key,
)
from hsqbo._plan import Plan, order_operations
from hsqbo._planner_base import (
    SIDE_NAME,
    UNIQUE_NAMES,
    CompiledField,
    ObjectRun,
    compile_fields,
    match_key,
    show,
)
from hsqbo._planner_deals import DealRules
from hsqbo._planner_merge import (
    agrees,
)
from hsqbo._record import FieldValue, Record, Side
from hsqbo._state import ObjectState, SyncState


__all__ = ["plan"]


class _Planner(DealRules):
    """One planning run: every enabled object sync, in dependency order."""

    def run(self) -> None:
        objects = [o for o in self.config.objects if o.enabled]
        # Invoices need the contacts' and products' links of this plan.
        objects.sort(key=lambda o: (o.qbo == "Invoice", o.name))
        for obj in objects:
            self.plan_object(obj)
            if obj.qbo == "Invoice" and isinstance(obj.deal, DealRule):
                self.plan_deals(obj, obj.deal)

    def plan_object(self, obj: ObjectSync) -> None:
        fields = compile_fields(obj)
        ostate = self.state.object(obj.name)
        run = ObjectRun.of(obj, fields, self.remap(obj, ostate))
        hs = self.hubspot.get(obj.hubspot, {})
        qb = self.qbo.get(obj.qbo, {})
        unlinked_h: list[Record] = []
        unlinked_q: list[Record] = []
        links = ostate.links
        fast = run.valid is None
        invoices = obj.qbo == "Invoice"
        unchanged = self.unchanged[obj.name]
        # Linked pairs are merged independently of each other, so they need
        # no order here (the plan is sorted at the end); only first-sync
        # decisions, which claim names and matches, run in sorted order.
        # Renames claim unique QBO names: then the order matters.
        unique = UNIQUE_NAMES.get(obj.qbo)
        renames = any(f.qbo == unique and f.to_qbo for f in fields)
        pairs = sorted(hs.items(), key=_first_id) if renames else hs.items()
        for hid, h in pairs:
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
            if fast and agrees(link.base, run, h, q):
                unchanged.add(hid)
            else:
                self.merge_linked(run, h, q, link)
            if invoices and self.create_lines(obj, q, hid):
                unchanged.discard(hid)
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

    def first_sync(
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
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
                        (hs[0], qs[0], f"matched by {tier.key} {show(key)}")
                    )
                    continue
                ambiguous.update((r.side, r.id) for r in hs + qs)
                self.ambiguous(obj, f"{tier.key} {show(key)}", hs, qs)
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
                f"{key} matches {SIDE_NAME[record.side.other]} "
                f"{', '.join(other_ids)}"
            )
            if same:
                message += (
                    f" and is shared with {SIDE_NAME[record.side]} "
                    f"{', '.join(same)}"
                )
            self.error(
                obj,
                record,
                ErrorCode.AMBIGUOUS_MATCH,
                message + "; link them by hand or make the key unique",
            )


def _match_groups(
    tier: FieldMap, records: list[Record]
) -> dict[FieldValue, tuple[list[Record], list[Record]]]:
    """Group records by their normalised match key: (HubSpot, QBO) lists."""
    groups: dict[FieldValue, tuple[list[Record], list[Record]]] = {}
    for record in records:
        key = match_key(tier, record)
        if key is not None:
            entry = groups.setdefault(key, ([], []))
            entry[0 if record.side is Side.HUBSPOT else 1].append(record)
    return groups


def _first_id(item: tuple[str, Record]) -> tuple[int, int, str]:
    return id_sort_key(item[0])


def _record_order(record: Record) -> tuple[int, int, str]:
    return id_sort_key(record.id)


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
