"""A webhook of a user without CRM settings rights (reference §13.9): the emulator refuses every
settings write with the core's words, plan warns before, apply stops at the first write, nothing
changes on the portal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from b24provision.cli import app

BLUEPRINT = """pipelines:
  - key: delivery
    name: Delivery
    stages:
      - {code: NEW, name: New}
      - {code: WON, name: Delivered, semantics: success}
      - {code: LOSE, name: Failed, semantics: failure}
fields:
  - {code: ROUTE, type: string, label: Route}
"""


def snapshot(url: str) -> tuple[Any, ...]:
    with httpx.Client(base_url=url) as hook:
        return (
            hook.post("crm.category.list", json={"entityTypeId": 2}).json()["result"],
            hook.post("crm.status.list").json()["result"],
            # The tool's own B24P_ objects (a lock) aside.
            [
                f
                for f in hook.post("crm.deal.userfield.list").json()["result"]
                if "B24P_" not in str(f.get("FIELD_NAME"))
            ],
        )


@pytest.mark.parametrize(
    ("method", "params", "code"),
    [
        ("crm.status.add", {"fields": {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "X", "NAME": "X"}}, ""),
        ("crm.status.update", {"id": 1, "fields": {"NAME": "Renamed"}}, ""),
        ("crm.status.delete", {"id": 2}, ""),
        ("crm.dealcategory.add", {"fields": {"NAME": "P"}}, ""),
        ("crm.deal.userfield.add", {"fields": {"FIELD_NAME": "X", "USER_TYPE_ID": "string"}}, ""),
        ("crm.category.add", {"entityTypeId": 2, "fields": {"name": "P"}}, "ACCESS_DENIED"),
    ],
)
def test_settings_writes_are_refused_and_reads_work(
    start_portal: Callable[..., Any], method: str, params: dict[str, Any], code: str
) -> None:
    portal = start_portal(crm_settings_rights=False)
    url = portal.server.webhook_url
    before = snapshot(url)
    with httpx.Client(base_url=url) as hook:
        answer = hook.post(method, json=params)
        assert answer.status_code == 400
        assert answer.json() == {"error": code, "error_description": "Access denied."}
        assert hook.post("profile").json()["result"]["ADMIN"] is False
    assert snapshot(url) == before


def test_plan_warns_and_apply_stops_at_the_first_write(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(crm_settings_rights=False)
    path = tmp_path / "bp.yaml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    before = snapshot(portal.server.webhook_url)
    runner = CliRunner()
    planned = runner.invoke(app, ["plan", str(path), "--portal", portal.spec, "--format", "json"])
    assert planned.exit_code == 0, planned.output
    warnings = json.loads(planned.stdout)["warnings"]
    assert any(
        w.startswith("permissions: the webhook's user is not a portal administrator") for w in warnings
    ), warnings
    applied = runner.invoke(app, ["apply", str(path), "--portal", portal.spec, "--auto-approve"])
    assert applied.exit_code == 1, applied.output
    errors = [line for line in applied.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, applied.stderr
    assert "Access denied." in errors[0] and "'Allow to modify settings'" in errors[0], errors
    assert portal.token not in applied.output
    assert snapshot(portal.server.webhook_url) == before


def test_an_administrators_plan_has_no_permission_warning(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal()
    path = tmp_path / "bp.yaml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    planned = CliRunner().invoke(app, ["plan", str(path), "--portal", portal.spec, "--format", "json"])
    assert not [w for w in json.loads(planned.stdout)["warnings"] if w.startswith("permissions:")]
