"""Make the helpers next to the unit tests importable."""

from __future__ import annotations

import pathlib
import sys


# With --import-mode=importlib, test directories are not on sys.path; the
# planner tests share record builders in planner_support.py.
sys.path.insert(0, str(pathlib.Path(__file__).parent))
