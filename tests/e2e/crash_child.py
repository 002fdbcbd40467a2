"""
The child process of the crash tests: one sync run over served fakes.

Usage: ``python crash_child.py HUBSPOT_URL QBO_URL STATE_DB START_ISO``.
Its parent serves the fakes and kills it (SIGKILL) at a chosen request.
"""

from __future__ import annotations

import datetime as dt
import sys

from world import clients, config

from hsqbo import SQLiteStore, Sync
from hsqbo.testing import VirtualClock


def main(argv: list[str]) -> int:
    """Run one sync; the parent decides whether it lives to the end."""
    hubspot_url, qbo_url, path, start = argv
    clock = VirtualClock(dt.datetime.fromisoformat(start))
    hubspot, qbo = clients(clock, hubspot_url=hubspot_url, qbo_url=qbo_url)
    store = SQLiteStore(path, clock=clock)
    try:
        Sync(
            config(), hubspot=hubspot, qbo=qbo, store=store, clock=clock
        ).run()
    finally:
        store.close()
        hubspot.close()
        qbo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
