"""Sphinx configuration for hsqbo's documentation."""

from __future__ import annotations

from importlib.metadata import version as _version


project = "hsqbo"
author = "The hsqbo developers"
copyright = "2026, The hsqbo developers"
release = _version("hsqbo")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]

autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
# No network in the build: cross references to the standard library and
# httpx are written as plain text instead of intersphinx links.
nitpicky = False

# Attributes named ``type`` (Record.type, Change.type, …) make Sphinx find
# "more than one target" for the builtin ``type`` in type hints; those
# references are not ours to resolve.
suppress_warnings = ["ref.python"]

html_theme = "furo"
html_title = "hsqbo"

# Docstring examples may use every public name without importing it.
doctest_global_setup = """
import datetime as dt
import hsqbo
from hsqbo import *
from hsqbo.testing import *
"""
