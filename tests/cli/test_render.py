"""Output: rich on a terminal when installed, plain lines otherwise."""

from __future__ import annotations

import io

import pytest

from hsqbo._cli._render import Output


class _Terminal(io.StringIO):
    """A text buffer that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_with_rich_gets_a_drawn_table() -> None:
    """On a terminal with rich installed, tables are drawn with box lines."""
    stream = _Terminal()
    Output(stream).table("t", ["object", "synced"], [["contacts", 3]])
    assert "┃" in stream.getvalue() or "│" in stream.getvalue()
    assert "contacts" in stream.getvalue()


def test_without_rich_a_terminal_gets_plain_aligned_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rich missing: the same table is plain, aligned text."""
    monkeypatch.setitem(__import__("sys").modules, "rich.console", None)
    stream = _Terminal()
    out = Output(stream)
    out.table("t", ["object", "synced"], [["contacts", 3], ["products", 12]])
    assert stream.getvalue().splitlines() == [
        "t",
        "object    synced",
        "contacts  3",
        "products  12",
    ]


def test_plain_progress_prints_about_ten_lines() -> None:
    """Plain progress reports each tenth of the work, and the end, once."""
    stream = io.StringIO()
    with Output(stream).progress("sync") as report:
        for done in range(1, 1001):
            report(done, 1000)
    lines = stream.getvalue().splitlines()
    assert lines[-1] == "sync: 1000/1000 operations"
    assert 10 <= len(lines) <= 11
    assert len(set(lines)) == len(lines)


def test_plain_flag_wins_over_a_terminal() -> None:
    """--plain prints plain lines even on a terminal."""
    stream = _Terminal()
    Output(stream, plain=True).heading("status")
    assert stream.getvalue() == "== status\n"
