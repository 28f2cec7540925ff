"""After a write whose outcome is unknown: what the portal, read again, shows is already done.

A timeout, a dropped connection or a damaged answer leaves a write that may or may not have happened;
it is never sent again blindly. The engine reads the portal again and asks, per op still pending,
:func:`already_done`: a create whose object exists, a delete whose object is gone, a replace whose
object has the new shape. That question is answered for every op type (``assert_never``): a new
op type cannot be re-sent by default after an unknown outcome.

A live key is made from a pipeline's name, and the apply may have renamed pipelines (the default
one included): after a re-read they are found again by their category id, which never changes
(:func:`pipelines_found_again`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import assert_never

from b24provision.apply.recovery_statuses import status_done
from b24provision.blueprint.smart_model import is_smart_entity
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
from b24provision.state.live import LiveState


@dataclass(frozen=True)
class Found:
    """The pipelines of a fresh read under the blueprint's keys."""

    keys: dict[str, str]
    """Live pipeline key -> blueprint key."""
    bp_of_category: dict[int, str]
    """Category id -> blueprint key, for every pipeline the apply touches or made."""


def pipelines_found_again(
    live: LiveState, bp_of_category: Mapping[int, str], new_pipelines: Mapping[str, str]
) -> Found:
    """The blueprint key of each pipeline in ``live``: by category id where it is known, and by
    name for a pipeline this apply created (``new_pipelines``: blueprint key -> name) whose id the
    lost answer did not tell."""
    ids = live.pipeline_ids
    by_category = dict(bp_of_category)
    keys = {k: by_category[c] for k, c in ids.items() if c in by_category}
    names = {p.name: p.key for p in live.blueprint.pipelines if not p.default}
    for bp_key, name in new_pipelines.items():
        if name in names and bp_key not in keys.values():
            keys[names[name]] = bp_key
            by_category[ids[names[name]]] = bp_key
    return Found(keys, by_category)


def already_done(op: AnyOp, live: LiveState, keys: Mapping[str, str], initial_ids: Mapping[str, int]) -> bool:
    """Whether ``live`` (read after an unknown outcome) shows ``op`` carried out, so it must not be
    sent again. ``keys`` maps live pipeline keys to the blueprint's; ``initial_ids`` are the category
    ids by live key as read before the first write (a deleted pipeline is known by its id)."""
    bp_to_live = {v: k for k, v in keys.items()}
    match op:
        case CreateFieldOp() | ReplaceFieldOp() | DeleteFieldOp():
            # A smart process's engine holds its state in the deal's shape (apply/smart.py).
            fields = live.fields_of("deal" if is_smart_entity(op.entity) else op.entity).fields_by_code()
        case _:
            fields = {}
    match op:
        case CreateFieldOp():
            return op.field.code in fields
        case ReplaceFieldOp():
            have = fields.get(op.field.code)
            return (
                have is not None
                and have.model_dump().get("type") == op.field.type
                and (have.multiple == op.field.multiple)
            )
        case DeleteFieldOp():
            return op.code not in fields
        case CreatePipelineOp():
            return any(p.name == op.pipeline.name and not p.default for p in live.blueprint.pipelines)
        case DeletePipelineOp():
            return initial_ids.get(op.live_key) not in live.pipeline_ids.values()
        case CreateStageOp():
            if op.new_pipeline:
                return False  # reconciled as a whole against what the pipeline has now
            live_key = bp_to_live.get(op.pipeline_key, op.pipeline_key)
            return (live_key, op.stage.code) in live.stage_ids
        case DeleteStageOp():
            return (bp_to_live.get(op.pipeline_key, op.live_key), op.code) not in live.stage_ids
        case ReplaceStageOp():
            live_key = bp_to_live.get(op.pipeline_key, op.live_key or "")
            pipeline = live.blueprint.pipelines_by_key().get(live_key)
            stage = pipeline.stages_by_code().get(op.stage.code) if pipeline else None
            return stage is not None and stage.semantics == op.stage.semantics
        case CreateAppRobotOp():
            return live.app_robot_codes is not None and op.robot.code in live.app_robot_codes
        case DeleteAppRobotOp():
            return live.app_robot_codes is not None and op.code not in live.app_robot_codes
        case CreateTriggerOp() | UpdateTriggerOp():
            return any(t.code == op.trigger.code and t.name == op.trigger.name for t in live.triggers or ())
        case DeleteTriggerOp():
            return all(t.code != op.code for t in live.triggers or ())
        case UpdateFieldOp() | UpdatePipelineOp() | UpdateStageOp() | UpdateAppRobotOp():
            return False  # an update sets values: sending it again does no harm
        case CreateStatusOp() | UpdateStatusOp() | ReplaceStatusOp() | DeleteStatusOp():
            return status_done(op, live)
        case ManualRobotOp() | NeedsAppContextOp():
            return True  # nothing is ever sent for these
        case CreateSmartProcessOp() | UpdateSmartProcessOp() | DeleteSmartProcessOp():
            return False  # never in an engine's batches: apply/smart.py finds a type again by its title
        case _:
            assert_never(op)
