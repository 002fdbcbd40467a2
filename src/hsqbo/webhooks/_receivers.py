"""
Framework-neutral webhook receivers: verify, parse, refuse replays.

Mount one in any web framework: pass the method, the full URL, the headers
and the raw body; get the changes or a :class:`~hsqbo.WebhookError`.
"""

from __future__ import annotations

from collections.abc import Mapping

from hsqbo._clock import Clock, SystemClock
from hsqbo.webhooks._events import (
    Change,
    parse_hubspot_events,
    parse_intuit_events,
)
from hsqbo.webhooks._replay import ReplayGuard
from hsqbo.webhooks._signatures import (
    verify_hubspot_signature,
    verify_intuit_signature,
)


__all__ = ["HubSpotWebhook", "IntuitWebhook"]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


class HubSpotWebhook:
    """
    Receive HubSpot webhook deliveries (signature v3).

    >>> from hsqbo.webhooks import HubSpotWebhook
    >>> hook = HubSpotWebhook("app-client-secret")
    >>> "app-client-secret" in repr(hook)
    False

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        client_secret: str,
        *,
        clock: Clock | None = None,
        replay_guard: ReplayGuard | None = None,
    ) -> None:
        if not client_secret:
            msg = "HubSpotWebhook needs the app's client secret"
            raise ValueError(msg)
        self._secret = client_secret
        self._clock = SystemClock() if clock is None else clock
        self.replay_guard = (
            ReplayGuard() if replay_guard is None else replay_guard
        )

    def __repr__(self) -> str:
        return "HubSpotWebhook(client_secret=<hidden>)"

    def handle(
        self,
        *,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[Change, ...]:
        """
        Verify one delivery and return its changes.

        Args:
            method: The request's HTTP method.
            uri: The full URL HubSpot called (scheme, host, path, query).
            headers: The request headers (any case).
            body: The raw body, exactly as received.

        Raises:
            InvalidSignatureError: Bad or missing signature.
            StaleWebhookError: Timestamp older than five minutes.
            MalformedWebhookError: Not a HubSpot event array.
            ReplayedWebhookError: An event was accepted before.
        """
        now = self._clock.now()
        verify_hubspot_signature(
            client_secret=self._secret,
            method=method,
            uri=uri,
            body=body,
            timestamp=_header(headers, "X-HubSpot-Request-Timestamp"),
            signature=_header(headers, "X-HubSpot-Signature-v3"),
            now=now,
        )
        changes = parse_hubspot_events(body)
        if changes:
            self.replay_guard.accept(changes, now=now)
        return changes


class IntuitWebhook:
    """
    Receive Intuit (QBO) webhook deliveries, legacy or CloudEvents.

    Args:
        verifier_token: The app's webhook verifier token.
        realm_ids: When given, changes of other companies are dropped.

    .. versionadded:: 0.1.0
    """

    def __init__(
        self,
        verifier_token: str,
        *,
        realm_ids: frozenset[str] | None = None,
        clock: Clock | None = None,
        replay_guard: ReplayGuard | None = None,
    ) -> None:
        if not verifier_token:
            msg = "IntuitWebhook needs the app's verifier token"
            raise ValueError(msg)
        self._token = verifier_token
        self.realm_ids = realm_ids
        self._clock = SystemClock() if clock is None else clock
        self.replay_guard = (
            ReplayGuard() if replay_guard is None else replay_guard
        )

    def __repr__(self) -> str:
        return "IntuitWebhook(verifier_token=<hidden>)"

    def handle(
        self, *, headers: Mapping[str, str], body: bytes
    ) -> tuple[Change, ...]:
        """
        Verify one delivery and return its changes.

        Raises:
            InvalidSignatureError: Bad or missing ``intuit-signature``.
            MalformedWebhookError: Neither legacy nor CloudEvents.
            ReplayedWebhookError: An event was accepted before.
        """
        verify_intuit_signature(
            verifier_token=self._token,
            body=body,
            signature=_header(headers, "intuit-signature"),
        )
        changes = parse_intuit_events(body)
        if self.realm_ids is not None:
            changes = tuple(c for c in changes if c.account in self.realm_ids)
        if changes:
            self.replay_guard.accept(changes, now=self._clock.now())
        return changes
