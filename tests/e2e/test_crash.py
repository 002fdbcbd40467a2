"""
Crash safety: kill the apply at random points, run again, compare.

The fakes live in this process, served on loopback; a child process runs
the sync against them with its state in a SQLite file, and is killed with
SIGKILL when the fakes receive a seeded, random request number — before
that request is applied, or after it is applied but before it is answered.
A second run (in this process, on the same file) must then leave both
sides exactly as one uninterrupted run does: no duplicates, nothing lost.
"""

from __future__ import annotations

import os
import pathlib
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from world import Seeded, World, seed, snapshot, sqlite_store, world

from hsqbo import MemoryStore
from hsqbo.testing._server import DropConnection, serve


CHILD = pathlib.Path(__file__).with_name("crash_child.py")
TRIALS = 12
INCREMENTAL_TRIALS = 8


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """What one uninterrupted run leaves behind."""
    w = world()
    try:
        seed(w, no_email=True)
        w.sync(MemoryStore()).run()
        return snapshot(w)
    finally:
        w.close()


class Killer:
    """Counts requests to both fakes and kills the child at number *at*."""

    def __init__(
        self,
        at: int,
        *,
        after_apply: bool,
        only: Callable[[httpx.Request], bool] | None = None,
    ) -> None:
        self.at = at
        self.only = only
        self.after_apply = after_apply
        self.count = 0
        self.child: subprocess.Popen[bytes] | None = None
        self.killed = threading.Event()
        self._lock = threading.Lock()

    def wrap(
        self, handle: Callable[[httpx.Request], httpx.Response]
    ) -> Callable[[httpx.Request], httpx.Response]:
        """A handler that kills the child at the chosen request."""

        def handler(request: httpx.Request) -> httpx.Response:
            with self._lock:
                if self.only is None or self.only(request):
                    self.count += 1
                    due = self.count == self.at
                else:
                    due = False
            if not due:
                return handle(request)
            if self.after_apply:
                response = handle(request)
                self._kill()
                del response
            else:
                self._kill()
            raise DropConnection

        return handler

    def _kill(self) -> None:
        if self.child is not None:
            os.kill(self.child.pid, signal.SIGKILL)
        self.killed.set()


def _killed_run(w: World, path: pathlib.Path, killer: Killer) -> int:
    with (
        serve(killer.wrap(w.hubspot_fake.handle)) as hubspot_url,
        serve(killer.wrap(w.qbo_fake.handle)) as qbo_url,
    ):
        killer.child = subprocess.Popen(  # noqa: S603 - our own script
            [
                sys.executable,
                str(CHILD),
                hubspot_url,
                f"{qbo_url}",
                str(path),
                w.clock.now().isoformat(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, err = killer.child.communicate(timeout=120)
        code = killer.child.returncode
        if code not in (0, -signal.SIGKILL):
            raise AssertionError(err.decode())
        return code


@pytest.mark.parametrize("trial", range(TRIALS))
def test_killed_apply_resumes_to_the_same_state(
    trial: int, tmp_path: pathlib.Path, reference: dict[str, Any]
) -> None:
    """SIGKILL anywhere in a run, run again: same state, no duplicates."""
    rng = random.Random(trial)  # noqa: S311 - test data
    # An uninterrupted run makes about 33 requests, reads first.
    killer = Killer(rng.randint(4, 32), after_apply=rng.random() < 0.5)
    w = world()
    try:
        seed(w, no_email=True)
        path = tmp_path / "state.db"
        assert _killed_run(w, path, killer) == -signal.SIGKILL
        # Resume later (the dead run's lease expires), in this process.
        w.later(10)
        store = sqlite_store(str(path), w.clock)
        try:
            report = w.sync(store).run()
            w.later(10)
            w.sync(store).run()
        finally:
            store.close()
        got = snapshot(w)
        assert killer.killed.is_set()
        assert report.api_calls["hubspot"] > 0
        assert max(got["contacts"].values()) == 1  # no twin contact
        assert got == reference
    finally:
        w.close()


def _edit(w: World, s: Seeded) -> None:
    """Edits on both sides after the first sync, and a new contact."""
    w.hubspot_fake.update("contacts", s.carol, {"lastname": "Cole-Smith"})
    w.qbo_fake.update("Customer", s.erin_customer, {"FamilyName": "Eades"})
    w.hubspot_fake.create(
        "contacts",
        {"email": "zed@new.example", "firstname": "Zed", "lastname": "Zane"},
    )
    w.later()


def _first_sync(w: World, path: pathlib.Path) -> Seeded:
    """Seed, sync twice (the second reads the first's echoes), close."""
    s = seed(w, no_email=True)
    store = sqlite_store(str(path), w.clock)
    try:
        w.sync(store).run()
        w.later()
        w.sync(store).run()
    finally:
        store.close()
    w.later()
    return s


@pytest.fixture(scope="module")
def edited_reference(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """What an uninterrupted incremental run after the edits leaves."""
    w = world()
    try:
        path = tmp_path_factory.mktemp("reference") / "state.db"
        _edit(w, _first_sync(w, path))
        store = sqlite_store(str(path), w.clock)
        try:
            w.sync(store).run()
        finally:
            store.close()
        return snapshot(w)
    finally:
        w.close()


@pytest.mark.parametrize("trial", range(INCREMENTAL_TRIALS))
def test_killed_incremental_run_loses_no_edit(
    trial: int, tmp_path: pathlib.Path, edited_reference: Any
) -> None:
    """SIGKILL in a run carrying edits of both sides: every edit lands once."""
    rng = random.Random(1000 + trial)  # noqa: S311 - test data
    # An uninterrupted incremental run here makes 13 requests: reads, then
    # from the 10th on the writes (a QBO create, a HubSpot re-read and
    # update, a QBO update).
    killer = Killer(rng.randint(7, 13), after_apply=rng.random() < 0.5)
    w = world()
    try:
        path = tmp_path / "state.db"
        _edit(w, _first_sync(w, path))
        assert _killed_run(w, path, killer) == -signal.SIGKILL
        w.later(10)
        store = sqlite_store(str(path), w.clock)
        try:
            w.sync(store).run()
            w.later(10)
            w.sync(store).run()
        finally:
            store.close()
        got = snapshot(w)
        assert killer.killed.is_set()
        # The edits crossed over, and the new contact exists once per side.
        assert ("erin@eads.example", "Erin", "Eades") in got["contact_fields"]
        assert ("Carol Cole", "carol@home.example", "Cole-Smith") in got[
            "customers"
        ]
        assert got["contacts"]["zed@new.example"] == 1
        assert [c[0] for c in got["customers"]].count("Zed Zane") == 1
        assert got == edited_reference
    finally:
        w.close()


def test_killed_after_qbo_applied_its_creates(
    tmp_path: pathlib.Path, reference: dict[str, Any]
) -> None:
    """Killed once QBO made the customers: they are linked, not made again."""
    killer = Killer(
        1,
        after_apply=True,
        only=lambda r: r.method == "POST" and r.url.path.endswith("/batch"),
    )
    w = world()
    try:
        seed(w, no_email=True)
        path = tmp_path / "state.db"
        assert _killed_run(w, path, killer) == -signal.SIGKILL
        made = {c["DisplayName"] for c in w.qbo_fake.customers()}
        assert "Nora Nobody" in made
        w.later(10)
        store = sqlite_store(str(path), w.clock)
        try:
            w.sync(store).run()
        finally:
            store.close()
        assert snapshot(w) == reference
        names = [c["DisplayName"] for c in w.qbo_fake.customers()]
        assert sorted(names) == sorted(set(names))
    finally:
        w.close()
