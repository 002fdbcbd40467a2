"""The fake's request log, for assertions on how many calls a client made."""

from __future__ import annotations

import collections
import datetime as dt
import threading
from collections.abc import Iterator, Mapping

import attrs

from hsqbo._unset import UNSET, Unset


__all__ = ["FakeQuickBooksCall", "FakeQuickBooksCallLog"]


@attrs.frozen(kw_only=True)
class FakeQuickBooksCall:
    """
    One request the fake QBO received.

    .. versionadded:: 0.1.0
    """

    method: str
    """``GET`` or ``POST``."""
    path: str
    """The URL path, e.g. ``/v3/company/9130354937712345/query``."""
    resource: str
    """What was called: the entity or endpoint after the realm
    (``customer``, ``query``, ``batch``, ``cdc``, ``preferences``), or
    ``token``, ``revoke``, ``authorize``, ``discovery`` for OAuth."""
    params: Mapping[str, str]
    """The query-string parameters (``minorversion``, ``requestid``...)."""
    status: int | None
    """The HTTP status answered; None when the connection was dropped."""
    at: dt.datetime
    """When the call arrived, on the fake's clock (aware UTC)."""
    query: str | None = None
    """The query text of a ``/query`` call."""


class FakeQuickBooksCallLog:
    """
    Every request the fake received, in order.

    A sequence of :class:`FakeQuickBooksCall`, with counts for assertions
    such as "the client read 10,000 customers in 10 queries".

    .. versionadded:: 0.1.0
    """

    def __init__(self) -> None:
        self._calls: list[FakeQuickBooksCall] = []
        self._lock = threading.Lock()

    def append(self, call: FakeQuickBooksCall) -> None:
        """Record *call* (the fake does this)."""
        with self._lock:
            self._calls.append(call)

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def __iter__(self) -> Iterator[FakeQuickBooksCall]:
        with self._lock:
            return iter(list(self._calls))

    def __getitem__(self, index: int) -> FakeQuickBooksCall:
        with self._lock:
            return self._calls[index]

    def __repr__(self) -> str:
        return f"FakeQuickBooksCallLog(calls={len(self)})"

    def count(
        self, resource: str | Unset = UNSET, *, method: str | Unset = UNSET
    ) -> int:
        """
        Count the calls to *resource* (all when omitted), by *method* too.

        Args:
            resource: ``customer``, ``query``, ``batch``, ``cdc``, ``token``...
            method: ``GET`` or ``POST``.

        Returns:
            The number of matching calls.
        """
        return sum(
            1
            for call in self
            if (resource is UNSET or call.resource == resource)
            and (method is UNSET or call.method == method)
        )

    def per_path(self) -> dict[str, int]:
        """Return how many calls each URL path received."""
        return dict(collections.Counter(call.path for call in self))

    def clear(self) -> None:
        """Forget every call recorded so far."""
        with self._lock:
            self._calls.clear()
