"""Fixtures for the fake HubSpot tests: a fake on a virtual clock, a client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from hsqbo.testing import FakeHubSpot, VirtualClock


START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> VirtualClock:
    """A virtual clock at a fixed start."""
    return VirtualClock(START)


@pytest.fixture
def fake(clock: VirtualClock) -> FakeHubSpot:
    """An empty fake portal on the virtual clock."""
    return FakeHubSpot(clock=clock)


@pytest.fixture
def client(fake: FakeHubSpot) -> Iterator[httpx.Client]:
    """An httpx client wired to the fake through its transport."""
    with httpx.Client(
        transport=fake.transport(),
        base_url="https://api.hubapi.com",
        headers={"Authorization": "Bearer pat-na1-test"},
    ) as http:
        yield http
