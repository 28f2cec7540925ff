"""``removed: {lead: {statuses: [...]}}`` is the one form for the lead's deletes; the first spelling,
``removed: {lead_statuses: [...]}``, still plans the same delete, with a deprecation warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision import api
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.schema import blueprint_json_schema
from b24provision.cli import app
from b24provision.emulator.testing import by_hand
from b24provision.portal.connect import open_portal

NEW_FORM = "removed:\n  lead:\n    statuses: [PROCESSED]\n"
OLD_FORM = "removed:\n  lead_statuses: [PROCESSED]\n"
DEPRECATED = "removed.lead_statuses is deprecated: write `removed: {lead: {statuses: [...]}}` instead"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_both_forms_plan_the_same_delete_and_only_the_old_one_warns(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    plans = {}
    for name, text in (("new.yaml", NEW_FORM), ("old.yaml", OLD_FORM)):
        with open_portal(portal.spec) as client:
            plans[name] = api.plan_against(client, load_blueprint([write(tmp_path, name, text)])).plan
    new, old = plans["new.yaml"], plans["old.yaml"]
    assert [(op.action, op.key) for op in new.ops] == [("delete", "lead:PROCESSED")]
    assert [(op.action, op.key) for op in old.ops] == [(op.action, op.key) for op in new.ops]
    # Each delete points at the line its code is written on.
    assert new.ops[0].source.endswith("new.yaml:3:16") and old.ops[0].source.endswith("old.yaml:2:19")
    assert not any("deprecated" in w for w in new.warnings)
    assert [w for w in old.warnings if "deprecated" in w] == [
        f"{tmp_path / 'old.yaml'}:2:3: {DEPRECATED} (it still works)"
    ]

    code, out, err = run("plan", str(tmp_path / "old.yaml"), "--portal", portal.spec)
    assert code == 0, err
    assert "- status lead:PROCESSED" in out and f"Warning: {tmp_path / 'old.yaml'}:2:3: {DEPRECATED}" in out


def test_the_old_form_still_deletes(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    code, _, err = run(
        "apply", str(write(tmp_path, "old.yaml", OLD_FORM)), "--portal", portal.spec, "--auto-approve"
    )
    assert code == 0, err
    codes = {
        r["STATUS_ID"]
        for r in by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": "STATUS"}})
    }
    assert "PROCESSED" not in codes and "NEW" in codes


def test_validate_warns_of_the_old_form_at_its_line_and_passes(tmp_path: Path) -> None:
    code, out, err = run("validate", str(write(tmp_path, "old.yaml", OLD_FORM)))
    assert code == 0, out + err
    assert f"old.yaml:2:3: warning: {DEPRECATED}" in out + err
    code, out, err = run("validate", str(write(tmp_path, "new.yaml", NEW_FORM)))
    assert code == 0 and "deprecated" not in out + err


def test_a_code_both_listed_and_removed_is_found_at_its_line_in_either_form(tmp_path: Path) -> None:
    listed = "entities:\n  lead:\n    statuses:\n      - {code: NEW, name: New}\n"
    for removed, where in (
        ("removed:\n  lead:\n    statuses: [PROCESSED, NEW]\n", ":7:27"),
        ("removed:\n  lead_statuses: [PROCESSED, NEW]\n", ":6:30"),
    ):
        code, out, err = run("validate", str(write(tmp_path, "bp.yaml", listed + removed)))
        assert code == 1
        assert f"bp.yaml{where}: lead status 'NEW' is both listed and removed" in out + err


def test_the_schema_offers_the_lead_statuses_under_lead_and_marks_the_old_key_deprecated() -> None:
    schema = blueprint_json_schema()
    text = json.dumps(schema)
    removed = schema["$defs"]["Removed"]["properties"]
    assert removed["lead_statuses"]["deprecated"] is True
    assert "statuses" in schema["$defs"][removed["lead"]["$ref"].rsplit("/", 1)[1]]["properties"]
    assert "lead: {statuses: [...]}" in text
