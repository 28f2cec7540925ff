"""The emulator's configuration export and its robots placed "by hand" (emulator-only doors)."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.testing import by_hand, robot_template_count
from b24provision.robots.export_reader import read_export


def _export_url(webhook_url: str) -> str:
    return webhook_url.replace("/rest/", "/b24emu/").rstrip("/") + "/configuration-export.zip"


def test_the_export_is_a_download_for_the_webhook_user_only(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(seed="handmade")
    with urllib.request.urlopen(_export_url(portal.server.webhook_url)) as response:
        assert response.headers["Content-Type"] == "application/zip"
        data = response.read()
    path = tmp_path / "configuration.zip"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["CODE"] == "vertical_crm"
    assert "CRM_STATUS/DEAL_STAGE.json" in names and "BIZPROC_MAIN/0.json" in names
    wrong = _export_url(portal.server.webhook_url).replace(portal.token, "wrongcode")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(wrong)
    assert caught.value.code == 404
    caught.value.close()


def test_handmade_robots_read_back_stage_by_stage(start_portal: Callable[..., Any], tmp_path: Path) -> None:
    portal = start_portal(seed="handmade")
    path = tmp_path / "configuration.zip"
    path.write_bytes(portal.emulator.configuration_export())
    export = read_export(path)
    stages = {f"{s.pipeline_key}/{s.stage_code}": s for s in export.stages}
    assert [r.type for r in stages["obshchee/NEW"].robots] == ["notify", "create_task", None]
    task = stages["obshchee/NEW"].robots[1].robot
    assert task is not None and task.delay == "1 day" and task.after_previous and task.deadline == "2 days"
    measured = stages["obshchee/UC_LAFJPE"].robots[0].robot
    assert (
        measured is not None and measured.condition is not None and measured.condition.field == "OPPORTUNITY"
    )
    # the pause robot and the stage change after it are, to the portal, one delayed robot
    (change,) = stages["montazh/UC_8XKQ2M"].robots
    assert (
        change.robot is not None and change.robot.type == "change_stage" and change.robot.delay == "2 hours"
    )
    assert stages["servis/NEW"].designer_edited
    all_types = {r.type for s in export.stages for r in s.robots}
    assert all_types >= {
        "notify",
        "create_task",
        "set_field",
        "copy_deal",
        "change_stage",
        "create_deal",
    }


def test_robot_templates_stay_invisible_to_rest(start_portal: Callable[..., Any]) -> None:
    portal = start_portal(seed="handmade")
    assert robot_template_count(portal.emulator) >= 6
    # bizproc.workflow.template.list filters AUTO_EXECUTE 8 out (reference §8.3): nothing to list
    url = portal.server.webhook_url.rstrip("/") + "/bizproc.workflow.template.list.json"
    with urllib.request.urlopen(url) as response:
        body = json.loads(response.read())
    assert body["result"] == [] and body["total"] == 0


def test_putting_robots_replaces_the_stage_template(start_portal: Callable[..., Any], tmp_path: Path) -> None:
    portal = start_portal()
    notify = {"Type": "SocNetMessageActivity", "Properties": {"MessageUserTo": "user_3", "MessageText": "a"}}
    portal.emulator.put_stage_robots("NEW", [notify])
    portal.emulator.put_stage_robots(
        "NEW", [{**notify, "Properties": {"MessageUserTo": "user_3", "MessageText": "b"}}]
    )
    path = tmp_path / "c.zip"
    path.write_bytes(portal.emulator.configuration_export())
    (stage,) = read_export(path).stages
    assert [r.properties["MessageText"] for r in stage.robots] == ["b"]
    with pytest.raises(ValueError, match="no deal stage"):
        portal.emulator.put_stage_robots("C99:NEW", [notify])


def test_cli_writes_the_export_of_a_state_file(tmp_path: Path) -> None:
    from b24provision.emulator import Emulator  # noqa: PLC0415

    state = tmp_path / "portal.sqlite"
    emulator = Emulator(state)
    emulator.reset("handmade")
    emulator.close()
    out = tmp_path / "configuration.zip"
    result = CliRunner().invoke(app, ["emulator", "export-config", "--state", str(state), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert any(s.stage_code == "UC_8XKQ2M" for s in read_export(out).stages)
    missing = CliRunner().invoke(
        app, ["emulator", "export-config", "--state", str(tmp_path / "no"), "--out", str(out)]
    )
    assert missing.exit_code == 1 and "no such portal state file" in missing.stderr


def test_robots_on_lead_statuses_and_smart_process_stages_are_exported_with_their_document_type(
    start_portal: Callable[..., Any],
) -> None:
    portal = start_portal()
    emulator = portal.emulator
    emulator.seed("handmade")
    notify = {"Type": "SocNetMessageActivity", "Properties": {"MessageUserTo": "user_3", "MessageText": "a"}}
    emulator.put_stage_robots("NEW", [notify], entity_id="STATUS")
    (smart,) = by_hand(emulator, "crm.type.list")["types"]
    type_id = smart["entityTypeId"]
    categories = by_hand(emulator, "crm.category.list", {"entityTypeId": type_id})["categories"]
    category = next(c["id"] for c in categories if c["isDefault"] in ("Y", True))
    entity = f"DYNAMIC_{type_id}_STAGE_{category}"
    emulator.put_stage_robots(f"DT{type_id}_{category}:NEW", [notify], entity_id=entity)
    with pytest.raises(ValueError, match="no stage"):
        emulator.put_stage_robots("NOPE", [notify], entity_id="STATUS")
    with zipfile.ZipFile(io.BytesIO(emulator.configuration_export())) as archive:
        docs = [json.loads(archive.read(n)) for n in archive.namelist() if n.startswith("BIZPROC_MAIN/")]
        stages = json.loads(archive.read(f"CRM_STATUS/{entity}.json"))
    kinds = {(d["DOCUMENT_TYPE"], d["DOCUMENT_STATUS"]) for d in docs}
    assert ("LEAD", "NEW") in kinds and (f"DYNAMIC_{type_id}", f"DT{type_id}_{category}:NEW") in kinds
    assert ("DEAL", "NEW") in kinds  # the deal stage NEW keeps its own robots
    assert stages["ENTITY"]["ENTITY_TYPE_ID"] == type_id
