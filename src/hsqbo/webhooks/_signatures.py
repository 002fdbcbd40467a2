"""
Signature checks for HubSpot (v3) and Intuit webhook deliveries.

Both are HMAC-SHA256 over bytes the sender also signed, compared in
constant time. Secrets are only ever used as HMAC keys: they never appear
in a message or an attribute.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from hsqbo._errors import InvalidSignatureError, StaleWebhookError


__all__ = [
    "HUBSPOT_MAX_AGE",
    "hubspot_signature_v3",
    "intuit_signature",
    "verify_hubspot_signature",
    "verify_intuit_signature",
]

HUBSPOT_MAX_AGE = dt.timedelta(minutes=5)
"""HubSpot's window: a delivery older than this is refused."""

# HubSpot signs the request URI after decoding exactly these escapes
# (developers.hubspot.com, "Validating requests", signature v3); any other
# escape stays as sent.
_HUBSPOT_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


def _hubspot_uri(uri: str) -> str:
    out = []
    i = 0
    while i < len(uri):
        chunk = uri[i : i + 3].upper()
        if uri[i] == "%" and chunk in _HUBSPOT_DECODED:
            out.append(_HUBSPOT_DECODED[chunk])
            i += 3
        else:
            out.append(uri[i])
            i += 1
    return "".join(out)


def _b64_hmac(key: str, message: bytes) -> str:
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def hubspot_signature_v3(
    *, client_secret: str, method: str, uri: str, body: bytes, timestamp: str
) -> str:
    """
    Compute HubSpot's ``X-HubSpot-Signature-v3`` for a delivery.

    Args:
        client_secret: The app's client secret (the HMAC key).
        method: The HTTP method, e.g. ``"POST"``.
        uri: The full URL the request was sent to, scheme and host
            included, as HubSpot called it.
        body: The raw request body.
        timestamp: ``X-HubSpot-Request-Timestamp`` (epoch milliseconds).

    Returns:
        The base64 signature.

    .. versionadded:: 0.1.0
    """
    message = (
        method.upper().encode()
        + _hubspot_uri(uri).encode()
        + body
        + timestamp.encode()
    )
    return _b64_hmac(client_secret, message)


def verify_hubspot_signature(
    *,
    client_secret: str,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now: dt.datetime,
    max_age: dt.timedelta = HUBSPOT_MAX_AGE,
) -> None:
    """
    Check a HubSpot signature v3; return quietly when it holds.

    Args:
        client_secret: The app's client secret.
        method: The request's HTTP method.
        uri: The full URL HubSpot called.
        body: The raw request body, unmodified.
        timestamp: ``X-HubSpot-Request-Timestamp``.
        signature: ``X-HubSpot-Signature-v3``.
        now: The current time (aware), from the caller's clock.
        max_age: How far the timestamp may be from *now*, either way.

    Raises:
        InvalidSignatureError: A header is missing or the signature does
            not match.
        StaleWebhookError: The timestamp is outside the window (a replayed
            or delayed delivery).

    .. versionadded:: 0.1.0
    """
    if not signature or not timestamp:
        missing = (
            "X-HubSpot-Signature-v3"
            if not signature
            else ("X-HubSpot-Request-Timestamp")
        )
        raise InvalidSignatureError(
            f"HubSpot webhook has no {missing} header", provider="hubspot"
        )
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp) / 1000, dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidSignatureError(
            "X-HubSpot-Request-Timestamp is not epoch milliseconds",
            provider="hubspot",
        ) from None
    if abs(now - sent) > max_age:
        raise StaleWebhookError(
            f"HubSpot webhook timestamp {sent.isoformat()} is more than "
            f"{int(max_age.total_seconds())} s from now "
            f"({now.astimezone(dt.UTC).isoformat()}); refused as a replay",
            provider="hubspot",
        )
    expected = hubspot_signature_v3(
        client_secret=client_secret,
        method=method,
        uri=uri,
        body=body,
        timestamp=timestamp,
    )
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InvalidSignatureError(
            "HubSpot webhook signature v3 does not match: check the client "
            "secret and that the URI is the full URL HubSpot called",
            provider="hubspot",
        )


def intuit_signature(*, verifier_token: str, body: bytes) -> str:
    """
    Compute Intuit's ``intuit-signature`` for a body.

    .. versionadded:: 0.1.0
    """
    return _b64_hmac(verifier_token, body)


def verify_intuit_signature(
    *, verifier_token: str, body: bytes, signature: str | None
) -> None:
    """
    Check Intuit's ``intuit-signature``; return quietly when it holds.

    Args:
        verifier_token: The app's webhook verifier token.
        body: The raw request body, unmodified.
        signature: The ``intuit-signature`` header.

    Raises:
        InvalidSignatureError: The header is missing or does not match.

    .. versionadded:: 0.1.0
    """
    if not signature:
        raise InvalidSignatureError(
            "Intuit webhook has no intuit-signature header", provider="qbo"
        )
    expected = intuit_signature(verifier_token=verifier_token, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise InvalidSignatureError(
            "Intuit webhook signature does not match: check the verifier "
            "token and that the body is passed unmodified",
            provider="qbo",
        )
