"""The order ops run in: levels of independent ops, each level after the one before.

Contract for apply:

- ``levels(ops)`` returns the executable ops in levels. Every op depends only on ops in EARLIER
  levels, never on an op of its own level, so a level can go to the portal as one batch (or
  several, 50 calls each) in any order inside it. Apply finishes a level before starting the next.
- The one cross-level reference: a ``CreateStageOp`` with ``new_pipeline=True`` (``live_key`` None)
  belongs to the ``CreatePipelineOp`` with the same pipeline key, two levels earlier; apply uses
  the id that create returned. (Apply may merge the two into one batch with a
  ``$result[...]`` reference, but must then deal with the default stages the portal adds to a new
  pipeline, see CreatePipelineOp.)
- ``ManualRobotOp`` and ``NeedsAppContextOp`` are not executed and are in no level.

The levels, and why:

0. fields (create, update, replace), application robot types and triggers (create, update):
   robots and stages may refer to fields, nothing refers to a pipeline from here;
1. pipelines (create, update): stages need their pipeline;
2. stage deletes: a replaced or moved stage may need its code or sort free;
3. stage updates and replaces: sorts move before new stages arrive, because the portal refuses a
   new stage sorted after the success stage (reference §6);
4. stage creates;
5. pipeline deletes: after every create, so a failed apply has deleted nothing it need not have;
   the portal deletes a pipeline's stages with it, so no stage deletes come before it;
6. field, application robot type and trigger deletes, last for the same reason.
"""

from __future__ import annotations

from typing import assert_never

from b24provision.plan.ops import (
    AnyOp,
    CreateAppRobotOp,
    CreateFieldOp,
    CreatePipelineOp,
    CreateSmartProcessOp,
    CreateStageOp,
    CreateStatusOp,
    CreateTriggerOp,
    DeleteAppRobotOp,
    DeleteFieldOp,
    DeletePipelineOp,
    DeleteSmartProcessOp,
    DeleteStageOp,
    DeleteStatusOp,
    DeleteTriggerOp,
    ManualRobotOp,
    NeedsAppContextOp,
    ReplaceFieldOp,
    ReplaceStageOp,
    ReplaceStatusOp,
    UpdateAppRobotOp,
    UpdateFieldOp,
    UpdatePipelineOp,
    UpdateSmartProcessOp,
    UpdateStageOp,
    UpdateStatusOp,
    UpdateTriggerOp,
)

LEVEL_COUNT = 7


def level_of(op: AnyOp) -> int | None:
    """The level an op runs in, or None for an op that is not executed (manual, blocked)."""
    match op:
        case CreateFieldOp() | UpdateFieldOp() | ReplaceFieldOp():
            return 0
        case CreateAppRobotOp() | UpdateAppRobotOp() | CreateTriggerOp() | UpdateTriggerOp():
            return 0
        case CreatePipelineOp() | UpdatePipelineOp():
            return 1
        case DeleteStageOp() | DeleteStatusOp():
            return 2
        case UpdateStageOp() | ReplaceStageOp() | UpdateStatusOp() | ReplaceStatusOp():
            return 3
        case CreateStageOp() | CreateStatusOp():
            return 4
        case DeletePipelineOp():
            return 5
        case DeleteFieldOp() | DeleteAppRobotOp() | DeleteTriggerOp():
            return 6
        case CreateSmartProcessOp() | UpdateSmartProcessOp():
            return 0  # carried out before its pipelines and fields, by apply/smart.py
        case DeleteSmartProcessOp():
            return 6
        case ManualRobotOp() | NeedsAppContextOp():
            return None
        case _:
            assert_never(op)


def levels(ops: list[AnyOp] | tuple[AnyOp, ...]) -> list[list[AnyOp]]:
    """The executable ops in levels; empty levels are left out, order inside a level is kept."""
    buckets: list[list[AnyOp]] = [[] for _ in range(LEVEL_COUNT)]
    for op in ops:
        level = level_of(op)
        if level is not None:
            buckets[level].append(op)
    return [bucket for bucket in buckets if bucket]


def order(ops: list[AnyOp] | tuple[AnyOp, ...]) -> tuple[AnyOp, ...]:
    """All ops in plan order: what needs an application first, then the levels, then manual steps."""
    blocked = [op for op in ops if isinstance(op, NeedsAppContextOp)]
    manual = [op for op in ops if isinstance(op, ManualRobotOp)]
    return (*blocked, *(op for level in levels(ops) for op in level), *manual)
