"""Apply a plan to a portal: safety checks first, then the batches of ``batches.py``, in order.

Before the first write the portal is read (under the portal lock, see ``portal/lock.py``; the caller
takes it) and compared with the plan's fingerprint (a saved plan made against another state of the
portal is refused), and every safety fact is re-taken from that read, never from the plan
(``safety.py``). Right before each batch that creates pipelines their names are read again: the
lock keeps other b24provision runs out, not a person in the portal's UI, and pipeline names are the
one thing the portal does not keep unique.

The engine only executes: it builds each phase's batches on the ids it knows by then
(``batches.phase_batches``), sends them, and marks progress. A write whose outcome is unknown
(timeout, dropped connection) is never resent blindly: the portal is read again, every op already
carried out is dropped (``recovery.already_done``), and the rest goes on — so no pipeline, stage or
field is ever made twice. An error the portal reports stops the apply; the error lists what was
done and what was not, and the next plan shows the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from b24provision.apply.batches import (
    PHASES,
    Batch,
    Phase,
    Rows,
    live_rows,
    new_stage_pipelines,
    phase_batches,
    phase_of,
    pipeline_keys,
)
from b24provision.apply.recovery import already_done, pipelines_found_again
from b24provision.apply.safety import check_against_live, check_safety, read_for_plan, with_counts
from b24provision.apply.smart import apply_smart_processes, with_smart_processes_of_plan
from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.entities.types import DEAL, EntityType
from b24provision.errors import ApplyError, OutcomeUnknown, StalePlanError
from b24provision.interrupt import with_status
from b24provision.plan.ops import AnyOp, CreatePipelineOp, CreateStageOp, Plan
from b24provision.plan.ops_smart import is_type_op
from b24provision.plan.stage_codes import refuse_long_stage_codes
from b24provision.portal.client import PortalClient
from b24provision.portal.write import Ids
from b24provision.state.live import LiveState
from b24provision.state.rest import read_portal
from b24provision.state.scope import ReadScope

MAX_RECOVERIES = 5
Progress = Callable[[int, int, str], None]
"""Called as (ops done, ops in all, what was just done)."""


@dataclass
class ApplyResult:
    """What an apply did."""

    done: list[str] = field(default_factory=list)
    """Ops carried out, as "action kind key"."""
    requests: int = 0
    """HTTP requests this apply sent (reads included)."""
    recoveries: int = 0
    """Times the portal was re-read after a write with an unknown outcome."""
    live: LiveState | None = None
    """The portal as read after the last write."""


def apply_plan(
    plan: Plan,
    client: PortalClient,
    *,
    allow_delete: bool = False,
    live: LiveState | None = None,
    progress: Progress | None = None,
) -> ApplyResult:
    """Carry out ``plan`` on the portal; see the module docstring for the order and the guarantees.

    Args:
        plan: the plan to apply, as made by ``diff`` (or loaded from a saved plan file).
        client: the portal.
        allow_delete: allow deletes and replaces that lose data (deals holding a value in a field,
            using an enumeration item); a stage or pipeline holding deals stays refused. A delete
            that destroys nothing needs no permission.
        live: the state the plan was just made from, to skip the re-read (only for a plan made in
            the same run); a saved plan is always checked against a fresh read.
        progress: called after every batch.

    Raises:
        StalePlanError: the portal changed since the plan was made.
        DestructiveChangeError, PlanError: the plan holds what apply must not do.
        ApplyError: the portal refused a write; nothing after it was attempted.
    """
    check_safety(plan, allow_delete=allow_delete)  # refused anyway: no need to read the portal
    start = client.request_count
    live = read_for_plan(client, plan) if live is None else with_counts(client, live, plan)
    live = with_smart_processes_of_plan(client, live, plan)
    if plan.live_fingerprint and live.fingerprint(plan.scope) != plan.live_fingerprint:
        raise StalePlanError(
            "the portal changed since this plan was made (what it holds no longer matches the plan's "
            "fingerprint) — re-run `b24provision plan` and review the new plan"
        )
    plan = check_against_live(plan, live, allow_delete=allow_delete)
    engine = _Engine(client, plan, live, progress)
    refuse_long_stage_codes(plan, live)  # a saved plan too, against the portal as read now
    engine.run()
    engine.done_labels += apply_smart_processes(client, plan, live, progress, _Engine)
    return ApplyResult(
        done=engine.done_labels,
        requests=client.request_count - start,
        recoveries=engine.recoveries,
        live=engine.live,
    )


# ----------------------------------------------------------------------------------- the engine


def _label(op: AnyOp) -> str:
    return f"{op.action} {op.kind} {op.key}"


class _Engine:
    """Carries out the plan's ops but a smart process's (``entity_key`` ""), or one smart process's
    (``entity_key`` its key, ``entity`` its descriptor, ``type_id`` its crm.type id, and ``reread``,
    how its state is read again after an unknown outcome)."""

    def __init__(
        self,
        client: PortalClient,
        plan: Plan,
        live: LiveState,
        progress: Progress | None,
        *,
        entity: EntityType = DEAL,
        entity_key: str = "",
        type_id: int | None = None,
        reread: Callable[[], LiveState] | None = None,
    ) -> None:
        self.client = client
        self.live = live
        self.progress = progress
        self.entity, self.type_id = entity, type_id
        self.reread = reread or (lambda: read_portal(client, self.scope))
        self.pending: list[AnyOp] = [
            op
            for op in plan.ops
            if phase_of(op) is not None
            and (op.entity == entity_key if entity_key else not is_smart_entity(op.entity))
            and not is_type_op(op)
        ]
        self.total = len(self.pending)
        self.done_labels: list[str] = []
        self.recoveries = 0
        # The default stages of each pipeline this apply created, as the portal returned them.
        self.default_rows: dict[str, Rows] = {}
        # Live pipeline key -> blueprint key, so ids resolve under the keys the plan uses.
        self.keys = pipeline_keys(plan)
        self.new_pipelines = {
            op.pipeline.key: op.pipeline.name for op in plan.ops if isinstance(op, CreatePipelineOp)
        }
        # A live key is made from a pipeline's name, and this apply may rename pipelines (the default
        # one included): after a re-read they are found again by their category id, which never changes.
        self.initial_ids = dict(live.pipeline_ids)
        self.bp_of_category = {self.initial_ids[k]: v for k, v in self.keys.items() if k in self.initial_ids}
        self.scope = ReadScope.of_plan(plan)  # a re-read covers the entity types the plan touches

    def run(self) -> None:
        try:
            self._run()
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (b24provision.interrupt): say where it stopped
            raise with_status(
                exc,
                f"{self._status()}; a write in flight may or may not have happened — "
                "run `b24provision plan` to see what is left",
            ) from None

    def _run(self) -> None:
        while True:
            try:
                for phase in PHASES:
                    self._run_phase(phase)
                return
            except OutcomeUnknown as exc:
                self.recoveries += 1
                if self.recoveries > MAX_RECOVERIES:
                    raise ApplyError(
                        f"{exc.message}; gave up after {MAX_RECOVERIES} re-reads — "
                        f"{self._status()}; run `b24provision plan` to see what is left"
                    ) from None
                if self.progress:
                    why = f" ({exc.reason})" if exc.reason else ""
                    self.progress(
                        len(self.done_labels),
                        self.total,
                        f"{exc.method or 'a write'}: no usable answer{why}; re-reading the portal to see "
                        "what it did (nothing is sent twice)",
                    )
                self._recover()

    # -- phases

    def _run_phase(self, phase: Phase) -> None:
        ops = [op for op in self.pending if phase_of(op) == phase]
        if not ops:
            return
        ids = replace(Ids.of(self.live, self.keys), entity=self.entity, type_id=self.type_id)
        missing = next(
            (op for op in ops if isinstance(op, CreateStageOp) and op.pipeline_key not in ids.pipelines), None
        )
        if missing is not None:
            raise ApplyError(f"pipeline {missing.pipeline_key} was not found on the portal; {self._status()}")
        rows = {
            key: self.default_rows.get(key) or live_rows(self.live, self.keys, key)
            for key in new_stage_pipelines(ops)
        }
        for batch in phase_batches(phase, ops, ids, rows):
            self._send(batch)

    def _send(self, batch: Batch) -> None:
        commands = batch.commands
        if not commands:
            self._mark_done(batch.ops)
            return
        if batch.creates_pipelines:
            self._recheck_pipeline_names(batch.creates_pipelines)
        reply = self.client.batch(commands, halt=True)
        for step in batch.steps:
            cmds = step.commands
            failed = next((reply.errors[c.key] for c in cmds if c.key in reply.errors), None)
            if failed is not None:
                raise ApplyError(
                    f"{failed.message} — while trying to {', '.join(_label(o) for o in step.ops)}; "
                    f"{self._status()}; fix the cause, then run `b24provision plan` to see what is left"
                ) from None
            if not all(c.key in reply.results for c in cmds):
                break  # halted before these: the error is reported above
            for op in step.ops:
                if isinstance(op, CreatePipelineOp):
                    cmd = cmds[0]
                    category = int(_dig(reply.results[cmd.key], "category", "id"))
                    self.live = _with_pipeline(self.live, op.pipeline.key, category)
                    self.keys[op.pipeline.key] = op.pipeline.key
                    self.bp_of_category[category] = op.pipeline.key
                    stages = reply.results.get(f"{cmd.key}_stages")
                    self.default_rows[op.pipeline.key] = list(stages) if isinstance(stages, list) else []
            self._mark_done(step.ops)

    def _recheck_pipeline_names(self, creates: Sequence[CreatePipelineOp]) -> None:
        """Refuse to create a pipeline whose name a pipeline made since the read already has.

        Fields and stages cannot be made twice (the portal keeps their codes unique and refuses a
        second add); pipeline names are not unique. The portal lock keeps other b24provision runs out,
        but not a person in the portal's UI, so the pipeline list is read again (one request) right
        before each batch that creates pipelines. Pipelines are told apart by id, which a rename keeps.
        """
        rows = self.client.call_all("crm.category.list", self.entity.type_param, key="categories")
        known = set(self.live.pipeline_ids.values())
        appeared = {
            str(r.get("name")) for r in rows if isinstance(r, Mapping) and int(r.get("id", 0)) not in known
        }
        taken = [op.pipeline.name for op in creates if op.pipeline.name in appeared]
        if taken:
            names = ", ".join(repr(name) for name in taken)
            raise StalePlanError(
                f"a pipeline named {names} appeared on the portal since it was read (made by hand "
                f"meanwhile?): not creating a second one; {self._status()}; run `b24provision plan` to "
                "see the portal as it is now"
            )

    def _mark_done(self, ops: Sequence[AnyOp]) -> None:
        for op in ops:
            if op in self.pending:
                self.pending.remove(op)
                self.done_labels.append(_label(op))
                if self.progress:
                    self.progress(len(self.done_labels), self.total, _label(op))

    def _status(self) -> str:
        done = ", ".join(self.done_labels) or "nothing"
        left = ", ".join(_label(op) for op in self.pending) or "nothing"
        return f"done: {done}; not done: {left}"

    def _recover(self) -> None:
        """Read the portal again after an unknown outcome; drop every op it shows carried out."""
        self.live = self.reread()
        self.default_rows = {}
        found = pipelines_found_again(self.live, self.bp_of_category, self.new_pipelines)
        self.keys, self.bp_of_category = found.keys, found.bp_of_category
        # What the write with the unknown outcome did is done: counted and shown like any other op.
        self._mark_done(
            [op for op in self.pending if already_done(op, self.live, self.keys, self.initial_ids)]
        )


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value[key] if isinstance(value, Mapping) else value
    return value


def _with_pipeline(live: LiveState, key: str, category: int) -> LiveState:
    ids = dict(live.pipeline_ids)
    ids[key] = category
    return replace(live, pipeline_ids=ids)
