"""Run the ``hsqbo`` command: ``python -m hsqbo``."""

from __future__ import annotations

import sys

from hsqbo._cli import main


if __name__ == "__main__":
    sys.exit(main())
