"""What a robot that neither creates a deal nor moves one looks like in the diagram: a side node.

One function per such robot kind (the robot-kind table, ``kinds.py``, names them): a task, a field
set to a value, a notification. Robots that create a deal are arrows to its pipeline, change_stage
an arrow within the lane, and a pause has no node of its own (``graph.py``).
"""

from __future__ import annotations

from typing import Literal

from b24provision.blueprint.model import Blueprint, CreateTaskRobot, NotifyRobot, SetFieldRobot
from b24provision.robots.words import Entity, Lang, describe_duration, field_text, person_text

SideKind = Literal["task", "note"]
Sketch = tuple[SideKind, str]

_WORDS: dict[str, tuple[str, str]] = {
    "task": ("Task: {}", "Задача: {}"),
    "deadline": ("deadline {}", "срок {}"),
    "set": ("set {} = {}", "записать {} = {}"),
    "notify": ("notify {}", "уведомить: {}"),
}


def _w(key: str, lang: Lang) -> str:
    en, ru = _WORDS[key]
    return ru if lang == "ru" else en


def create_task_sketch(
    robot: CreateTaskRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Sketch:
    text = _w("task", lang).format(robot.task_title)
    if robot.deadline:
        text += f" ({_w('deadline', lang).format(describe_duration(robot.deadline, lang))})"
    return "task", text


def set_field_sketch(
    robot: SetFieldRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Sketch:
    value = "∅" if robot.value is None else str(robot.value)
    return "note", _w("set", lang).format(field_text(robot.field, blueprint, lang, entity), value)


def notify_sketch(robot: NotifyRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal") -> Sketch:
    return "note", _w("notify", lang).format(person_text(robot.to, lang, entity))
