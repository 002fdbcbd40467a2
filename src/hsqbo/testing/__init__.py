"""
Test against hsqbo without a network.

Fake HubSpot and QBO APIs, a virtual clock and fault injection.
"""

from __future__ import annotations

from hsqbo._clock import Clock, SystemClock, VirtualClock
from hsqbo.testing._faults import Fault, FaultInjector, FaultKind


__all__ = [
    "Clock",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "SystemClock",
    "VirtualClock",
]
