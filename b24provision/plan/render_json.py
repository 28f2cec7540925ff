"""A plan as JSON for CI tools: stable, versioned, deterministic.

Shape (``format_version`` 1; keys may be added, never renamed or removed)::

    {"format_version": 1, "portal": "...", "live_fingerprint": "...",
     "summary": {"add", "change", "delete", "replace", "manual", "blocked", "has_changes", "text"},
     "operations": [{"action", "kind", "key", "before", "after", "changes": [{"attribute", "before",
                     "after"}], "destructive", "blocked_by_deals", "source", "note"}],
     "unmanaged": [{"kind", "key", "note"}], "warnings": [...],
     "manual_fields": [{"code", "attribute", "before", "after", "text", "source"}]}

``operations`` keeps the plan's order (dependency order, then ``manual`` robot steps). ``before`` and
``after`` hold the changed attributes (for a create: the whole new object; for a delete: what goes).
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from b24provision.blueprint.model import dump
from b24provision.plan.ops import (
    AnyOp,
    CreateAppRobotOp,
    CreateFieldOp,
    CreatePipelineOp,
    CreateStageOp,
    CreateTriggerOp,
    DeleteAppRobotOp,
    DeleteFieldOp,
    DeletePipelineOp,
    DeleteStageOp,
    DeleteTriggerOp,
    ManualRobotOp,
    NeedsAppContextOp,
    Plan,
    ReplaceFieldOp,
    ReplaceStageOp,
    UpdateAppRobotOp,
    UpdateFieldOp,
    UpdatePipelineOp,
    UpdateStageOp,
    UpdateTriggerOp,
    blocked_by_deals,
)
from b24provision.plan.render_common import summary

FORMAT_VERSION = 1


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as a JSON-ready dict (see the module docstring for its shape)."""
    counts = plan.counts()
    return {
        "format_version": FORMAT_VERSION,
        "portal": plan.portal,
        "live_fingerprint": plan.live_fingerprint,
        "summary": {**counts, "has_changes": plan.has_changes, "text": summary(plan)},
        "operations": [_operation(op) for op in plan.ops],
        "unmanaged": [{"kind": r.kind, "key": r.key, "note": r.note} for r in plan.unmanaged],
        "warnings": list(plan.warnings),
        "manual_fields": [step.model_dump(mode="json") for step in plan.manual_fields],
    }


def render_json(plan: Plan) -> str:
    """The plan as JSON text, non-ASCII kept, indented by 2."""
    return json.dumps(plan_to_json(plan), ensure_ascii=False, indent=2) + "\n"


def _operation(op: AnyOp) -> dict[str, Any]:
    before, after, note = _states(op)
    return {
        "action": op.action,
        "kind": op.kind,
        "key": op.key,
        "before": before,
        "after": after,
        "changes": [{"attribute": a, "before": b, "after": c} for a, b, c in op.changes],
        "destructive": op.destructive,
        "blocked_by_deals": blocked_by_deals(op),
        "source": op.source,
        "note": note,
    }


def _changed(op: AnyOp) -> tuple[dict[str, Any], dict[str, Any]]:
    return {a: b for a, b, _ in op.changes}, {a: c for a, _, c in op.changes}


def _states(op: AnyOp) -> tuple[Any, Any, str | None]:
    """(before, after, note) of one op."""
    match op:
        case CreatePipelineOp():
            after = dump(op.pipeline)
            del after["stages"]  # each stage is an operation of its own
            return None, after, None
        case CreateStageOp():
            after = dump(op.stage) | {"sort": op.sort}
            del after["robots"]  # each robot is a manual operation of its own
            return None, after, "in a pipeline this plan creates" if op.new_pipeline else None
        case CreateFieldOp():
            return None, dump(op.field), None
        case CreateAppRobotOp():
            return None, dump(op.robot), None
        case CreateTriggerOp():
            return None, dump(op.trigger), None
        case UpdatePipelineOp() | UpdateStageOp() | UpdateFieldOp() | UpdateTriggerOp():
            before, after = _changed(op)
            return before, after, None
        case UpdateAppRobotOp():
            return None, dump(op.robot), None
        case ReplaceStageOp():
            before, after = _changed(op)
            note = "semantics cannot be changed in place: the stage is deleted and created again"
            return before, after, note + ("; a system stage (deleted with FORCED=Y)" if op.system else "")
        case ReplaceFieldOp():
            before, after = _changed(op)
            return (
                before,
                after,
                "type and multiple cannot be changed in place: the field is deleted and created again",
            )
        case DeletePipelineOp():
            return {"name": op.name, "stages": list(op.stages)}, None, None
        case DeleteStageOp():
            return {"name": op.name}, None, "a system stage (deleted with FORCED=Y)" if op.system else None
        case DeleteFieldOp():
            return {"label": op.label}, None, None
        case DeleteAppRobotOp():
            return None, None, None
        case DeleteTriggerOp():
            return {"name": op.name}, None, None
        case NeedsAppContextOp():
            what = "declared" if op.wanted == "present" else "named in removed:"
            return None, None, f"{what}; needs an OAuth application: a webhook cannot read or write it"
        case ManualRobotOp():
            after = {
                "pipeline": op.pipeline_key,
                "stage": op.stage_code,
                "index": op.index,
                "type": op.robot.type,
                "activity": op.activity,
                "title": op.title,
                "settings": [[k, v] for k, v in op.settings],
                "robot": dump(op.robot),
            }
            return None, after, "set up by hand: REST cannot read or write robots on stages"
        case _:
            assert_never(op)
