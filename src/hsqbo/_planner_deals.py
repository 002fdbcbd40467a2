"""
Deals: QBO invoices tied to HubSpot deals by a :class:`~hsqbo.DealRule`.

Three things follow from an invoice naming a deal (B21, B22):

* the invoice is associated with the deal (once: a HubSpot invoice read
  with its deal associations is associated only if the deal is missing);
* the deal properties the rule names take the values of the deal's most
  recently updated invoice (``updated_at``, then the id on a tie), written
  only where they differ from the deal's current values;
* every payment applied to the invoice becomes one note on the deal's
  timeline, linked in the object sync part ``"<name>:payments"`` (QBO id
  ``"<payment id>:<invoice id>"``) so it is never made twice.

A deal the invoice names that is not among the records given (it does not
exist, or was archived) is a ``MISSING_DEPENDENCY`` error on the invoice in
the part ``"<name>:deals"``; the invoice itself still syncs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from hsqbo._config import ObjectSync
from hsqbo._deals import DealRule
from hsqbo._mapping import FieldMap, TransformError
from hsqbo._operations import (
    Associate,
    Create,
    ErrorCode,
    Link,
    Rebase,
    RecordError,
    RecordKey,
    Ref,
    Target,
    Update,
    id_sort_key,
)
from hsqbo._planner_base import VIRTUAL, show
from hsqbo._planner_invoices import InvoiceRules
from hsqbo._record import FieldValue, Record, Side


__all__ = [
    "DealRules",
    "applied_amounts",
    "deals_object",
    "payment_note",
    "payments_object",
]


def deals_object(obj: ObjectSync) -> str:
    """The state's object name for the deal writes of invoice sync *obj*."""
    return f"{obj.name}:deals"


def payments_object(obj: ObjectSync) -> str:
    """The state's object name for the payment notes of invoice sync *obj*."""
    return f"{obj.name}:payments"


def deal_id_of(q: Record, rule: DealRule) -> str | None:
    """The HubSpot deal id a QBO invoice names, or ``None``."""
    raw = q.fields.get(rule.deal_id)
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        # A number custom field holds the id as a number.
        raw = str(raw.to_integral_value())
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        return None
    text = str(raw).strip()
    return text or None


def _mappings(value: FieldValue) -> list[Mapping[str, FieldValue]]:
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, tuple | list):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def applied_amounts(payment: Record) -> dict[str, Decimal]:
    """
    The amount a QBO payment applies to each invoice, by invoice id.

    Read from the payment's ``Line[].LinkedTxn`` of type ``Invoice``.
    """
    found: dict[str, Decimal] = {}
    for line in _mappings(payment.fields.get("Line")):
        amount = line.get("Amount")
        try:
            value = Decimal(str(amount)) if amount is not None else None
        except ArithmeticError:
            value = None
        if value is None:
            continue
        for linked in _mappings(line.get("LinkedTxn")):
            if linked.get("TxnType") != "Invoice" or not linked.get("TxnId"):
                continue
            invoice_id = str(linked["TxnId"])
            found[invoice_id] = found.get(invoice_id, Decimal(0)) + value
    return found


def _text(value: FieldValue) -> str | None:
    if value is None or isinstance(value, Mapping | tuple | list):
        return None
    text = str(value).strip()
    return text or None


def payment_note(
    payment: Record, invoice: Record, amount: Decimal
) -> dict[str, FieldValue]:
    """
    The note properties for *amount* of *payment* applied to *invoice*.

    The body names the date, amount (with currency), method and invoice
    number; ``hs_timestamp`` is the payment date (midnight UTC), so the
    note sits on the deal's timeline where the payment happened.
    """
    fields = payment.fields
    date = fields.get("TxnDate")
    when = (
        dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
        if isinstance(date, dt.date) and not isinstance(date, dt.datetime)
        else payment.updated_at
    )
    method = (
        _text(fields.get("PaymentMethodRef.name"))
        or _text(fields.get("PaymentMethodRef.value"))
        or "unspecified method"
    )
    currency = _text(fields.get("CurrencyRef.value"))
    number = _text(invoice.fields.get("DocNumber")) or invoice.id
    money = f"{amount:.2f}" + (f" {currency}" if currency else "")
    reference = _text(fields.get("PaymentRefNum"))
    body = (
        f"Payment of {money} received on {when.date().isoformat()} by "
        f"{method} for invoice {number}"
        + (f" (reference {reference})" if reference else "")
        + f" — QuickBooks payment {payment.id}"
    )
    return {"hs_note_body": body, "hs_timestamp": when}


#: Base keys of a deal's state row: the invoice whose values it shows.
SHOWN_INVOICE = "hsqbo.invoice"
SHOWN_UPDATED_AT = "hsqbo.updated_at"


def _order(q: Record) -> tuple[dt.datetime, tuple[int, int, str]]:
    return (q.updated_at, id_sort_key(q.id))


def _newer_than(base: Mapping[str, FieldValue], latest: Record) -> bool:
    """Whether the invoice a deal shows is newer than *latest*."""
    shown = base.get(SHOWN_INVOICE)
    when = base.get(SHOWN_UPDATED_AT)
    if not isinstance(shown, str) or not isinstance(when, dt.datetime):
        return False
    if shown == latest.id:
        return False
    return (when, id_sort_key(shown)) > _order(latest)


def _latest(members: Sequence[tuple[Record, Target]]) -> Record:
    """The most recently updated invoice; the larger id on a tie (B21)."""
    return max((q for q, _ in members), key=_order)


class DealRules(InvoiceRules):
    """Invoices tied to deals: associations, deal summary, payment notes."""

    def plan_deals(self, obj: ObjectSync, rule: DealRule) -> None:
        """Plan the deal writes of every invoice of *obj* that was given."""
        invoices = self.qbo.get(obj.qbo, {})
        deals = self.hubspot.get("deals", {})
        links = self.state.object(obj.name)
        planned = self.new_links.get(obj.name, {})
        touched = {
            op.id
            for op in self.ops
            if isinstance(op, Update)
            and op.object == obj.name
            and op.side is Side.HUBSPOT
        }
        by_deal: dict[str, list[tuple[Record, Target]]] = {}
        for qid in sorted(invoices, key=id_sort_key):
            q = invoices[qid]
            deal_id = deal_id_of(q, rule)
            if deal_id is None:
                continue
            link = links.link_for(Side.QBO, qid)
            target = link.hubspot_id if link is not None else planned.get(qid)
            if target is None:
                # Not synced (excluded, failed): nothing to tie to the deal.
                continue
            deal = deals.get(deal_id)
            if deal is None or deal.archived:
                self.errors.append(
                    RecordError(
                        object=deals_object(obj),
                        side=Side.QBO,
                        type=q.type,
                        id=qid,
                        code=ErrorCode.MISSING_DEPENDENCY,
                        message=(
                            f"its {rule.deal_id} names HubSpot deal "
                            f"{deal_id}, which does not exist"
                            + (" (archived)" if deal is not None else "")
                            + "; fix the deal id on the QBO invoice"
                        ),
                    )
                )
                continue
            by_deal.setdefault(deal_id, []).append((q, target))
            if self._needs_association(obj, target, deal_id, touched):
                self.ops.append(
                    Associate(
                        object=deals_object(obj),
                        from_type=obj.hubspot,
                        from_id=target,
                        to_type="deals",
                        to_id=deal_id,
                        reason=f"QBO invoice {qid} names deal {deal_id} "
                        f"in {rule.deal_id}",
                    )
                )
        for deal_id in sorted(by_deal, key=id_sort_key):
            self._deal_summary(obj, rule, deals[deal_id], by_deal[deal_id])
        if rule.payments:
            self._payment_notes(obj, by_deal)

    def _needs_association(
        self, obj: ObjectSync, target: Target, deal_id: str, touched: set[str]
    ) -> bool:
        if isinstance(target, Ref):
            return True
        record = self.hubspot.get(obj.hubspot, {}).get(target)
        if record is not None and "deals" in record.associations:
            # Read with its deal associations: exact.
            return deal_id not in record.associations["deals"]
        # Not known: tie it whenever the invoice is written anyway
        # (associating twice is harmless; HubSpot keeps one).
        return target in touched

    def _deal_summary(
        self,
        obj: ObjectSync,
        rule: DealRule,
        deal: Record,
        members: list[tuple[Record, Target]],
    ) -> None:
        """Write the rule's deal properties from the latest invoice (B21)."""
        if not rule.fields:
            return
        latest = _latest(members)
        part = deals_object(obj)
        shown_by = self.state.object(part).link_for(Side.HUBSPOT, deal.id)
        if shown_by is not None and _newer_than(shown_by.base, latest):
            # The deal shows a more recently updated invoice that was not
            # read this time (a partial read): leave it as it is.
            return
        marker: dict[str, FieldValue] = {
            SHOWN_INVOICE: latest.id,
            SHOWN_UPDATED_AT: latest.updated_at,
        }
        changes: dict[str, tuple[FieldValue, FieldValue]] = {}
        for field in rule.fields:
            try:
                wanted = field.normalize(_qbo_value(field, latest))
            except TransformError as exc:
                self.errors.append(
                    RecordError(
                        object=deals_object(obj),
                        side=Side.QBO,
                        type=latest.type,
                        id=latest.id,
                        code=ErrorCode.INVALID_VALUE,
                        message=f"deal property {field.hubspot}: {exc}",
                    )
                )
                continue
            current = deal.fields.get(field.hubspot)
            try:
                have = field.normalize(current)
            except TransformError:
                have = current
            if wanted == have or (
                wanted is None and not field.empty_overwrites
            ):
                continue
            changes[field.hubspot] = (
                current,
                "" if wanted is None else wanted,
            )
        if shown_by is None:
            # The deal's state row: which invoice it shows (set by the
            # update below, once applied, or at once if nothing changes).
            self.ops.append(
                Link(
                    object=part,
                    hubspot_id=deal.id,
                    qbo_id=f"deal:{deal.id}",
                    base={} if changes else marker,
                    reason=f"deal {deal.id} follows its invoices; remember "
                    "which one it shows",
                )
            )
        elif (
            not changes and {k: shown_by.base.get(k) for k in marker} != marker
        ):
            self.ops.append(
                Rebase(
                    object=part,
                    hubspot_id=deal.id,
                    qbo_id=shown_by.qbo_id,
                    base=marker,
                    reason=f"deal {deal.id} already shows the values of "
                    f"QBO invoice {latest.id}",
                )
            )
        if not changes:
            return
        shown = ", ".join(
            f"{name} {show(new)}" for name, (_, new) in sorted(changes.items())
        )
        self.ops.append(
            Update(
                object=deals_object(obj),
                side=Side.HUBSPOT,
                type="deals",
                id=deal.id,
                changes=changes,
                expected_version=deal.updated_at.isoformat(),
                base=marker,
                reason=(
                    f"deal {deal.id} follows its most recently updated "
                    f"invoice, QBO {latest.id} "
                    f"({latest.updated_at.isoformat()}): {shown}"
                ),
            )
        )

    def _payment_notes(
        self,
        obj: ObjectSync,
        by_deal: Mapping[str, list[tuple[Record, Target]]],
    ) -> None:
        """One note on the deal per payment applied to its invoices (B22)."""
        payments = self.qbo.get("Payment", {})
        if not payments:
            return
        deal_of = {
            q.id: (deal_id, q)
            for deal_id, members in by_deal.items()
            for q, _ in members
        }
        notes = self.state.object(payments_object(obj))
        for pid in sorted(payments, key=id_sort_key):
            payment = payments[pid]
            if payment.archived:
                continue
            amounts = applied_amounts(payment)
            for invoice_id in sorted(amounts, key=id_sort_key):
                found = deal_of.get(invoice_id)
                amount = amounts[invoice_id]
                if found is None or amount <= 0:
                    continue
                deal_id, q = found
                key = f"{pid}:{invoice_id}"
                if notes.link_for(Side.QBO, key) is not None:
                    continue
                note = Create(
                    object=payments_object(obj),
                    side=Side.HUBSPOT,
                    type="notes",
                    fields=payment_note(payment, q, amount),
                    source=RecordKey(side=Side.QBO, type="Payment", id=key),
                    reason=(
                        f"QBO payment {pid} applies {amount:.2f} to invoice "
                        f"{invoice_id} of deal {deal_id}"
                    ),
                )
                self.ops.append(note)
                self.ops.append(
                    Associate(
                        object=payments_object(obj),
                        from_type="notes",
                        from_id=Ref(note.op_id),
                        to_type="deals",
                        to_id=deal_id,
                        reason=f"payment {pid} on the timeline of deal "
                        f"{deal_id}",
                    )
                )


def _qbo_value(field: FieldMap, record: Record) -> FieldValue:
    derive = VIRTUAL.get(field.qbo)
    return (
        derive(record) if derive is not None else record.fields.get(field.qbo)
    )
