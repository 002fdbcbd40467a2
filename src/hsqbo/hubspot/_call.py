"""
The vocabulary of the sans-I/O core: calls, flows and what they emit.

An operation is a *flow*: a generator that yields :class:`Call` objects and
receives the :class:`httpx.Response` of each (or the exception it raised),
and may yield :class:`Emit` to hand results out lazily. The sync and async
clients only run flows; all decisions live in the flows.
"""

from __future__ import annotations

import enum
from collections.abc import Generator, Mapping
from typing import Generic, TypeAlias, TypeVar

import attrs
import httpx


__all__ = ["Call", "CallKind", "Emit", "Flow", "Step"]

T = TypeVar("T")
R = TypeVar("R")


class CallKind(enum.Enum):
    """What a call does, which decides its rate limit and whether to retry."""

    READ = "read"
    """A read: retried freely."""
    SEARCH = "search"
    """A search: a read under its own, stricter rate limit."""
    WRITE = "write"
    """An idempotent write (update, upsert, archive, associate): retried."""
    CREATE = "create"
    """A plain create: retried only when HubSpot provably did nothing."""
    AUTH = "auth"
    """A token refresh: not rate limited by the CRM limits."""


@attrs.frozen(kw_only=True)
class Call:
    """One HTTP request to make, described without doing it."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    json: object = None
    # Token-endpoint forms hold client secrets and refresh tokens.
    form: Mapping[str, str] | None = attrs.field(default=None, repr=False)
    kind: CallKind = CallKind.READ
    authenticated: bool = True

    @property
    def retryable(self) -> bool:
        """Tell whether a failure of this call may be retried blindly."""
        return self.kind is not CallKind.CREATE


@attrs.frozen
class Emit(Generic[T]):
    """Items a flow hands out before it goes on (one page of a listing)."""

    items: tuple[T, ...]


Step: TypeAlias = Call | Emit[T]
Flow: TypeAlias = Generator["Call | Emit[T]", "httpx.Response | None", R]
"""
Yields calls (answered with their response) and emits (answered with
``None``); returns the operation's result.
"""


def need(response: httpx.Response | None) -> httpx.Response:
    """Return *response*; a flow answered ``None`` to a call is a bug."""
    if response is None:  # pragma: no cover - a driver bug
        msg = "a call was answered without a response"
        raise RuntimeError(msg)
    return response
