"""Webhooks: signatures, parsing of both providers' bodies, replays."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hsqbo
from hsqbo import Side
from hsqbo.testing import VirtualClock
from hsqbo.webhooks import (
    ChangeKind,
    HubSpotWebhook,
    IntuitWebhook,
    ReplayGuard,
    hubspot_signature_v3,
    intuit_signature,
    parse_hubspot_events,
    parse_intuit_events,
    verify_hubspot_signature,
    verify_intuit_signature,
)


SECRET = "hs-client-secret-123"  # noqa: S105 - test value
VERIFIER = "intuit-verifier-456"
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
URI = "https://hooks.example.com/hubspot?tenant=a%3Ab"


def _ms(when: dt.datetime) -> str:
    return str(int(when.timestamp() * 1000))


def _hubspot_events(*ids: int) -> bytes:
    return json.dumps(
        [
            {
                "eventId": event_id,
                "subscriptionId": 77,
                "portalId": 4242,
                "occurredAt": int(NOW.timestamp() * 1000),
                "subscriptionType": "contact.propertyChange",
                "propertyName": "email",
                "propertyValue": "x@example.com",
                "objectId": 1000 + event_id,
                "attemptNumber": 0,
            }
            for event_id in ids
        ]
    ).encode()


def _hubspot_headers(body: bytes, *, at: dt.datetime = NOW) -> dict[str, str]:
    timestamp = _ms(at)
    # Computed here independently of hsqbo: HMAC-SHA256 over method + URI
    # (with HubSpot's listed escapes decoded) + body + timestamp.
    message = b"POST" + URI.replace("%3A", ":").encode() + body
    message += timestamp.encode()
    digest = hmac.new(SECRET.encode(), message, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def test_hubspot_signature_matches_an_independent_computation() -> None:
    """The v3 signature equals HMAC-SHA256 over method+URI+body+time."""
    body = _hubspot_events(1)
    headers = _hubspot_headers(body)
    assert (
        hubspot_signature_v3(
            client_secret=SECRET,
            method="post",
            uri=URI,
            body=body,
            timestamp=headers["X-HubSpot-Request-Timestamp"],
        )
        == headers["X-HubSpot-Signature-v3"]
    )


def test_valid_hubspot_delivery_yields_typed_changes() -> None:
    """A signed, fresh delivery parses into HubSpot changes."""
    hook = HubSpotWebhook(SECRET, clock=VirtualClock(NOW))
    body = _hubspot_events(1, 2)
    changes = hook.handle(
        method="POST", uri=URI, headers=_hubspot_headers(body), body=body
    )
    assert [(c.side, c.type, c.id, c.kind) for c in changes] == [
        (Side.HUBSPOT, "contacts", "1001", ChangeKind.UPDATED),
        (Side.HUBSPOT, "contacts", "1002", ChangeKind.UPDATED),
    ]
    assert changes[0].property == "email"
    assert changes[0].account == "4242"
    assert changes[0].occurred_at == NOW


def test_tampered_hubspot_body_is_refused() -> None:
    """Changing one byte of the body makes the signature fail."""
    hook = HubSpotWebhook(SECRET, clock=VirtualClock(NOW))
    body = _hubspot_events(1)
    headers = _hubspot_headers(body)
    with pytest.raises(hsqbo.InvalidSignatureError):
        hook.handle(
            method="POST",
            uri=URI,
            headers=headers,
            body=body.replace(b"1001", b"1002"),
        )


def test_wrong_secret_or_missing_header_is_refused() -> None:
    """Another secret, or no signature header, is an invalid signature."""
    body = _hubspot_events(1)
    headers = _hubspot_headers(body)
    with pytest.raises(hsqbo.InvalidSignatureError):
        HubSpotWebhook("other", clock=VirtualClock(NOW)).handle(
            method="POST", uri=URI, headers=headers, body=body
        )
    del headers["X-HubSpot-Signature-v3"]
    with pytest.raises(hsqbo.InvalidSignatureError, match="Signature-v3"):
        HubSpotWebhook(SECRET, clock=VirtualClock(NOW)).handle(
            method="POST", uri=URI, headers=headers, body=body
        )


@pytest.mark.parametrize("minutes", [-6, 6])
def test_stale_hubspot_timestamp_is_refused(minutes: int) -> None:
    """A timestamp more than five minutes away is stale, either way."""
    body = _hubspot_events(1)
    headers = _hubspot_headers(body, at=NOW + dt.timedelta(minutes=minutes))
    hook = HubSpotWebhook(SECRET, clock=VirtualClock(NOW))
    with pytest.raises(hsqbo.StaleWebhookError):
        hook.handle(method="POST", uri=URI, headers=headers, body=body)


def test_hubspot_timestamp_inside_window_is_accepted() -> None:
    """Four minutes old is inside the five-minute window."""
    body = _hubspot_events(1)
    headers = _hubspot_headers(body, at=NOW - dt.timedelta(minutes=4))
    hook = HubSpotWebhook(SECRET, clock=VirtualClock(NOW))
    assert len(hook.handle(method="POST", uri=URI, headers=headers, body=body))


def test_replayed_hubspot_event_is_refused() -> None:
    """The same event delivered twice is refused the second time."""
    hook = HubSpotWebhook(SECRET, clock=VirtualClock(NOW))
    body = _hubspot_events(5)
    headers = _hubspot_headers(body)
    hook.handle(method="POST", uri=URI, headers=headers, body=body)
    with pytest.raises(hsqbo.ReplayedWebhookError) as caught:
        hook.handle(method="POST", uri=URI, headers=headers, body=body)
    assert caught.value.event_ids == ("77:5",)


def test_secrets_never_show_in_repr_or_errors() -> None:
    """Neither the client secret nor the verifier token leaks."""
    hook = HubSpotWebhook(SECRET)
    intuit = IntuitWebhook(VERIFIER)
    assert SECRET not in repr(hook)
    assert VERIFIER not in repr(intuit)
    with pytest.raises(hsqbo.WebhookError) as caught:
        intuit.handle(headers={"intuit-signature": "nope"}, body=b"[]")
    assert VERIFIER not in str(caught.value)


def _intuit_headers(body: bytes) -> dict[str, str]:
    digest = hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest()
    return {"intuit-signature": base64.b64encode(digest).decode()}


LEGACY = {
    "eventNotifications": [
        {
            "realmId": "9341450000123",
            "dataChangeEvent": {
                "entities": [
                    {
                        "name": "Invoice",
                        "id": "1088",
                        "operation": "Update",
                        "lastUpdated": "2026-02-10T16:44:02.000Z",
                    },
                    {
                        "name": "Customer",
                        "id": "412",
                        "operation": "Merge",
                        "lastUpdated": "2026-02-10T16:45:00.000Z",
                        "deletedID": "415",
                    },
                ]
            },
        }
    ]
}

CLOUD = [
    {
        "specversion": "1.0",
        "id": "5f0c2f7e-0d6b-4c0a-9a51-2b7c1d3e4f50",
        "source": "intuit.abc",
        "type": "qbo.invoice.updated.v1",
        "datacontenttype": "application/json",
        "time": "2026-02-10T16:44:02.512Z",
        "intuitentityid": "1088",
        "intuitaccountid": "9341450000123",
        "data": {},
    }
]


def test_intuit_legacy_body_parses_with_merges() -> None:
    """Legacy eventNotifications become QBO changes; merges keep the old id."""
    body = json.dumps(LEGACY).encode()
    changes = IntuitWebhook(VERIFIER, clock=VirtualClock(NOW)).handle(
        headers=_intuit_headers(body), body=body
    )
    assert [(c.type, c.id, c.kind, c.merged_ids) for c in changes] == [
        ("Invoice", "1088", ChangeKind.UPDATED, ()),
        ("Customer", "412", ChangeKind.MERGED, ("415",)),
    ]
    assert changes[0].occurred_at == dt.datetime(
        2026, 2, 10, 16, 44, 2, tzinfo=dt.UTC
    )
    assert all(c.account == "9341450000123" for c in changes)


def test_intuit_cloudevents_body_parses() -> None:
    """A CloudEvents array becomes the same typed change."""
    body = json.dumps(CLOUD).encode()
    (change,) = IntuitWebhook(VERIFIER, clock=VirtualClock(NOW)).handle(
        headers=_intuit_headers(body), body=body
    )
    assert (change.side, change.type, change.id, change.kind) == (
        Side.QBO,
        "Invoice",
        "1088",
        ChangeKind.UPDATED,
    )
    assert change.event_id == CLOUD[0]["id"]


def test_intuit_bad_signature_and_replay_are_refused() -> None:
    """A wrong intuit-signature, then a replayed CloudEvent, are refused."""
    body = json.dumps(CLOUD).encode()
    hook = IntuitWebhook(VERIFIER, clock=VirtualClock(NOW))
    with pytest.raises(hsqbo.InvalidSignatureError):
        hook.handle(headers={"intuit-signature": "AAAA"}, body=body)
    hook.handle(headers=_intuit_headers(body), body=body)
    with pytest.raises(hsqbo.ReplayedWebhookError):
        hook.handle(headers=_intuit_headers(body), body=body)


def test_intuit_realm_filter_drops_other_companies() -> None:
    """With realm_ids set, changes of other companies are dropped."""
    body = json.dumps(CLOUD).encode()
    hook = IntuitWebhook(
        VERIFIER, realm_ids=frozenset({"1"}), clock=VirtualClock(NOW)
    )
    assert hook.handle(headers=_intuit_headers(body), body=body) == ()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "not JSON"),
        (b"{}", "neither"),
        (b'[{"type": "invoice.updated"}]', "qbo.<entity>"),
        (
            (
                b'{"eventNotifications": [{"realmId": "1", '
                b'"dataChangeEvent": {"entities": [{"name": "Invoice"}]}}]}'
            ),
            r"entities\[0\]: missing 'id'",
        ),
    ],
)
def test_malformed_intuit_bodies_name_the_problem(
    body: bytes, fragment: str
) -> None:
    """Malformed bodies raise MalformedWebhookError saying what is wrong."""
    with pytest.raises(hsqbo.MalformedWebhookError, match=fragment):
        parse_intuit_events(body)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{}", "JSON array"),
        (b'[{"subscriptionType": "contact.teleport"}]', "unknown"),
        (
            (
                b'[{"subscriptionType": "contact.creation", "objectId": 1, '
                b'"eventId": 1, "occurredAt": "yesterday"}]'
            ),
            "occurredAt",
        ),
    ],
)
def test_malformed_hubspot_bodies_name_the_problem(
    body: bytes, fragment: str
) -> None:
    """Malformed HubSpot bodies raise MalformedWebhookError."""
    with pytest.raises(hsqbo.MalformedWebhookError, match=fragment):
        parse_hubspot_events(body)


def test_generic_object_events_map_type_ids() -> None:
    """object.* events name their type by objectTypeId (0-53 = invoices)."""
    body = json.dumps(
        [
            {
                "eventId": 1,
                "occurredAt": 1,
                "subscriptionType": "object.creation",
                "objectTypeId": "0-53",
                "objectId": 9,
            }
        ]
    )
    (change,) = parse_hubspot_events(body)
    assert (change.type, change.kind) == ("invoices", ChangeKind.CREATED)


def test_replay_guard_forgets_after_window_and_bounds_memory() -> None:
    """Ids expire after the window; memory never exceeds max_events."""
    guard = ReplayGuard(window=dt.timedelta(hours=1), max_events=3)
    changes = parse_hubspot_events(_hubspot_events(1, 2, 3, 4))
    for change in changes:
        guard.accept([change], now=NOW)
    assert len(guard) == 3
    guard.accept([changes[0]], now=NOW)  # forgotten: memory was full
    with pytest.raises(hsqbo.ReplayedWebhookError):
        guard.accept([changes[3]], now=NOW)
    guard.accept([changes[3]], now=NOW + dt.timedelta(hours=2))


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=200), secret=st.text(min_size=1, max_size=20))
def test_intuit_signature_round_trips_and_detects_changes(
    body: bytes, secret: str
) -> None:
    """A body verifies with its own signature and fails with any other."""
    signature = intuit_signature(verifier_token=secret, body=body)
    verify_intuit_signature(
        verifier_token=secret, body=body, signature=signature
    )
    with pytest.raises(hsqbo.InvalidSignatureError):
        verify_intuit_signature(
            verifier_token=secret, body=body + b"x", signature=signature
        )


@settings(max_examples=60, deadline=None)
@given(
    body=st.binary(max_size=200),
    path=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126),
        max_size=30,
    ),
)
def test_hubspot_signature_round_trips(body: bytes, path: str) -> None:
    """A delivery verifies with the signature computed for it."""
    uri = f"https://x.example/{path}"
    timestamp = _ms(NOW)
    signature = hubspot_signature_v3(
        client_secret=SECRET,
        method="POST",
        uri=uri,
        body=body,
        timestamp=timestamp,
    )
    verify_hubspot_signature(
        client_secret=SECRET,
        method="POST",
        uri=uri,
        body=body,
        timestamp=timestamp,
        signature=signature,
        now=NOW,
    )


def test_intuit_has_no_stale_check_and_refuses_replays_in_the_window() -> None:
    """Old Intuit events pass once; a replay is refused for three days."""
    body = json.dumps(LEGACY).encode()  # events of February, NOW is November
    clock = VirtualClock(NOW)
    hook = IntuitWebhook(VERIFIER, clock=clock)
    headers = _intuit_headers(body)
    assert len(hook.handle(headers=headers, body=body)) == 2
    clock.advance(dt.timedelta(days=2, hours=23).total_seconds())
    with pytest.raises(hsqbo.ReplayedWebhookError):
        hook.handle(headers=headers, body=body)
    clock.advance(dt.timedelta(hours=2).total_seconds())
    assert len(hook.handle(headers=headers, body=body)) == 2
