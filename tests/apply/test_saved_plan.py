"""A saved plan is applied exactly, verified afterwards, and refused once the portal has moved on."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app

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
