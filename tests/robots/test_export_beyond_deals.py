"""Robots on lead statuses and smart-process stages, read from the portal's configuration export.

The hand-made portal has a robot on a lead status (UC_7HD2KQ) and one on a stage of its smart
process «Замеры» (UC_M3ZR8P): its export -> `export --robots-from` -> `robots check` matches them as
deal robots are matched; changed in the portal, they differ with the setting named; a robot the
blueprint puts on another smart-process stage is missing; `plan --robots-from` says the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.blueprint import load_blueprint
from b24provision.cli import app
from b24provision.emulator.testing import by_hand
from b24provision.robots.check import check_robots
from b24provision.robots.export_boards import Directory, smart_boards
from b24provision.robots.export_reader import read_export


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def _exported(portal: Any, tmp_path: Path) -> tuple[Path, Path]:
    """The portal's configuration export, and the blueprint `export --robots-from` writes from it."""
    export = tmp_path / "configuration.zip"
    export.write_bytes(portal.emulator.configuration_export())
    blueprint = tmp_path / "blueprint.yaml"
    code, out = _cli("export", "--portal", portal.spec, "--robots-from", str(export), "--out", str(blueprint))
    assert code == 0, out
    return export, blueprint


def _measurement_stage(portal: Any, code: str) -> tuple[str, str]:
    """(directory, STATUS_ID) of a stage of the smart process's default pipeline."""
    (kind,) = by_hand(portal.emulator, "crm.type.list")["types"]
    t = kind["entityTypeId"]
    category = by_hand(portal.emulator, "crm.category.list", {"entityTypeId": t})["categories"][0]["id"]
    return f"DYNAMIC_{t}_STAGE_{category}", f"DT{t}_{category}:{code}"


def test_lead_and_smart_process_robots_match_then_differ(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(seed="handmade")
    first, blueprint = _exported(portal, tmp_path)
    text = blueprint.read_text(encoding="utf-8")
    assert "{type: notify, message: Лид ждёт замера}" in text
    assert "{type: create_task, task_title: Внести размеры}" in text

    code, out = _cli("robots", "check", str(blueprint), "--export", str(first), "--detailed-exitcode")
    assert code == 0, out
    assert "Leads / Ждёт замера (lead:UC_7HD2KQ)\n  = robot[0] notify «Add notification»: matches" in out
    assert "Замеры / Общая / Замерщик выехал (zamery:obshchaya/UC_M3ZR8P)" in out
    assert "= robot[0] create_task «Создать задачу»: matches" in out

    # Someone edits both robots in the portal's robots editor.
    notify = {"MessageUserTo": "{=Document:ASSIGNED_BY_ID}", "MessageText": "Лид ждёт замера, срочно"}
    portal.emulator.put_stage_robots(
        "UC_7HD2KQ", [{"Type": "SocNetMessageActivity", "Properties": notify}], entity_id="STATUS"
    )
    directory, status = _measurement_stage(portal, "UC_M3ZR8P")
    task = {
        "Fields": {
            "TITLE": "Внести размеры и фото",
            "CREATED_BY": "{=Document:ASSIGNED_BY_ID}",
            "RESPONSIBLE_ID": ["{=Document:ASSIGNED_BY_ID}"],
        },
        "AUTO_LINK_TO_CRM_ENTITY": "Y",
        "Title": "Создать задачу",
    }
    portal.emulator.put_stage_robots(
        status, [{"Type": "Task2Activity", "Properties": task}], entity_id=directory
    )
    second = tmp_path / "configuration-2.zip"
    second.write_bytes(portal.emulator.configuration_export())

    code, out = _cli("robots", "check", str(blueprint), "--export", str(second), "--detailed-exitcode")
    assert code == 2, out
    assert "6 match, 2 differ, 0 missing on the portal, 0 only on the portal" in out
    assert "~ robot[0] notify «Add notification»: differs" in out
    assert 'message: "Лид ждёт замера, срочно" -> "Лид ждёт замера"' in out
    assert "~ robot[0] create_task «Создать задачу»: differs" in out
    assert 'task_title: "Внести размеры и фото" -> "Внести размеры"' in out

    code, out = _cli(
        "plan", str(blueprint), "--portal", portal.spec, "--robots-from", str(second), "-f", "json"
    )
    assert code == 0, out
    manual = {op["key"]: op for op in json.loads(out)["operations"] if op["action"] == "manual"}
    assert sorted(key.split("/robot[")[0] for key in manual) == [
        "lead:UC_7HD2KQ",
        "zamery:obshchaya/UC_M3ZR8P",
    ]
    assert {op["after"]["export_status"] for op in manual.values()} == {"differs"}

    code, out = _cli("robots", "check", str(blueprint), "--export", str(second), "-f", "json")
    entities = {r["entity"] for r in json.loads(out)["robots"] if r["status"] == "differs"}
    assert entities == {"lead", "zamery"}


def test_a_blueprint_robot_on_a_smart_process_stage_without_robots_is_missing(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(seed="handmade")
    export, blueprint = _exported(portal, tmp_path)
    text = blueprint.read_text(encoding="utf-8")
    # The second pipeline of «Замеры» (Выездные) has no robots on the portal; the blueprint adds one.
    lines = text.splitlines()
    start = lines.index("        name: Выездные")
    i = next(j for j in range(start, len(lines)) if lines[j].lstrip().startswith("- {code: NEW,"))
    lines[i] = lines[i].removesuffix("}") + ", robots: [{type: notify, message: Выезд назначен}]}"
    blueprint.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, out = _cli("robots", "check", str(blueprint), "--export", str(export), "--detailed-exitcode")
    assert code == 2, out
    assert (
        "Замеры / Выездные / Начало (zamery:vyezdnye/NEW)\n"
        "  - robot[0] notify «Add notification»: missing on the portal" in out
    )

    code, out = _cli("plan", str(blueprint), "--portal", portal.spec, "--robots-from", str(export))
    assert code == 0, out
    assert "missing on the portal (per the export)" in out
    assert "8 match, 1 to set up by hand." in out


def test_a_deal_only_blueprint_leaves_lead_and_smart_process_robots_aside(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(seed="handmade")
    export, blueprint = _exported(portal, tmp_path)
    full = load_blueprint([blueprint])
    deal_only = full.model_copy(
        update={
            "smart_processes": [],
            "entities": full.entities.model_copy(
                update={"lead": full.entities.lead.model_copy(update={"statuses": []})}
            ),
        }
    )
    check = check_robots(deal_only, read_export(export, deal_only))
    assert check.counts()["matches"] == 6 and not check.has_differences  # the deal's robots, as before
    assert {v.entity for v in check.verdicts} == {"deal"}
    assert any("LEAD" in why and "the blueprint has no lead statuses" in why for why in check.ignored)
    assert any(
        "DYNAMIC_" in why and "none of the blueprint's smart processes" in why for why in check.ignored
    )


def test_a_smart_process_is_found_in_any_wording_of_its_directory_name() -> None:
    """The head's NAME is a localized message around the type's title and the pipeline's name
    (its wording UNVERIFIED): the match looks for the two names, not for the words around them."""
    blueprint = load_blueprint([Path(__file__).parent / "fixtures" / "smart_names.yaml"])
    rows = ({"ID": "1", "STATUS_ID": "DT1031_9:NEW", "NAME": "Начало", "SORT": "10"},)
    dirs = {
        "DYNAMIC_1031_STAGE_9": Directory("DYNAMIC_1031_STAGE_9", "Smart process «Монтаж» — Выездные", rows),
        "DYNAMIC_1031_STAGE_8": Directory("DYNAMIC_1031_STAGE_8", "Монтаж (Общая)", rows),
        "DYNAMIC_1040_STAGE_3": Directory("DYNAMIC_1040_STAGE_3", "Стадии «Доставка» (Общая)", rows),
        # «Цех» has a pipeline named as the other type: the title is what every pipeline's NAME holds
        "DYNAMIC_1050_STAGE_21": Directory("DYNAMIC_1050_STAGE_21", "Стадии «Цех» (Монтаж)", rows),
        "DYNAMIC_1050_STAGE_20": Directory("DYNAMIC_1050_STAGE_20", "Стадии «Цех» (Общая)", rows),
    }
    boards, aside = smart_boards(dirs, blueprint)
    assert [(b.entity, b.key, b.category_id, b.prefix) for b in boards] == [
        ("montazh", "main", 8, "DT1031_8:"),
        ("montazh", "vyezd", 9, "DT1031_9:"),
        ("tsekh", "main", 20, "DT1050_20:"),
        ("tsekh", "mount", 21, "DT1050_21:"),
    ]
    assert list(aside) == ["DYNAMIC_1040"]  # a type the blueprint does not name


def test_odd_smart_process_directories_are_left_aside_not_trusted(tmp_path: Path) -> None:
    """An archive may name any type: one that cannot be a smart process's, or one whose stage list
    is malformed, is left aside with the reason; nothing raises."""
    from tests.robots.export_fixtures import KITCHEN, pack_zip  # noqa: PLC0415

    blueprint = load_blueprint([Path(__file__).parent / "fixtures" / "smart_names.yaml"])
    tree = [{"Type": "SequentialWorkflowActivity", "Name": "Template", "Children": []}]
    template = {"AUTO_EXECUTE": "8", "TEMPLATE_DATA": {"TEMPLATE": tree}}
    odd = {
        "CRM_STATUS/DYNAMIC_5_STAGE_1.json": {"ENTITY": {"NAME": "Монтаж (Общая)"}, "ITEMS": []},
        "CRM_STATUS/DYNAMIC_1031_STAGE_8.json": {"ENTITY": "Монтаж", "ITEMS": {"not": "a list"}},
        "BIZPROC_MAIN/90.json": {**template, "DOCUMENT_TYPE": "DYNAMIC_5", "DOCUMENT_STATUS": "DT5_1:NEW"},
        "BIZPROC_MAIN/91.json": {
            **template,
            "DOCUMENT_TYPE": "DYNAMIC_1031",
            "DOCUMENT_STATUS": "DT1031_8:X",
        },
    }
    export = read_export(pack_zip(KITCHEN, tmp_path / "odd.zip", replace=odd), blueprint)
    assert {s.entity for s in export.stages} == {"deal"}  # the kitchen's deal robots only
    assert any("90.json: robots of DYNAMIC_5 (only deal" in why for why in export.ignored)
    assert any(
        "91.json" in why and "none of the blueprint's smart processes" in why for why in export.ignored
    )
