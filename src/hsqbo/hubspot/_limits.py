"""
HubSpot's rate limits, kept on the client side.

Two windows apply: the burst limit (100 requests per rolling 10 seconds on
Free and Starter, 190 on Professional and Enterprise) and the search limit
(5 requests per second, counted apart). The :class:`Throttle` books a slot
in each window before a call, and reads the ``X-HubSpot-RateLimit-*``
headers after it: when HubSpot reports a smaller quota than configured, or
no requests left because other apps share the account, it slows down.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Literal

import attrs

from hsqbo._clock import Clock
from hsqbo._ratelimit import SlidingWindowLimiter
from hsqbo.hubspot._call import CallKind


__all__ = ["RateLimits", "Throttle"]

Tier = Literal["free", "starter", "professional", "enterprise", "oauth"]
_BURST_BY_TIER: Mapping[str, int] = {
    "free": 100,
    "starter": 100,
    "professional": 190,
    "enterprise": 190,
    "oauth": 100,
}


@attrs.frozen(kw_only=True)
class RateLimits:
    """
    The quotas a client keeps under.

    >>> from hsqbo.hubspot import RateLimits
    >>> RateLimits.for_tier("professional").burst
    190

    .. versionadded:: 0.1.0
    """

    burst: int = attrs.field(default=100, validator=attrs.validators.ge(1))
    """Requests per :attr:`window` (HubSpot's ten-secondly rolling limit)."""
    window: float = attrs.field(default=10.0, validator=attrs.validators.gt(0))
    """The burst window, in seconds."""
    search_per_second: int = attrs.field(
        default=5, validator=attrs.validators.ge(1)
    )
    """Search requests per second (HubSpot: 5 per account)."""

    @classmethod
    def for_tier(cls, tier: Tier) -> RateLimits:
        """
        Return the documented limits of a HubSpot subscription tier.

        ``"oauth"`` is a public (marketplace) app: 100 per 10 seconds.
        """
        return cls(burst=_BURST_BY_TIER[tier])


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class Throttle:
    """The client-side limiters of one client, fed by response headers."""

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._burst = SlidingWindowLimiter(limits.burst, limits.window, clock)
        self._search = SlidingWindowLimiter(
            limits.search_per_second, 1.0, clock
        )
        self._resume_at = 0.0
        self._lock = threading.Lock()

    def reserve(self, kind: CallKind) -> float:
        """Book slots for a call of *kind*; return the seconds to wait."""
        if kind is CallKind.AUTH:
            return 0.0
        with self._lock:
            paused = max(0.0, self._resume_at - self._clock.monotonic())
        wait = max(paused, self._burst.reserve())
        if kind is CallKind.SEARCH:
            wait = max(wait, self._search.reserve())
        return wait

    def observe(self, headers: Mapping[str, str]) -> None:
        """
        Learn from a response's rate-limit headers.

        A ``Max`` below the configured burst shrinks the window's quota
        (the account's tier is lower than configured). ``Remaining: 0``
        means other apps used the quota up: pause one full interval, the
        only wait that surely empties a rolling window.
        """
        quota = _int_header(headers, "x-hubspot-ratelimit-max")
        interval_ms = _int_header(
            headers, "x-hubspot-ratelimit-interval-milliseconds"
        )
        remaining = _int_header(headers, "x-hubspot-ratelimit-remaining")
        interval = (interval_ms or int(self.limits.window * 1000)) / 1000
        if quota and quota < self._burst.limit:
            self._burst.limit = quota
        if remaining == 0:
            with self._lock:
                self._resume_at = max(
                    self._resume_at, self._clock.monotonic() + interval
                )

    @property
    def burst_limit(self) -> int:
        """The burst quota in force (after what the headers said)."""
        return self._burst.limit
