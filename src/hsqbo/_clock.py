"""
Clocks: where hsqbo gets "now" and how it waits.

Everything that reads the time or sleeps (retries, rate limiters, the fakes'
quotas) takes a :class:`Clock`, so tests pass a :class:`VirtualClock` and
never sleep.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from typing import Protocol, runtime_checkable


__all__ = ["Clock", "SystemClock", "VirtualClock"]


@runtime_checkable
class Clock(Protocol):
    """
    The time source and sleeper hsqbo uses.

    .. versionadded:: 0.1.0
    """

    def now(self) -> dt.datetime:
        """Return the current time, aware UTC."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait *seconds* (a virtual clock only advances)."""
        ...

    async def sleep_async(self, seconds: float) -> None:
        """Wait *seconds* without blocking the event loop."""
        ...


class SystemClock:
    """
    The real clock: wall time, :func:`time.monotonic`, real sleeping.

    .. versionadded:: 0.1.0
    """

    def now(self) -> dt.datetime:
        """Return the current time, aware UTC."""
        return dt.datetime.now(dt.UTC)

    def monotonic(self) -> float:
        """Return :func:`time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        if seconds > 0:
            time.sleep(seconds)

    async def sleep_async(self, seconds: float) -> None:
        """Sleep for real, asynchronously."""
        if seconds > 0:
            await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class VirtualClock:
    """
    A clock that moves only when told: sleeping advances it instantly.

    Thread-safe, so a fake served on a thread and the client under test can
    share it.

    >>> import datetime as dt
    >>> clock = VirtualClock(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    >>> clock.sleep(90)
    >>> clock.now().isoformat()
    '2026-01-01T00:01:30+00:00'

    .. versionadded:: 0.1.0
    """

    def __init__(self, start: dt.datetime | None = None) -> None:
        if start is None:
            start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        if start.tzinfo is None:
            msg = "VirtualClock needs an aware start time"
            raise ValueError(msg)
        self._start = start.astimezone(dt.UTC)
        self._elapsed = 0.0
        self._lock = threading.Lock()
        #: Total seconds "slept" through this clock; handy in assertions.
        self.slept = 0.0

    def now(self) -> dt.datetime:
        """Return the virtual time."""
        with self._lock:
            return self._start + dt.timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        """Return virtual seconds since the start."""
        with self._lock:
            return self._elapsed

    def advance(self, seconds: float) -> None:
        """Move the clock forward by *seconds*."""
        if seconds < 0:
            msg = "a clock cannot go back"
            raise ValueError(msg)
        with self._lock:
            self._elapsed += seconds

    def set(self, when: dt.datetime) -> None:
        """Move the clock forward to *when*."""
        self.advance((when - self.now()).total_seconds())

    def sleep(self, seconds: float) -> None:
        """Advance instead of sleeping."""
        if seconds > 0:
            self.advance(seconds)
            with self._lock:
                self.slept += seconds

    async def sleep_async(self, seconds: float) -> None:
        """Advance instead of sleeping."""
        self.sleep(seconds)

    def __repr__(self) -> str:
        return f"VirtualClock(now={self.now().isoformat()})"
