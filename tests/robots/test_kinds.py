"""The robot-kind table: one row per blueprint robot type, its settings read and written both ways."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from b24provision.blueprint.model import ROBOT_TYPES, Robot
from b24provision.robots.describe import describe_robot
from b24provision.robots.kinds import (
    ROBOT_KINDS,
    Ids,
    kind_of_activity,
    read_person,
    ui_duration,
    write_properties,
)
from tests.robots.conftest import child_deals_doc

ROBOTS = TypeAdapter(list[Robot])
IDS = Ids({0: "sales", 5: "measurement"})


def test_every_blueprint_robot_type_has_one_row_with_its_activity() -> None:
    assert list(ROBOT_KINDS) == list(ROBOT_TYPES)
    activities = {kind.activity for kind in ROBOT_KINDS.values()}
    assert len(activities) == len(ROBOT_KINDS)
    for type_, kind in ROBOT_KINDS.items():
        assert kind.type == type_ and kind_of_activity(kind.activity) == type_
    assert kind_of_activity("CrmControlNotifyActivity") is None


@pytest.mark.parametrize(
    "robot",
    ROBOTS.validate_python(
        [
            {
                "type": "copy_deal",
                "to_pipeline": "measurement",
                "to_stage": "TODO",
                "deal_title": "M",
                "responsible": "user:4",
            },
            {
                "type": "create_deal",
                "pipeline": "sales",
                "stage": "NEW",
                "deal_title": "R",
                "amount_from_deal": True,
                "set_fields": {"COMMENTS": "repeat", "SOURCE": "web"},
            },
            {
                "type": "create_task",
                "task_title": "Call",
                "responsible": "author",
                "deadline": "3 days",
                "description": "d",
            },
            {"type": "wait", "duration": "2 hours"},
            {"type": "set_field", "field": "ORDER_STATUS", "value": "measuring"},
            {"type": "change_stage", "stage": "DONE"},
            {"type": "notify", "to": "user:7", "message": "Done"},
        ]
    ),
    ids=lambda r: r.type,
)
def test_written_settings_read_back_to_the_same_robot(robot: Robot) -> None:
    kind = ROBOT_KINDS[robot.type]
    attrs, notes = kind.read(write_properties(robot, IDS), IDS)
    assert notes == []
    assert ROBOTS.validate_python([{"type": robot.type, **attrs}])[0] == robot


def test_people_in_the_cores_forms() -> None:
    assert read_person(["{=Document:ASSIGNED_BY_ID}"]) == "responsible"
    assert read_person("{=Document:CREATED_BY_ID}") == "author"
    assert read_person("user_12") == "user:12"
    assert read_person("group_h1") is None  # the head of a department: no blueprint word for it


def test_manual_steps_never_ask_for_a_unit_the_ui_does_not_offer() -> None:
    from b24provision.blueprint.model import Blueprint  # noqa: PLC0415

    assert ui_duration("1 month") == "30 days" and ui_duration("2 weeks") == "14 days"
    assert ui_duration("90 minutes") == "90 minutes"
    blueprint = Blueprint.model_validate(child_deals_doc())
    change = blueprint.pipelines[1].stages[0].robots[1]  # delay: 2 weeks
    settings = dict(describe_robot(change, blueprint).settings)
    assert settings["Run"] == "after 14 days"


def test_the_table_says_which_entities_each_kind_exists_for() -> None:
    # CrmCopyDealActivity's FILTER includes CCrmDocumentDeal only; the others exist for leads and
    # smart processes too (their .description.php in the core mirrors).
    assert ROBOT_KINDS["copy_deal"].entities == ("deal",)
    for type_ in ("create_deal", "create_task", "wait", "set_field", "change_stage", "notify"):
        assert ROBOT_KINDS[type_].entities == ("deal", "lead", "smart")
