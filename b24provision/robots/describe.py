"""Robots in the portal's own words: what an administrator sees and sets in the Automation rules UI.

Robots on stages cannot be read or written over REST (reference §0), so the tool's job for them is
to say exactly what to click. ``describe_robot`` turns one blueprint robot into the name the
portal's robot catalogue shows ("Копировать сделку" / "Copy deal") and a list of (setting, value)
pairs with every reference resolved to what the UI shows: a pipeline's name instead of its key, a
stage's name with its code, a field's label with its FIELD_NAME, a delay in words. The plan
renderer, the runbook and the graph all use it, so the three never disagree.

Robot names come from the product's own language files (``.description.php`` of each activity in
the bitrix24-core-corp / bitrix-core-business mirrors, see reference §8.6) and live in the
robot-kind table (``kinds.py``); each kind's own settings are described in ``settings.py``, the
words and references in ``words.py``. This module puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from b24provision.blueprint.model import Blueprint, Robot, Stage
from b24provision.robots.kinds import ROBOT_KINDS, RobotKind, kind_of, pause_of, robot_kind_name
from b24provision.robots.properties import ui_duration
from b24provision.robots.words import (
    STANDARD_FIELDS,
    Entity,
    Lang,
    condition_text,
    describe_duration,
    field_text,
    label_text,
    person_text,
    stage_text,
    text_of,
)

# The robot-kind table lives in kinds.py, the words in words.py; both re-exported here.
__all__ = [
    "ROBOT_KINDS",
    "STANDARD_FIELDS",
    "Entity",
    "RobotDescription",
    "RobotKind",
    "condition_text",
    "describe_duration",
    "describe_robot",
    "effective_delays",
    "field_text",
    "label_text",
    "person_text",
    "robot_kind_name",
    "stage_text",
]


@dataclass(frozen=True)
class RobotDescription:
    """One robot as the portal shows it: catalogue name, activity class, and its settings."""

    title: str
    """The robot's name in the portal's robot catalogue, e.g. "Copy deal"."""
    activity: str
    settings: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) pairs in the order the robot's settings dialog shows them."""


def describe_robot(
    robot: Robot, blueprint: Blueprint, lang: Lang = "en", entity: Entity = "deal"
) -> RobotDescription:
    """Describe ``robot`` the way the portal's Automation rules UI shows it.

    Args:
        robot: a robot of one of the blueprint's stages.
        blueprint: the blueprint it belongs to, to resolve pipelines, stages and fields to names.
        lang: "ru" or "en".
        entity: what the robot works on: "deal", "lead" or "smart" (a smart process's item; then
            ``blueprint`` is the smart process's own view, blueprint/smart_section.py). The words
            for the item's own people follow it: "the lead's responsible person".

    Returns:
        The catalogue name, the activity class and the settings in the dialog's order: the robot's
        own settings first, then the common "Run", "Execution" and "Condition".
    """
    kind = kind_of(robot)
    settings: list[tuple[str, str]] = []
    if robot.title:
        settings.append((text_of("robot_title", lang), robot.title))
    settings += kind.describe(robot, blueprint, lang, entity)
    # The delay as the UI's selector holds it (minutes, hours, days): "1 month" is set as 30 days.
    delay = (
        text_of("after", lang).format(describe_duration(ui_duration(robot.delay), lang))
        if robot.delay
        else text_of("immediately", lang)
    )
    settings.append((text_of("run", lang), delay))
    settings.append(
        (text_of("execution", lang), text_of("after_previous" if robot.after_previous else "parallel", lang))
    )
    if robot.condition is not None:
        settings.append(
            (text_of("condition", lang), condition_text(robot.condition, blueprint, lang, entity))
        )
    return RobotDescription(
        title=kind.ru if lang == "ru" else kind.en, activity=kind.activity, settings=settings
    )


def effective_delays(stage: Stage) -> list[list[str]]:
    """Each robot's effective delay on ``stage``: its own, plus the pauses and delays of the chain
    it runs after ("after the previous automation rule"), e.g. a pause of 1 month then a copy."""
    out: list[list[str]] = []
    chain: list[str] = []
    for robot in stage.robots:
        mine = [robot.delay] if robot.delay else []
        chain = chain + mine if robot.after_previous else mine
        out.append(list(chain))
        pause = pause_of(robot)
        if pause:
            chain = chain + [pause]
    return out
