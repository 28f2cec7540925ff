"""Robots that set or test a field of their own entity: a smart process's robot names its fields
``UF_CRM_<type id>_<code>`` (the core's bizproc document keys user fields by FIELD_NAME), a lead's
``UF_CRM_<code>``. Read from the portal's export they come back as the field's code, so `robots check`
matches them; a blueprint robot naming a field its entity does not have is a located validate error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.testing import by_hand


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_a_smart_process_robot_setting_its_own_field_matches(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(seed="handmade")
    (kind,) = by_hand(portal.emulator, "crm.type.list")["types"]
    t, own = kind["entityTypeId"], kind["id"]
    assert t != own  # the type id, not the entityTypeId, is in the field's name
    category = by_hand(portal.emulator, "crm.category.list", {"entityTypeId": t})["categories"][0]["id"]
    field = f"UF_CRM_{own}_1712345690000"  # the hand-made smart process's date field (Visit date)
    robot = {
        "Type": "SetFieldActivity",
        "Properties": {"FieldValue": {field: "{=System:Now}"}, "Title": "Изменить элемент"},
        "Condition": {
            "type": "mixed",
            "items": [[{"object": "Document", "field": field, "operator": "empty", "value": ""}, "AND"]],
        },
    }
    portal.emulator.put_stage_robots(
        f"DT{t}_{category}:UC_M3ZR8P", [robot], entity_id=f"DYNAMIC_{t}_STAGE_{category}"
    )
    export = tmp_path / "configuration.zip"
    export.write_bytes(portal.emulator.configuration_export())
    blueprint = tmp_path / "blueprint.yaml"
    code, out = _cli("export", "--portal", portal.spec, "--robots-from", str(export), "--out", str(blueprint))
    assert code == 0, out
    text = blueprint.read_text(encoding="utf-8")
    # The code, as the smart process declares it (UF_CRM_<type id>_ read off).
    c = '"1712345690000"'
    robot_line = f'{{type: set_field, field: {c}, value: "{{=System:Now}}", '
    robot_line += f"condition: {{field: {c}, op: empty}}}}"
    assert robot_line in text

    code, out = _cli("validate", str(blueprint))
    assert code == 0, out
    code, out = _cli("robots", "check", str(blueprint), "--export", str(export), "--detailed-exitcode")
    assert code == 0, out
    assert "= robot[0] set_field «Изменить элемент»: matches" in out

    code, out = _cli("plan", str(blueprint), "--portal", portal.spec, "--robots-from", str(export))
    assert code == 0, out
    assert "differs" not in out


_LEAD = """\
version: 1
pipelines:
  - key: sales
    name: Sales
    default: true
    stages:
      - {{code: NEW, name: New}}
      - {{code: WON, name: Won, semantics: success}}
      - {{code: LOSE, name: Lost, semantics: failure}}
entities:
  lead:
    fields:
      - {{code: CALL_DATE, type: date, label: Call date}}
    statuses:
      - code: NEW
        name: New
        robots:
          - type: set_field
            field: {field}
            value: "{{=System:Now}}"
            condition: {{field: NAME, op: not_empty}}
      - {{code: CONVERTED, name: Converted, semantics: success}}
      - {{code: JUNK, name: Junk, semantics: failure}}
"""


def test_a_lead_robot_names_a_lead_field(tmp_path: Path) -> None:
    good = tmp_path / "lead.yaml"
    good.write_text(_LEAD.format(field="CALL_DATE"), encoding="utf-8")
    code, out = _cli("validate", str(good))
    assert code == 0, out

    # Also written as the portal names it.
    good.write_text(_LEAD.format(field="UF_CRM_CALL_DATE"), encoding="utf-8")
    code, out = _cli("validate", str(good))
    assert code == 0, out


def test_a_robot_naming_a_field_its_entity_lacks_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "lead.yaml"
    # MEASURE_DATE is no lead field (a deal's, say): the lead's robot cannot set it.
    bad.write_text(_LEAD.format(field="MEASURE_DATE"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1, result.output
    assert f"{bad}:19:20: robot lead:NEW#1: unknown lead field 'MEASURE_DATE'" in result.output
    assert "entities: lead: fields: (CALL_DATE)" in result.output


def test_the_diagram_names_the_field_a_lead_robot_stores_into_by_its_lead_label(tmp_path: Path) -> None:
    from b24provision.blueprint import load_blueprint  # noqa: PLC0415
    from b24provision.robots.graph import to_mermaid  # noqa: PLC0415

    path = tmp_path / "lead.yaml"
    text = _LEAD.format(field="CALL_DATE").replace(
        "      - {code: CALL_DATE, type: date, label: Call date}",
        "      - {code: CALL_DATE, type: date, label: Call date}\n"
        "      - {code: THE_DEAL, type: crm, label: Its deal, targets: [deal]}",
    )
    text = text.replace(
        "      - {code: CONVERTED,",
        "      - code: WORKING\n        name: Working\n        robots:\n"
        "          - {type: create_deal, pipeline: sales, deal_title: From lead, store_id_in: THE_DEAL}\n"
        "      - {code: CONVERTED,",
    )
    path.write_text(text, encoding="utf-8")
    code, out = _cli("validate", str(path))
    assert code == 0, out
    assert "Create CRM item · → Its deal" in to_mermaid(load_blueprint([path]))


def test_a_smart_process_robot_is_checked_against_its_own_fields(tmp_path: Path) -> None:
    path = tmp_path / "smart.yaml"
    source = (Path(__file__).parent / "fixtures" / "smart_names.yaml").read_text(encoding="utf-8")
    robot = "robots: [{type: set_field, field: %s, value: x}]}"
    declared = "    fields:\n      - {code: SIZE, type: string, label: Size}\n    pipelines:"
    text = source.replace("    pipelines:", declared, 1).replace(
        "- {code: NEW, name: Начало}", "- {code: NEW, name: Начало, " + robot, 1
    )
    path.write_text(text % "SIZE", encoding="utf-8")
    code, out = _cli("validate", str(path))
    assert code == 0, out

    path.write_text(text % "WIDTH", encoding="utf-8")
    code, out = _cli("validate", str(path))
    assert code == 1, out
    assert f"{path}:13:73: robot montazh:main/NEW#1: unknown smart process 'montazh' field 'WIDTH'" in out
    assert "(SIZE)" in out
