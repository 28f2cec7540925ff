"""The fourth shipped blueprint, kitchen-smart-processes, as a user runs it: plan, apply, plan again.

Until the smart-process language is in the model (lane b-smart) these are expected to fail
(tests/conftest.py marks them); they then hold for the blueprint as shipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.testing import by_hand

BLUEPRINT = Path(__file__).resolve().parents[1] / "blueprints" / "kitchen-smart-processes"
STAGING = BLUEPRINT / "values" / "staging.yaml"
runner = CliRunner()


def _plan(spec: str) -> Any:
    return runner.invoke(
        app, ["plan", str(BLUEPRINT), "--values", str(STAGING), "--portal", spec, "--detailed-exitcode"]
    )


def test_kitchen_smart_processes_plan_apply_plan_is_no_changes(start_portal: Any) -> None:
    portal = start_portal("a")
    first = _plan(portal.spec)
    assert first.exit_code == 2, first.output
    assert "measurement:main/SCHEDULED" in first.output
    applied = runner.invoke(
        app, ["apply", str(BLUEPRINT), "--values", str(STAGING), "--portal", portal.spec, "--auto-approve"]
    )
    assert applied.exit_code == 0, applied.output
    again = _plan(portal.spec)
    assert again.exit_code == 0, again.output
    assert "No changes" in again.output

    # On the portal: four smart processes, each a child of the deal, with its fields.
    types = {t["title"]: t for t in by_hand(portal.emulator, "crm.type.list")["types"]}
    assert set(types) == {"Замеры", "Производство", "Доставка", "Сборка"}
    for kind in types.values():
        assert [p["entityTypeId"] for p in kind["relations"]["parent"]] == [2]
        assert kind["isAutomationEnabled"] == "Y"
    fields = by_hand(
        portal.emulator,
        "userfieldconfig.list",
        {"moduleId": "crm", "filter": {"entityId": f"CRM_{types['Замеры']['id']}"}},
    )["fields"]
    prefix = f"UF_CRM_{types['Замеры']['id']}_"
    assert sorted(f["fieldName"] for f in fields) == [
        prefix + c for c in ("MEASURE_AT", "ROOM_PLAN", "ROOM_SIZES")
    ]
