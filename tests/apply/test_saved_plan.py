"""A saved plan is applied exactly, verified afterwards, and refused once the portal has moved on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.plan.planfile import FORMAT_VERSION

REPO = Path(__file__).resolve().parents[2]
BLUEPRINT = str(REPO / "blueprints" / "recurring-deals")


@pytest.fixture
def portal(tmp_path: Path) -> str:
    return f"local:{tmp_path / 'portal.sqlite'}"


def test_applied_saved_plan_is_verified_then_refused_as_stale(tmp_path: Path, portal: str) -> None:
    runner = CliRunner()
    saved = tmp_path / "plan.json"
    made = runner.invoke(app, ["plan", BLUEPRINT, "--portal", portal, "--out", str(saved)])
    assert made.exit_code == 0, made.output

    applied = runner.invoke(
        app, ["apply", "--plan", str(saved), "--portal", portal, "--auto-approve", "--allow-delete"]
    )
    assert applied.exit_code == 0, applied.output
    assert "verified: portal matches the blueprint" in applied.stdout

    # The first apply renamed the default pipeline and deleted stages the plan names: the same plan
    # now describes another portal, and must be refused with a next step, not crash.
    again = runner.invoke(
        app, ["apply", "--plan", str(saved), "--portal", portal, "--auto-approve", "--allow-delete"]
    )
    assert again.exit_code == 1
    assert "changed since this plan was made" in again.stderr
    assert "b24provision plan" in again.stderr
    assert "internal error" not in again.stderr


def test_a_plan_made_for_one_portal_is_refused_on_another_with_nothing_sent(
    tmp_path: Path, start_portal: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = start_portal("a"), start_portal("b")
    runner = CliRunner()
    saved = tmp_path / "plan.json"
    made = runner.invoke(app, ["plan", BLUEPRINT, "--portal", a.spec, "--out", str(saved)])
    assert made.exit_code == 0, made.output
    a.emulator.request_log.clear()
    host_a = f"127.0.0.1:{a.server.port}"

    other = runner.invoke(
        app, ["apply", "--plan", str(saved), "--portal", b.spec, "--auto-approve", "--allow-delete"]
    )
    assert other.exit_code == 1
    error = [line for line in other.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1, other.stderr
    assert f"this plan was made for {host_a} (--portal {a.spec})" in error[0]
    assert f"not for 127.0.0.1:{b.server.port} (--portal {b.spec})" in error[0]
    assert "nothing was applied" in error[0]
    assert b.emulator.request_log == [] and a.emulator.request_log == []

    # The variable the plan names now holds another portal's webhook: refused too.
    monkeypatch.setenv(a.spec.removeprefix("env:"), b.server.webhook_url)
    moved = runner.invoke(app, ["apply", "--plan", str(saved), "--auto-approve", "--allow-delete"])
    assert moved.exit_code == 1 and f"--portal {a.spec} now reaches 127.0.0.1:{b.server.port}" in moved.stderr
    assert b.emulator.request_log == []

    # Without --portal the plan goes to the portal it was made for (not to the local default).
    monkeypatch.setenv(a.spec.removeprefix("env:"), a.server.webhook_url)
    applied = runner.invoke(app, ["apply", "--plan", str(saved), "--auto-approve", "--allow-delete"])
    assert applied.exit_code == 0, applied.output
    assert f"Portal: {host_a}" in applied.stderr
    assert "verified: portal matches the blueprint" in applied.stdout
    assert b.emulator.request_log == []


def test_a_plan_names_its_portal_and_no_secret(tmp_path: Path, start_portal: Any) -> None:
    a = start_portal("a")
    saved = tmp_path / "plan.json"
    assert (
        CliRunner().invoke(app, ["plan", BLUEPRINT, "--portal", a.spec, "--out", str(saved)]).exit_code == 0
    )
    doc = json.loads(saved.read_text(encoding="utf-8"))
    assert (doc["format_version"], doc["portal_spec"], doc["portal_identity"]) == (
        FORMAT_VERSION,
        a.spec,
        f"127.0.0.1:{a.server.port}",
    )
    assert a.token not in saved.read_text(encoding="utf-8")


def test_a_local_plan_is_for_its_state_file(tmp_path: Path, portal: str) -> None:
    runner = CliRunner()
    saved = tmp_path / "plan.json"
    assert runner.invoke(app, ["plan", BLUEPRINT, "--portal", portal, "--out", str(saved)]).exit_code == 0
    elsewhere = f"local:{tmp_path / 'other.sqlite'}"
    refused = runner.invoke(app, ["apply", "--plan", str(saved), "--portal", elsewhere, "--auto-approve"])
    assert refused.exit_code == 1
    assert f"made for local emulator ({tmp_path / 'portal.sqlite'})" in refused.stderr
    assert not (tmp_path / "other.sqlite").exists()
