"""The client is safe on a portal of either reading (emulator Quirks presets "docs" and "core",
reference §13.7, §13.10): stages are added in an order a strict portal accepts, in-progress stages
that come back with SEMANTICS "P" read as in progress, and a success stage not named WON is warned
about."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.cli import app

RESHAPED_DEFAULT = """pipelines:
  - key: main
    name: General
    default: true
    stages:
      - {code: NEW, name: New}
      - {code: WON, name: Won, semantics: success}
      - {code: PREPARATION, name: Dropped early, semantics: failure}
      - {code: LOSE, name: Lost, semantics: failure}
  - key: service
    name: Service
    stages:
      - {code: NEW, name: Open}
      - {code: VISIT, name: Visit}
      - {code: WON, name: Done, semantics: success}
      - {code: NO_SHOW, name: No show, semantics: failure}
      - {code: LOSE, name: Refused, semantics: failure}
"""


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("quirks", ["docs", "core"])
def test_apply_converges_on_either_reading(
    start_portal: Callable[..., Any], tmp_path: Path, quirks: str
) -> None:
    portal = start_portal(quirks=quirks)
    path = tmp_path / "bp.yaml"
    path.write_text(RESHAPED_DEFAULT, encoding="utf-8")
    applied = run("apply", str(path), "--portal", portal.spec, "--auto-approve", "--allow-delete")
    assert applied.exit_code == 0, applied.output
    assert "verified: portal matches the blueprint" in applied.stdout
    again = run("plan", str(path), "--portal", portal.spec, "--detailed-exitcode")
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("quirks", ["docs", "core"])
def test_a_success_stage_not_named_won_is_warned_about_and_safe(
    start_portal: Callable[..., Any], tmp_path: Path, quirks: str
) -> None:
    """Where only WON may be the success stage, apply stops at that stage with the portal's words;
    validate and plan said so before."""
    portal = start_portal(quirks=quirks)
    path = tmp_path / "bp.yaml"
    path.write_text(RESHAPED_DEFAULT.replace("{code: WON, name: Done", "{code: DONE, name: Done"), "utf-8")
    checked = run("validate", str(path))
    assert checked.exit_code == 0, checked.output
    assert "warning: pipeline 'service': the success stage is 'DONE', not WON" in checked.stdout
    assert "pipeline 'main': the success stage" not in checked.stdout
    planned = run("plan", str(path), "--portal", portal.spec)
    assert "Warning: pipeline 'service': the success stage is 'DONE', not WON" in planned.stdout
    applied = run("apply", str(path), "--portal", portal.spec, "--auto-approve", "--allow-delete")
    if quirks == "docs":
        assert applied.exit_code == 0, applied.output
        return
    assert applied.exit_code == 1, applied.output
    errors = [line for line in applied.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "crm.status.add: The successful stage of a pipeline must have" in errors[0]
    assert "fix the cause, then run `b24provision plan`" in errors[0]
