"""Client-side rate limiting: stay under a provider's quota, not into 429s."""

from __future__ import annotations

import collections
import threading

from hsqbo._clock import Clock


__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """
    At most *limit* requests in any *window* seconds.

    :meth:`reserve` books the next free slot and says how long to wait for
    it; the caller sleeps through its :class:`~hsqbo._clock.Clock`. Thread
    safe; for async callers, booking is instant and the wait is theirs.

    .. versionadded:: 0.1.0
    """

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        if limit < 1 or window <= 0:
            msg = "a rate limit needs limit >= 1 and window > 0"
            raise ValueError(msg)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._slots: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Book a slot; return the seconds to wait before using it."""
        with self._lock:
            now = self._clock.monotonic()
            while self._slots and self._slots[0] <= now - self.window:
                self._slots.popleft()
            if len(self._slots) < self.limit:
                self._slots.append(now)
                return 0.0
            # The slot frees when the request `limit` places back leaves the
            # window; later bookings queue behind it.
            start = self._slots[-self.limit] + self.window
            self._slots.append(start)
            return max(0.0, start - now)

    def acquire(self) -> None:
        """Book a slot and wait for it."""
        self._clock.sleep(self.reserve())

    async def acquire_async(self) -> None:
        """Book a slot and wait for it without blocking the event loop."""
        await self._clock.sleep_async(self.reserve())
