"""Operations: the small frozen values a plan is made of, and the Plan that holds them.

An op says one thing that ``apply`` would do to one object, named by its natural key and never by
a portal id: apply reads the portal again and resolves ids itself. Every op has an ``entity`` (the
CRM entity type: today always ``deal``), and its ``key`` is a typed reference that starts with it:

- a pipeline ``deal:sales``, a stage ``deal:sales/NEW``, a robot on a stage
  ``deal:sales/NEW/robot[wait:1 day]`` (pipeline keys are lower case, so they never read as ``field``);
- a custom field ``deal:field/CHILD_DEALS`` (the code without the entity's field prefix);
- an application robot type or trigger by its code alone (``notify_bot``): an application
  registers them for the portal, not for one entity type, so no entity prefix.

``pipeline_ref``, ``stage_ref`` and ``field_ref`` make these keys for anything else that names
an object the way ops do (a plan's unmanaged and unchanged lists). Each op carries what apply needs to carry
it out (the full desired object for a create or update, the natural keys for a delete), the
attributes that change as ``(attribute, before, after)``, and the blueprint location it comes from.

The op classes live in ``ops_pipelines.py``, ``ops_fields.py`` and ``ops_app.py`` (their base and
the reference makers in ``op_base.py``); all are importable from here. The set of ops is closed
(``AnyOp``); code that handles every op uses ``match`` ending in
``assert_never`` so that mypy points at a missing case. Ops are pydantic models so that a saved plan
(``planfile.py``) can write and re-read exactly these values.

Identity on the portal, for apply:

- ``live_key`` is the key the portal's pipeline has in ``LiveState.blueprint`` (made from its name);
  ``LiveState.pipeline_ids[live_key]`` and ``stage_ids[(live_key, code)]`` give the ids. A stage
  op with ``live_key=None`` belongs to a pipeline created by the same plan (``new_pipeline``).
- A field op names the field by its blueprint code; the portal's FIELD_NAME is the code with the
  entity's field prefix (``EntityType.field_name``).
"""

from __future__ import annotations

from typing import Annotated, Any, assert_never

from pydantic import BaseModel, ConfigDict, Field

from b24provision.plan.op_base import (
    UNCOUNTED,
    Action,
    Change,
    Entity,
    Kind,
    OpBase,
    field_ref,
    pipeline_ref,
    stage_ref,
)
from b24provision.plan.ops_app import (
    CreateAppRobotOp,
    CreateTriggerOp,
    DeleteAppRobotOp,
    DeleteTriggerOp,
    ManualRobotOp,
    NeedsAppContextOp,
    UpdateAppRobotOp,
    UpdateTriggerOp,
)
from b24provision.plan.ops_fields import CreateFieldOp, DeleteFieldOp, ReplaceFieldOp, UpdateFieldOp
from b24provision.plan.ops_pipelines import (
    CreatePipelineOp,
    CreateStageOp,
    DeletePipelineOp,
    DeleteStageOp,
    ReplaceStageOp,
    UpdatePipelineOp,
    UpdateStageOp,
)
from b24provision.plan.ops_smart import (
    CreateSmartProcessOp,
    DeleteSmartProcessOp,
    UpdateSmartProcessOp,
    smart_process_ref,
)
from b24provision.plan.ops_statuses import (
    CreateStatusOp,
    DeleteStatusOp,
    ReplaceStatusOp,
    UpdateStatusOp,
    list_item_ref,
    status_ref,
)

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
    | CreateSmartProcessOp
    | UpdateSmartProcessOp
    | DeleteSmartProcessOp
    | CreateStatusOp
    | UpdateStatusOp
    | ReplaceStatusOp
    | DeleteStatusOp
)
"""Every op there is; ``match`` over it ends in ``assert_never``."""

TaggedOp = Annotated[AnyOp, Field(discriminator="op")]


def blocked_by_deals(op: AnyOp) -> int:
    """How many deals stand in the way of the op: it is blocked by data, and apply refuses it even
    with --allow-delete while any do (a stage or pipeline that holds deals).

    A smart process's stage or pipeline that holds items is blocked the same way. Whether the real
    portal refuses its delete while it holds items is UNVERIFIED (the emulator refuses, as for deals,
    docs/reference-entities.md): refusing it up front is safe under both readings, where sending it
    could leave an apply half done when the portal refuses it midway."""
    match op:
        case DeletePipelineOp() | DeleteStageOp() | ReplaceStageOp():
            return op.blocked_by_deals
        case DeleteStatusOp() | ReplaceStatusOp():
            return op.blocked_by_items
        case (
            CreateStatusOp()
            | UpdateStatusOp()
            | CreatePipelineOp()
            | UpdatePipelineOp()
            | CreateStageOp()
            | UpdateStageOp()
            | CreateFieldOp()
            | UpdateFieldOp()
            | ReplaceFieldOp()
            | DeleteFieldOp()
            | CreateAppRobotOp()
            | UpdateAppRobotOp()
            | DeleteAppRobotOp()
            | CreateTriggerOp()
            | UpdateTriggerOp()
            | DeleteTriggerOp()
            | NeedsAppContextOp()
            | ManualRobotOp()
            | CreateSmartProcessOp()
            | UpdateSmartProcessOp()
            | DeleteSmartProcessOp()
        ):
            return 0
        case _:
            assert_never(op)


def needs_allow_delete(op: AnyOp) -> bool:
    """The op loses data that apply may destroy only with --allow-delete (it is not blocked by data)."""
    return op.destructive and not blocked_by_deals(op)


def data_lost(op: AnyOp) -> str:
    """What carrying the op out destroys, in a few words ("" when nothing)."""
    match op:
        case DeletePipelineOp() | DeleteStageOp() | ReplaceStageOp() if op.blocked_by_deals:
            return f"holds {_deals(op.blocked_by_deals, op.entity)}"
        case DeleteStatusOp() | ReplaceStatusOp() if op.blocked_by_items:
            return f"holds {_items(op.blocked_by_items, op.entity)}"
        case DeleteStatusOp() if op.items_using:
            return f"{op.items_using} {'record stores' if op.items_using == 1 else 'records store'} it"
        case DeleteFieldOp() | ReplaceFieldOp() if op.deals_with_value:
            verb = "holds" if op.deals_with_value == 1 else "hold"
            return f"{_deals(op.deals_with_value, op.entity)} {verb} a value"
        case UpdateFieldOp() if op.destructive:
            return ", ".join(
                f"{_deals(2, op.entity).split()[1]} may use item {item} (it could not be counted)"
                if n == UNCOUNTED
                else f"{_deals(n, op.entity)} {'uses' if n == 1 else 'use'} item {item}"
                for item, n in op.items_in_use
                if n
            )
        case DeleteAppRobotOp():
            return "robots of this type on stages stop working"
        case DeleteSmartProcessOp() if op.items:
            held = "items that could not be counted" if op.items == UNCOUNTED else f"{op.items} items"
            return f"holds {held}; the portal refuses to delete a type while it has items: delete them first"
        case _:
            return ""  # the guards above make this match open-ended: every op without a loss


def deals_losing_data(op: AnyOp) -> int:
    """How many deals lose data when the op is carried out (for items: summed over the items)."""
    match op:
        case DeletePipelineOp() | DeleteStageOp() | ReplaceStageOp():
            return op.blocked_by_deals
        case DeleteStatusOp():
            return op.blocked_by_items + op.items_using
        case ReplaceStatusOp():
            return op.blocked_by_items
        case DeleteFieldOp() | ReplaceFieldOp():
            return op.deals_with_value
        case UpdateFieldOp():
            return sum(n for _, n in op.items_in_use if n > 0)
        case (
            CreatePipelineOp()
            | UpdatePipelineOp()
            | CreateStageOp()
            | UpdateStageOp()
            | CreateFieldOp()
            | CreateStatusOp()
            | UpdateStatusOp()
            | CreateAppRobotOp()
            | UpdateAppRobotOp()
            | DeleteAppRobotOp()
            | CreateTriggerOp()
            | UpdateTriggerOp()
            | DeleteTriggerOp()
            | NeedsAppContextOp()
            | ManualRobotOp()
            | CreateSmartProcessOp()
            | UpdateSmartProcessOp()
            | DeleteSmartProcessOp()
        ):
            return 0
        case _:
            assert_never(op)


_NOUNS = {"deal": ("deal", "deals"), "lead": ("lead", "leads"), "contact": ("contact", "contacts"),
          "company": ("company", "companies")}  # fmt: skip
"""The items of each entity type, as a loss names them ("3 contacts hold a value")."""


def _deals(n: int, entity: str = "deal") -> str:
    one, many = _NOUNS.get(entity, ("item", "items"))
    return f"{n} {one}" if n == 1 else f"{n} {many}"


def _items(n: int, entity: str) -> str:
    """``2 leads``: items of the entity type (a lead status holds leads)."""
    return f"{n} {entity}" if n == 1 else f"{n} {entity}s"


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
    entity: Entity = "deal"
    """The entity type the field belongs to."""

    @property
    def name(self) -> str:
        """How plans name the field: its code for the deal's (as always), ``contact:field/INN`` else."""
        return self.code if self.entity == "deal" else field_ref(self.entity, self.code)


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
    scope: tuple[str, ...] = ()
    """The entity types besides the deal and the reference lists the blueprint names: what the
    fingerprint covers of them (``LiveState.fingerprint(scope)``); empty for a deal-only plan."""
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


__all__ = [
    "Action", "AnyOp", "blocked_by_deals", "Change", "CreateAppRobotOp", "CreateFieldOp",
    "CreatePipelineOp", "CreateStageOp", "CreateTriggerOp", "data_lost", "deals_losing_data",
    "DeleteAppRobotOp", "DeleteFieldOp", "DeletePipelineOp", "DeleteStageOp", "DeleteTriggerOp",
    "Entity", "field_ref", "Kind", "ManualFieldStep", "ManualRobotOp", "needs_allow_delete",
    "NeedsAppContextOp", "ObjectRef", "OpBase", "pipeline_ref", "Plan", "ReplaceFieldOp",
    "ReplaceStageOp", "stage_ref", "TaggedOp", "UNCOUNTED", "UpdateAppRobotOp", "UpdateFieldOp",
    "UpdatePipelineOp", "UpdateStageOp", "UpdateTriggerOp", "CreateSmartProcessOp",
    "DeleteSmartProcessOp", "UpdateSmartProcessOp", "smart_process_ref",
    "CreateStatusOp", "UpdateStatusOp", "ReplaceStatusOp", "DeleteStatusOp", "status_ref", "list_item_ref",
]  # fmt: skip
