"""Saved plans: written as JSON, read back as exactly the same ops; damaged or newer files refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from plan_factories import blueprint, live, pipeline, stage
from plan_samples import small_plan

from b24provision.errors import PlanError
from b24provision.plan import diff
from b24provision.plan.planfile import FORMAT_VERSION, load_plan, save_plan


def test_round_trip_keeps_every_op_exactly(tmp_path: Path) -> None:
    robots = [{"type": "copy_deal", "to_pipeline": "sales", "store_id_in": "CHILD"}]
    bp = blueprint(
        [
            pipeline(
                "sales", "Продажи", stage("NEW", "Новая", robots=robots), stage("WON", semantics="success")
            )
        ],
        [
            {
                "type": "enumeration",
                "code": "SIZE",
                "label": {"en": "Size", "ru": "Размер"},
                "items": [{"xml_id": "s", "value": "S"}],
            }
        ],
    )
    plan = diff(bp, live())
    path = tmp_path / "plan.json"
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    save_plan(plan, path, blueprint_paths=[Path("blueprints/deals.yaml")], variables={"manager": 7}, now=when)

    saved = load_plan(path)
    assert saved.plan == plan
    assert (saved.portal, saved.created_at, saved.blueprint_paths, saved.variables) == (
        "example.bitrix24.com",
        "2025-01-02T03:04:05+00:00",
        ("blueprints/deals.yaml",),
        {"manager": 7},
    )
    assert saved.plan.live_fingerprint == live().fingerprint()
    assert "Продажи" in path.read_text(encoding="utf-8")  # readable in a review


def test_a_plan_holding_a_webhook_secret_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    with pytest.raises(PlanError, match="looks like a webhook secret"):
        save_plan(
            small_plan(), path, variables={"hook": "https://portal.example.bitrix24.com/rest/1/s3cr3tcode/"}
        )
    assert not path.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format_version": 1,', r"plan.json:1:\d+: not a saved plan \(invalid JSON"),
        ("[1, 2]", "not a saved plan \\(no format_version\\)"),
        (
            f'{{"format_version": {FORMAT_VERSION}, "plan": {{"ops": [{{"op": "EraseEverythingOp"}}]}}}}',
            "the saved plan is damaged",
        ),
    ],
)
def test_damaged_files_are_refused_with_a_next_step(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match=message) as caught:
        load_plan(path)
    assert "run `b24provision plan --out FILE` again" in caught.value.message


def test_a_plan_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(small_plan(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        PlanError,
        match=rf"made by a newer b24provision .*format {FORMAT_VERSION + 1}; this one reads format "
        rf"{FORMAT_VERSION}\); upgrade",
    ):
        load_plan(path)


def test_a_plan_from_before_plans_named_their_portal_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(small_plan(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = 1
    del data["portal_spec"], data["portal_identity"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert "made by an older b24provision" in caught.value.message
    assert "does not record the portal it is for" in caught.value.message
    assert "\n" not in caught.value.message


def test_a_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read the plan"):
        load_plan(tmp_path / "nope.json")


def test_a_plan_from_before_operations_named_their_entity_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    save_plan(small_plan(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format_version"] = 3
    for op in data["plan"]["ops"]:
        del op["entity"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert "made by an older b24provision" in caught.value.message
    assert "plan format 3, whose operations name no entity; this one reads format 4" in caught.value.message
    assert "run `b24provision plan --out FILE` again" in caught.value.message
    assert "\n" not in caught.value.message
