"""A robot as exported blueprint YAML: its type, its own settings, then title, delay, condition and
"after previous" (the order people read a robot in), one flow mapping per robot.

For every stage an export writes: the deal's and smart processes' pipelines (``export_deal.stage``)
and the lead's statuses (``export_statuses.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap

from b24provision.blueprint.model import Robot

COMMON = ("title", "delay", "condition", "after_previous")
"""Written after the robot's own settings."""


def robot_yaml(robot: Robot, flow: Callable[[dict[str, Any]], CommentedMap]) -> CommentedMap:
    data = robot.model_dump(mode="json", exclude_defaults=True)
    own = {k: v for k, v in data.items() if k != "type" and k not in COMMON}
    out = flow({"type": robot.type, **own, **{k: data[k] for k in COMMON if k in data}})
    for key, value in list(out.items()):
        if isinstance(value, dict):
            out[key] = flow(value)
    return out
