"""Exports equal the store's rows; failures leave nothing behind."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
import pathlib
import subprocess
import sys

import openpyxl
import pytest
from cli_support import Served, one_line_error

from hsqbo import RecordQuery, Side, SQLiteStore, Status
from hsqbo._cli._export import export_rows
from hsqbo._cli._failures import CliError


COLUMNS = ("object", "side", "id", "qbo_id", "status", "at", "code", "message")


def _cell(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _expected(served: Served, query: RecordQuery) -> list[tuple[object, ...]]:
    with SQLiteStore(served.state) as store:
        rows = [
            tuple(map(_cell, row))
            for row in store.records(query, columns=COLUMNS)
        ]
    assert rows
    return rows


@pytest.fixture
def synced(served: Served) -> Served:
    """The served fakes after one sync (Bob fails, the rest syncs)."""
    assert served.call("sync")[0] == 1
    return served


def test_csv_export_equals_the_store_rows_for_columns_and_filters(
    synced: Served,
) -> None:
    """CSV export holds exactly the store's filtered rows and columns."""
    result = synced.run(
        "records",
        "--status",
        "synced,error",
        "--side",
        "hubspot",
        "--columns",
        ",".join(COLUMNS),
        "--export",
        "out.csv",
    )
    assert result.returncode == 0, result.stderr
    with (synced.folder / "out.csv").open(encoding="utf-8", newline="") as f:
        got = list(csv.reader(f))
    assert got[0] == list(COLUMNS)
    query = RecordQuery(
        statuses=frozenset({Status.SYNCED, Status.ERROR}), sides=Side.HUBSPOT
    )
    want = [
        ["" if v is None else str(v) for v in row]
        for row in _expected(synced, query)
    ]
    assert got[1:] == want
    assert f"exported {len(want)} records" in result.stdout


def test_jsonl_export_equals_the_store_rows(synced: Served) -> None:
    """JSONL export equals the store's rows for object, code and time."""
    code, out, err = synced.call(
        "records",
        "--object",
        "contacts",
        "--code",
        "DUPLICATE_DISPLAY_NAME",
        "--since",
        "2000-01-01",
        "--columns",
        ",".join(COLUMNS),
        "--export",
        "out.jsonl",
    )
    assert code == 0, err
    lines = (
        (synced.folder / "out.jsonl").read_text(encoding="utf-8").splitlines()
    )
    got = [tuple(json.loads(line)[c] for c in COLUMNS) for line in lines]
    query = RecordQuery(
        object="contacts",
        codes="DUPLICATE_DISPLAY_NAME",
        since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )
    assert got == _expected(synced, query)
    assert len(got) == 1
    assert "exported 1 record " in out
    # A time range that ends before the sync selects nothing.
    code, _, _ = synced.call(
        "records", "--until", "2000-01-01", "--export", "none.jsonl"
    )
    assert code == 0
    assert (synced.folder / "none.jsonl").read_text(encoding="utf-8") == ""


def test_xlsx_export_equals_the_store_rows(synced: Served) -> None:
    """XLSX export equals the store's rows; times are UTC cells."""
    code, _, err = synced.call(
        "records",
        "--object",
        "products",
        "--columns",
        ",".join(COLUMNS),
        "--export",
        "out.xlsx",
    )
    assert code == 0, err
    book = openpyxl.load_workbook(synced.folder / "out.xlsx", read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[0] == tuple(f"{c} (UTC)" if c == "at" else c for c in COLUMNS)
    at = COLUMNS.index("at")
    got = [
        tuple(
            v.replace(tzinfo=dt.UTC).isoformat() if i == at else v
            for i, v in enumerate(row)
        )
        for row in rows[1:]
    ]
    want = [
        tuple(
            dt.datetime.fromisoformat(v).replace(microsecond=0).isoformat()
            if i == at
            else (None if v == "" else v)  # an empty cell reads back as None
            for i, v in enumerate(row)
        )
        for row in _expected(synced, RecordQuery(object="products"))
    ]
    # Excel keeps milliseconds at most: compare to the second.
    got = [
        tuple(
            dt.datetime.fromisoformat(v).replace(microsecond=0).isoformat()
            if i == at
            else v
            for i, v in enumerate(row)
        )
        for row in got
    ]
    assert got == want
    assert len(got) == 2


def test_xlsx_without_openpyxl_says_how_to_install_it(synced: Served) -> None:
    """No openpyxl: one line naming the xlsx extra; no file."""
    code = (
        "import sys; sys.modules['openpyxl'] = None; "
        "from hsqbo._cli import main; sys.exit(main())"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-c",
            code,
            "records",
            "--state",
            str(synced.state),
            "--export",
            "x.xlsx",
        ],
        cwd=synced.folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    line = one_line_error(result)
    assert result.returncode == 2
    assert "pip install 'hsqbo[xlsx]'" in line
    assert not (synced.folder / "x.xlsx").exists()


def test_unwritable_export_paths_fail_with_one_line_and_leave_nothing(
    synced: Served,
) -> None:
    """Unwritable export paths: non-zero, one line, nothing left."""
    before = set(synced.folder.iterdir())
    result = synced.run("records", "--export", "missing/out.csv")
    assert result.returncode == 6
    assert "does not exist" in one_line_error(result)
    (synced.folder / "taken.csv").mkdir()
    code, _, err = synced.call("records", "--export", "taken.csv")
    assert code == 6
    assert len(err.strip().splitlines()) == 1
    code, _, err = synced.call("records", "--export", "out.txt")
    assert code == 2
    assert ".csv, .jsonl, .xlsx" in err
    assert set(synced.folder.iterdir()) == before | {
        synced.folder / "taken.csv"
    }
    assert list((synced.folder / "taken.csv").iterdir()) == []


def test_an_export_failing_midway_keeps_the_previous_file(
    tmp_path: pathlib.Path,
) -> None:
    """An export failing midway keeps the old file, leaves no temp."""
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def rows() -> object:
        for n in range(100):
            if n == 50:
                msg = "store went away"
                raise OSError(msg)
            yield (n, "x")

    with pytest.raises(CliError):
        export_rows(target, ("n", "x"), rows())  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "old\n"
    assert list(tmp_path.iterdir()) == [target]
