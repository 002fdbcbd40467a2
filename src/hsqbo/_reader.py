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


__all__ = [
    "CDC_WINDOW",
    "HUBSPOT_CURSOR",
    "OVERLAP",
    "QBO_CURSOR",
    "Reader",
    "Snapshot",
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


def _values(raw: Iterable[object]) -> list[str]:
    """Distinct non-empty text values, as given and lower-cased."""
    out: set[str] = set()
    for value in raw:
        if isinstance(value, str) and value.strip():
            out.add(value.strip())
            out.add(value.strip().lower())
    return sorted(out)
