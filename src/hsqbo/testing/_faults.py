"""Fault injection for the fakes: fail the next N calls, or a seeded share."""

from __future__ import annotations

import enum
import random
import threading
from collections.abc import Sequence

import attrs


__all__ = ["Fault", "FaultInjector", "FaultKind"]


class FaultKind(enum.Enum):
    """
    How a call fails.

    .. versionadded:: 0.1.0
    """

    RATE_LIMIT = "rate_limit"
    """A 429 with the provider's own body and headers."""
    SERVER_ERROR = "server_error"
    """A 500 with the provider's own body."""
    UNAVAILABLE = "unavailable"
    """A 503, as from a gateway."""
    TIMEOUT = "timeout"
    """No answer in time; nothing was applied."""
    DROP = "drop"
    """The connection closes before the request is handled."""
    DROP_AFTER_APPLY = "drop_after_apply"
    """The request is applied, then the connection closes unanswered: the
    case where a naive client retries and creates a duplicate."""


@attrs.frozen
class Fault:
    """
    One injected failure.

    .. versionadded:: 0.1.0
    """

    kind: FaultKind


DEFAULT_KINDS = (
    FaultKind.RATE_LIMIT,
    FaultKind.SERVER_ERROR,
    FaultKind.UNAVAILABLE,
    FaultKind.TIMEOUT,
    FaultKind.DROP,
    FaultKind.DROP_AFTER_APPLY,
)


class FaultInjector:
    """
    Decide, per incoming call, whether it fails and how.

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._queue: list[FaultKind] = []
        self._share = 0.0
        self._kinds: tuple[FaultKind, ...] = DEFAULT_KINDS
        self._rng = random.Random(0)  # noqa: S311 - test data
        self._lock = threading.Lock()
        #: Faults injected so far, in order.
        self.injected: list[FaultKind] = []

    def fail_next(
        self, count: int = 1, kind: FaultKind = FaultKind.SERVER_ERROR
    ) -> None:
        """Make the next *count* calls fail with *kind*."""
        with self._lock:
            self._queue.extend([kind] * count)

    def fail_randomly(
        self,
        share: float,
        *,
        seed: int,
        kinds: Sequence[FaultKind] = DEFAULT_KINDS,
    ) -> None:
        """Make a seeded random *share* (0..1) of calls fail with *kinds*."""
        if not 0.0 <= share <= 1.0:
            msg = f"share must be between 0 and 1, got {share}"
            raise ValueError(msg)
        if not kinds:
            msg = "kinds must name at least one FaultKind"
            raise ValueError(msg)
        with self._lock:
            self._share = share
            self._kinds = tuple(kinds)
            self._rng = random.Random(seed)  # noqa: S311 - test data

    def clear(self) -> None:
        """Stop injecting faults."""
        with self._lock:
            self._queue.clear()
            self._share = 0.0

    def draw(self) -> Fault | None:
        """Return the fault for this call, if any."""
        with self._lock:
            if self._queue:
                kind = self._queue.pop(0)
            elif self._share and self._rng.random() < self._share:
                kind = self._rng.choice(self._kinds)
            else:
                return None
            self.injected.append(kind)
            return Fault(kind)
