"""The fake QuickBooks Online company (see :class:`FakeQuickBooks`)."""

from __future__ import annotations

from hsqbo.testing._qbo._calls import FakeQuickBooksCall, FakeQuickBooksCallLog
from hsqbo.testing._qbo._fake import FakeQuickBooks


__all__ = ["FakeQuickBooks", "FakeQuickBooksCall", "FakeQuickBooksCallLog"]
