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
      - {code: DONE, name: Done, semantics: success}
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
    # The plan repeats the one risk that depends on the portal: a success stage not named WON.
    assert "Warning: pipeline 'service': the success stage is 'DONE', not WON" in again.stdout


def test_validate_warns_when_the_success_stage_is_not_won(tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(RESHAPED_DEFAULT, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "warning: pipeline 'service': the success stage is 'DONE', not WON" in result.stdout
    assert "pipeline 'main': the success stage" not in result.stdout
