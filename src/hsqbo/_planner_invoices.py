"""
Invoices: QBO invoices planned as HubSpot invoices.

The linked contact and its primary company (first sync only, B15),
MISSING_DEPENDENCY, and lines as line items.
"""

from __future__ import annotations

from collections.abc import Mapping

from hsqbo._config import ObjectSync
from hsqbo._operations import (
    Associate,
    Create,
    ErrorCode,
    RecordKey,
    Ref,
    Target,
    Update,
)
from hsqbo._planner_base import (
    LINE_DETAIL,
    CompiledField,
)
from hsqbo._planner_create import (
    CreateRules,
)
from hsqbo._record import FieldValue, Record, Side
from hsqbo._state import LinkState


class InvoiceRules(CreateRules):
    """QBO invoices → HubSpot invoices, associations and line items."""

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
        self,
        obj: ObjectSync,
        fields: tuple[CompiledField, ...],
        rest_q: list[Record],
    ) -> None:
        for q in rest_q:
            if not self.is_source(obj, q):
                self.left_out(obj, q)
                continue
            self.create_invoice(obj, fields, q)

    def create_invoice(
        self, obj: ObjectSync, fields: tuple[CompiledField, ...], q: Record
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

    def create_lines(
        self, obj: ObjectSync, q: Record, invoice: Target
    ) -> bool:
        """
        Plan the line items of invoice *q*: create new lines, update changed.

        Lines are linked to their line items in the object sync
        ``"<name>:lines"`` (QBO id ``"<invoice id>:<line id>"``), so a line
        added or changed after the first sync reaches HubSpot too. Removed
        lines are not deleted (deletes are never propagated).

        Returns:
            Whether any operation was planned.
        """
        name = lines_object(obj)
        if isinstance(invoice, str) and name not in self.state.objects:
            # A linked invoice, but a store that keeps no line links: the
            # lines cannot be told apart from new ones, so none is planned
            # (creating them again would duplicate them).
            return False
        links = self.state.object(name)
        planned = False
        for line_id, values, item_id in sales_lines(q):
            key = f"{q.id}:{line_id}"
            link = links.link_for(Side.QBO, key)
            if link is not None:
                planned |= self.update_line(name, q, link, values)
                continue
            references: dict[str, Ref] = {}
            product = (
                self.product_for(str(item_id)) if item_id is not None else None
            )
            if isinstance(product, Ref):
                references["hs_product_id"] = product
            elif product is not None:
                values["hs_product_id"] = product
            op = Create(
                object=name,
                side=Side.HUBSPOT,
                type="line_items",
                fields=values,
                source=RecordKey(side=Side.QBO, type="Invoice.Line", id=key),
                references=references,
                base={k: values.get(k) for k in LINE_FIELDS},
                reason=f"line {line_id} of QBO invoice {q.id}"
                + (f", item {item_id}" if item_id is not None else ""),
            )
            self.ops.append(op)
            self.ops.append(
                Associate(
                    object=name,
                    from_type="line_items",
                    from_id=Ref(op.op_id),
                    to_type=obj.hubspot,
                    to_id=invoice,
                    reason=f"line {line_id} belongs to QBO invoice {q.id}",
                )
            )
            planned = True
        return planned

    def update_line(
        self,
        name: str,
        q: Record,
        link: LinkState,
        values: Mapping[str, FieldValue],
    ) -> bool:
        """Update a linked line item whose QBO line changed since the base."""
        changes = {
            k: (link.base.get(k), values.get(k))
            for k in LINE_FIELDS
            if values.get(k) != link.base.get(k)
        }
        if not changes:
            return False
        self.ops.append(
            Update(
                object=name,
                side=Side.HUBSPOT,
                type="line_items",
                id=link.hubspot_id,
                changes=changes,
                expected_version=None,
                base={k: new for k, (_, new) in changes.items()},
                reason=f"line {link.qbo_id} changed on QBO invoice {q.id}",
            )
        )
        return True


#: The line item properties hsqbo keeps in step with QBO invoice lines.
#: Not ``amount``: HubSpot computes it from quantity and price and refuses
#: a write to it (QBO's line Amount is Qty x UnitPrice too).
LINE_FIELDS = ("name", "quantity", "price", "description")


def lines_object(obj: ObjectSync) -> str:
    """The state's object name for the line links of invoice sync *obj*."""
    return f"{obj.name}:lines"


def sales_lines(
    q: Record,
) -> list[tuple[str, dict[str, FieldValue], FieldValue]]:
    """``(line id, line item values, QBO item id)`` of each sales line."""
    lines = q.fields.get("Line") or ()
    if not isinstance(lines, tuple | list):
        return []
    found = []
    for position, line in enumerate(lines, start=1):
        if not isinstance(line, Mapping):
            continue
        detail = line.get(LINE_DETAIL)
        if line.get("DetailType") != LINE_DETAIL or not isinstance(
            detail, Mapping
        ):
            continue
        item = detail.get("ItemRef")
        item_id = item.get("value") if isinstance(item, Mapping) else None
        item_name = item.get("name") if isinstance(item, Mapping) else None
        values: dict[str, FieldValue] = {
            "name": line.get("Description") or item_name or f"Line {position}",
            "quantity": detail.get("Qty"),
            "price": detail.get("UnitPrice"),
            "description": line.get("Description"),
        }
        values = {k: v for k, v in values.items() if v not in (None, "")}
        found.append((str(line.get("Id") or position), values, item_id))
    return found
