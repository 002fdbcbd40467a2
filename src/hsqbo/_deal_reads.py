"""
The reads the invoice → deal rule needs, targeted and in batches.

Once the reader has the invoices of a run, the planner also needs, for the
invoice syncs with a :class:`~hsqbo.DealRule`:

* the deals those invoices name, with the rule's deal properties (one
  HubSpot batch read per 100 deals; a deal that does not come back does
  not exist);
* which of the linked HubSpot invoices are already associated with a deal
  (one association batch read), so an invoice is associated only once;
* the QBO payments applied to those invoices that have no note yet (named
  by the invoices' ``LinkedTxn``; one query per 100 payments).

The cost grows with the invoices read, not with the portal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final, Protocol

import attrs

from hsqbo._config import ObjectSync, SyncConfig
from hsqbo._deals import DealRule
from hsqbo._planner_deals import deal_id_of, payments_object
from hsqbo._record import Record, Side
from hsqbo._state import ObjectState, SyncState
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import QuickBooksClient, select, to_record
from hsqbo.qbo._models import Payment


__all__ = ["Seen", "complete_deals", "deal_properties"]

_CHUNK: Final = 100
_ALWAYS: Final = ("hs_lastmodifieddate",)


class Seen(Protocol):
    """The records a read gathered so far (the reader's collection)."""

    hubspot: dict[str, dict[str, Record]]
    qbo: dict[str, dict[str, Record]]

    def add(self, record: Record) -> None:
        """Add or replace one record."""
        ...


def deal_properties(config: SyncConfig) -> list[str]:
    """The deal properties the deal rules of *config* compare and write."""
    names = set(_ALWAYS)
    for obj in config.objects:
        if isinstance(obj.deal, DealRule):
            names.update(f.hubspot for f in obj.deal.fields)
    return sorted(names)


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])


def _mappings(value: object) -> list[Mapping[str, object]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def _ruled(config: SyncConfig) -> list[tuple[ObjectSync, DealRule]]:
    return [
        (o, o.deal)
        for o in config.objects
        if o.enabled and o.qbo == "Invoice" and isinstance(o.deal, DealRule)
    ]


def _unnoted(q: Record, notes: ObjectState) -> set[str]:
    """The payments of invoice *q* (its ``LinkedTxn``) without a note."""
    found = set()
    for linked in _mappings(q.fields.get("LinkedTxn")):
        pid = linked.get("TxnId")
        if linked.get("TxnType") != "Payment" or not pid:
            continue
        if notes.link_for(Side.QBO, f"{pid}:{q.id}") is None:
            found.add(str(pid))
    return found


def complete_deals(
    config: SyncConfig,
    state: SyncState,
    seen: Seen,
    *,
    hubspot: HubSpotClient,
    qbo: QuickBooksClient,
) -> None:
    """Read the deals, deal associations and payments the plan needs."""
    ruled = _ruled(config)
    if not ruled:
        return
    invoices = seen.qbo.get("Invoice", {})
    deals: set[str] = set()
    payments: set[str] = set()
    tied: dict[str, set[str]] = {}
    for obj, rule in ruled:
        links = state.object(obj.name)
        notes = state.object(payments_object(obj))
        for qid, q in invoices.items():
            deal_id = deal_id_of(q, rule)
            if deal_id is None:
                continue
            deals.add(deal_id)
            link = links.link_for(Side.QBO, qid)
            if link is not None:
                tied.setdefault(obj.hubspot, set()).add(link.hubspot_id)
            if rule.payments:
                payments.update(_unnoted(q, notes))
    known = seen.hubspot.get("deals", {})
    _read_deals(config, sorted(deals - set(known)), seen, hubspot)
    for type_, ids in sorted(tied.items()):
        _read_deal_associations(type_, sorted(ids), seen, hubspot)
    have = seen.qbo.get("Payment", {})
    _read_payments(sorted(payments - set(have)), seen, qbo)


def _read_deals(
    config: SyncConfig, ids: list[str], seen: Seen, hubspot: HubSpotClient
) -> None:
    properties = deal_properties(config)
    for chunk in _chunks(ids):
        result = hubspot.batch_read("deals", chunk, properties=properties)
        found = [o.object for o in result.outcomes if o.object is not None]
        for record in hubspot.records("deals", found):
            seen.add(record)


def _read_deal_associations(
    type_: str, ids: list[str], seen: Seen, hubspot: HubSpotClient
) -> None:
    """Mark the HubSpot invoices read with the deals they are tied to."""
    records = seen.hubspot.get(type_, {})
    wanted = [i for i in ids if i in records]
    if not wanted:
        return
    found = hubspot.read_associations(type_, "deals", wanted)
    for record_id in wanted:
        record = records[record_id]
        associations = dict(record.associations)
        associations["deals"] = tuple(
            dict.fromkeys(a.to_id for a in found.get(record_id, ()))
        )
        seen.add(attrs.evolve(record, associations=associations))


def _read_payments(ids: list[str], seen: Seen, qbo: QuickBooksClient) -> None:
    for chunk in _chunks(ids):
        query = select(Payment).where("Id", "IN", chunk)
        for found in qbo.query(query):
            seen.add(to_record(found))
