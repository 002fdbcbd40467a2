"""Retries as an explicit policy: what is retried, how long to wait."""

from __future__ import annotations

import random

import attrs

from hsqbo._clock import Clock


__all__ = ["RetryPolicy", "RetryState", "jitter"]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def jitter(rng: random.Random, maximum: float) -> float:
    """
    Return a random extra delay in ``[0, maximum)``.

    Kept apart so tests can pin it.
    """
    return rng.uniform(0.0, maximum) if maximum > 0 else 0.0


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """
    When and how long to retry a failed request.

    Retries transport errors and the statuses in :attr:`statuses` with capped
    exponential backoff plus jitter, honouring the provider's
    ``Retry-After``. Non-idempotent writes are never retried by the
    connectors, whatever the policy says.

    .. versionadded:: 0.1.0
    """

    attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    """Tries in all, the first included."""
    initial_delay: float = 0.5
    """Seconds before the first retry."""
    max_delay: float = 30.0
    """No single wait is longer than this."""
    multiplier: float = 2.0
    """Growth of the wait from one retry to the next."""
    max_jitter: float = 0.5
    """Up to this many random seconds are added to each wait."""
    timeout: float = 120.0
    """No retry starts after this many seconds since the first try."""
    statuses: frozenset[int] = RETRYABLE_STATUSES
    """HTTP statuses worth retrying."""

    @classmethod
    def never(cls) -> RetryPolicy:
        """Return a policy that tries once."""
        return cls(attempts=1)

    def start(self, clock: Clock, *, seed: int | None = None) -> RetryState:
        """Begin retrying one request."""
        return RetryState(self, clock, random.Random(seed))  # noqa: S311 - jitter, not crypto

    def backoff(
        self, retry: int, *, retry_after: float | None, rng: random.Random
    ) -> float:
        """Return the wait before retry number *retry* (1-based)."""
        base = self.initial_delay * self.multiplier ** (retry - 1)
        wait = min(self.max_delay, base) + jitter(rng, self.max_jitter)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait


class RetryState:
    """
    The retries of one request: call :meth:`next_delay` after each failure.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self, policy: RetryPolicy, clock: Clock, rng: random.Random
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.rng = rng
        self.tries = 1
        self._started = clock.monotonic()

    def next_delay(
        self, *, status: int | None = None, retry_after: float | None = None
    ) -> float | None:
        """
        Return how long to wait before trying again, or ``None`` to give up.

        Args:
            status: The HTTP status that failed, or ``None`` for a transport
                error (always retryable).
            retry_after: The provider's ``Retry-After``, in seconds.
        """
        if status is not None and status not in self.policy.statuses:
            return None
        if self.tries >= self.policy.attempts:
            return None
        wait = self.policy.backoff(
            self.tries, retry_after=retry_after, rng=self.rng
        )
        elapsed = self.clock.monotonic() - self._started
        if elapsed + wait > self.policy.timeout:
            return None
        self.tries += 1
        return wait
