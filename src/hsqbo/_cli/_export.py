"""
Write the sync-records table to CSV, JSON Lines or XLSX, chosen by extension.

Rows are streamed from the store to the file one at a time, so memory stays
flat however large the table. The file appears only when complete: rows go
to a temporary file in the same folder, renamed over the target at the end;
a failure midway removes the temporary file and leaves any previous export
untouched.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import enum
import importlib
import json
import os
import pathlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any, Final

from hsqbo._cli._failures import CliError, ExitCode


__all__ = ["FORMATS", "export_rows", "format_of"]

#: The file extensions the export understands.
FORMATS: Final = (".csv", ".jsonl", ".xlsx")

_XLSX_MISSING: Final = (
    "XLSX export needs openpyxl: pip install 'hsqbo[xlsx]' "
    "(or export to .csv or .jsonl)"
)


def format_of(path: pathlib.Path) -> str:
    """
    Return the export format of *path* from its extension.

    Raises:
        CliError: The extension is not one of :data:`FORMATS`.
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        suffix = ".jsonl"
    if suffix not in FORMATS:
        msg = (
            f"cannot export to {path.name!r}: give a file ending in "
            f"{', '.join(FORMATS)}"
        )
        raise CliError(msg, ExitCode.USAGE)
    return suffix


def _text(value: object) -> object:
    """A JSON-friendly cell: enums by value, times as ISO 8601 (UTC)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _write_csv(
    out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if v is None else _text(v) for v in row])
        count += 1
    return count


def _write_jsonl(
    out: IO[str], columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    count = 0
    for row in rows:
        record = {c: _text(v) for c, v in zip(columns, row, strict=True)}
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def _xlsx_cell(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        # Excel has no time zones: cells hold UTC (the header says so).
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _xlsx_writer() -> Callable[
    [pathlib.Path, Sequence[str], Iterable[Sequence[object]]], int
]:
    try:
        # The optional extra, imported on use; it ships no type hints.
        openpyxl: Any = importlib.import_module("openpyxl")
    except ImportError:
        raise CliError(_XLSX_MISSING, ExitCode.USAGE) from None

    def write(
        path: pathlib.Path,
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
    ) -> int:
        # write_only streams rows to disk instead of building the sheet.
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("sync records")
        sheet.append([f"{c} (UTC)" if c == "at" else c for c in columns])
        count = 0
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
            count += 1
        book.save(path)
        return count

    return write


@contextlib.contextmanager
def _temporary(target: pathlib.Path) -> Iterator[pathlib.Path]:
    """A temporary file next to *target*, renamed over it on success."""
    folder = target.parent
    if not folder.is_dir():
        msg = f"cannot export to {target}: the folder {folder} does not exist"
        raise CliError(msg, ExitCode.FILE)
    try:
        fd, name = tempfile.mkstemp(
            dir=folder, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as exc:
        msg = f"cannot export to {target}: {exc.strerror}"
        raise CliError(msg, ExitCode.FILE) from None
    os.close(fd)
    temp = pathlib.Path(name)
    try:
        yield temp
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_rows(
    path: pathlib.Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> int:
    """
    Stream *rows* (tuples of *columns*) into *path*, atomically.

    The format follows the extension: ``.csv`` (a header row, empty cells
    for missing values), ``.jsonl`` (one JSON object per line, ``null``
    for missing values) or ``.xlsx`` (one sheet; needs the ``xlsx`` extra).

    Returns:
        The number of rows written.

    Raises:
        CliError: Unknown extension, openpyxl missing, or the file cannot
            be written (nothing is left behind).
    """
    kind = format_of(path)
    xlsx = _xlsx_writer() if kind == ".xlsx" else None
    try:
        with _temporary(path) as temp:
            if xlsx is not None:
                return xlsx(temp, columns, rows)
            with temp.open("w", encoding="utf-8", newline="") as out:
                write: Callable[
                    [IO[str], Sequence[str], Iterable[Sequence[Any]]], int
                ]
                write = _write_csv if kind == ".csv" else _write_jsonl
                count = write(out, columns, rows)
                out.flush()
                os.fsync(out.fileno())
                return count
    except OSError as exc:
        msg = f"cannot export to {path}: {exc.strerror or exc}"
        raise CliError(msg, ExitCode.FILE) from None
