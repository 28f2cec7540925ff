"""`b24provision validate` and `b24provision schema` as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from blueprint_snippets import BASE, with_robots
from typer.testing import CliRunner

from b24provision.blueprint.schema import blueprint_json_schema, schema_text
from b24provision.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_validate_the_shipped_collection_exits_0_with_a_summary_per_blueprint() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "blueprints")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        line.endswith("kitchen-child-deals: 5 pipelines, 1 field, 7 robots; 0 errors, 0 warnings")
        for line in lines
    )
    assert any(
        line.endswith("recurring-deals: 3 pipelines, 0 fields, 2 robots; 0 errors, 1 warning")
        for line in lines
    )
    assert any(
        "seed-pattern.yaml:21:20: warning: robot consumables/WON#1 waits 30 days" in line for line in lines
    )
    # Beyond deals: the smart processes with their pipelines, their fields and their robots count too.
    assert any(
        line.endswith(
            "kitchen-smart-processes: 1 pipeline, 4 smart processes (4 pipelines), 8 fields, 9 robots; "
            "0 errors, 2 warnings"
        )
        for line in lines
    )
    assert any(
        line.endswith("kitchen-subtasks: 1 pipeline, 2 fields, 11 robots; 0 errors, 0 warnings")
        for line in lines
    )


BEYOND_DEALS = """
entities:
  lead:
    statuses:
      - code: NEW
        name: New lead
        robots: [{type: create_task, task_title: Call back}]
      - {code: CONVERTED, name: Good, semantics: success}
      - {code: JUNK, name: Junk, semantics: failure}
    fields: [{code: CAMPAIGN, type: string, label: Campaign}]
  contact:
    fields: [{code: INN, type: string, label: INN}]
lists:
  source: [{code: SHOWROOM, name: Showroom}, {code: FAIR, name: Fair}]
  deal_type: [{code: KITCHEN, name: Kitchen}]
fields: [{code: NOTE, type: string, label: Note}]
"""


def test_validate_counts_lead_statuses_lists_and_the_fields_and_robots_of_every_entity(
    write: Callable[..., Path],
) -> None:
    path = write(BEYOND_DEALS)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"{path}: 3 lead statuses, 2 lists (3 items), 3 fields, 1 robot; 0 errors, 0 warnings"
    )
    doc = json.loads(runner.invoke(app, ["validate", str(path), "--format", "json"]).output)
    counts = doc["summary"]["blueprints"][0]
    expected = {"pipelines": 0, "lead_statuses": 3, "lists": 2, "list_items": 3, "fields": 3, "robots": 1}
    assert {k: counts[k] for k in expected} == expected


def test_validate_with_errors_exits_1_with_one_line_each(write: Callable[..., Path]) -> None:
    path = write(BASE.replace("code: NEW", "code: new") + "tarif: x\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"{path}:5:15: pipelines[0].stages[0].code: 'new' is not valid — a stage code uses A-Z, 0-9 or _ "
    )
    assert lines[1].startswith(
        f"{path}:13:1: tarif: unknown key 'tarif' in the blueprint — did you mean 'tariff'?"
    )
    assert lines[2] == f"{path}: not valid; 2 errors, 0 warnings"
    assert "Traceback" not in result.output


def test_validate_json_is_versioned_and_lists_problems(write: Callable[..., Path]) -> None:
    path = write(with_robots("- type: copy_deal\n  to_pipeline: sales\n"))
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["format_version"] == 1 and doc["ok"] is True
    (problem,) = doc["problems"]
    assert {k: problem[k] for k in ("line", "col", "severity", "code")} == {
        "line": 12,
        "col": 26,
        "severity": "warning",
        "code": "lint/copy-into-same-pipeline",
    }
    assert doc["summary"]["blueprints"][0]["robots"] == 1
    assert doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] == 1


def test_validate_with_values_and_var(write: Callable[..., Path]) -> None:
    path = write("variables:\n  who: null\n" + with_robots("- type: notify\n  to: ${who}\n  message: hi\n"))
    values = write("who: user:4\n", name="values/prod.yaml")
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 1
    assert runner.invoke(app, ["validate", str(path), "--values", str(values)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(path), "--var", "who=user:9"]).exit_code == 0
    bad = runner.invoke(app, ["validate", str(path), "--var", "who"])
    assert bad.exit_code == 1 and "expected NAME=VALUE" in bad.output


def test_validate_missing_path_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope'}: no such file or directory" in result.output


def test_schema_command_prints_and_writes(tmp_path: Path) -> None:
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0 and json.loads(printed.output)["title"] == "b24provision blueprint"
    out = tmp_path / "s.json"
    assert runner.invoke(app, ["schema", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == schema_text()


def test_shipped_schema_is_up_to_date() -> None:
    shipped = (ROOT / "schema" / "blueprint.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(), (
        "regenerate: b24provision schema --out schema/blueprint.schema.json --force"
    )


def test_schema_lets_editors_accept_variables_in_patterned_strings() -> None:
    schema = blueprint_json_schema()
    assert schema["$schema"].endswith("2020-12/schema") and schema["$id"]
    responsible = schema["$defs"]["CopyDealRobot"]["properties"]["responsible"]
    patterns = [branch.get("pattern") for branch in responsible["anyOf"]]
    assert r"^(responsible|author|user:\d+)$" in patterns and r"\$\{[a-z_][a-z0-9_]*\}" in patterns
