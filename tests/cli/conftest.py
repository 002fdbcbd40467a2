"""Make the helper module next to the CLI tests importable (importlib mode)."""

from __future__ import annotations

import pathlib
import sys


sys.path.insert(0, str(pathlib.Path(__file__).parent))

from cli_support import served


__all__ = ["served"]
