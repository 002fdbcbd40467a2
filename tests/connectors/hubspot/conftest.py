"""Fixtures for the HubSpot connector tests: JSON bodies and clients."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
import respx

from hsqbo import RetryPolicy
from hsqbo.hubspot import HubSpotClient, RateLimits
from hsqbo.testing import VirtualClock


FIXTURES = pathlib.Path(__file__).parents[2] / "fixtures" / "hubspot"
BASE = "https://api.hubapi.com"
TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"  # noqa: S105 - fake
START = dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC)


def load(name: str) -> Any:
    """Return the parsed JSON fixture *name* (without ``.json``)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def body() -> Any:
    """Return the loader of JSON fixtures: ``body("contact")``."""
    return load


@pytest.fixture
def clock() -> VirtualClock:
    """A clock that never sleeps."""
    return VirtualClock(START)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """A respx router on HubSpot's host; every route must be called."""
    with respx.mock(
        base_url=BASE, assert_all_called=True, assert_all_mocked=True
    ) as mock:
        yield mock


@pytest.fixture
def client(clock: VirtualClock) -> Iterator[HubSpotClient]:
    """A client on date-versioned paths, no jitter, instant waits."""
    with HubSpotClient(
        TOKEN,
        clock=clock,
        retry=RetryPolicy(attempts=3, max_jitter=0.0),
        rate_limits=RateLimits(burst=100),
    ) as hub:
        yield hub
