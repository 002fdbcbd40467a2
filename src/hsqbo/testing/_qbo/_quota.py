"""
QBO's throttles, on the fake's clock.

500 requests a minute, 10 at once, and 40 batch requests a minute per
company.

Requests over a quota are refused (429, fault 3001) and do not count. The
windows read the injected clock, so a test with a VirtualClock moves past a
quota by advancing the clock, never by sleeping.
"""

from __future__ import annotations

import collections
import threading

from hsqbo._clock import Clock


__all__ = [
    "BATCHES_PER_MINUTE",
    "CONCURRENT_REQUESTS",
    "REQUESTS_PER_MINUTE",
    "Quotas",
]

REQUESTS_PER_MINUTE = 500
CONCURRENT_REQUESTS = 10
BATCHES_PER_MINUTE = 40
_WINDOW = 60.0


class Quotas:
    """Admit or refuse each request of one company."""

    def __init__(self, clock: Clock, *, enforce: bool) -> None:
        self._clock = clock
        self.enforce = enforce
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._requests: collections.deque[float] = collections.deque()
        self._batches: collections.deque[float] = collections.deque()
        self.in_flight = 0
        """Requests admitted and not yet answered."""

    def enter(self, *, batch: bool) -> bool:
        """Admit one request (return True) or refuse it (False)."""
        with self._lock:
            now = self._clock.monotonic()
            for window in (self._requests, self._batches):
                while window and window[0] <= now - _WINDOW:
                    window.popleft()
            if self.enforce and (
                self.in_flight >= CONCURRENT_REQUESTS
                or len(self._requests) >= REQUESTS_PER_MINUTE
                or (batch and len(self._batches) >= BATCHES_PER_MINUTE)
            ):
                return False
            self._requests.append(now)
            if batch:
                self._batches.append(now)
            self.in_flight += 1
            self._changed.notify_all()
            return True

    def leave(self) -> None:
        """Mark one admitted request as answered."""
        with self._lock:
            self.in_flight -= 1
            self._changed.notify_all()

    def wait_for_in_flight(self, count: int, timeout: float) -> bool:
        """Wait (really) until *count* requests are in progress; for tests."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self.in_flight >= count, timeout
            )
