"""Automation for hsqbo: ``nox`` runs tests, lint, typecheck and docs."""

from __future__ import annotations

import pathlib
import shutil

import nox


nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_external_run = True
nox.options.sessions = ["tests", "lint", "typecheck", "docs", "demo"]
nox.options.reuse_existing_virtualenvs = True

ROOT = pathlib.Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")


def _install(session: nox.Session, *groups: str) -> None:
    """Install hsqbo itself and the named dependency groups."""
    requirements: list[str] = []
    for group in groups:
        requirements.extend(nox.project.dependency_groups(PYPROJECT, group))
    session.install("-e", ".", *requirements)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest exits non-zero when nothing is collected)."""
    _install(session, "tests")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package and tests/typing with mypy --strict."""
    _install(session, "typing")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs with warnings as errors and run their doctests."""
    _install(session, "docs")
    out = ROOT / "docs" / "_build"
    # No -n: without network, intersphinx inventories for the standard
    # library cannot be fetched, so every stdlib reference would warn.
    common = ["-W", "--keep-going", "docs"]
    session.run("sphinx-build", "-b", "html", *common, str(out / "html"))
    session.run("sphinx-build", "-b", "doctest", *common, str(out / "doctest"))


@nox.session
def demo(session: nox.Session) -> None:
    """
    Run the README's main job as a new user would: install, then hsqbo demo.

    A fresh virtual environment with only ``.[cli]`` (no test tools), the
    demo run twice in an empty folder: the second run continues from the
    first one's saved state.
    """
    session.install(".[cli]")
    workdir = session.create_tmp()
    folder = pathlib.Path(workdir) / "demo"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    with session.chdir(folder):
        session.run("hsqbo", "demo", "--plain")
        session.run("hsqbo", "demo", "--plain")
    for name in ("hsqbo-demo.sqlite", "hsqbo-demo-records.csv"):
        if not (folder / name).is_file():
            session.error(f"hsqbo demo did not write {name}")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark script in benchmarks/ and print its figures."""
    _install(session, "bench")
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    if not scripts:
        session.error("no benchmarks found in benchmarks/")
    for script in scripts:
        session.log(f"== {script.name}")
        session.run("python", str(script), *session.posargs)
