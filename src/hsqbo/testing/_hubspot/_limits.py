"""
HubSpot's rate limits, on the injected clock.

* The burst limit: at most ``ten_second_limit`` requests in any rolling 10
  seconds (100 on Free/Starter, 190 on Professional/Enterprise), policy
  ``TEN_SECONDLY_ROLLING``.
* The search limit: at most ``search_per_second`` search requests per
  rolling second (5), policy ``SECONDLY``; searches count here instead of
  in the burst window.
* The daily limit (250,000 on Free/Starter), policy ``DAILY``, reset at
  midnight UTC.

Refused requests do not use up quota. Every answer carries the
``X-HubSpot-RateLimit-*`` headers (hubspot-api.md §3.11).
"""

from __future__ import annotations

import collections
import threading

import attrs

from hsqbo._clock import Clock
from hsqbo.testing._hubspot._errors import ApiFailure


__all__ = ["RateLimits"]

WINDOW = 10.0


@attrs.frozen
class _Policy:
    name: str
    message: str
    group: str


_BURST = _Policy(
    "TEN_SECONDLY_ROLLING",
    "You have reached your ten_secondly_rolling limit.",
    "publicapi:private-app:burst",
)
_SECONDLY = _Policy(
    "SECONDLY",
    "You have reached your secondly limit.",
    "publicapi:search",
)
_DAILY = _Policy(
    "DAILY",
    "You have reached your daily limit.",
    "publicapi:private-app:daily",
)


class RateLimits:
    """Count requests and refuse those over a limit with a HubSpot 429."""

    def __init__(
        self,
        clock: Clock,
        *,
        ten_second_limit: int,
        search_per_second: int,
        daily_limit: int,
    ) -> None:
        if min(ten_second_limit, search_per_second, daily_limit) < 1:
            raise ValueError("rate limits must be at least 1")
        self._clock = clock
        self.ten_second_limit = ten_second_limit
        self.search_per_second = search_per_second
        self.daily_limit = daily_limit
        self._burst: collections.deque[float] = collections.deque()
        self._search: collections.deque[float] = collections.deque()
        self._day = clock.now().date()
        self._daily_used = 0
        self._lock = threading.Lock()

    def _prune(self, now: float) -> None:
        while self._burst and self._burst[0] <= now - WINDOW:
            self._burst.popleft()
        while self._search and self._search[0] <= now - 1.0:
            self._search.popleft()
        today = self._clock.now().date()
        if today != self._day:
            self._day = today
            self._daily_used = 0

    def admit(self, *, search: bool) -> dict[str, str]:
        """
        Count one request; return the rate-limit headers for its answer.

        Raises:
            ApiFailure: 429 with the policy that was exceeded.
        """
        with self._lock:
            now = self._clock.monotonic()
            self._prune(now)
            if self._daily_used >= self.daily_limit:
                raise self._refuse(_DAILY, now)
            if search:
                if len(self._search) >= self.search_per_second:
                    raise self._refuse(_SECONDLY, now)
                self._search.append(now)
            else:
                if len(self._burst) >= self.ten_second_limit:
                    raise self._refuse(_BURST, now)
                self._burst.append(now)
            self._daily_used += 1
            return self._headers()

    def _headers(self) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(
                self.daily_limit - self._daily_used
            ),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(
                int(WINDOW * 1000)
            ),
            "X-HubSpot-RateLimit-Max": str(self.ten_second_limit),
            "X-HubSpot-RateLimit-Remaining": str(
                max(0, self.ten_second_limit - len(self._burst))
            ),
            "X-HubSpot-RateLimit-Secondly": str(
                max(1, self.ten_second_limit // 10)
            ),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(
                max(
                    0,
                    self.ten_second_limit // 10
                    - sum(
                        1
                        for t in self._burst
                        if t > self._clock.monotonic() - 1
                    ),
                )
            ),
        }

    def _refuse(self, policy: _Policy, now: float) -> ApiFailure:
        del now
        return ApiFailure(
            429,
            "RATE_LIMITS",
            policy.message,
            extra={
                "errorType": "RATE_LIMIT",
                "policyName": policy.name,
                "groupName": policy.group,
            },
            headers=self._headers(),
        )

    def headers(self) -> dict[str, str]:
        """Return the current headers without counting a request."""
        with self._lock:
            self._prune(self._clock.monotonic())
            return self._headers()

    def rate_limited(self) -> ApiFailure:
        """Return the burst 429, as an injected fault sends it."""
        with self._lock:
            return self._refuse(_BURST, self._clock.monotonic())
