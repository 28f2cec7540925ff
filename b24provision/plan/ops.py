"""Operations: the small frozen values a plan is made of, and the Plan that holds them.

An op says one thing that ``apply`` would do to one object, named by its natural key (a pipeline
key, ``pipeline/STAGE``, a field code, an application robot or trigger code) and never by a portal
id: apply reads the portal again and resolves ids itself. Each op carries what apply needs to carry
it out (the full desired object for a create or update, the natural keys for a delete), the
attributes that change as ``(attribute, before, after)``, and the blueprint location it comes from.

The set of ops is closed (``AnyOp``); code that handles every op uses ``match`` ending in
``assert_never`` so that mypy points at a missing case. Ops are pydantic models so that a saved plan
(``planfile.py``) can write and re-read exactly these values.

Identity on the portal, for apply:

- ``live_key`` is the key the portal's pipeline has in ``LiveState.blueprint`` (made from its name);
  ``LiveState.pipeline_ids[live_key]`` and ``stage_ids[(live_key, code)]`` give the ids. A stage
  op with ``live_key=None`` belongs to a pipeline created by the same plan (``new_pipeline``).
- A field op's key is the blueprint code; the portal's FIELD_NAME is ``UF_CRM_<code>``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from b24provision.blueprint.model import (
    AppRobot,
    DealField,
    Pipeline,
    Robot,
    Stage,
    Trigger,
)
from b24provision.robots.keys import robot_key, robot_name
from b24provision.robots.kinds import kind_of

Action = Literal["create", "update", "delete", "replace", "manual", "needs_app"]
Kind = Literal["pipeline", "stage", "field", "app_robot", "trigger", "robot"]
Change = tuple[str, Any, Any]
"""One changed attribute: (attribute, before, after); before is None for a create."""


class _Op(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ACTION: ClassVar[Action]
    KIND: ClassVar[Kind]

    changes: tuple[Change, ...] = ()
    """What changes, attribute by attribute (for a replace: why it is one)."""
    source: str = ""
    """Where the blueprint asks for this: "file:line:col", or "" when unknown."""

    @property
    def action(self) -> Action:
        return self.ACTION

    @property
    def kind(self) -> Kind:
        return self.KIND

    @property
    def destructive(self) -> bool:
        """True when carrying the op out loses data: a delete that destroys nothing is not.

        What a delete destroys is counted on the portal (deals in a stage or pipeline, deals with a
        value in a field, deals using an enumeration item) and recorded on the op; at apply time the
        counts are taken again from the live read (``plan/safety.py``), never from a saved file."""
        return False


# ------------------------------------------------------------------------------------- pipelines


class CreatePipelineOp(_Op):
    """Create a pipeline. The portal adds its own default stages to a new pipeline (reference §5.1):
    apply keeps those whose code the blueprint lists (updating them) and removes the others; the
    blueprint's stages follow as CreateStageOps with ``new_pipeline=True``."""

    ACTION = "create"
    KIND = "pipeline"
    op: Literal["CreatePipelineOp"] = "CreatePipelineOp"
    pipeline: Pipeline

    @property
    def key(self) -> str:
        return self.pipeline.key


class UpdatePipelineOp(_Op):
    """Rename or re-sort a pipeline; ``changes`` says which (a rename via previous_names included)."""

    ACTION = "update"
    KIND = "pipeline"
    op: Literal["UpdatePipelineOp"] = "UpdatePipelineOp"
    pipeline: Pipeline
    live_key: str
    live_name: str
    """The pipeline's name on the portal now (before a rename)."""

    @property
    def key(self) -> str:
        return self.pipeline.key


class DeletePipelineOp(_Op):
    """Delete a pipeline named in ``removed:``; the portal deletes its stages with it."""

    ACTION = "delete"
    KIND = "pipeline"
    op: Literal["DeletePipelineOp"] = "DeletePipelineOp"
    live_key: str
    name: str
    stages: tuple[str, ...] = ()
    """Codes of the stages that go with it."""
    blocked_by_deals: int = 0
    """Deals in the pipeline; apply refuses its delete while it holds any."""

    @property
    def key(self) -> str:
        return self.live_key

    @property
    def destructive(self) -> bool:
        return self.blocked_by_deals > 0


# ---------------------------------------------------------------------------------------- stages


class _StageOp(_Op):
    pipeline_key: str
    """The blueprint's key of the pipeline."""
    pipeline_name: str
    live_key: str | None
    """The portal pipeline's key in LiveState; None when the pipeline is created by this plan."""


class CreateStageOp(_StageOp):
    """Create a stage in a pipeline (an existing one, or one this plan creates)."""

    ACTION = "create"
    KIND = "stage"
    op: Literal["CreateStageOp"] = "CreateStageOp"
    stage: Stage
    sort: int
    """The effective sort (the stage's own, or 10 times its position)."""
    new_pipeline: bool = False
    """The pipeline is created earlier in the same apply (see CreatePipelineOp about its default stages)."""

    @property
    def key(self) -> str:
        return f"{self.pipeline_key}/{self.stage.code}"


class UpdateStageOp(_StageOp):
    """Change a stage's name, sort or colour (``changes`` says which)."""

    ACTION = "update"
    KIND = "stage"
    op: Literal["UpdateStageOp"] = "UpdateStageOp"
    stage: Stage
    sort: int

    @property
    def key(self) -> str:
        return f"{self.pipeline_key}/{self.stage.code}"


class ReplaceStageOp(_StageOp):
    """Delete a stage and create it again: its semantics (process/success/failure) cannot be updated."""

    ACTION = "replace"
    KIND = "stage"
    op: Literal["ReplaceStageOp"] = "ReplaceStageOp"
    stage: Stage
    sort: int
    blocked_by_deals: int = 0
    """Deals in the stage; apply refuses to replace it while it holds any."""
    system: bool = False
    """The portal marks the stage SYSTEM=Y: deleting it needs FORCED=Y."""

    @property
    def key(self) -> str:
        return f"{self.pipeline_key}/{self.stage.code}"

    @property
    def destructive(self) -> bool:
        return self.blocked_by_deals > 0


class DeleteStageOp(_StageOp):
    """Delete a stage of a declared pipeline that the blueprint no longer lists."""

    ACTION = "delete"
    KIND = "stage"
    op: Literal["DeleteStageOp"] = "DeleteStageOp"
    code: str
    name: str
    blocked_by_deals: int = 0
    """Deals in the stage; apply refuses to delete it while it holds any."""
    system: bool = False

    @property
    def key(self) -> str:
        return f"{self.pipeline_key}/{self.code}"

    @property
    def destructive(self) -> bool:
        return self.blocked_by_deals > 0


# ---------------------------------------------------------------------------------------- fields


class CreateFieldOp(_Op):
    ACTION = "create"
    KIND = "field"
    op: Literal["CreateFieldOp"] = "CreateFieldOp"
    field: DealField

    @property
    def key(self) -> str:
        return self.field.code


class UpdateFieldOp(_Op):
    """Change a field's updatable attributes; enumeration items are added, changed or removed by xml_id."""

    ACTION = "update"
    KIND = "field"
    op: Literal["UpdateFieldOp"] = "UpdateFieldOp"
    field: DealField
    items_added: tuple[str, ...] = ()
    items_changed: tuple[str, ...] = ()
    items_removed: tuple[str, ...] = ()
    """xml_ids of enumeration items to delete: deals lose that value."""
    items_in_use: tuple[tuple[str, int], ...] = ()
    """(removed item, deals using it) for every removed item that deals use (UNCOUNTED: may use)."""
    item_keys: tuple[tuple[str, str], ...] = ()
    """(blueprint xml_id, the portal item's key) for items matched by their text, not their XML_ID:
    the portal returned none (the core's REST proxy omits it, reference §13.1) or another one."""

    @property
    def key(self) -> str:
        return self.field.code

    @property
    def destructive(self) -> bool:
        return any(deals for _, deals in self.items_in_use)


class ReplaceFieldOp(_Op):
    """Delete a field and create it again: the API ignores changes of type and multiple (reference §7.4)."""

    ACTION = "replace"
    KIND = "field"
    op: Literal["ReplaceFieldOp"] = "ReplaceFieldOp"
    field: DealField
    deals_with_value: int = 0
    """Deals holding a value in the field now: they lose it."""

    @property
    def key(self) -> str:
        return self.field.code

    @property
    def destructive(self) -> bool:
        return self.deals_with_value > 0


class DeleteFieldOp(_Op):
    """Delete a field named in ``removed:``; every deal loses its value."""

    ACTION = "delete"
    KIND = "field"
    op: Literal["DeleteFieldOp"] = "DeleteFieldOp"
    code: str
    label: str = ""
    deals_with_value: int = 0
    """Deals holding a value in the field: they lose it."""

    @property
    def key(self) -> str:
        return self.code

    @property
    def destructive(self) -> bool:
        return self.deals_with_value > 0


# ---------------------------------------------------------------------- app robot types, triggers


class CreateAppRobotOp(_Op):
    ACTION = "create"
    KIND = "app_robot"
    op: Literal["CreateAppRobotOp"] = "CreateAppRobotOp"
    robot: AppRobot

    @property
    def key(self) -> str:
        return self.robot.code


class UpdateAppRobotOp(_Op):
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


class DeleteAppRobotOp(_Op):
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


class CreateTriggerOp(_Op):
    ACTION = "create"
    KIND = "trigger"
    op: Literal["CreateTriggerOp"] = "CreateTriggerOp"
    trigger: Trigger

    @property
    def key(self) -> str:
        return self.trigger.code


class UpdateTriggerOp(_Op):
    """Rename a trigger; carried out as crm.automation.trigger.add with the same code (reference §8.5)."""

    ACTION = "update"
    KIND = "trigger"
    op: Literal["UpdateTriggerOp"] = "UpdateTriggerOp"
    trigger: Trigger

    @property
    def key(self) -> str:
        return self.trigger.code


class DeleteTriggerOp(_Op):
    ACTION = "delete"
    KIND = "trigger"
    op: Literal["DeleteTriggerOp"] = "DeleteTriggerOp"
    code: str
    name: str = ""

    @property
    def key(self) -> str:
        return self.code


class NeedsAppContextOp(_Op):
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


class ManualRobotOp(_Op):
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
        return robot_key(self.pipeline_key, self.stage_code, robot_name(self.robot))

    @property
    def activity(self) -> str:
        """The real activity class behind the robot (what the portal's template stores)."""
        return kind_of(self.robot).activity


AnyOp = (
    CreatePipelineOp
    | UpdatePipelineOp
    | DeletePipelineOp
    | CreateStageOp
    | UpdateStageOp
    | ReplaceStageOp
    | DeleteStageOp
    | CreateFieldOp
    | UpdateFieldOp
    | ReplaceFieldOp
    | DeleteFieldOp
    | CreateAppRobotOp
    | UpdateAppRobotOp
    | DeleteAppRobotOp
    | CreateTriggerOp
    | UpdateTriggerOp
    | DeleteTriggerOp
    | NeedsAppContextOp
    | ManualRobotOp
)
"""Every op there is; ``match`` over it ends in ``assert_never``."""

TaggedOp = Annotated[AnyOp, Field(discriminator="op")]


UNCOUNTED = -1
"""A count the portal could not be asked for: treated as data lost."""


def blocked_by_deals(op: AnyOp) -> int:
    """How many deals stand in the way of the op: it is blocked by data, and apply refuses it even
    with --allow-delete while any do (a stage or pipeline that holds deals)."""
    match op:
        case DeletePipelineOp() | DeleteStageOp() | ReplaceStageOp():
            return op.blocked_by_deals
        case _:
            return 0


def needs_allow_delete(op: AnyOp) -> bool:
    """The op loses data that apply may destroy only with --allow-delete (it is not blocked by data)."""
    return op.destructive and not blocked_by_deals(op)


def data_lost(op: AnyOp) -> str:
    """What carrying the op out destroys, in a few words ("" when nothing)."""
    match op:
        case DeletePipelineOp() | DeleteStageOp() | ReplaceStageOp() if op.blocked_by_deals:
            return f"holds {_deals(op.blocked_by_deals)}"
        case DeleteFieldOp() | ReplaceFieldOp() if op.deals_with_value:
            verb = "holds" if op.deals_with_value == 1 else "hold"
            return f"{_deals(op.deals_with_value)} {verb} a value"
        case UpdateFieldOp() if op.destructive:
            return ", ".join(
                f"deals may use item {item} (it could not be counted)"
                if n == UNCOUNTED
                else f"{_deals(n)} {'uses' if n == 1 else 'use'} item {item}"
                for item, n in op.items_in_use
                if n
            )
        case DeleteAppRobotOp():
            return "robots of this type on stages stop working"
        case _:
            return ""


def deals_losing_data(op: AnyOp) -> int:
    """How many deals lose data when the op is carried out (for items: summed over the items)."""
    match op:
        case DeletePipelineOp() | DeleteStageOp() | ReplaceStageOp():
            return op.blocked_by_deals
        case DeleteFieldOp() | ReplaceFieldOp():
            return op.deals_with_value
        case UpdateFieldOp():
            return sum(n for _, n in op.items_in_use if n > 0)
        case _:
            return 0


def _deals(n: int) -> str:
    return f"{n} deal" if n == 1 else f"{n} deals"


# ------------------------------------------------------------------------------------------ plan


class ObjectRef(BaseModel):
    """An object named by kind and natural key, e.g. an unmanaged pipeline on the portal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Kind
    key: str
    note: str = ""
    """A few words for people: the pipeline's name, the field's label or type."""


class ManualFieldStep(BaseModel):
    """A field setting REST cannot make (plan/settable.py): done by hand in the portal, never an op.

    It is listed while the portal differs from the blueprint and is not a change: apply cannot do it,
    and a converged portal keeps ``--detailed-exitcode`` at 0."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    """The field's code."""
    attribute: str
    before: Any = None
    after: Any = None
    text: str
    """What to do, in the portal UI's words."""
    source: str = ""


class Plan(BaseModel):
    """What apply would do, in order, and what it leaves alone. Rendered and applied as is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ops: tuple[TaggedOp, ...] = ()
    """In dependency order (see order.py); manual robot steps last."""
    unmanaged: tuple[ObjectRef, ...] = ()
    """Objects on the portal that the blueprint does not mention: left alone."""
    unchanged: tuple[ObjectRef, ...] = ()
    """Declared objects that already match (shown with ``verbose``)."""
    warnings: tuple[str, ...] = ()
    manual_fields: tuple[ManualFieldStep, ...] = ()
    """Field settings to make by hand (REST cannot set them); not changes."""
    live_fingerprint: str = ""
    """LiveState.fingerprint() of the state the plan was made from; apply refuses a changed portal."""
    portal: str = ""
    """The portal's host (never a secret)."""
    robots_export: str = ""
    """The configuration export the robots were checked against (file and date); "" when none."""

    @property
    def has_changes(self) -> bool:
        """True when apply would do something; robots to set up by hand alone are not changes."""
        return any(op.action != "manual" for op in self.ops)

    def counts(self) -> dict[str, int]:
        """Ops by summary bucket: add, change, delete, replace, manual, needs_app."""
        buckets = {"create": "add", "update": "change", "delete": "delete", "replace": "replace"}
        result = dict.fromkeys(("add", "change", "delete", "replace", "manual", "needs_app"), 0)
        for op in self.ops:
            result[buckets.get(op.action, op.action)] += 1
        return result

    def destructive_ops(self) -> list[AnyOp]:
        """Ops that lose data: those needing --allow-delete and those blocked by data."""
        return [op for op in self.ops if op.destructive]

    def allow_delete_ops(self) -> list[AnyOp]:
        """Ops apply carries out only with --allow-delete (they lose data, nothing blocks them)."""
        return [op for op in self.ops if needs_allow_delete(op)]

    def blocked_by_data_ops(self) -> list[AnyOp]:
        """Ops apply refuses even with --allow-delete: a stage or pipeline that holds deals."""
        return [op for op in self.ops if blocked_by_deals(op)]

    def needs_app_ops(self) -> list[NeedsAppContextOp]:
        """What only an OAuth application can read or write: apply refuses the plan while any are left."""
        return [op for op in self.ops if isinstance(op, NeedsAppContextOp)]

    def manual_ops(self) -> list[ManualRobotOp]:
        return [op for op in self.ops if isinstance(op, ManualRobotOp)]
