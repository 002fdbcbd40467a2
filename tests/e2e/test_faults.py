"""With a seeded 20% of calls failing, the sync converges, without twins."""

from __future__ import annotations

from typing import Any

import pytest
from world import seed, snapshot, world

from hsqbo import HsqboError, MemoryStore
from hsqbo.testing import FaultKind


ALL_KINDS = tuple(FaultKind)


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    """What one run without faults leaves behind."""
    w = world()
    try:
        seed(w)
        w.sync(MemoryStore()).run()
        return snapshot(w)
    finally:
        w.close()


@pytest.mark.parametrize("fault_seed", range(1, 9))
def test_faulty_apis_converge_without_duplicates(
    fault_seed: int, reference: dict[str, Any]
) -> None:
    """429s, 5xx, timeouts and drops (after apply too) change nothing."""
    w = world()
    try:
        seed(w)
        w.hubspot_fake.faults.fail_randomly(
            0.2, seed=fault_seed, kinds=ALL_KINDS
        )
        w.qbo_fake.faults.fail_randomly(
            0.2, seed=fault_seed + 100, kinds=ALL_KINDS
        )
        store = MemoryStore()
        clean = 0
        for _ in range(6):
            try:
                report = w.sync(store).run()
            except HsqboError:
                continue
            finally:
                w.later()
            transient = [p for p in report.problems if p.code == "TRANSIENT"]
            if not transient:
                clean += 1
            if clean == 2:
                break
        injected = len(w.hubspot_fake.faults.injected) + len(
            w.qbo_fake.faults.injected
        )
        assert injected > 0
        assert snapshot(w) == reference
    finally:
        w.close()
