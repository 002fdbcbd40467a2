"""Hypothesis profiles shared by every test directory."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


# "dev" explores new random examples on every run; "ci" is derandomized, so
# a submission's result does not depend on the luck of one draw (a failure
# found in dev is kept as an explicit regression test instead).
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get(
        "HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"
    )
)
