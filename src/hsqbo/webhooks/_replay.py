"""Refuse an event delivered twice within a window."""

from __future__ import annotations

import collections
import datetime as dt
import threading
from collections.abc import Sequence

from hsqbo._errors import ReplayedWebhookError
from hsqbo.webhooks._events import Change


__all__ = ["ReplayGuard"]


class ReplayGuard:
    """
    Remember accepted event ids for a while and refuse them again.

    Memory is bounded by *max_events*: the oldest ids are forgotten first.
    HubSpot retries a failed delivery for up to three days, so the default
    window covers that.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        *,
        window: dt.timedelta = dt.timedelta(days=3),
        max_events: int = 100_000,
    ) -> None:
        if max_events < 1:
            msg = "max_events must be at least 1"
            raise ValueError(msg)
        self.window = window
        self.max_events = max_events
        self._seen: collections.OrderedDict[str, dt.datetime] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def accept(self, changes: Sequence[Change], *, now: dt.datetime) -> None:
        """
        Remember the events of one delivery, or refuse it whole.

        Raises:
            ReplayedWebhookError: An event was accepted before; nothing of
                this delivery is remembered.
        """
        with self._lock:
            horizon = now - self.window
            while self._seen:
                oldest = next(iter(self._seen.values()))
                if oldest >= horizon:
                    break
                self._seen.popitem(last=False)
            keys = [f"{c.side.value}:{c.event_id}" for c in changes]
            again = tuple(k for k in keys if k in self._seen)
            if again:
                provider = changes[0].side.value
                raise ReplayedWebhookError(
                    f"{len(again)} event(s) of this delivery were accepted "
                    "before; answer 200 and ignore it",
                    provider=provider,
                    event_ids=tuple(k.split(":", 1)[1] for k in again),
                )
            for key in keys:
                self._seen[key] = now
                self._seen.move_to_end(key)
            while len(self._seen) > self.max_events:
                self._seen.popitem(last=False)
