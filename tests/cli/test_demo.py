"""`hsqbo demo` end to end, twice."""

from __future__ import annotations

import csv
import pathlib
import time

from cli_support import run_cli

from hsqbo import SQLiteStore


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
