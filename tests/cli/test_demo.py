"""`hsqbo demo` end to end, twice."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import pathlib
import time
from decimal import Decimal

from cli_support import run_cli

from hsqbo import SQLiteStore
from hsqbo._cli._demo_data import seed_world


def test_demo_runs_twice_and_continues_from_its_state(
    tmp_path: pathlib.Path,
) -> None:
    """Demo exits 0 fast; a second run continues from its state."""
    began = time.monotonic()
    first = run_cli("demo", "--dir", tmp_path, cwd=tmp_path, timeout=120)
    assert first.returncode == 0, first.stderr
    assert time.monotonic() - began < 60
    out = first.stdout
    assert "seeded FakeHubSpot: 200 companies, 600 contacts" in out
    for step in (
        "init: wrote",
        "== first sync",
        "== incremental sync",
        "== status",
        "exported",
    ):
        assert step in out, step
    assert "DUPLICATE_DISPLAY_NAME" in out
    assert "carry the PO Number custom field" in out
    state = tmp_path / "hsqbo-demo.sqlite"
    export = tmp_path / "hsqbo-demo-records.csv"
    with SQLiteStore(state) as store:
        first_rows = sum(1 for _ in store.records())
        first_runs = sum(1 for _ in store.runs())
    with export.open(encoding="utf-8", newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == first_rows + 1
    assert first_runs == 2

    second = run_cli("demo", "--dir", tmp_path, cwd=tmp_path, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "continuing from" in second.stdout
    assert "== first sync" not in second.stdout
    assert "round 2" in second.stdout
    with SQLiteStore(state) as store:
        assert sum(1 for _ in store.runs()) == 3
        assert sum(1 for _ in store.records()) > first_rows
    assert not list(tmp_path.glob(".*tmp"))


def test_demo_world_is_the_promised_small_business() -> None:
    """The seeded fakes hold the mix the demo promises, the same per seed."""
    start = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    world = seed_world(start, 1)
    hubspot, qbo = world.hubspot, world.qbo
    contacts = hubspot.objects("contacts")
    assert len(hubspot.objects("companies")) == 200
    assert len(contacts) == 600
    assert len(qbo.items()) == 100
    invoices = qbo.invoices()
    assert len(invoices) == 400
    per_company = collections.Counter(
        a.to_id
        for c in contacts
        for a in hubspot.associations("contacts", c.id, "companies")[:1]
    )
    assert any(n > 1 for n in per_company.values())  # shared companies
    assert sum(per_company.values()) < len(contacts)  # some without one
    emails = {
        str(c.properties["email"])
        for c in contacts
        if c.properties.get("email")
    }
    by_lower = {e.lower(): e for e in emails}
    other_case = [
        c
        for c in qbo.customers()
        if (e := c.get("PrimaryEmailAddr", {}).get("Address"))
        and e not in emails
        and e.lower() in by_lower
    ]
    assert other_case  # matched by e-mail in another letter case
    assert all(i["Line"] for i in invoices)
    assert any(i.get("CustomField") for i in invoices)
    balances = [
        (Decimal(str(i["Balance"])), Decimal(str(i["TotalAmt"])))
        for i in invoices
    ]
    assert any(b == 0 < t for b, t in balances)  # paid in full
    assert any(0 < b < t for b, t in balances)  # paid in part
    again = seed_world(start, 1)
    assert [c.properties for c in again.hubspot.objects("contacts")] == [
        c.properties for c in contacts
    ]
    assert again.qbo.invoices() == invoices
    other = seed_world(start, 2)
    assert other.qbo.invoices() != invoices
