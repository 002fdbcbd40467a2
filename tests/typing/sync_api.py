"""
Type-checked use of the sync engine's API; mypy reads it, pytest never runs it.

If a public signature of Sync or SyncReport changes in a way that breaks
callers, mypy fails here.
"""

from __future__ import annotations

import datetime as dt

import hsqbo
from hsqbo.hubspot import HubSpotClient
from hsqbo.qbo import QuickBooksClient
from hsqbo.testing import VirtualClock


clock = VirtualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
sync = hsqbo.Sync(
    hsqbo.SyncConfig.recommended(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    hubspot=HubSpotClient("pat"),
    qbo=QuickBooksClient("1", "token"),
    store=hsqbo.MemoryStore(),
    clock=clock,
)
plan: hsqbo.Plan = sync.plan(full=True)
saved = plan.to_dict()
done_of_total: list[float] = []
report: hsqbo.SyncReport = sync.apply(
    hsqbo.Plan.from_dict(saved),
    progress=lambda done, total: done_of_total.append(done / total),
)
again: hsqbo.SyncReport = sync.run()
created: int = report.count(hsqbo.Outcome.CREATED, "contacts")
calls: int = report.api_calls["hubspot"] + report.api_calls["qbo"]
elapsed: float = report.elapsed
problems: tuple[hsqbo.RecordOutcome, ...] = report.errors + report.stale
runs: int = sync.watch(
    interval=60.0, stop=lambda: True, on_report=lambda r: r.summary()
)
sync.disable("invoices")
sync.enable("invoices")
sync.delete("products")
on: bool = sync.enabled("contacts")
