"""The entity level: ``entities: {deal: {pipelines:, fields:}}``, with top-level shorthand for deals."""

from __future__ import annotations

from pathlib import Path

import pytest

from b24provision.blueprint import load_blueprint, validate
from b24provision.errors import BlueprintError

SHORTHAND = """\
pipelines:
  - key: sales
    name: Sales
    stages:
      - {code: NEW, name: New}
      - {code: WON, name: Won, semantics: success}
      - {code: LOSE, name: Lost, semantics: failure}
fields:
  - {code: SIZE, type: string}
"""
ENTITY_FORM = """\
entities:
  deal:
    pipelines:
      - key: sales
        name: Sales
        stages:
          - {code: NEW, name: New}
          - {code: WON, name: Won, semantics: success}
          - {code: LOSE, name: Lost, semantics: failure}
    fields:
      - {code: SIZE, type: string}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(text)
    return path


def test_the_entity_form_and_the_shorthand_load_the_same_blueprint(tmp_path: Path) -> None:
    short = load_blueprint([_write(tmp_path, SHORTHAND)])
    full = load_blueprint([_write(tmp_path, ENTITY_FORM)])
    assert full.pipelines == short.pipelines and full.fields == short.fields
    assert full.section("deal").pipelines[0].key == "sales"
    assert [s.code for s in full.section("deal").pipelines[0].stages] == ["NEW", "WON", "LOSE"]


def test_a_problem_under_entities_deal_points_at_its_own_line(tmp_path: Path) -> None:
    # Two stages with one code: a cross-object check, located through the shorthand path.
    text = ENTITY_FORM.replace("{code: LOSE, name: Lost", "{code: NEW, name: Lost")
    report = validate([_write(tmp_path, text)])
    errors = [p for p in report.problems if p.severity == "error"]
    assert [(p.line, p.code) for p in errors] == [(9, "check/duplicate-stage-code")], errors


def test_a_bad_value_under_entities_deal_is_located_there(tmp_path: Path) -> None:
    text = ENTITY_FORM.replace("{code: SIZE, type: string}", "{code: SIZE, type: strng}")
    with pytest.raises(
        BlueprintError, match=r"bp.yaml:11:\d+: entities.deal.fields\[0\].type: unknown field"
    ):
        load_blueprint([_write(tmp_path, text)])


def test_giving_the_deal_in_both_forms_is_one_located_error(tmp_path: Path) -> None:
    text = ENTITY_FORM + "fields:\n  - {code: OTHER, type: string}\n"
    with pytest.raises(BlueprintError) as info:
        load_blueprint([_write(tmp_path, text)])
    message = str(info.value)
    assert "\n" not in message
    assert "bp.yaml:2:3: entities.deal: the deal is given twice" in message
    assert "keep one of the two" in message


def test_both_forms_plan_the_same_operations_on_a_portal(start_portal, tmp_path: Path) -> None:
    from b24provision import api  # noqa: PLC0415 - the one test here that talks to a portal

    portal = start_portal("a")
    plans = []
    for name, text in (("short", SHORTHAND), ("full", ENTITY_FORM)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        plans.append(api.make_plan([path], portal=portal.spec).plan)
    keys = [[(op.action, op.key) for op in plan.ops] for plan in plans]
    assert keys[0] == keys[1]
    assert ("create", "deal:field/SIZE") in keys[0] and ("create", "deal:sales") in keys[0]
