"""What the text, JSON and Markdown renderings of a plan share: the summary, markers, names, values.

Every rendering names objects by natural key and never by a portal id (a plan holds none).
"""

from __future__ import annotations

import json
from typing import Any, assert_never

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
    needs_allow_delete,
    pipeline_ref,
)

MARKERS = {"create": "+", "update": "~", "delete": "-", "replace": "-+", "manual": "?", "needs_app": "!"}
DATA_LOSS = "DATA LOSS"
"""Flag of an op that loses data: apply needs --allow-delete."""
BLOCKED_BY_DATA = "BLOCKED BY DATA"
"""Flag of a delete of a stage or pipeline that holds deals: apply refuses it."""


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(plan: Plan) -> str:
    """One line: "Plan: 3 to add, 2 to change, ...; 7 robots to set up by hand." or "No changes. ..."."""
    c = plan.counts()
    if not plan.has_changes:
        tail = f" {plural(c['manual'], 'robot')} to check by hand." if c["manual"] else ""
        return f"No changes.{tail}"
    text = f"Plan: {c['add']} to add, {c['change']} to change, {c['delete']} to delete"
    text += f", {c['replace']} to replace"
    losing, blocked = len(plan.allow_delete_ops()), len(plan.blocked_by_data_ops())
    if losing:
        text += f"; {losing} {'loses' if losing == 1 else 'lose'} data (needs --allow-delete)"
    if blocked:
        text += f"; {blocked} blocked by data"
    if c["manual"]:
        text += f"; {plural(c['manual'], 'robot')} to set up by hand"
    if c["needs_app"]:
        text += f"; {c['needs_app']} {'needs' if c['needs_app'] == 1 else 'need'} an OAuth application"
    return text + "."


def value(v: Any) -> str:
    """A value as a plan shows it: strings quoted, None as (none), everything else as JSON."""
    if v is None:
        return "(none)"
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def describe(op: AnyOp) -> str:
    """A few words naming the object beyond its key: its name, label or type."""
    match op:
        case CreatePipelineOp() | UpdatePipelineOp():
            return value(op.pipeline.name)
        case DeletePipelineOp():
            return value(op.name)
        case CreateStageOp() | UpdateStageOp() | ReplaceStageOp():
            extra = (
                f" ({op.stage.semantics})"
                if op.action == "create" and op.stage.semantics != "process"
                else ""
            )
            return value(op.stage.name) + extra
        case DeleteStageOp():
            return value(op.name) + (" (system stage)" if op.system else "")
        case CreateFieldOp() | UpdateFieldOp() | ReplaceFieldOp():
            label = op.field.label
            name = label if isinstance(label, str) else (label or {}).get("en", "")
            parts = [op.field.type] + (["multiple"] if op.field.multiple else [])
            shown = f"{value(name)} " if name else ""
            return f"{shown}({', '.join(parts)})" if op.action == "create" else shown.strip()
        case DeleteFieldOp():
            return value(op.label) if op.label else ""
        case CreateAppRobotOp() | UpdateAppRobotOp():
            title = op.robot.name
            return value(title if isinstance(title, str) else title.get("en", next(iter(title.values()), "")))
        case DeleteAppRobotOp():
            return ""
        case CreateTriggerOp() | UpdateTriggerOp():
            return value(op.trigger.name)
        case DeleteTriggerOp():
            return value(op.name) if op.name else ""
        case CreateStatusOp() | UpdateStatusOp() | ReplaceStatusOp():
            extra = (
                f" ({op.status.semantics})"
                if op.action == "create" and op.status.semantics != "process"
                else ""
            )
            return value(op.status.name) + extra
        case DeleteStatusOp():
            return value(op.name) + (" (system item: deleted with FORCED=Y)" if op.system else "")
        case NeedsAppContextOp():
            return "(declared)" if op.wanted == "present" else "(in removed:)"
        case ManualRobotOp():
            return op.title
        case CreateSmartProcessOp() | UpdateSmartProcessOp():
            return value(op.smart.title)
        case DeleteSmartProcessOp():
            return value(op.title)
        case _:
            assert_never(op)


def flags(op: AnyOp) -> list[str]:
    """Warnings that go with an op: data it loses (needs --allow-delete), or blocked by data."""
    if blocked_by_deals(op):
        return [f"{BLOCKED_BY_DATA}: {data_lost(op)}"]
    if needs_allow_delete(op):
        return [f"{DATA_LOSS}: {data_lost(op)}"]
    return []


def group_of(op: AnyOp) -> str:
    """The pipeline key an op is shown under, or "" for fields, app robot types and triggers; a
    smart process's pipelines go by their reference (``measurement:main``): keys repeat across types."""
    match op:
        case CreatePipelineOp() | UpdatePipelineOp():
            key = op.pipeline.key
        case DeletePipelineOp():
            key = op.live_key
        case CreateStageOp() | UpdateStageOp() | ReplaceStageOp() | DeleteStageOp():
            key = op.pipeline_key
        case _:
            return ""
    return pipeline_ref(op.entity, key) if is_smart_entity(op.entity) else key


def pipeline_title(ops: list[AnyOp], key: str) -> str:
    """The heading of a pipeline's group: its name (as it will be) and key."""
    for op in ops:
        match op:
            case CreatePipelineOp() | UpdatePipelineOp():
                return f"Pipeline {value(op.pipeline.name)} ({key})"
            case DeletePipelineOp():
                return f"Pipeline {value(op.name)} ({key})"
            case CreateStageOp() | UpdateStageOp() | ReplaceStageOp() | DeleteStageOp():
                return f"Pipeline {value(op.pipeline_name)} ({key})"
            case _:
                pass
    return f"Pipeline {key}"


def change_ops(plan: Plan) -> list[AnyOp]:
    """The ops that change the portal (neither manual steps nor what needs an application)."""
    return [op for op in plan.ops if op.action not in ("manual", "needs_app")]


def robot_heading(op: ManualRobotOp) -> str:
    return f"{op.pipeline_name} -> {op.stage_name} -> robot {op.index + 1}: {op.title}"
