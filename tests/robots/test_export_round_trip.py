"""Issue 15, done when: a hand-made portal's robots round-trip through its configuration export.

export ZIP -> `export --robots-from` -> `robots check`: all match; one robot's setting changed in the
portal, exported again -> `robots check` exits 2 naming that robot and setting; `plan --robots-from`
shows the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.cli import app


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_handmade_robots_round_trip_and_a_changed_setting_shows(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(seed="handmade")
    first = tmp_path / "configuration.zip"
    first.write_bytes(portal.emulator.configuration_export())

    blueprint = tmp_path / "blueprint.yaml"
    code, _ = _cli("export", "--portal", portal.spec, "--robots-from", str(first), "--out", str(blueprint))
    assert code == 0
    text = blueprint.read_text(encoding="utf-8")
    assert "type: copy_deal" in text and "delay: 2 hours" in text and "condition:" in text
    assert "edited in the designer" in text  # the designer-edited stage is named, not guessed

    code, out = _cli("robots", "check", str(blueprint), "--export", str(first), "--detailed-exitcode")
    assert code == 0, out
    assert (
        "8 robots checked" in out  # 6 on deal stages, 1 on a lead status, 1 on a smart-process stage
        and "8 match, 0 differ, 0 missing on the portal, 0 only on the portal" in out
    )

    code, out = _cli("plan", str(blueprint), "--portal", portal.spec, "--robots-from", str(first))
    assert code == 0, out
    assert "No changes." in out
    assert "Robots checked against the export configuration.zip, written " in out
    assert "8 match, 0 to set up by hand." in out

    # Someone changes the copy robot's deal title in the portal's robots editor.
    portal.emulator.put_stage_robots(
        "WON",
        [
            {
                "Type": "CrmCopyDealActivity",
                "Properties": {
                    "DealTitle": "Повторный монтаж: {=Document:TITLE}",
                    "CategoryId": "1",
                    "StageId": "C1:NEW",
                    "Responsible": "{=Document:ASSIGNED_BY_ID}",
                    "Title": "Копировать сделку",
                },
            }
        ],
    )
    second = tmp_path / "configuration-2.zip"
    second.write_bytes(portal.emulator.configuration_export())

    code, out = _cli("robots", "check", str(blueprint), "--export", str(second), "--detailed-exitcode")
    assert code == 2, out
    assert "~ robot[0] copy_deal «Копировать сделку»: differs" in out
    assert 'deal_title: "Повторный монтаж: {=Document:TITLE}" -> "Монтаж: {=Document:TITLE}"' in out

    code, out = _cli("plan", str(blueprint), "--portal", portal.spec, "--robots-from", str(second))
    assert code == 0, out
    assert "7 match, 1 to set up by hand." in out
    assert "differs on the portal (per the export):" in out
    assert 'deal_title: "Повторный монтаж: {=Document:TITLE}" -> "Монтаж: {=Document:TITLE}"' in out

    code, out = _cli(
        "plan", str(blueprint), "--portal", portal.spec, "--robots-from", str(second), "-f", "json"
    )
    doc = json.loads(out)
    assert doc["robots_export"].startswith("configuration-2.zip, written ")
    (manual,) = [op for op in doc["operations"] if op["action"] == "manual"]
    assert manual["after"]["export_status"] == "differs"
    assert manual["after"]["type"] == "copy_deal"


def test_apply_takes_the_export_too(
    start_portal: Callable[..., Any], tmp_path: Path, writes_besides_the_lock: Callable[[Any], list[Any]]
) -> None:
    portal = start_portal(seed="handmade")
    export = tmp_path / "configuration.zip"
    export.write_bytes(portal.emulator.configuration_export())
    blueprint = tmp_path / "blueprint.yaml"
    assert (
        _cli("export", "--portal", portal.spec, "--robots-from", str(export), "--out", str(blueprint))[0] == 0
    )
    code, out = _cli(
        "apply", str(blueprint), "--portal", portal.spec, "--robots-from", str(export), "--auto-approve"
    )
    assert code == 0, out
    assert "No changes." in out and "to check by hand" not in out  # every robot matched the export
    assert writes_besides_the_lock(portal.emulator) == []
