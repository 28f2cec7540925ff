"""The batches apply sends, as plain values: ``plan + live -> list[Batch]`` with no I/O.

A :class:`Batch` is one batch request: its steps in order, each step the ops it carries out and the
REST commands that do it (a step's commands stay in one batch, so a ``$result`` reference between
them works). Writes go in three phases, each as few batches as the 50-command limit allows:

A. fields, application robot types and triggers, pipelines (a new pipeline's default stages are
   read in the same request through a ``$result`` reference);
B. stages: deletes, then updates, then creates, so sorts have moved before a new stage arrives (the
   portal refuses a process stage sorted after the success stage); the stages of a pipeline this
   apply created are reconciled against the default stages the portal gave it;
C. pipeline deletes, then field, app robot type and trigger deletes: last, so a failed apply has
   deleted nothing it need not have.

The engine (``engine.py``) builds one phase at a time with :func:`phase_batches`, on the ids it
knows by then (a pipeline created in phase A has its id in phase B). :func:`plan_batches` builds all
three phases at once for ``plan --explain``, before anything exists: an id only the apply will learn
is shown as the ``$result[...]`` reference to the command that makes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, assert_never, cast

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
)
from b24provision.plan.order import level_of
from b24provision.portal.client import Command
from b24provision.portal.mapping import semantics_to_rest
from b24provision.portal.write import Ids, commands_for, reconcile_new
from b24provision.state.live import LiveState

BATCH_LIMIT = 50
Phase = Literal["A", "B", "C"]
PHASES: tuple[Phase, ...] = ("A", "B", "C")
BatchPhase = Phase | Literal["types", "relations", "type deletes"]
"""A batch's place in an apply: the engine's phases, or a smart process's own writes (apply/smart.py)."""
Rows = list[Mapping[str, Any]]
"""Stages as REST rows (STATUS_ID, ID, SEMANTICS, SYSTEM)."""


@dataclass(frozen=True)
class Step:
    """Ops and the commands that carry them out; a step's commands go in one batch (or, for a very
    large reconcile, in consecutive batches whose last one carries the ops)."""

    ops: tuple[AnyOp, ...]
    commands: tuple[Command, ...]


@dataclass(frozen=True)
class Batch:
    """One batch request of an apply: its steps, run in order, halting at the first error."""

    phase: BatchPhase
    steps: tuple[Step, ...]

    @property
    def ops(self) -> tuple[AnyOp, ...]:
        return tuple(op for step in self.steps for op in step.ops)

    @property
    def commands(self) -> tuple[Command, ...]:
        return tuple(c for step in self.steps for c in step.commands)

    @property
    def creates_pipelines(self) -> tuple[CreatePipelineOp, ...]:
        """The pipelines this batch creates: the engine reads the pipeline list again before it."""
        return tuple(op for op in self.ops if isinstance(op, CreatePipelineOp))


def phase_of(op: AnyOp) -> Phase | None:
    """The phase an op is written in, or None for an op apply does not carry out."""
    level = level_of(op)
    if level is None:
        return None
    return "A" if level <= 1 else "B" if level <= 4 else "C"


def pipeline_keys(plan: Plan) -> dict[str, str]:
    """Live pipeline key -> blueprint key, for the pipelines the plan touches under another key."""
    keys: dict[str, str] = {}
    for op in plan.ops:
        match op:
            case UpdatePipelineOp():
                live_key, bp_key = op.live_key, op.pipeline.key
            case CreateStageOp() | UpdateStageOp() | ReplaceStageOp() | DeleteStageOp():
                live_key, bp_key = op.live_key or "", op.pipeline_key
            case (
                CreatePipelineOp()  # made under the blueprint's key
                | DeletePipelineOp()  # gone: nothing is addressed under its key afterwards
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
                | ManualRobotOp()
                | NeedsAppContextOp()
                | CreateSmartProcessOp()
                | UpdateSmartProcessOp()
                | DeleteSmartProcessOp()
                | CreateStatusOp()  # no pipeline
                | UpdateStatusOp()
                | ReplaceStatusOp()
                | DeleteStatusOp()
            ):
                continue
            case _:
                assert_never(op)
        if live_key and bp_key:
            keys[live_key] = bp_key
    return keys


def new_stage_pipelines(ops: Sequence[AnyOp]) -> list[str]:
    """The pipelines (blueprint keys) this apply creates whose stages ``ops`` reconcile."""
    return sorted({op.pipeline_key for op in ops if isinstance(op, CreateStageOp) and op.new_pipeline})


def phase_batches(
    phase: Phase, ops: Sequence[AnyOp], ids: Ids, default_rows: Mapping[str, Rows]
) -> list[Batch]:
    """The batches that carry out ``ops`` (all of ``phase``) with ``ids``; ``default_rows`` are the
    stages each new pipeline has now (the defaults the portal gave it), by blueprint key."""
    steps: list[Step] = []
    new_stage_ops: dict[str, list[CreateStageOp]] = {}
    for n, op in enumerate(ops):
        if isinstance(op, CreateStageOp) and op.new_pipeline:
            new_stage_ops.setdefault(op.pipeline_key, []).append(op)
            continue
        steps.append(Step((op,), tuple(commands_for(op, ids, n))))
    # The stages of a pipeline this apply created: reconciled against its default stages.
    for i, (pipeline_key, stage_ops) in enumerate(sorted(new_stage_ops.items())):
        rows = default_rows.get(pipeline_key, [])
        commands = reconcile_new(pipeline_key, ids.pipelines[pipeline_key], rows, stage_ops, i, ids.entity)
        steps.append(Step(tuple(stage_ops), tuple(commands)))
    if phase == "B":
        steps = _deletes_updates_creates(steps)
    return [Batch(phase, tuple(chunk)) for chunk in _chunks(steps)]


def live_rows(live: LiveState, keys: Mapping[str, str], pipeline_key: str) -> Rows:
    """A pipeline's stages as REST-like rows, from a read (after a recovery, a created pipeline's
    defaults are what the portal holds now)."""
    live_key = next((k for k, v in keys.items() if v == pipeline_key), pipeline_key)
    pipeline = live.blueprint.pipelines_by_key().get(live_key)
    if pipeline is None:
        return []
    return [
        {
            "STATUS_ID": s.code,
            "ID": live.stage_ids[(live_key, s.code)],
            "SEMANTICS": semantics_to_rest(s.semantics),
            "SYSTEM": "Y" if (live_key, s.code) in live.system_stages else "N",
        }
        for s in pipeline.stages
    ]


def plan_batches(plan: Plan, live: LiveState) -> list[Batch]:
    """Every batch an apply of ``plan`` on the portal read as ``live`` would send, if nothing fails.

    A pipeline this apply creates has no id yet: its commands in later phases carry the reference
    ``$result[opN][category][id]`` to the phase-A command that makes it, and its stages are shown
    against no default stages (the apply matches those to the blueprint when the portal names them).
    """
    # The engine's batches but a smart process's: those depend on ids its type's read gives
    # (apply/smart.py; apply/plan_requests.py shows them).
    ops = [op for op in plan.ops if not is_smart_entity(op.entity)]
    return engine_batches(ops, Ids.of(live, pipeline_keys(plan)))


def engine_batches(ops: Sequence[AnyOp], ids: Ids) -> list[Batch]:
    """The batches one engine run sends for ``ops`` with ``ids``, phase by phase, if nothing fails
    (``plan_batches``: an id a phase-A command makes is shown as its ``$result`` reference)."""
    ops = [op for op in ops if phase_of(op) is not None]
    out: list[Batch] = []
    for phase in PHASES:
        batches = phase_batches(phase, [op for op in ops if phase_of(op) == phase], ids, {})
        for step in (s for b in batches for s in b.steps):
            for op in step.ops:
                if isinstance(op, CreatePipelineOp):
                    # Shown, never sent: the mapping functions take a reference where an id goes.
                    reference = f"$result[{step.commands[0].key}][category][id]"
                    ids.pipelines[op.pipeline.key] = cast(int, reference)
        out += batches
    return out


def _deletes_updates_creates(steps: list[Step]) -> list[Step]:
    """Stage steps in the order the portal needs: deletes, updates (sorts move first), replaces and
    creates, reconciles last. Replaces and creates add stages: in-progress ones first, then the
    success stage, then failure stages, as a strict portal takes them (a failure stage added before
    the success stage is refused there, reference §13.7); the order is otherwise kept."""

    semantic_rank = {"process": 0, "success": 1, "failure": 2}

    def rank(step: Step) -> tuple[int, int]:
        op = step.ops[0]
        match op:
            case DeleteStageOp() | DeleteStatusOp():
                return (0, 0)
            case UpdateStageOp() | UpdateStatusOp():
                return (1, 0)
            case ReplaceStageOp():
                return (2, semantic_rank[op.stage.semantics])
            case ReplaceStatusOp() | CreateStatusOp():
                return (2, semantic_rank[op.status.semantics])
            case CreateStageOp():
                return (3, 0) if op.new_pipeline else (2, semantic_rank[op.stage.semantics])
            case (
                CreatePipelineOp()
                | UpdatePipelineOp()
                | DeletePipelineOp()
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
                | ManualRobotOp()
                | NeedsAppContextOp()
                | CreateSmartProcessOp()
                | UpdateSmartProcessOp()
                | DeleteSmartProcessOp()
            ):
                return (3, 0)  # not a stage op: never in phase B
            case _:
                assert_never(op)

    return sorted(steps, key=rank)


def _chunks(steps: list[Step]) -> list[list[Step]]:
    """Steps packed into batches of at most 50 commands; a step's commands stay together
    (a $result reference only works inside one batch). A step larger than 50 is split."""
    chunks: list[list[Step]] = [[]]
    size = 0
    for step in steps:
        commands = step.commands
        if len(commands) > BATCH_LIMIT:
            # Only a reconcile of a very large new pipeline gets here: its commands are ordered and
            # independent of each other, so they may span batches.
            for i in range(0, len(commands), BATCH_LIMIT):
                last = i + BATCH_LIMIT >= len(commands)
                chunks.append([Step(step.ops if last else (), commands[i : i + BATCH_LIMIT])])
            chunks.append([])
            size = 0
            continue
        if size + len(commands) > BATCH_LIMIT:
            chunks.append([])
            size = 0
        chunks[-1].append(step)
        size += len(commands)
    return [c for c in chunks if c]
