"""
Type-checked use of the invoice → deal rule; mypy reads it, pytest never runs.

If a public signature changes in a way that breaks callers, mypy fails here.
"""

from __future__ import annotations

import datetime as dt

import attrs

import hsqbo


rule = hsqbo.DealRule(
    deal_id="CustomField[Deal ID]",
    fields=[
        hsqbo.FieldMap(
            "last_invoice_status",
            "hsqbo.status",
            direction=hsqbo.Direction.QBO_TO_HUBSPOT,
        )
    ],
    payments=True,
)
deal_id_path: str = rule.deal_id
deal_fields: tuple[hsqbo.FieldMap, ...] = rule.fields
notes_on: bool = rule.payments

base = hsqbo.SyncConfig.recommended(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
invoices = attrs.evolve(base.object("invoices"), deal=rule)
chosen: hsqbo.DealRule | object = invoices.deal
