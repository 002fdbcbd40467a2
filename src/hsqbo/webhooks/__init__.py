"""
Webhooks: hear about changes within seconds instead of polling.

Verify HubSpot's signature v3 and Intuit's ``intuit-signature``, parse both
providers' bodies (HubSpot events, Intuit's legacy ``eventNotifications``
and CloudEvents) into one list of :class:`Change`, and refuse stale or
replayed deliveries.
"""

from __future__ import annotations

from hsqbo.webhooks._events import (
    Change,
    ChangeKind,
    parse_hubspot_events,
    parse_intuit_events,
)
from hsqbo.webhooks._receivers import HubSpotWebhook, IntuitWebhook
from hsqbo.webhooks._replay import ReplayGuard
from hsqbo.webhooks._signatures import (
    HUBSPOT_MAX_AGE,
    hubspot_signature_v3,
    intuit_signature,
    verify_hubspot_signature,
    verify_intuit_signature,
)


__all__ = [
    "HUBSPOT_MAX_AGE",
    "Change",
    "ChangeKind",
    "HubSpotWebhook",
    "IntuitWebhook",
    "ReplayGuard",
    "hubspot_signature_v3",
    "intuit_signature",
    "parse_hubspot_events",
    "parse_intuit_events",
    "verify_hubspot_signature",
    "verify_intuit_signature",
]
