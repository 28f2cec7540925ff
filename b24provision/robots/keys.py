"""Robots' natural keys: what names a robot on a stage, whatever robots are put before it.

A robot is keyed by its pipeline, its stage and its name on that stage, e.g.
``sales/WON/robot[copy_deal:repeat]``. The name is the robot's ``id:`` when the blueprint gives one;
else its type with its title, or (untitled) with what it does: the pipeline it copies into, the
task's title, the field and value it sets, the pause's length (the ``label`` of its kind in
``kinds.py``). Inserting another robot before it does not change it, unlike its list position,
which stays only as the "robot 2" people read on the stage. Two robots of a stage with one name
cannot be told apart: ``validate`` says so and asks for an ``id:`` (``ambiguous_robots``).

Plans (manual-step ops), ``robots check`` and the export comparison all key robots by
``robot_key``, so the one rule lives here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from b24provision.blueprint.model import Blueprint, RobotBase
from b24provision.robots.kinds import kind_of

R = TypeVar("R", bound=RobotBase)

LABEL_CHARS = 40
"""A name's descriptive part is cut to this many characters (a notification's text can be long)."""


def robot_name(robot: RobotBase) -> str:
    """The robot's name on its stage: its ``id``, else ``type:title`` (or ``type:what it does``)."""
    if robot.id:
        return robot.id
    kind = kind_of(robot)
    text = " ".join((robot.title or kind.label(robot)).split())
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1] + "…"
    return f"{kind.type}:{text}" if text else kind.type


def robot_key(pipeline_key: str, stage_code: str, name: str) -> str:
    """``pipeline/STAGE/robot[name]``: how plans and checks name one robot."""
    return f"{pipeline_key}/{stage_code}/robot[{name}]"


def duplicate_names(robots: Sequence[RobotBase]) -> Iterator[tuple[int, int, str]]:
    """(first index, later index, name) for every robot whose name an earlier one already has."""
    seen: dict[str, int] = {}
    for index, robot in enumerate(robots):
        name = robot_name(robot)
        if name in seen:
            yield seen[name], index, name
        else:
            seen[name] = index


def ambiguous_robots(bp: Blueprint) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(location of the robot, message) for every robot that shares its name with an earlier one."""
    for pi, pipeline in enumerate(bp.pipelines):
        for si, stage in enumerate(pipeline.stages):
            for first, later, name in duplicate_names(stage.robots):
                yield (
                    ("pipelines", pi, "stages", si, "robots", later),
                    f"robot {pipeline.key}/{stage.code}#{later + 1} has the same name '{name}' as "
                    f"robot #{first + 1} of the stage, so plans and checks cannot tell them apart — "
                    "give one an id: (or a title:)",
                )


def distinct_names(robots: Sequence[R]) -> list[R]:
    """``robots`` with an ``id`` (``wait_2``, ...) on each that shares its name with an earlier one.

    For robots read from a portal (the configuration export): the portal may hold two robots a
    blueprint cannot tell apart, and the blueprint written from them must still validate.
    """
    out: list[R] = []
    names: set[str] = set()
    for robot in robots:
        if robot_name(robot) in names:
            kind = kind_of(robot).type
            number = 2
            while f"{kind}_{number}" in names:
                number += 1
            robot = robot.model_copy(update={"id": f"{kind}_{number}"})
        names.add(robot_name(robot))
        out.append(robot)
    return out
