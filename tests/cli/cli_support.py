"""Helpers: run `hsqbo` in a subprocess or in-process, fakes on loopback."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import attrs
import pytest

from hsqbo import SyncConfig
from hsqbo._cli import main
from hsqbo.testing import FakeHubSpot, FakeQuickBooks


HUBSPOT_TOKEN = "pat-na1-cli-secret-4f1e"  # noqa: S105 - a fake's token
QBO_TOKEN = "qbo-cli-secret-access-9d2c"  # noqa: S105 - a fake's token


def run_cli(
    *args: str | os.PathLike[str],
    cwd: pathlib.Path,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hsqbo ARGS`` with only the given HSQBO_* variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("HSQBO_")}
    base.update(env or {})
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hsqbo", *map(str, args)],
        cwd=cwd,
        env=base,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def call(
    *args: str | os.PathLike[str], env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """
    Run ``main(ARGS)`` in this process; return (exit code, stdout, stderr).

    The same code as the console script, without a new interpreter's
    start-up; the subprocess tests prove the entry point itself.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args], env=env or {})
        except SystemExit as exc:  # argparse's --help
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """Check the command failed with exactly one line on stderr; return it."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hsqbo: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


@attrs.frozen
class Served:
    """Seeded fakes served on loopback, a config, and the CLI environment."""

    hubspot: FakeHubSpot
    qbo: FakeQuickBooks
    env: dict[str, str]
    folder: pathlib.Path
    config: pathlib.Path
    state: pathlib.Path

    def run(
        self, *args: str | os.PathLike[str]
    ) -> subprocess.CompletedProcess[str]:
        """Run the CLI with this config, state and credentials."""
        return run_cli(
            *args[:1],
            "--config",
            self.config,
            "--state",
            self.state,
            *args[1:],
            cwd=self.folder,
            env=self.env,
        )

    def call(self, *args: str | os.PathLike[str]) -> tuple[int, str, str]:
        """Call the CLI in-process, in this folder, with these settings."""
        with contextlib.chdir(self.folder):
            return call(
                *args[:1],
                "--config",
                self.config,
                "--state",
                self.state,
                *args[1:],
                env=self.env,
            )


def seed(hubspot: FakeHubSpot, qbo: FakeQuickBooks) -> None:
    """Seed a company of two contacts (Bob fails), Carol, and QBO data."""
    acme = hubspot.create("companies", {"name": "Acme Ltd"})
    for first, last in (("Alice", "Ames"), ("Bob", "Burns")):
        contact = hubspot.create(
            "contacts",
            {
                "email": f"{first.lower()}@acme.example",
                "firstname": first,
                "lastname": last,
            },
        )
        hubspot.associate(
            "contacts", contact.id, "companies", acme.id, type_id=1
        )
    hubspot.create(
        "contacts",
        {
            "email": "carol@home.example",
            "firstname": "Carol",
            "lastname": "Cole",
        },
    )
    erin = qbo.add_customer(
        "Erin Eads",
        email="ERIN@eads.example",
        given_name="Erin",
        family_name="Eads",
    )
    widget = qbo.add_item("Widget", unit_price="12.50", sku="W-1")
    qbo.add_item("Gadget", unit_price="99", sku="G-1")
    invoice = qbo.add_invoice(erin["Id"], [(widget["Id"], 2, "12.50")])
    qbo.add_payment(erin["Id"], "10", applied={invoice["Id"]: "10"})


@pytest.fixture
def served(tmp_path: pathlib.Path) -> Iterator[Served]:
    """Seeded fakes on loopback and a config set up yesterday."""
    hubspot = FakeHubSpot()
    qbo = FakeQuickBooks(enforce_quotas=False)
    seed(hubspot, qbo)
    config = tmp_path / "hsqbo.toml"
    setup_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    config.write_text(
        SyncConfig.recommended(setup_at).to_toml(), encoding="utf-8"
    )
    with hubspot.serve() as hubspot_url, qbo.serve() as qbo_url:
        yield Served(
            hubspot=hubspot,
            qbo=qbo,
            env={
                "HSQBO_HUBSPOT_TOKEN": HUBSPOT_TOKEN,
                "HSQBO_HUBSPOT_BASE_URL": hubspot_url,
                "HSQBO_QBO_REALM_ID": qbo.realm_id,
                "HSQBO_QBO_ACCESS_TOKEN": QBO_TOKEN,
                "HSQBO_QBO_BASE_URL": qbo_url,
            },
            folder=tmp_path,
            config=config,
            state=tmp_path / "hsqbo.sqlite",
        )
