"""
QBO's quotas, kept on the client side so requests wait instead of 429ing.

Intuit allows 500 requests a minute and 10 at a time per company (realm),
and 40 batch requests a minute; batch requests count towards the 500 too.
"""

from __future__ import annotations

import attrs

from hsqbo._clock import Clock
from hsqbo._ratelimit import SlidingWindowLimiter


__all__ = ["QuickBooksLimits", "Throttle"]


@attrs.frozen(kw_only=True)
class QuickBooksLimits:
    """
    The quotas a client keeps to, per company.

    >>> from hsqbo.qbo import QuickBooksLimits
    >>> QuickBooksLimits().requests_per_minute
    500

    .. versionadded:: 0.1.0
    """

    requests_per_minute: int = attrs.field(
        default=500, validator=attrs.validators.ge(1)
    )
    """Requests of every kind in any 60 seconds."""
    concurrent_requests: int = attrs.field(
        default=10, validator=attrs.validators.ge(1)
    )
    """Requests in flight at once."""
    batches_per_minute: int = attrs.field(
        default=40, validator=attrs.validators.ge(1)
    )
    """Batch requests in any 60 seconds."""
    batch_size: int = attrs.field(
        default=30,
        validator=[attrs.validators.ge(1), attrs.validators.le(30)],
    )
    """Items per batch request (QBO refuses more than 30)."""


class Throttle:
    """The sliding windows of one client; the shells add the concurrency."""

    def __init__(self, limits: QuickBooksLimits, clock: Clock) -> None:
        self.limits = limits
        self._requests = SlidingWindowLimiter(
            limits.requests_per_minute, 60.0, clock
        )
        self._batches = SlidingWindowLimiter(
            limits.batches_per_minute, 60.0, clock
        )

    def reserve(self, *, batch: bool) -> float:
        """Book a slot for one request; return the seconds to wait."""
        wait = self._requests.reserve()
        if batch:
            wait = max(wait, self._batches.reserve())
        return wait
