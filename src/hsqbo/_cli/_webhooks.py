"""
``hsqbo watch --webhooks PORT``: a webhook receiver that wakes the sync.

A small HTTP server on ``127.0.0.1:PORT`` (put a TLS-terminating proxy or
tunnel in front of it) takes HubSpot deliveries at ``/hubspot`` and Intuit
deliveries at ``/qbo``, verifies them with :mod:`hsqbo.webhooks`
(signature, age, replays) and hands the changes of a valid delivery on
(``watch`` syncs them with :meth:`Sync.sync_changes`, which re-reads each
named record: a notification is a pointer, not data to trust). Polling
stays the safety net for a delivery that never comes.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Final

from hsqbo._cli._failures import CliError, ExitCode
from hsqbo._errors import (
    InvalidSignatureError,
    ReplayedWebhookError,
    StaleWebhookError,
    WebhookError,
)
from hsqbo.webhooks import Change, HubSpotWebhook, IntuitWebhook


__all__ = ["receivers", "serve"]

_LOG = logging.getLogger("hsqbo.cli.webhooks")
_MAX_BODY: Final = 1_000_000


def receivers(
    env: Mapping[str, str],
) -> tuple[HubSpotWebhook | None, IntuitWebhook | None]:
    """
    Build the receivers whose secrets are in the environment.

    ``HSQBO_HUBSPOT_CLIENT_SECRET`` (the app's client secret, the key of
    signature v3) enables ``/hubspot``; ``HSQBO_QBO_WEBHOOK_VERIFIER``
    (the app's verifier token) enables ``/qbo``.

    Raises:
        CliError: Neither is set.
    """
    secret = env.get("HSQBO_HUBSPOT_CLIENT_SECRET", "").strip()
    verifier = env.get("HSQBO_QBO_WEBHOOK_VERIFIER", "").strip()
    realm = env.get("HSQBO_QBO_REALM_ID", "").strip()
    if not secret and not verifier:
        msg = (
            "--webhooks needs HSQBO_HUBSPOT_CLIENT_SECRET (HubSpot "
            "deliveries) or HSQBO_QBO_WEBHOOK_VERIFIER (QBO deliveries) "
            "in the environment"
        )
        raise CliError(msg, ExitCode.CREDENTIALS)
    return (
        HubSpotWebhook(secret) if secret else None,
        IntuitWebhook(
            verifier, realm_ids=frozenset({realm}) if realm else None
        )
        if verifier
        else None,
    )


def _handler(  # noqa: C901 - one branch per answer
    hubspot: HubSpotWebhook | None,
    intuit: IntuitWebhook | None,
    public_url: str | None,
    on_changes: Callable[[tuple[Change, ...]], object],
) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            del format, args  # deliveries are logged below, one line each

        def _answer(self, status: int, text: str) -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0]
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                # Not a number: answered, not a traceback on stderr; and
                # never read(-1), which would wait for the sender to close.
                self._answer(400, "bad Content-Length")
                return
            if length > _MAX_BODY:
                self._answer(413, "too large")
                return
            body = self.rfile.read(length)
            headers = dict(self.headers.items())
            try:
                if path == "/hubspot" and hubspot is not None:
                    host = self.headers.get("Host", "127.0.0.1")
                    base = public_url or f"http://{host}"
                    changes = hubspot.handle(
                        method="POST",
                        uri=base.rstrip("/") + self.path,
                        headers=headers,
                        body=body,
                    )
                elif path == "/qbo" and intuit is not None:
                    changes = intuit.handle(headers=headers, body=body)
                else:
                    self._answer(404, "unknown path")
                    return
            except ReplayedWebhookError:
                # A retry of a delivery already taken: say so, or the
                # sender keeps retrying; the changes were synced then.
                self._answer(200, "already received")
                return
            except (InvalidSignatureError, StaleWebhookError) as exc:
                _LOG.warning("webhook refused: %s", exc)
                self._answer(401, "refused")
                return
            except WebhookError as exc:
                _LOG.warning("webhook refused: %s", exc)
                self._answer(400, "refused")
                return
            self._answer(200, "ok")
            if changes:
                on_changes(changes)

    return Handler


@contextlib.contextmanager
def serve(
    port: int,
    *,
    hubspot: HubSpotWebhook | None,
    intuit: IntuitWebhook | None,
    public_url: str | None,
    on_changes: Callable[[tuple[Change, ...]], object],
) -> Iterator[str]:
    """
    Receive webhooks on ``127.0.0.1:port`` while the block runs.

    Args:
        port: The loopback port.
        hubspot: Verifies ``/hubspot`` deliveries (or ``None``: 404).
        intuit: Verifies ``/qbo`` deliveries (or ``None``: 404).
        public_url: The URL HubSpot calls, up to the path (signature v3
            signs it); ``http://<Host header>`` when not given.
        on_changes: Called with the changes of each valid delivery.

    Yields:
        The local base URL.

    Raises:
        CliError: The port cannot be bound.
    """
    handler = _handler(hubspot, intuit, public_url, on_changes)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        msg = (
            f"--webhooks {port}: cannot listen on 127.0.0.1:{port}: "
            f"{exc.strerror}"
        )
        raise CliError(msg, ExitCode.USAGE) from None
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, name="hsqbo-webhooks", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
