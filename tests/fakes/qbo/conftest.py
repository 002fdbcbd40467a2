"""Fixtures for the fake QBO tests: a virtual clock, a company, a client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from hsqbo.testing import FakeQuickBooks, VirtualClock


START = dt.datetime(2026, 2, 10, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> VirtualClock:
    """Return a clock in February (Pacific standard time, -08:00)."""
    return VirtualClock(START)


@pytest.fixture
def fake(clock: VirtualClock) -> FakeQuickBooks:
    """Return a new fake company on the virtual clock."""
    return FakeQuickBooks(clock=clock)


@pytest.fixture
def http(fake: FakeQuickBooks) -> Iterator[httpx.Client]:
    """Return an httpx client for the company's API, through the transport."""
    with httpx.Client(
        transport=fake.transport(),
        base_url=(
            f"https://quickbooks.api.intuit.com/v3/company/{fake.realm_id}"
        ),
        headers={
            "Authorization": "Bearer any-token",
            "Accept": "application/json",
        },
        params={"minorversion": "75"},
    ) as client:
        yield client
