"""A plan as JSON for CI tools: stable, versioned, deterministic.

Shape (``format_version`` 3; keys may be added, never renamed or removed within a version)::

    {"format_version": 3, "portal": "...", "live_fingerprint": "...", "operations_digest": "sha256:...",
     "summary": {"add", "change", "delete", "replace", "manual", "needs_app", "needs_allow_delete",
                 "blocked_by_data", "has_changes", "text"},
     "operations": [{"action", "kind", "entity", "key", "before", "after", "changes": [{"attribute", "before",
                     "after"}], "destructive", "needs_allow_delete", "blocked_by_data", "deals",
                     "data_lost", "source", "note"}],
     "unmanaged": [{"kind", "key", "note"}], "warnings": [...],
     "manual_fields": [{"code", "attribute", "before", "after", "text", "source", "entity"}],
     "robots_export": "..." | null}

One name per meaning, as in the text and Markdown plans:

- ``needs_app``: an application robot type or trigger that only an OAuth application can read or
  write (the op's ``action`` is ``needs_app``); apply refuses the plan while any are left;
- ``destructive``: carrying the op out loses data; ``deals`` says how many deals lose it and
  ``data_lost`` says what, in words ("37 deals hold a value"); a delete that destroys nothing is not
  destructive;
- ``needs_allow_delete``: destructive, and apply carries it out only with ``--allow-delete``;
- ``blocked_by_data``: a stage or pipeline that holds deals: apply refuses it even then;
- ``robots_export``: the configuration export (file and date) the robots were checked against
  (``plan --robots-from``); a manual robot's ``after`` then has ``export_status`` (differs/missing)
  and ``export_differences``.

Version 1 had ``summary.blocked`` (meaning ``needs_app``), ``action: "blocked"`` and an op's
``blocked_by_deals`` (now ``deals`` with ``blocked_by_data``). Version 3: ``key`` is a typed reference
that starts with the op's ``entity`` (``deal:sales/NEW``, ``deal:field/CODE``; see plan/ops.py), and
so are the keys of ``unmanaged``.

``operations`` keeps the plan's order (dependency order, then ``manual`` robot steps). ``before`` and
``after`` hold the changed attributes (for a create: the whole new object; for a delete: what goes).
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from b24provision.blueprint.model import dump
from b24provision.plan.digest import operations_digest
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
    Plan,
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
    blocked_by_deals,
    data_lost,
    deals_losing_data,
    needs_allow_delete,
)
from b24provision.plan.render_common import summary

FORMAT_VERSION = 3


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as a JSON-ready dict (see the module docstring for its shape)."""
    counts = plan.counts()
    return {
        "format_version": FORMAT_VERSION,
        "portal": plan.portal,
        "live_fingerprint": plan.live_fingerprint,
        "operations_digest": operations_digest(plan),
        "summary": {
            **counts,
            "needs_allow_delete": len(plan.allow_delete_ops()),
            "blocked_by_data": len(plan.blocked_by_data_ops()),
            "has_changes": plan.has_changes,
            "text": summary(plan),
        },
        "operations": [_operation(op) for op in plan.ops],
        "unmanaged": [{"kind": r.kind, "key": r.key, "note": r.note} for r in plan.unmanaged],
        "warnings": list(plan.warnings),
        "manual_fields": [step.model_dump(mode="json") for step in plan.manual_fields],
        # The configuration export the robots were checked against (plan --robots-from), or null.
        "robots_export": plan.robots_export or None,
    }


def render_json(plan: Plan) -> str:
    """The plan as JSON text, non-ASCII kept, indented by 2."""
    return json.dumps(plan_to_json(plan), ensure_ascii=False, indent=2) + "\n"


def _operation(op: AnyOp) -> dict[str, Any]:
    before, after, note = _states(op)
    return {
        "action": op.action,
        "kind": op.kind,
        "entity": op.entity,
        "key": op.key,
        "before": before,
        "after": after,
        "changes": [{"attribute": a, "before": b, "after": c} for a, b, c in op.changes],
        "destructive": op.destructive,
        "needs_allow_delete": needs_allow_delete(op),
        "blocked_by_data": blocked_by_deals(op) > 0,
        "deals": deals_losing_data(op),
        "data_lost": data_lost(op) or None,
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
        case CreateStatusOp():
            return None, dump(op.status) | {"sort": op.sort}, None
        case UpdateStatusOp():
            before, after = _changed(op)
            return before, after, None
        case ReplaceStatusOp():
            before, after = _changed(op)
            note = "semantics cannot be changed in place: the status is deleted and created again"
            return before, after, note + ("; a system status (deleted with FORCED=Y)" if op.system else "")
        case DeleteStatusOp():
            return {"name": op.name}, None, "a system item (deleted with FORCED=Y)" if op.system else None
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
            if op.export_status:  # checked against the configuration export (plan --robots-from)
                after["export_status"] = op.export_status
                after["export_differences"] = list(op.export_differences)
            return None, after, "set up by hand: REST cannot read or write robots on stages"
        case CreateSmartProcessOp():
            return None, dump(op.smart), None
        case UpdateSmartProcessOp():
            before, after = _changed(op)
            return before, after, None
        case DeleteSmartProcessOp():
            return {"title": op.title, "items": op.items}, None, None
        case _:
            assert_never(op)
