"""Every command through the real entry point, against fakes on loopback."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import signal
import subprocess
import sys
import tomllib

from cli_support import (
    HUBSPOT_TOKEN,
    QBO_TOKEN,
    Served,
    call,
    one_line_error,
    run_cli,
)

from hsqbo import SyncConfig


COMMANDS = (
    "init",
    "plan",
    "apply",
    "sync",
    "watch",
    "status",
    "records",
    "enable",
    "disable",
    "delete",
    "demo",
)


def test_every_command_has_help(tmp_path: pathlib.Path) -> None:
    """Top-level --help lists every command; each one's --help exits 0."""
    top = run_cli("--help", cwd=tmp_path)
    assert top.returncode == 0
    for command in COMMANDS:
        assert f"    {command} " in top.stdout
    assert "HSQBO_HUBSPOT_TOKEN" in top.stdout
    assert "exit codes" in top.stdout
    for command in COMMANDS:
        code, out, _ = call(command, "--help")
        assert code == 0, command
        assert out.startswith(f"usage: hsqbo {command}"), command


def _credential_keys(data: object) -> list[str]:
    """Every key in parsed TOML that names a credential."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if any(w in key.lower() for w in ("token", "secret", "realm")):
                found.append(key)
            found.extend(_credential_keys(value))
    elif isinstance(data, list):
        for item in data:
            found.extend(_credential_keys(item))
    return found


def test_init_writes_the_recommended_config_with_every_key_commented(
    tmp_path: pathlib.Path,
) -> None:
    """Init writes today's recommended config, every key commented."""
    secrets = {
        "HSQBO_HUBSPOT_TOKEN": HUBSPOT_TOKEN,
        "HSQBO_QBO_REALM_ID": "4620816365000000001",
        "HSQBO_QBO_ACCESS_TOKEN": QBO_TOKEN,
        "HSQBO_QBO_CLIENT_SECRET": "init-client-secret-value",
    }
    began = dt.datetime.now(dt.UTC).replace(microsecond=0)
    result = run_cli("init", cwd=tmp_path, env=secrets)
    ended = dt.datetime.now(dt.UTC)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "hsqbo.toml"
    text = path.read_text(encoding="utf-8")
    config = SyncConfig.from_toml(path)
    assert began <= config.setup_at <= ended
    assert config == SyncConfig.recommended(config.setup_at)
    for value in secrets.values():
        assert value not in text
    assert not _credential_keys(tomllib.loads(text))
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if " = " in line and not line.startswith("#"):
            assert lines[index - 1].startswith("#"), line
    for setting in ("conflicts", "enabled", "display_name", "on_duplicate"):
        assert setting in text
    assert "HSQBO_HUBSPOT_TOKEN" in text
    assert tomllib.loads(text)["setup_at"] == config.setup_at.isoformat()


def test_init_refuses_to_overwrite_without_force(
    tmp_path: pathlib.Path,
) -> None:
    """Init keeps an existing file (one-line error) unless --force."""
    path = tmp_path / "hsqbo.toml"
    path.write_text("# mine\n", encoding="utf-8")
    line = one_line_error(run_cli("init", cwd=tmp_path))
    assert "--force" in line
    assert path.read_text(encoding="utf-8") == "# mine\n"
    assert run_cli("init", "--force", cwd=tmp_path).returncode == 0
    assert path.read_text(encoding="utf-8") != "# mine\n"


def test_missing_credentials_fail_before_anything_is_written(
    served: Served,
) -> None:
    """No HubSpot token: exit 3 naming it; no state, no write."""
    env = {k: v for k, v in served.env.items() if k != "HSQBO_HUBSPOT_TOKEN"}
    result = run_cli(
        "sync",
        "--config",
        served.config,
        "--state",
        served.state,
        cwd=served.folder,
        env=env,
    )
    line = one_line_error(result)
    assert result.returncode == 3
    assert "HSQBO_HUBSPOT_TOKEN" in line
    assert not served.state.exists()
    assert served.qbo.customers() == served.qbo.customers(
        include_inactive=True
    )
    assert len(served.hubspot.objects("contacts")) == 3


def test_missing_qbo_credentials_are_named(served: Served) -> None:
    """Without realm and token, the error names both QBO variables."""
    env = {
        k: v for k, v in served.env.items() if not k.startswith("HSQBO_QBO")
    }
    result = run_cli(
        "plan", "--config", served.config, cwd=served.folder, env=env
    )
    line = one_line_error(result)
    assert result.returncode == 3
    assert "HSQBO_QBO_REALM_ID" in line
    assert "HSQBO_QBO_ACCESS_TOKEN" in line


def test_invalid_config_names_the_offending_key(
    tmp_path: pathlib.Path,
) -> None:
    """Bad value or TOML: exit 2 naming the key; --debug adds a traceback."""
    assert run_cli("init", cwd=tmp_path).returncode == 0
    path = tmp_path / "hsqbo.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('direction = "two_way"', 'direction = "sideways"', 1),
        encoding="utf-8",
    )
    result = run_cli("status", cwd=tmp_path)
    line = one_line_error(result)
    assert result.returncode == 2
    assert "objects[0].direction" in line
    assert "sideways" in line
    path.write_text('setup_at = "2026-01-01\n', encoding="utf-8")
    result = run_cli("status", cwd=tmp_path)
    assert "invalid TOML" in one_line_error(result)
    debug = run_cli("status", "--debug", cwd=tmp_path)
    assert debug.returncode == 2
    assert "Traceback" in debug.stderr


def test_missing_config_and_bad_usage_are_one_line(
    tmp_path: pathlib.Path,
) -> None:
    """No config, unknown command or option: exit 2, one line."""
    line = one_line_error(run_cli("plan", cwd=tmp_path))
    assert "hsqbo init" in line
    one_line_error(run_cli("frobnicate", cwd=tmp_path))
    for args in (("records", "--bogus"), ("records", "--status", "weird")):
        code, _, err = call(*args)
        assert code == 2, args
        assert len(err.strip().splitlines()) == 1


def test_plan_writes_nothing_and_groups_by_object(served: Served) -> None:
    """Plan groups by object, saves JSON, writes nothing, shows no token."""
    before_contacts = len(served.hubspot.objects("contacts"))
    before_customers = len(served.qbo.customers())
    result = served.run("plan", "--out", "plan.json")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("contacts", "products", "invoices"):
        assert f"== {name}: " in out
    assert "DUPLICATE_DISPLAY_NAME" in out
    saved = json.loads(
        (served.folder / "plan.json").read_text(encoding="utf-8")
    )
    assert saved["operations"]
    code, as_json, _ = served.call("plan", "--json")
    assert code == 0
    assert json.loads(as_json)["operations"]
    assert len(served.hubspot.objects("contacts")) == before_contacts
    assert len(served.qbo.customers()) == before_customers
    assert HUBSPOT_TOKEN not in out + as_json + json.dumps(saved)
    assert QBO_TOKEN not in out + as_json + json.dumps(saved)


def test_apply_applies_a_saved_plan_then_sync_has_nothing_new(
    served: Served,
) -> None:
    """Apply makes the planned records; Bob's duplicate name exits 1."""
    assert served.call("plan", "--out", "plan.json")[0] == 0
    result = served.run("apply", "plan.json")
    assert result.returncode == 1, result.stderr
    assert "DUPLICATE_DISPLAY_NAME" in result.stdout
    names = {c["DisplayName"] for c in served.qbo.customers()}
    assert {"Acme Ltd", "Carol Cole", "Erin Eads"} <= names
    products = {
        o.properties.get("name") for o in served.hubspot.objects("products")
    }
    assert products == {"Widget", "Gadget"}
    assert len(served.hubspot.objects("invoices")) == 1


def test_apply_refuses_a_file_that_is_not_a_plan(served: Served) -> None:
    """A missing or malformed plan file: exit 6, one line."""
    result = served.run("apply", "nope.json")
    assert result.returncode == 6
    assert "nope.json" in one_line_error(result)
    (served.folder / "bad.json").write_text("{not json", encoding="utf-8")
    code, _, err = served.call("apply", "bad.json")
    assert code == 6
    assert "not JSON" in err


def test_sync_then_status_shows_health_and_hints(served: Served) -> None:
    """Sync shows a summary; status counts the failure and hints a fix."""
    result = served.run("sync")
    assert result.returncode == 1, result.stderr
    assert "sync summary" in result.stdout
    assert "contacts" in result.stdout
    assert HUBSPOT_TOKEN not in result.stdout + result.stderr
    status = served.run("status")
    assert status.returncode == 0, status.stderr
    rows = {
        line.split()[0]: line.split()
        for line in status.stdout.splitlines()
        if line.split()
        and line.split()[0] in {"contacts", "products", "invoices"}
    }
    # object, sync, direction, synced, excluded, archived, failing
    assert rows["contacts"][6] == "1"
    assert rows["products"][3] == "2"
    assert "DUPLICATE_DISPLAY_NAME x1" in status.stdout
    assert "one billing contact per company" in status.stdout
    assert "last run:" in status.stdout
    _, again, _ = served.call("sync")
    assert "created" not in again.split("API calls")[0]


def test_status_without_state_says_so(served: Served) -> None:
    """Status before any sync: exit 5, and no state file is created."""
    result = served.run("status")
    assert result.returncode == 5
    assert "hsqbo sync" in one_line_error(result)
    assert not served.state.exists()


def test_enable_disable_delete(served: Served) -> None:
    """Disable/enable show in status; delete needs --yes and forgets."""
    assert served.call("sync")[0] == 1
    assert served.run("disable", "contacts").returncode == 0
    status = served.call("status")[1]
    assert any(
        line.split()[:2] == ["contacts", "off"] for line in status.splitlines()
    )
    assert served.run("enable", "contacts").returncode == 0
    status = served.call("status")[1]
    assert any(
        line.split()[:2] == ["contacts", "on"] for line in status.splitlines()
    )
    code, _, err = served.call("delete", "contacts")
    assert code == 2
    assert "--yes" in err
    assert served.run("delete", "contacts", "--yes").returncode == 0
    assert (
        served.call("records", "--object", "contacts")[1]
        .strip()
        .endswith("(0 records)")
    )
    assert (
        served.call("records", "--object", "products")[1]
        .strip()
        .endswith("(2 records)")
    )


def test_unknown_object_is_refused(served: Served) -> None:
    """An unknown object name: exit 2, the configured names listed."""
    assert served.call("sync")[0] == 1
    line = one_line_error(served.run("disable", "deals"))
    assert "'deals'" in line
    assert "contacts" in line
    for args in (
        ("enable", "deals"),
        ("delete", "deals", "--yes"),
        ("records", "--object", "deals"),
    ):
        code, _, err = served.call(*args)
        assert code == 2, args
        assert "'deals'" in err


def test_watch_runs_until_told_and_stops_cleanly_on_interrupt(
    served: Served,
) -> None:
    """Watch runs N times, or until SIGINT, and stops cleanly."""
    result = served.run("watch", "--interval", "0.2", "--runs", "2")
    assert result.returncode in {0, 1}, result.stderr
    assert "run 2 at" in result.stdout
    assert "stopped after 2 runs" in result.stdout
    code, _, err = served.call("watch", "--webhooks", "8080")
    assert code == 3
    assert "HSQBO_QBO_WEBHOOK_VERIFIER" in err
    import os  # noqa: PLC0415

    env = {**os.environ, **served.env}
    with subprocess.Popen(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-m",
            "hsqbo",
            "watch",
            "--config",
            str(served.config),
            "--state",
            str(served.state),
            "--interval",
            "600",
        ],
        cwd=served.folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("API calls"):
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode in {0, 1}
    assert "stopped after 1 run" in out
    assert "Traceback" not in err


def test_plan_before_any_sync_creates_no_state(served: Served) -> None:
    """Plan with no state file plans a first sync and creates no file."""
    code, out, err = served.call("plan")
    assert code == 0, err
    assert "== contacts: " in out
    assert not served.state.exists()


def test_token_file_is_refreshed_and_rotated_in_place(
    served: Served,
) -> None:
    """An expired QBO token is refreshed; the rotated one replaces the file."""
    qbo = served.qbo
    access, refresh = qbo.issue_tokens()
    path = served.folder / "qbo-token.json"
    path.write_text(
        json.dumps(
            {
                "access_token": access,
                "refresh_token": refresh,
                "expires_at": "2020-01-01T00:00:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    qbo.expire_access_tokens()
    env = {
        k: v for k, v in served.env.items() if k != "HSQBO_QBO_ACCESS_TOKEN"
    }
    base = env["HSQBO_QBO_BASE_URL"]
    env |= {
        "HSQBO_QBO_TOKEN_FILE": str(path),
        "HSQBO_QBO_CLIENT_ID": "client-id",
        "HSQBO_QBO_CLIENT_SECRET": "client-secret-value",
        "HSQBO_QBO_TOKEN_URL": f"{base}/oauth2/v1/tokens/bearer",
    }
    result = run_cli(
        "plan", "--config", served.config, cwd=served.folder, env=env
    )
    assert result.returncode == 0, result.stderr
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert qbo.refresh_count == 1
    assert saved["access_token"] != access
    assert saved["refresh_token"] != refresh
    assert path.stat().st_mode & 0o077 == 0
    shown = result.stdout + result.stderr
    for secret in (
        access,
        refresh,
        saved["access_token"],
        "client-secret-value",
    ):
        assert secret not in shown
    assert [
        p.name for p in served.folder.iterdir() if p.name.startswith(".")
    ] == []


def test_refused_credentials_are_one_line_in_sync_and_watch(
    served: Served,
) -> None:
    """A company the token may not access: exit 3, one line, even in watch."""
    env = served.env | {"HSQBO_QBO_REALM_ID": "4620816365000000000"}
    args = ("--config", served.config, "--state", served.state)
    result = run_cli("sync", *args, cwd=served.folder, env=env)
    assert result.returncode == 3
    assert "qbo refused the credentials" in one_line_error(result)
    watch = run_cli(
        "watch",
        *args,
        "--runs",
        "1",
        "--interval",
        "0.1",
        cwd=served.folder,
        env=env,
    )
    assert watch.returncode == 3
    assert "stopped after 1 run" in watch.stdout
    assert "Traceback" not in watch.stderr
    assert len(watch.stderr.strip().splitlines()) == 1
    assert QBO_TOKEN not in watch.stderr + result.stderr


def test_bad_token_files_fail_with_one_line_and_no_secret(
    served: Served,
) -> None:
    """A missing, non-JSON or token-less token file: exit 3, one line."""
    env = {
        k: v for k, v in served.env.items() if k != "HSQBO_QBO_ACCESS_TOKEN"
    }
    path = served.folder / "token.json"
    for content, expected in (
        (None, "cannot read the token file"),
        ("{not json", "is not JSON"),
        ('{"refresh_token": "rt-secret-1"}', "has no access_token"),
        (
            '{"access_token": "at-secret-2", "expires_at": "soon"}',
            "expires_at is not an ISO date-time",
        ),
    ):
        if content is not None:
            path.write_text(content, encoding="utf-8")
        code, _, err = call(
            "plan",
            "--config",
            served.config,
            env=env | {"HSQBO_QBO_TOKEN_FILE": str(path)},
        )
        assert code == 3, content
        assert expected in err
        assert len(err.strip().splitlines()) == 1
        assert "secret" not in err
