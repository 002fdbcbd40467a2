"""
Type-checked use of hsqbo's core API; mypy reads it, pytest never runs it.

If a public signature changes in a way that breaks callers, mypy fails here.
"""

from __future__ import annotations

import datetime as dt

import hsqbo
from hsqbo.testing import FaultInjector, FaultKind, VirtualClock


record = hsqbo.Record(
    hsqbo.Side.HUBSPOT,
    "contacts",
    "1",
    {"email": "ada@example.com"},
    dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    archived=False,
)
side: hsqbo.Side = record.side.other
allowed: bool = hsqbo.Direction.TWO_WAY.writes_to(hsqbo.Side.QBO)

clock = VirtualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
clock.sleep(1.5)
now: dt.datetime = clock.now()

policy = hsqbo.RetryPolicy(attempts=3, max_jitter=0.0)
state = policy.start(clock, seed=1)
delay: float | None = state.next_delay(status=503)

faults = FaultInjector()
faults.fail_next(2, FaultKind.RATE_LIMIT)

try:
    pass
except hsqbo.RateLimitError as error:
    wait: float | None = error.retry_after
except hsqbo.ConfigError as error:
    paths = [problem.path for problem in error.problems]
