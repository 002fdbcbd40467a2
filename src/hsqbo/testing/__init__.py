"""
Test against hsqbo without a network.

Fake HubSpot and QBO APIs, a virtual clock and fault injection.
"""

from __future__ import annotations

from hsqbo._clock import Clock, SystemClock, VirtualClock
from hsqbo.testing._faults import Fault, FaultInjector, FaultKind
from hsqbo.testing._hubspot._associations import FakeHubSpotAssociation
from hsqbo.testing._hubspot._fake import FakeHubSpot, FakeHubSpotCall
from hsqbo.testing._hubspot._oauth import FakeHubSpotTokens
from hsqbo.testing._hubspot._objects import FakeHubSpotObject
from hsqbo.testing._hubspot._properties import (
    FakeHubSpotProperty,
    FakeHubSpotPropertyOption,
)
from hsqbo.testing._qbo import (
    FakeQuickBooks,
    FakeQuickBooksCall,
    FakeQuickBooksCallLog,
)


__all__ = [
    "Clock",
    "FakeHubSpot",
    "FakeHubSpotAssociation",
    "FakeHubSpotCall",
    "FakeHubSpotObject",
    "FakeHubSpotProperty",
    "FakeHubSpotPropertyOption",
    "FakeHubSpotTokens",
    "FakeQuickBooks",
    "FakeQuickBooksCall",
    "FakeQuickBooksCallLog",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "SystemClock",
    "VirtualClock",
]
