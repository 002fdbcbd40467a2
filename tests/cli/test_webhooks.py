"""`hsqbo watch --webhooks PORT`: a valid delivery is synced at once."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import time
from typing import cast

import httpx
import pytest
from cli_support import Served

from hsqbo import Side, Sync, SyncReport
from hsqbo._cli import _running, _webhooks
from hsqbo._cli._render import Output
from hsqbo.webhooks import (
    Change,
    ChangeKind,
    IntuitWebhook,
    hubspot_signature_v3,
    intuit_signature,
)


VERIFIER = "verifier-token-for-the-cli-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(proc: subprocess.Popen[str], text: str) -> list[str]:
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if text in line:
            return seen
    msg = f"{text!r} never printed; got {seen}"
    raise AssertionError(msg)


def _delivery(realm: str, customer_id: str) -> bytes:
    return json.dumps(
        {
            "eventNotifications": [
                {
                    "realmId": realm,
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": "Customer",
                                "id": customer_id,
                                "operation": "Create",
                                "lastUpdated": dt.datetime.now(
                                    dt.UTC
                                ).isoformat(),
                            }
                        ]
                    },
                }
            ]
        }
    ).encode()


def test_a_signed_delivery_syncs_at_once_and_a_forged_one_is_refused(
    served: Served,
) -> None:
    """A verified QBO webhook is synced at once; a bad signature gets 401."""
    port = _free_port()
    env = {
        **os.environ,
        **served.env,
        "HSQBO_QBO_WEBHOOK_VERIFIER": VERIFIER,
    }
    command = [
        sys.executable,
        "-m",
        "hsqbo",
        "watch",
        "--config",
        str(served.config),
        "--state",
        str(served.state),
        "--interval",
        "600",
        "--webhooks",
        str(port),
    ]
    with subprocess.Popen(  # noqa: S603 - our own interpreter
        command,
        cwd=served.folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        _wait_for(proc, "API calls")  # the first run is done
        customer = served.qbo.add_customer(
            "Frank Fox", email="frank@fox.example"
        )
        body = _delivery(served.qbo.realm_id, customer["Id"])
        url = f"http://127.0.0.1:{port}/qbo"
        forged = httpx.post(
            url, content=body, headers={"intuit-signature": "AAAA"}
        )
        assert forged.status_code == 401
        began = time.monotonic()
        good = httpx.post(
            url,
            content=body,
            headers={
                "intuit-signature": intuit_signature(
                    verifier_token=VERIFIER, body=body
                )
            },
        )
        assert good.status_code == 200
        _wait_for(proc, "webhook: 1 change synced")
        _wait_for(proc, "API calls")
        assert time.monotonic() - began < 30
        replayed = httpx.post(url, content=body, headers=good.request.headers)
        assert replayed.status_code == 200  # taken before: no new run
        assert replayed.text == "already received"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert "stopped after 1 run" in out
    assert "webhook" not in out  # the replay synced nothing more
    assert "Traceback" not in err
    emails = {
        o.properties.get("email") for o in served.hubspot.objects("contacts")
    }
    assert "frank@fox.example" in emails
    assert VERIFIER not in out + err


def test_a_signed_hubspot_delivery_syncs_a_new_contact_at_once(
    served: Served,
) -> None:
    """A v3-signed HubSpot event syncs a new contact; SIGTERM stops it."""
    port = _free_port()
    secret = "hubspot-app-secret-for-the-cli-test"  # noqa: S105 - a test key
    env = {**os.environ, **served.env, "HSQBO_HUBSPOT_CLIENT_SECRET": secret}
    command = [
        sys.executable,
        "-m",
        "hsqbo",
        "watch",
        "--config",
        str(served.config),
        "--state",
        str(served.state),
        "--webhooks",
        str(port),
    ]
    with subprocess.Popen(  # noqa: S603 - our own interpreter
        command,
        cwd=served.folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        _wait_for(proc, "API calls")
        grace = served.hubspot.create(
            "contacts",
            {
                "email": "grace@hopper.example",
                "firstname": "Grace",
                "lastname": "Hopper",
            },
        )
        body = json.dumps(
            [
                {
                    "eventId": 91,
                    "subscriptionType": "contact.creation",
                    "objectId": int(grace.id),
                    "occurredAt": int(time.time() * 1000),
                    "portalId": 1,
                }
            ]
        ).encode()
        url = f"http://127.0.0.1:{port}/hubspot"
        stamp = str(int(time.time() * 1000))
        signature = hubspot_signature_v3(
            client_secret=secret,
            method="POST",
            uri=url,
            body=body,
            timestamp=stamp,
        )
        answer = httpx.post(
            url,
            content=body,
            headers={
                "X-HubSpot-Request-Timestamp": stamp,
                "X-HubSpot-Signature-v3": signature,
            },
        )
        assert answer.status_code == 200
        _wait_for(proc, "webhook: 1 change synced")
        _wait_for(proc, "API calls")
        # As a service manager stops it: SIGTERM ends it as cleanly.
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err  # Bob's duplicate name, not -15
    assert "stopped after 1 run" in out
    assert "Traceback" not in err
    names = {c["DisplayName"] for c in served.qbo.customers()}
    assert "Grace Hopper" in names
    assert secret not in out + err


class _FlakySync:
    """A stand-in engine whose first ``sync_changes`` fails with a bug."""

    def __init__(
        self, pending: queue.Queue[tuple[Change, ...] | None], later: Change
    ) -> None:
        self.pending = pending
        self.later = later
        self.calls: list[list[Change]] = []

    def sync_changes(self, changes: list[Change]) -> SyncReport:
        self.calls.append(changes)
        if len(self.calls) == 1:
            # The next delivery arrives while the first one is failing.
            self.pending.put((self.later,))
            self.pending.put(None)
            message = "a bug, not an HsqboError"
            raise RuntimeError(message)
        return SyncReport(counts={"contacts": {"updated": 1}})


def _change(record_id: str) -> Change:
    return Change(
        side=Side.HUBSPOT,
        type="contacts",
        id=record_id,
        kind=ChangeKind.UPDATED,
        occurred_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        event_id=f"event-{record_id}",
        account="1",
    )


def test_the_webhook_worker_survives_an_unexpected_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A non-hsqbo exception is logged; the next delivery is still synced."""
    pending: queue.Queue[tuple[Change, ...] | None] = queue.Queue()
    first, later = _change("1"), _change("2")
    sync = _FlakySync(pending, later)
    buffer = io.StringIO()
    reports: list[SyncReport] = []
    pending.put((first,))
    with caplog.at_level(logging.WARNING, logger="hsqbo.cli"):
        _running._sync_deliveries(
            cast("Sync", sync),
            pending,
            out=Output(buffer, plain=True),
            on_report=reports.append,
        )
    assert sync.calls == [[first], [later]]
    assert len(reports) == 1
    assert "webhook: 1 change synced" in buffer.getvalue()
    (logged,) = caplog.records
    assert logged.levelno == logging.ERROR
    assert "not synced" in logged.getMessage()


def test_a_bad_content_length_is_answered_400_and_the_receiver_goes_on(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A non-numeric or negative Content-Length: 400, no traceback, no hang."""
    received: list[tuple[Change, ...]] = []
    hook = IntuitWebhook(VERIFIER)
    with _webhooks.serve(
        0,
        hubspot=None,
        intuit=hook,
        public_url=None,
        on_changes=received.append,
    ) as url:
        port = int(url.rsplit(":", 1)[1])
        for length in ("abc", "-1"):
            with socket.create_connection(
                ("127.0.0.1", port), timeout=10
            ) as s:
                s.sendall(
                    b"POST /qbo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Length: " + length.encode() + b"\r\n\r\n"
                )
                status = s.recv(1024).split(b"\r\n", 1)[0]
            assert status == b"HTTP/1.0 400 Bad Request", length
        body = _delivery("123", "7")
        signature = intuit_signature(verifier_token=VERIFIER, body=body)
        good = httpx.post(
            f"{url}/qbo", content=body, headers={"intuit-signature": signature}
        )
    assert good.status_code == 200
    assert [c.id for batch in received for c in batch] == ["7"]
    assert "Traceback" not in capfd.readouterr().err
