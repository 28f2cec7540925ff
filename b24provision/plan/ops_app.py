"""Ops on application robot types and triggers, and robots to set up by hand (see ``ops.py``)."""

from __future__ import annotations

from typing import Literal

from b24provision.blueprint.model import AppRobot, Robot, Trigger
from b24provision.plan.op_base import Kind, OpBase, stage_ref
from b24provision.robots.keys import robot_name
from b24provision.robots.kinds import kind_of

# ---------------------------------------------------------------------- app robot types, triggers


class CreateAppRobotOp(OpBase):
    ACTION = "create"
    KIND = "app_robot"
    op: Literal["CreateAppRobotOp"] = "CreateAppRobotOp"
    robot: AppRobot

    @property
    def key(self) -> str:
        return self.robot.code


class UpdateAppRobotOp(OpBase):
    """Re-register an application robot type's settings (bizproc.robot.update).

    Not made by ``diff`` today: bizproc.robot.list returns codes only (reference §8.2), so a
    difference in settings cannot be seen."""

    ACTION = "update"
    KIND = "app_robot"
    op: Literal["UpdateAppRobotOp"] = "UpdateAppRobotOp"
    robot: AppRobot

    @property
    def key(self) -> str:
        return self.robot.code


class DeleteAppRobotOp(OpBase):
    ACTION = "delete"
    KIND = "app_robot"
    op: Literal["DeleteAppRobotOp"] = "DeleteAppRobotOp"
    code: str

    @property
    def key(self) -> str:
        return self.code

    @property
    def destructive(self) -> bool:
        # Robots of this type placed on stages stop working (the portal blocks them, reference §8.2);
        # REST cannot read robots on stages, so how many cannot be counted: always destructive.
        return True


class CreateTriggerOp(OpBase):
    ACTION = "create"
    KIND = "trigger"
    op: Literal["CreateTriggerOp"] = "CreateTriggerOp"
    trigger: Trigger

    @property
    def key(self) -> str:
        return self.trigger.code


class UpdateTriggerOp(OpBase):
    """Rename a trigger; carried out as crm.automation.trigger.add with the same code (reference §8.5)."""

    ACTION = "update"
    KIND = "trigger"
    op: Literal["UpdateTriggerOp"] = "UpdateTriggerOp"
    trigger: Trigger

    @property
    def key(self) -> str:
        return self.trigger.code


class DeleteTriggerOp(OpBase):
    ACTION = "delete"
    KIND = "trigger"
    op: Literal["DeleteTriggerOp"] = "DeleteTriggerOp"
    code: str
    name: str = ""

    @property
    def key(self) -> str:
        return self.code


class NeedsAppContextOp(OpBase):
    """An application robot type or trigger the plan cannot read or write with these credentials.

    bizproc.robot.* and crm.automation.trigger.* work only from an OAuth application, never from a
    webhook (reference §8.2, §8.5). Apply refuses a plan holding one of these; the remedy is a
    portal profile with application credentials, or taking the object out of the blueprint."""

    ACTION = "needs_app"
    KIND = "app_robot"
    op: Literal["NeedsAppContextOp"] = "NeedsAppContextOp"
    target: Literal["app_robot", "trigger"]
    code: str
    wanted: Literal["present", "removed"]
    """What the blueprint asks: the object declared, or named in ``removed:``."""

    @property
    def kind(self) -> Kind:
        return self.target

    @property
    def key(self) -> str:
        return self.code


# ------------------------------------------------------------------------------------------ robots


class ManualRobotOp(OpBase):
    """A robot to set up by hand in the portal's UI: REST can neither read nor write stage robots.

    ``title`` and ``settings`` describe it in the words of the portal's UI, resolved when the plan
    is made (pipeline keys become names, field codes labels)."""

    ACTION = "manual"
    KIND = "robot"
    op: Literal["ManualRobotOp"] = "ManualRobotOp"
    pipeline_key: str
    pipeline_name: str
    stage_code: str
    stage_name: str
    index: int
    """The robot's place on its stage (0-based), for display ("robot 1"); its key is its name."""
    robot: Robot
    title: str
    settings: tuple[tuple[str, str], ...] = ()
    export_status: Literal["", "differs", "missing"] = ""
    """What the portal's configuration export showed (``plan --robots-from``); "" without one."""
    export_differences: tuple[str, ...] = ()
    """For a robot that differs: each setting, the portal's value -> the blueprint's (and notes)."""

    @property
    def key(self) -> str:
        # Named, not numbered: the key survives inserting a robot before this one (robots/keys.py).
        # A lead status has no pipeline (pipeline_key ""): lead:NEW/robot[...].
        where = (
            stage_ref(self.entity, self.pipeline_key, self.stage_code)
            if self.pipeline_key
            else f"{self.entity}:{self.stage_code}"
        )
        return f"{where}/robot[{robot_name(self.robot)}]"

    @property
    def activity(self) -> str:
        """The real activity class behind the robot (what the portal's template stores)."""
        return kind_of(self.robot).activity
