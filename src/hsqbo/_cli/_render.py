"""
What the ``hsqbo`` command prints: plans, tables and progress.

On a terminal with the ``cli`` extra (rich) installed, tables are drawn and
progress is a live bar; otherwise everything is plain lines, so logs and
pipes stay readable and greppable. Nothing here decides anything.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

from hsqbo._plan import Plan


__all__ = ["Output", "group_explain"]


def _rich_console(stream: IO[str]) -> Any:  # noqa: ANN401 - optional rich
    """Return a rich console if *stream* is a terminal and rich exists."""
    if not stream.isatty():
        return None
    try:
        from rich.console import Console  # noqa: PLC0415 - optional extra
    except ImportError:
        return None
    return Console(file=stream, highlight=False)


def group_explain(plan: Plan) -> list[tuple[str, str, list[str]]]:
    """
    Split :meth:`Plan.explain` into one group per object sync.

    Each explain line is ``<kind, padded> <object>: <text>``; the group
    keeps the kind and text, its heading counts the kinds.

    Returns:
        ``(object name, heading counts, lines)`` per object sync, sorted.
    """
    summary = plan.summary()
    groups: dict[str, list[str]] = {}
    for line in plan.explain().splitlines():
        if line == "nothing to do":
            continue
        kind, _, rest = line.partition(" ")
        name, sep, text = rest.strip().partition(": ")
        if not sep:
            name, text = "", line
        groups.setdefault(name, []).append(f"{kind:<9} {text}")
    result = []
    for name in sorted(set(groups) | set(summary)):
        counts = ", ".join(
            f"{kind} {count}" for kind, count in summary.get(name, {}).items()
        )
        result.append((name, counts, groups.get(name, [])))
    return result


class Output:
    """
    Where the command writes: plain lines, or rich on a terminal.

    Args:
        stream: Standard output (or a test's buffer).
        plain: Never use rich, even on a terminal (``--plain``).
    """

    def __init__(
        self, stream: IO[str] | None = None, *, plain: bool = False
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self._console = None if plain else _rich_console(self.stream)

    def line(self, text: str = "") -> None:
        """Print one line of text as is."""
        if self._console is not None:
            self._console.print(text, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    def heading(self, text: str) -> None:
        """Print a section heading."""
        if self._console is not None:
            self._console.rule(text)
        else:
            self.line(f"== {text}")

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
    ) -> None:
        """Print a table: drawn with rich, aligned columns otherwise."""
        cells = [[_cell(v) for v in row] for row in rows]
        if self._console is not None:
            from rich.table import Table  # noqa: PLC0415 - optional extra

            table = Table(title=title)
            for header in headers:
                table.add_column(header)
            for row in cells:
                table.add_row(*row)
            self._console.print(table)
            return
        widths = [
            max([len(h), *(len(r[i]) for r in cells)])
            for i, h in enumerate(headers)
        ]
        self.line(title)
        self.line(
            "  ".join(
                h.ljust(w) for h, w in zip(headers, widths, strict=True)
            ).rstrip()
        )
        for row in cells:
            self.line(
                "  ".join(
                    c.ljust(w) for c, w in zip(row, widths, strict=True)
                ).rstrip()
            )

    def explain(self, plan: Plan) -> None:
        """Print *plan* explained, grouped by object sync."""
        groups = group_explain(plan)
        if not groups:
            self.line("nothing to do")
            return
        for name, counts, lines in groups:
            self.heading(f"{name or 'plan'}: {counts or 'nothing to do'}")
            for line in lines:
                self.line(f"  {line}")

    @contextlib.contextmanager
    def progress(self, label: str) -> Iterator[Any]:
        """
        Show the progress of a run; yield the ``(done, total)`` callback.

        Plain output prints a line at most every tenth of the work (and at
        the end), so logs stay short.
        """
        if self._console is not None:
            from rich.progress import Progress  # noqa: PLC0415 - optional extra

            with Progress(console=self._console, transient=False) as bar:
                task = bar.add_task(label, total=None)

                def update(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=max(total, 1))

                yield update
            return
        shown = [-1]

        def report(done: int, total: int) -> None:
            step = max(total // 10, 1)
            if done == total or done // step != shown[0] // step:
                shown[0] = done
                self.line(f"{label}: {done}/{total} operations")

        yield report


def _cell(value: object) -> str:
    if value is None:
        return ""
    return str(value)
