"""`robots check`: the blueprint's robots against a hand-written configuration export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from tests.robots.export_fixtures import KITCHEN, KITCHEN_BLUEPRINT, kitchen_doc, pack_zip


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["robots", "check", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def kitchen_zip(tmp_path: Path) -> Path:
    return pack_zip(KITCHEN, tmp_path / "configuration.zip")


def test_the_matching_blueprint_matches_robot_by_robot(kitchen_zip: Path) -> None:
    code, out, _ = _run(str(KITCHEN_BLUEPRINT), "--export", str(kitchen_zip), "--detailed-exitcode")
    assert code == 0, out
    assert "8 match, 0 differ, 0 missing on the portal, 0 only on the portal" in out
    assert "configuration.zip" in out
    # reported, yet no difference: no blueprint can declare these
    assert "CrmControlNotifyActivity" in out and "of a type the blueprint language does not describe" in out
    assert "edited in the designer" in out


def test_a_changed_setting_exits_2_naming_the_robot_and_the_setting(tmp_path: Path) -> None:
    doc = kitchen_doc("BIZPROC_MAIN/1.json")
    task = doc["TEMPLATE_DATA"]["TEMPLATE"][0]["Children"][0]["Children"][0]["Children"][2]
    task["Properties"]["Fields"]["DEADLINE"] = '=dateadd({=System:Now},"5d")'
    changed = pack_zip(KITCHEN, tmp_path / "changed.zip", replace={"BIZPROC_MAIN/1.json": doc})
    code, out, _ = _run(str(KITCHEN_BLUEPRINT), "--export", str(changed), "--detailed-exitcode")
    assert code == 2
    assert "~ robot[1] create_task «Звонок клиенту»: differs" in out
    assert 'deadline: "5 days" -> "3 days"' in out
    code, _, _ = _run(str(KITCHEN_BLUEPRINT), "--export", str(changed))
    assert code == 0  # without --detailed-exitcode, differences are not a failure (as plan)


def test_missing_and_only_on_the_portal(tmp_path: Path, kitchen_zip: Path) -> None:
    text = KITCHEN_BLUEPRINT.read_text(encoding="utf-8")
    # the blueprint drops the last pause of mount/NEW and adds a notify on PREPARATION
    text = text.replace(
        "          - {type: wait, duration: 1 day}  # a pause with nothing after it: a robot of its own\n", ""
    )
    text = text.replace(
        "      - {code: PREPARATION, name: Подготовка документов}",
        "      - code: PREPARATION\n        name: Подготовка документов\n"
        "        robots:\n          - {type: notify, message: Документы}",
    )
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text(text, encoding="utf-8")
    code, out, _ = _run(
        str(blueprint), "--export", str(kitchen_zip), "--format", "json", "--detailed-exitcode"
    )
    assert code == 2
    doc = json.loads(out)
    by_key = {r["key"]: r for r in doc["robots"]}
    # robots are keyed by their names on the stage (robots/keys.py), not by their positions
    assert by_key["general/PREPARATION/robot[notify:Документы]"]["status"] == "missing"
    assert by_key["mount/NEW/portal[wait:1 day]"]["status"] == "only_on_portal"
    assert by_key["mount/NEW/portal[wait:1 day]"]["type"] == "wait"
    # a pause, then a robot after it: to the portal, one robot with a delay — both robots match
    assert by_key["mount/NEW/robot[wait:2 hours]"]["status"] == "matches"
    assert by_key["mount/NEW/robot[change_stage:EXECUTING]"]["status"] == "matches"
    assert doc["summary"]["missing"] == 1 and doc["has_differences"] is True


def test_a_damaged_export_is_one_error_line_and_exit_1(tmp_path: Path, kitchen_zip: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(kitchen_zip.read_bytes()[:500])
    code, out, err = _run(str(KITCHEN_BLUEPRINT), "--export", str(damaged))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "damaged.zip" in err and "Traceback" not in err


def test_no_export_file_is_one_error_line_saying_where_to_get_one(tmp_path: Path, monkeypatch) -> None:
    """`robots check` without --export looks for ./configuration.zip: when it is not there the
    line says how to make one, not only "No such file or directory"."""
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(str(KITCHEN_BLUEPRINT))
    assert code == 1 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("Error: configuration.zip: cannot read the export: No such file or directory")
    assert "--export ZIP" in line and "solution presets -> export" in line


def test_plan_reads_the_export_before_it_touches_a_portal(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal()
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(b"PK\x03\x04 not really")
    result = CliRunner().invoke(
        app, ["plan", str(KITCHEN_BLUEPRINT), "--portal", portal.spec, "--robots-from", str(damaged)]
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "damaged.zip: not a readable configuration export" in errors[0]
    assert portal.emulator.request_log == []  # a bad archive stops the plan before any request


def test_values_compare_as_the_portal_stores_them(tmp_path: Path, kitchen_zip: Path) -> None:
    text = KITCHEN_BLUEPRINT.read_text(encoding="utf-8").replace("value: 100000}", "value: '100000'}")
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text(text, encoding="utf-8")
    for path in (KITCHEN_BLUEPRINT, blueprint):  # 100000 and "100000" are one value to the portal
        code, out, _ = _run(str(path), "--export", str(kitchen_zip), "--detailed-exitcode")
        assert code == 0, out
