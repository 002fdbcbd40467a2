"""Make world.py next to the end-to-end tests importable (importlib mode)."""

from __future__ import annotations

import pathlib
import sys


# With --import-mode=importlib, test directories are not on sys.path; the
# engine tests (and the subprocess of the crash tests) share world.py.
sys.path.insert(0, str(pathlib.Path(__file__).parent))
