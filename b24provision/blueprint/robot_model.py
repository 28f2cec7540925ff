"""Robots on stages: one model per robot type, chosen by ``type`` (everything else about a type
is its row in the robot-kind table, ``robots/kinds.py``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from b24provision.blueprint.model_types import (
    Duration,
    FieldCode,
    Flag,
    Model,
    Name,
    Person,
    PipelineKey,
    StageCode,
)


class Condition(Model):
    """Run a robot only when a field of its entity compares true, e.g. ``OPPORTUNITY > 0``."""

    # A digit may lead: a field made in the UI has a numeric code (the docs' 5186744711).
    field: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_]*$")]
    """A standard field (TITLE, OPPORTUNITY, ...) or a custom field's code, of the robot's entity."""
    op: Literal["=", "!=", ">", ">=", "<", "<=", "contains", "empty", "not_empty"] = "="
    """How the field is compared with ``value``; ``empty``/``not_empty`` need no value."""
    value: str | int | float | bool | None = None
    """The value the field is compared with."""


class RobotBase(Model):
    """What every robot on a stage has: an optional id, title, delay and condition."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] | None = None
    """Names the robot among its stage's robots in plans and checks; never sent to the portal.
    Without it a robot is named by its type and title (or what it does), see robots/keys.py."""
    title: str | None = None
    """The robot's title as shown on the stage; a default is made from its type."""
    delay: Duration | None = None
    """Wait this long after the deal enters the stage before running (RobotDelayActivity)."""
    condition: Condition | None = None
    """Run the robot only when this comparison of a deal field is true."""
    after_previous: Flag = False
    """Run after the previous robot of the stage has finished, not when the deal enters."""


class CopyDealRobot(RobotBase):
    """Copy the deal into a pipeline and stage (CrmCopyDealActivity)."""

    type: Literal["copy_deal"]
    """Copy the deal into another pipeline (CrmCopyDealActivity)."""
    to_pipeline: PipelineKey
    """The ``key`` of the pipeline the copy goes to."""
    to_stage: StageCode | None = None
    """The stage of the copy; the pipeline's first stage when not given."""
    deal_title: str | None = None
    """The copy's title; the original's title when not given."""
    responsible: Person = "responsible"
    """Who is responsible for the copy: responsible, author or user:<id>."""
    keep_amount: Flag = True
    """The copy keeps the amount (the robot always copies it; false adds a step that clears it)."""
    store_id_in: FieldCode | None = None
    """A custom field of this deal that receives the new deal's id (the "Child deals" link)."""


class CreateDealRobot(RobotBase):
    """Create a new deal in a pipeline and stage (CrmCreateDynamicActivity, deal type)."""

    type: Literal["create_deal"]
    """Create a new deal (CrmCreateDynamicActivity)."""
    pipeline: PipelineKey
    """The ``key`` of the pipeline the new deal goes to."""
    stage: StageCode | None = None
    """The new deal's stage; the pipeline's first stage when not given."""
    deal_title: str
    """The new deal's title."""
    responsible: Person = "responsible"
    """Who is responsible for the new deal: responsible, author or user:<id>."""
    amount_from_deal: Flag = False
    """Take the amount of this deal into the new one (duplicates sums in analytics)."""
    set_fields: dict[str, str | int | float | bool] = Field(default_factory=dict)
    """Deal fields of the new deal and their values, e.g. ``{SOURCE_ID: REPEAT}``."""
    store_id_in: FieldCode | None = None
    """A custom field of this deal that receives the new deal's id."""


class CreateTaskRobot(RobotBase):
    """Create a task for a person with a deadline (Task2Activity)."""

    type: Literal["create_task"]
    """Create a task (Task2Activity)."""
    task_title: Name
    """The task's title."""
    responsible: Person = "responsible"
    """Who the task is for: responsible, author or user:<id>."""
    deadline: Duration | None = None
    """The deadline, counted from when the robot runs."""
    description: str | None = None
    """The task's description."""
    checklist: list[str] = Field(default_factory=list)
    """Checklist items of the task, in order."""
    store_id_in: FieldCode | None = None
    """A custom field of the deal that receives the task's id."""


class WaitRobot(RobotBase):
    """Pause the stage's robot chain for a time (RobotDelayActivity)."""

    type: Literal["wait"]
    """Pause the stage's robots (RobotDelayActivity)."""
    duration: Duration
    """How long to wait, e.g. '3 days' or '1 month'."""


class SetFieldRobot(RobotBase):
    """Set a deal field to a value (SetFieldActivity)."""

    type: Literal["set_field"]
    """Set a deal field (SetFieldActivity)."""
    field: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_]*$")]
    """The field to set, of the robot's entity (a deal's, a lead's, a smart process's): a standard
    field (TITLE, OPPORTUNITY, ...) or a custom field's code."""
    value: str | int | float | bool | None
    """The value to set; null clears the field."""


class ChangeStageRobot(RobotBase):
    """Move the deal to another stage of its pipeline (CrmChangeStatusActivity)."""

    type: Literal["change_stage"]
    """Move the deal to another stage (CrmChangeStatusActivity)."""
    stage: StageCode
    """The ``code`` of a stage of the same pipeline."""


class NotifyRobot(RobotBase):
    """Send a notification to a person ("Add notification", SocNetMessageActivity)."""

    type: Literal["notify"]
    """Send a notification (SocNetMessageActivity)."""
    to: Person = "responsible"
    """Who receives it: responsible, author or user:<id>."""
    message: Annotated[str, StringConstraints(min_length=1)]
    """The notification's text."""


Robot = Annotated[
    CopyDealRobot
    | CreateDealRobot
    | CreateTaskRobot
    | WaitRobot
    | SetFieldRobot
    | ChangeStageRobot
    | NotifyRobot,
    Field(discriminator="type"),
]
