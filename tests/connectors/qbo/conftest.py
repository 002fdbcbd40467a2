"""Shared fixtures of the QBO connector tests: JSON fixtures, clients."""

# The tokens and secrets here are made up for the tests.
# ruff: noqa: S106, S107

from __future__ import annotations

import datetime as dt
import json
import pathlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import respx

from hsqbo import RetryPolicy
from hsqbo.qbo import OAuth2App, OAuth2Token, QuickBooksClient
from hsqbo.testing import VirtualClock


FIXTURES = pathlib.Path(__file__).parents[2] / "fixtures" / "qbo"
BASE = "https://qbo.test"
REALM = "9341450000123"
API = f"{BASE}/v3/company/{REALM}"
TOKEN_URL = f"{BASE}/oauth2/v1/tokens/bearer"
START = dt.datetime(2026, 2, 12, 16, 0, tzinfo=dt.UTC)


def _load_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _load_text(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.fixture
def load_json() -> Callable[[str], Any]:
    """Read a JSON fixture of tests/fixtures/qbo."""
    return _load_json


@pytest.fixture
def load_text() -> Callable[[str], str]:
    """Read a fixture of tests/fixtures/qbo as text."""
    return _load_text


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock: retries and quotas advance it, nothing sleeps."""
    return VirtualClock(START)


@pytest.fixture
def app() -> OAuth2App:
    """An Intuit app whose token endpoint is on the mocked host."""
    return OAuth2App(
        client_id="client-id",
        client_secret="client-secret-value",
        redirect_uri="https://example.com/callback",
        token_url=TOKEN_URL,
    )


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    """A respx router that fails on unmocked or unused routes."""
    with respx.mock(
        base_url=BASE, assert_all_called=True, assert_all_mocked=True
    ) as router:
        yield router


@pytest.fixture
def make_client(
    clock: VirtualClock,
) -> Iterator[Callable[..., QuickBooksClient]]:
    """Build clients on the mocked host; closes them afterwards."""
    made: list[QuickBooksClient] = []

    def make(
        token: OAuth2Token | str = "access-token-value", **options: Any
    ) -> QuickBooksClient:
        options.setdefault("clock", clock)
        options.setdefault(
            "retry", RetryPolicy(attempts=3, max_jitter=0.0, timeout=600.0)
        )
        client = QuickBooksClient(REALM, token, base_url=BASE, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
