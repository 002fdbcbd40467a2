"""
The reader: what the planner sees of both sides.

A first run (or one whose cursors are gone or too old) reads every record
in scope. Later runs read only what changed since the stored cursors — QBO
change data capture inside its 30-day window, HubSpot search on
``hs_lastmodifieddate`` — each starting :data:`OVERLAP` before the cursor
so that clock skew and search-index lag lose nothing (the planner is
idempotent over records it sees twice). Then the linked partners of the
changed records, the contacts and companies that invoices and display
names need, and the records that may match a new one (by e-mail, SKU or
name) are read by id or key in batches, so the cost grows with the
changes, not with the total.

Cursors are returned, not stored: the engine commits them only after the
changes they cover are committed (Singer's bookmark rule).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final

import attrs
from dateutil import parser as dateparser

from hsqbo._clock import Clock
from hsqbo._config import ObjectSync, SyncConfig
from hsqbo._deal_reads import complete_deals
from hsqbo._errors import ConfigError
from hsqbo._filters import Filter, FilterGroup, Operator
from hsqbo._record import Direction, Record, Side
from hsqbo._state import SyncState
from hsqbo.hubspot import AssociationTypes, HubSpotClient
from hsqbo.qbo import (
    ChangeWindowError,
    Query,
    QuickBooksClient,
    select,
    to_record,
)
from hsqbo.qbo._models import ENTITY_TYPES, Entity
from hsqbo.webhooks import Change, ChangeKind


__all__ = [
    "CDC_WINDOW",
    "HUBSPOT_CURSOR",
    "OVERLAP",
    "QBO_CURSOR",
    "SIDE_LABEL",
    "Reader",
    "Snapshot",
    "coalesce",
]

OVERLAP: Final = dt.timedelta(minutes=5)
"""How far before a cursor an incremental read starts."""
CDC_WINDOW: Final = dt.timedelta(days=30)
"""How far back QBO change data capture reaches."""
HUBSPOT_CURSOR: Final = "hubspot"
QBO_CURSOR: Final = "qbo"
_ID_CHUNK: Final = 100
_ALWAYS: Final = ("createdate", "hs_lastmodifieddate")
_ASSOCIATED: Mapping[str, tuple[str, ...]] = {"contacts": ("companies",)}
_PRIMARY_COMPANY = AssociationTypes.CONTACT_TO_COMPANY_PRIMARY.type_id


@attrs.frozen(kw_only=True)
class Snapshot:
    """
    What one read saw.

    Args:
        hubspot: HubSpot records (all object types, companies too).
        qbo: QBO records.
        cursors: Object sync name → cursor name → value to commit once
            the plan made from these records is applied.
        full: Object sync names read in full.
        notes: Things the report should say.
    """

    hubspot: tuple[Record, ...]
    qbo: tuple[Record, ...]
    cursors: Mapping[str, Mapping[str, str]]
    full: frozenset[str]
    notes: tuple[str, ...] = ()


def _chunks(
    items: Sequence[str], size: int = _ID_CHUNK
) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _parse(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dateparser.isoparse(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC)


def hubspot_properties(obj: ObjectSync) -> list[str]:
    """The HubSpot properties the planner needs for *obj*."""
    names = {f.hubspot for f in (*obj.fields, *obj.match)}
    for group in obj.filters_to_qbo:
        names.update(f.property for f in group.filters)
    names.update(_ALWAYS)
    names.discard("")
    return sorted(names)


@attrs.define
class _Fullness:
    """The object syncs whose HubSpot or QBO side was read in full."""

    hubspot: set[str] = attrs.Factory(set)
    qbo: set[str] = attrs.Factory(set)

    def partial_qbo(self, name: str, pushed: set[str]) -> bool:
        """Whether QBO partners of *name* may be missing from the read."""
        return name not in self.qbo or name in pushed


@attrs.define
class _Wanted:
    """What a list of webhook changes asks the reader to do."""

    hubspot: dict[str, set[str]] = attrs.Factory(lambda: defaultdict(set))
    qbo: dict[str, set[str]] = attrs.Factory(lambda: defaultdict(set))
    companies: set[str] = attrs.Factory(set)
    payments: set[str] = attrs.Factory(set)
    ignored: dict[str, int] = attrs.Factory(lambda: defaultdict(int))
    notes: list[str] = attrs.Factory(list)


class _Collected:
    """Records gathered so far, by side, type and id."""

    def __init__(self) -> None:
        self.hubspot: dict[str, dict[str, Record]] = defaultdict(dict)
        self.qbo: dict[str, dict[str, Record]] = defaultdict(dict)

    def add(self, record: Record) -> None:
        target = self.hubspot if record.side is Side.HUBSPOT else self.qbo
        target[record.type][record.id] = record

    def has(self, side: Side, type_: str, record_id: str) -> bool:
        target = self.hubspot if side is Side.HUBSPOT else self.qbo
        return record_id in target.get(type_, {})

    def all(self, side: Side) -> tuple[Record, ...]:
        target = self.hubspot if side is Side.HUBSPOT else self.qbo
        return tuple(r for by_id in target.values() for r in by_id.values())


class Reader:
    """
    Read both sides for one planning run.

    Args:
        config: What is synced.
        hubspot: The HubSpot client.
        qbo: The QBO client.
        clock: Where "now" comes from (cursor values).
    """

    def __init__(
        self,
        config: SyncConfig,
        *,
        hubspot: HubSpotClient,
        qbo: QuickBooksClient,
        clock: Clock,
    ) -> None:
        self._config = config
        self._hubspot = hubspot
        self._qbo = qbo
        self._clock = clock
        self._pushed: set[str] = set()
        self._pushed_hubspot: set[str] = set()

    # -- entry ----------

    def read(self, state: SyncState, *, full: bool = False) -> Snapshot:
        """Read what the next plan needs; *full* reads everything."""
        started = self._clock.now()
        stamp = started.isoformat()
        seen = _Collected()
        sides = _Fullness()
        notes: list[str] = []
        objects = [o for o in self._config.objects if o.enabled]
        due: list[tuple[ObjectSync, dt.datetime]] = []
        for obj in objects:
            ostate = state.object(obj.name)
            h_since = _parse(ostate.cursors.get(HUBSPOT_CURSOR))
            q_since = _parse(ostate.cursors.get(QBO_CURSOR))
            if full or h_since is None:
                self._all_hubspot(obj, seen)
                sides.hubspot.add(obj.name)
            else:
                self._hubspot_changes(obj, h_since - OVERLAP, seen)
            if full or q_since is None:
                self._all_qbo(obj, seen)
                sides.qbo.add(obj.name)
            elif started - (q_since - OVERLAP) >= CDC_WINDOW:
                notes.append(
                    f"{obj.name}: the QBO cursor ({q_since.isoformat()}) is "
                    "older than QBO's 30-day change window; read every "
                    f"QBO {obj.qbo} in full"
                )
                self._all_qbo(obj, seen)
                sides.qbo.add(obj.name)
            else:
                due.append((obj, q_since - OVERLAP))
        if due and not self._qbo_changes(due, seen):
            for obj, _ in due:
                notes.append(
                    f"{obj.name}: QBO change data capture was saturated or "
                    f"refused; read every QBO {obj.qbo} in full"
                )
                self._all_qbo(obj, seen)
                sides.qbo.add(obj.name)
        self._complete(state, objects, seen, sides)
        return Snapshot(
            hubspot=seen.all(Side.HUBSPOT),
            qbo=seen.all(Side.QBO),
            cursors={
                obj.name: {HUBSPOT_CURSOR: stamp, QBO_CURSOR: stamp}
                for obj in objects
            },
            full=frozenset(sides.hubspot | sides.qbo),
            notes=tuple(notes),
        )

    def read_changes(
        self, state: SyncState, changes: Iterable[Change]
    ) -> Snapshot:
        """
        Read just the records *changes* name, and what planning them needs.

        Each record is read by id (HubSpot batch read, QBO query by ``Id
        IN``), then completed exactly like an incremental read: linked
        partners, invoice contacts, match candidates and companies. No
        cursor is returned: a webhook is not a bookmark.
        """
        wanted = self._triage(state, changes)
        notes = list(wanted.notes)
        notes.extend(
            f"{count} change{'s' if count != 1 else ''} ignored: {why}"
            for why, count in sorted(wanted.ignored.items())
        )
        want_h, want_q = wanted.hubspot, wanted.qbo
        if wanted.companies:
            notes.append(
                self._company_contacts(sorted(wanted.companies), want_h)
            )
        if wanted.payments:
            notes.append(self._paid_invoices(sorted(wanted.payments), want_q))
        seen = _Collected()
        for type_, ids in sorted(want_q.items()):
            self._qbo_by_id(type_, sorted(ids), seen)
        for type_, ids in sorted(want_h.items()):
            self._hubspot_by_id(type_, sorted(ids), seen)
        objects = [o for o in self._config.objects if o.enabled]
        self._complete(state, objects, seen, _Fullness())
        return Snapshot(
            hubspot=seen.all(Side.HUBSPOT),
            qbo=seen.all(Side.QBO),
            cursors={},
            full=frozenset(),
            notes=tuple(notes),
        )

    def _triage(self, state: SyncState, changes: Iterable[Change]) -> _Wanted:
        """Sort *changes* into records to read, follow-ups and notes."""
        wanted = _Wanted()
        for change in coalesce(changes):
            if (
                change.side is Side.QBO
                and change.account
                and change.account != self._qbo.realm_id
            ):
                wanted.ignored[
                    f"of QBO company {change.account}, not "
                    f"{self._qbo.realm_id}"
                ] += 1
                continue
            deleted = change.kind is ChangeKind.DELETED
            if deleted and self._covering(change.side, change.type):
                wanted.notes.append(self._deleted(state, change))
                continue
            follow = (
                None if deleted else self._follow_up(state, change, wanted)
            )
            if follow is not None:
                follow.add(change.id)
                continue
            why = self._why_not(state, change)
            if why:
                wanted.ignored[why] += 1
                continue
            if change.merged_ids:
                wanted.notes.append(self._merged(state, change))
            side = (
                wanted.hubspot if change.side is Side.HUBSPOT else wanted.qbo
            )
            side[change.type].add(change.id)
        return wanted

    def _covering(self, side: Side, type_: str) -> list[ObjectSync]:
        """The object syncs whose records on *side* are of *type_*."""
        return [
            o
            for o in self._config.objects
            if (o.hubspot if side is Side.HUBSPOT else o.qbo) == type_
        ]

    def _why_not(self, state: SyncState, change: Change) -> str:
        """Why *change* plans nothing now ("" if it may)."""
        covering = self._covering(change.side, change.type)
        label = f"{SIDE_LABEL[change.side]} {change.type}"
        if not covering:
            return f"no object sync covers {label}"
        enabled = [o for o in covering if o.enabled]
        if not enabled:
            names = ", ".join(o.name for o in covering)
            return f"{label}: {names} disabled"
        reading = [o for o in enabled if o.direction.reads_from(change.side)]
        if not reading:
            names = ", ".join(o.name for o in enabled)
            return (
                f"{label}: {names} flow{'s' if len(enabled) == 1 else ''} "
                f"to {SIDE_LABEL[change.side]} only"
            )
        if not any(_synced_before(state, o) for o in reading):
            names = ", ".join(o.name for o in reading)
            return f"{label}: {names} not synced yet (run() first)"
        return ""

    def _follow_up(
        self, state: SyncState, change: Change, wanted: _Wanted
    ) -> set[str] | None:
        """
        Name the follow-up of a change no object sync covers, if any.

        A HubSpot company's name is its contacts' QBO display name; a QBO
        payment changes the balance of the invoices it pays.
        """
        if self._covering(change.side, change.type):
            return None
        if change.side is Side.HUBSPOT and change.type == "companies":
            type_, side, into = "contacts", Side.HUBSPOT, wanted.companies
        elif change.side is Side.QBO and change.type == "Payment":
            type_, side, into = "Invoice", Side.QBO, wanted.payments
        else:
            return None
        if not any(
            o.enabled
            and o.direction.reads_from(side)
            and _synced_before(state, o)
            for o in self._covering(side, type_)
        ):
            return None
        return into

    def _company_contacts(
        self, company_ids: list[str], want_h: dict[str, set[str]]
    ) -> str:
        """Add the contacts of changed companies to the records to read."""
        found = self._hubspot.read_associations(
            "companies", "contacts", company_ids
        )
        contacts = {a.to_id for links in found.values() for a in links}
        want_h["contacts"].update(contacts)
        return (
            f"{len(company_ids)} HubSpot compan"
            f"{'ies' if len(company_ids) != 1 else 'y'} changed: "
            f"re-planned {len(contacts)} associated contact"
            f"{'s' if len(contacts) != 1 else ''}"
        )

    def _paid_invoices(
        self, payment_ids: list[str], want_q: dict[str, set[str]]
    ) -> str:
        """Add the invoices changed payments apply to."""
        paid = _Collected()
        self._qbo_by_id("Payment", payment_ids, paid)
        invoices = {
            str(linked["TxnId"])
            for payment in paid.all(Side.QBO)
            for line in _mappings(payment.fields.get("Line"))
            for linked in _mappings(line.get("LinkedTxn"))
            if linked.get("TxnType") == "Invoice" and linked.get("TxnId")
        }
        want_q["Invoice"].update(invoices)
        return (
            f"{len(payment_ids)} QBO payment"
            f"{'s' if len(payment_ids) != 1 else ''} changed: re-planned "
            f"{len(invoices)} invoice{'s' if len(invoices) != 1 else ''} "
            "they apply to"
        )

    def _deleted(self, state: SyncState, change: Change) -> str:
        where = f"{SIDE_LABEL[change.side]} {change.type} {change.id}"
        partners = self._partners_of(
            state, change.side, change.type, change.id
        )
        kept = f"; {partners} kept as it is" if partners else ""
        return f"{where} was deleted; deletes are not propagated{kept}"

    def _merged(self, state: SyncState, change: Change) -> str:
        gone = ", ".join(change.merged_ids)
        partners = [
            p
            for merged in change.merged_ids
            if (
                p := self._partners_of(state, change.side, change.type, merged)
            )
        ]
        kept = f"; {', '.join(partners)} kept as linked" if partners else ""
        return (
            f"{SIDE_LABEL[change.side]} {change.type} {gone} merged into "
            f"{change.id}; merges are not propagated{kept}"
        )

    def _partners_of(
        self, state: SyncState, side: Side, type_: str, record_id: str
    ) -> str:
        """Name the linked partner of a record ("" if none)."""
        for obj in self._covering(side, type_):
            link = state.object(obj.name).link_for(side, record_id)
            if link is None:
                continue
            if side is Side.HUBSPOT:
                return f"its partner QBO {obj.qbo} {link.qbo_id}"
            return f"its partner HubSpot {obj.hubspot} {link.hubspot_id}"
        return ""

    # -- full reads ----------

    def _entity(self, obj: ObjectSync) -> type[Entity]:
        return ENTITY_TYPES[obj.qbo]

    def _all_hubspot(self, obj: ObjectSync, seen: _Collected) -> None:
        if (
            obj.direction is Direction.HUBSPOT_TO_QBO
            and obj.filters_to_qbo
            and self._search_hubspot(obj, seen)
        ):
            return
        objects = self._hubspot.list(
            obj.hubspot,
            properties=hubspot_properties(obj),
            associations=_ASSOCIATED.get(obj.hubspot, ()),
            page_size=100,
        )
        for record in self._hubspot.records(obj.hubspot, objects):
            seen.add(record)

    def _search_hubspot(self, obj: ObjectSync, seen: _Collected) -> bool:
        """
        Read only what a one-way HubSpot → QBO object's filters let through.

        HubSpot's search takes hsqbo's filter groups as they are; a filter
        it cannot say (checked before any request) falls back to a list.
        """
        pages = self._hubspot.search(
            obj.hubspot, obj.filters_to_qbo, properties=hubspot_properties(obj)
        )
        try:
            first = next(pages, None)
        except ConfigError:
            return False
        self._pushed_hubspot.add(obj.name)
        found = pages if first is None else itertools.chain([first], pages)
        records = list(self._hubspot.records(obj.hubspot, found))
        for record in self._with_associations(obj.hubspot, records):
            seen.add(record)
        return True

    def _all_qbo(self, obj: ObjectSync, seen: _Collected) -> None:
        query = select(self._entity(obj)).with_inactive()
        pushed = _push_down(obj)
        if pushed is not None:
            # Only the records that may flow are read; a linked record that
            # no longer passes is fetched by id with the other partners.
            query = pushed
            self._pushed.add(obj.name)
        for entity in self._qbo.query(query):
            seen.add(to_record(entity))

    # -- changes ----------

    def _hubspot_changes(
        self, obj: ObjectSync, since: dt.datetime, seen: _Collected
    ) -> None:
        group = FilterGroup(
            [Filter("hs_lastmodifieddate", Operator.GTE, value=since)]
        )
        found = self._hubspot.search(
            obj.hubspot, [group], properties=hubspot_properties(obj)
        )
        records = list(self._hubspot.records(obj.hubspot, found))
        for record in self._with_associations(obj.hubspot, records):
            seen.add(record)

    def _qbo_changes(
        self, due: Sequence[tuple[ObjectSync, dt.datetime]], seen: _Collected
    ) -> bool:
        """One CDC call for every object due, from the oldest cursor."""
        since = min(when for _, when in due)
        entities = list(dict.fromkeys(self._entity(obj) for obj, _ in due))
        try:
            changes = self._qbo.cdc(entities, since)
        except ChangeWindowError:
            return False
        if changes.saturated:
            return False
        for entity in changes.changed:
            seen.add(to_record(entity))
        return True

    def _with_associations(
        self, object_type: str, records: list[Record]
    ) -> list[Record]:
        """Add the associations search results lack (primary first)."""
        wanted = _ASSOCIATED.get(object_type, ())
        if not wanted or not records:
            return records
        out = records
        for to_type in wanted:
            found = self._hubspot.read_associations(
                object_type, to_type, [r.id for r in out]
            )
            updated = []
            for record in out:
                links = found.get(record.id, ())
                primary = [
                    a.to_id
                    for a in links
                    if any(t.type_id == _PRIMARY_COMPANY for t in a.types)
                ]
                rest = [a.to_id for a in links if a.to_id not in primary]
                associations = dict(record.associations)
                associations[to_type] = tuple(dict.fromkeys(primary + rest))
                updated.append(attrs.evolve(record, associations=associations))
            out = updated
        return out

    # -- targeted reads ----------

    def _complete(
        self,
        state: SyncState,
        objects: Sequence[ObjectSync],
        seen: _Collected,
        sides: _Fullness,
    ) -> None:
        """Read linked partners, invoice contacts and companies by id."""
        for _ in range(2):
            # Partners first; invoices then need their customers' contacts,
            # whose own partners the second pass reads.
            want_h, want_q = self._partners(state, objects, seen, sides)
            self._invoice_contacts(state, objects, seen, want_h)
            for type_, ids in sorted(want_q.items()):
                self._qbo_by_id(type_, sorted(ids), seen)
            for type_, ids in sorted(want_h.items()):
                self._hubspot_by_id(type_, sorted(ids), seen)
            if not want_h and not want_q:
                break
        complete_deals(
            self._config, state, seen, hubspot=self._hubspot, qbo=self._qbo
        )
        self._candidates(state, objects, seen, sides)
        self._companies(seen)

    def _partners(
        self,
        state: SyncState,
        objects: Sequence[ObjectSync],
        seen: _Collected,
        sides: _Fullness,
    ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The ids of linked partners not read yet, per side and type."""
        want_h: dict[str, set[str]] = defaultdict(set)
        want_q: dict[str, set[str]] = defaultdict(set)
        for obj in objects:
            ostate = state.object(obj.name)
            if sides.partial_qbo(obj.name, self._pushed):
                for hid in list(seen.hubspot.get(obj.hubspot, {})):
                    link = ostate.link_for(Side.HUBSPOT, hid)
                    if link and not seen.has(Side.QBO, obj.qbo, link.qbo_id):
                        want_q[obj.qbo].add(link.qbo_id)
            if (
                obj.name not in sides.hubspot
                or obj.name in self._pushed_hubspot
            ):
                for qid in list(seen.qbo.get(obj.qbo, {})):
                    link = ostate.link_for(Side.QBO, qid)
                    if link and not seen.has(
                        Side.HUBSPOT, obj.hubspot, link.hubspot_id
                    ):
                        want_h[obj.hubspot].add(link.hubspot_id)
        return want_h, want_q

    def _candidates(
        self,
        state: SyncState,
        objects: Sequence[ObjectSync],
        seen: _Collected,
        sides: _Fullness,
    ) -> None:
        """
        Read the records a new, unlinked record may match (by e-mail...).

        Without them the planner, which matches only among the records it
        is given, would create a twin of an unchanged existing record.
        """
        for obj in objects:
            ostate = state.object(obj.name)
            for key in obj.match:
                # A side read in full already holds every candidate.
                from_q = (
                    []
                    if obj.name in sides.hubspot
                    else _values(
                        r.fields.get(key.qbo)
                        for r in seen.qbo.get(obj.qbo, {}).values()
                        if ostate.link_for(Side.QBO, r.id) is None
                    )
                )
                from_h = (
                    []
                    if obj.name in sides.qbo
                    else _values(
                        r.fields.get(key.hubspot)
                        for r in seen.hubspot.get(obj.hubspot, {}).values()
                        if ostate.link_for(Side.HUBSPOT, r.id) is None
                    )
                )
                for chunk in _chunks(from_q):
                    group = FilterGroup(
                        [Filter(key.hubspot, Operator.IN, values=chunk)]
                    )
                    found = self._hubspot.search(
                        obj.hubspot,
                        [group],
                        properties=hubspot_properties(obj),
                    )
                    records = [
                        r
                        for r in self._hubspot.records(obj.hubspot, found)
                        if not seen.has(Side.HUBSPOT, r.type, r.id)
                    ]
                    for record in self._with_associations(
                        obj.hubspot, records
                    ):
                        seen.add(record)
                # QBO filters on the top-level field (PrimaryEmailAddr).
                field = key.qbo.split(".", 1)[0]
                entity = ENTITY_TYPES[obj.qbo]
                for chunk in _chunks(from_h):
                    query = select(entity).where(field, "IN", chunk)
                    for found_q in self._qbo.query(query.with_inactive()):
                        record = to_record(found_q)
                        if not seen.has(Side.QBO, record.type, record.id):
                            seen.add(record)

    def _invoice_contacts(
        self,
        state: SyncState,
        objects: Sequence[ObjectSync],
        seen: _Collected,
        want_h: dict[str, set[str]],
    ) -> None:
        contact_syncs = [
            o
            for o in objects
            if o.qbo == "Customer" and o.hubspot == "contacts"
        ]
        for obj in objects:
            if obj.qbo != "Invoice":
                continue
            for record in seen.qbo.get("Invoice", {}).values():
                customer = record.fields.get("CustomerRef.value")
                if customer in (None, ""):
                    continue
                for contacts in contact_syncs:
                    link = state.object(contacts.name).link_for(
                        Side.QBO, str(customer)
                    )
                    if link is not None and not seen.has(
                        Side.HUBSPOT, "contacts", link.hubspot_id
                    ):
                        want_h["contacts"].add(link.hubspot_id)

    def _qbo_by_id(self, type_: str, ids: list[str], seen: _Collected) -> None:
        entity = ENTITY_TYPES[type_]
        for chunk in _chunks(ids):
            query = select(entity).where("Id", "IN", chunk).with_inactive()
            for found in self._qbo.query(query):
                seen.add(to_record(found))

    def _hubspot_by_id(
        self, type_: str, ids: list[str], seen: _Collected
    ) -> None:
        obj = next(
            (o for o in self._config.objects if o.hubspot == type_), None
        )
        properties = (
            hubspot_properties(obj) if obj is not None else list(_ALWAYS)
        )
        if type_ == "companies":
            properties = sorted({*properties, "name"})
        result = self._hubspot.batch_read(type_, ids, properties=properties)
        found = [o.object for o in result.outcomes if o.object is not None]
        records = list(self._hubspot.records(type_, found))
        for record in self._with_associations(type_, records):
            seen.add(record)

    def _companies(self, seen: _Collected) -> None:
        wanted = sorted(
            {
                cid
                for record in seen.hubspot.get("contacts", {}).values()
                for cid in record.associations.get("companies", ())
                if not seen.has(Side.HUBSPOT, "companies", cid)
            }
        )
        if wanted:
            self._hubspot_by_id("companies", wanted, seen)


_PUSHABLE: Mapping[Operator, str] = {
    Operator.EQ: "=",
    Operator.LT: "<",
    Operator.LTE: "<=",
    Operator.GT: ">",
    Operator.GTE: ">=",
    Operator.IN: "IN",
}


def _push_down(obj: ObjectSync) -> Query[Entity] | None:
    """
    The QBO query that reads only what *obj*'s filters let through.

    Only for objects that flow one way, QBO → HubSpot (records failing the
    filter can produce nothing), with one filter group that QBO's query
    language can say (ANDed comparisons and ``IN``).
    """
    if obj.direction is not Direction.QBO_TO_HUBSPOT:
        return None
    if len(obj.filters_to_hubspot) != 1:
        return None
    query = select(ENTITY_TYPES[obj.qbo]).with_inactive()
    for condition in obj.filters_to_hubspot[0].filters:
        operator = _PUSHABLE.get(condition.operator)
        if operator is None or condition.property.startswith("hsqbo."):
            return None
        value: object = (
            condition.values
            if condition.operator is Operator.IN
            else condition.value
        )
        if isinstance(value, float) or value is None:
            return None
        try:
            query = query.where(condition.property, operator, value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
    return query


SIDE_LABEL: Mapping[Side, str] = {Side.HUBSPOT: "HubSpot", Side.QBO: "QBO"}

_PRECEDENCE: Mapping[ChangeKind, int] = {
    # Of two events of one record at the same instant, a deletion decides.
    ChangeKind.DELETED: 2,
    ChangeKind.MERGED: 1,
}


def coalesce(changes: Iterable[Change]) -> list[Change]:
    """
    Keep one change per record: the latest (a deletion on a tie).

    Merges keep every merged-away id seen. The result is sorted by side,
    type and id, so the same changes in any order read alike.
    """
    latest: dict[tuple[Side, str, str], Change] = {}
    merged: dict[tuple[Side, str, str], set[str]] = defaultdict(set)
    for change in changes:
        key = (change.side, change.type, change.id)
        merged[key].update(change.merged_ids)
        held = latest.get(key)
        if held is None or _rank(change) > _rank(held):
            latest[key] = change
    return [
        attrs.evolve(latest[key], merged_ids=tuple(sorted(merged[key])))
        for key in sorted(latest, key=lambda k: (k[0].value, k[1], k[2]))
    ]


def _rank(change: Change) -> tuple[dt.datetime, int, str, str]:
    """Order the changes of one record; ties broken so order never counts."""
    return (
        change.occurred_at,
        _PRECEDENCE.get(change.kind, 0),
        change.kind.value,
        change.event_id,
    )


def _synced_before(state: SyncState, obj: ObjectSync) -> bool:
    """Whether *obj* has had a run that stored its read cursors."""
    cursors = state.object(obj.name).cursors
    return bool(cursors.get(HUBSPOT_CURSOR) and cursors.get(QBO_CURSOR))


def _mappings(value: object) -> list[Mapping[str, object]]:
    """The mappings in a QBO list field (``Line``, ``LinkedTxn``)."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _values(raw: Iterable[object]) -> list[str]:
    """Distinct non-empty text values, as given and lower-cased."""
    out: set[str] = set()
    for value in raw:
        if isinstance(value, str) and value.strip():
            out.add(value.strip())
            out.add(value.strip().lower())
    return sorted(out)
