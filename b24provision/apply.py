"""Apply a plan to a portal: safety checks first, then batched writes in dependency order.

Before the first write the portal is read (under the portal lock, see ``portal/lock.py``; the caller
takes it) and compared with the plan's fingerprint (a saved plan made against another state of the
portal is refused), and every safety fact is re-taken from that read, never from the plan
(``plan/safety.py``): what needs an application context is refused, a delete or replace that loses
data (deals holding a value, using an item) needs ``allow_delete``, a stage or pipeline that holds
deals is refused even then, and one that destroys nothing is an ordinary change. A plan whose facts
differ from the portal's was edited and is refused. Right before each batch that creates pipelines
their names are read again: the lock keeps other b24provision runs out, not a person in the portal's
UI, and pipeline names are the one thing the portal does not keep unique.

Writes go in three phases, each as few batch requests as the 50-command limit allows, every batch
running its commands in order and halting at the first error:

A. fields, application robot types and triggers, pipelines (a new pipeline's default stages are
   read in the same request through a ``$result`` reference);
B. stages: deletes, then updates, then creates — so sorts have moved before a new stage arrives
   (the portal refuses a process stage sorted after the success stage);
C. pipeline deletes, then field, app robot type and trigger deletes: last, so a failed apply has
   deleted nothing it need not have.

A write whose outcome is unknown (timeout, dropped connection) is never resent blindly: the portal
is read again, every op already carried out is dropped (a create whose object exists, a delete whose
object is gone), and the rest goes on — so no pipeline, stage or field is ever made twice. An error
the portal reports stops the apply; the error lists what was done and what was not, and the next
plan shows the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from b24provision.entities.types import DEAL
from b24provision.errors import ApplyError, DestructiveChangeError, OutcomeUnknown, PlanError, StalePlanError
from b24provision.interrupt import with_status
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
    data_lost,
)
from b24provision.plan.order import level_of
from b24provision.plan.safety import live_safety, what_to_count
from b24provision.plan.stage_codes import refuse_long_stage_codes
from b24provision.portal.client import Command, PortalClient
from b24provision.portal.mapping import semantics_to_rest
from b24provision.portal.read import count_losses, read_portal
from b24provision.portal.write import Ids, commands_for, reconcile_new
from b24provision.state import LiveState

BATCH_LIMIT = 50
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


def check_safety(plan: Plan, *, allow_delete: bool) -> None:
    """Refuse what apply must not do, judged on the facts the plan holds: what needs an application,
    deletes blocked by data (a stage or pipeline holding deals), deletes losing data unless allowed.

    Apply calls it again on the facts re-taken from the live portal (:func:`check_against_live`);
    on a saved plan, this first call only refuses early what would be refused anyway."""
    needs_app = plan.needs_app_ops()
    if needs_app:
        _refuse_needs_app([f"{op.target} {op.code}" for op in needs_app])
    blocked = plan.blocked_by_data_ops()
    if blocked:
        what = "; ".join(f"{op.kind} {op.key} {data_lost(op)}" for op in blocked)
        raise PlanError(
            f"refusing to delete what still holds deals: {what} — move those deals to another stage or "
            "pipeline in the portal first, then plan again"
        )
    losing = plan.allow_delete_ops()
    if losing and not allow_delete:
        what = "; ".join(f"{op.action} {op.kind} {op.key} ({data_lost(op)})" for op in losing)
        raise DestructiveChangeError(
            f"the plan loses data: {what} — review it, then re-run apply with --allow-delete"
        )


def _refuse_needs_app(what: Sequence[str]) -> None:
    raise PlanError(
        f"{', '.join(what)}: application robot types and triggers can only be managed with an OAuth "
        "application's credentials (bizproc.robot.* and crm.automation.trigger.* refuse webhooks) — "
        "use a portal profile with application credentials, or take them out of the blueprint"
    )


def check_against_live(plan: Plan, live: LiveState, *, allow_delete: bool) -> Plan:
    """``plan`` with every safety fact re-taken from ``live`` (counted), after refusing what apply must
    not do given those facts. Nothing the plan itself says about safety is trusted: a plan whose
    facts differ from the portal's was edited (the fingerprint already matched) and is refused."""
    facts = live_safety(plan, live)
    if facts.edited:
        raise PlanError(
            f"the plan does not match what the portal holds: {'; '.join(facts.edited)} — the plan file "
            "was edited or damaged; make a new one with `b24provision plan --out FILE` and review it"
        )
    if facts.needs_app:
        _refuse_needs_app(facts.needs_app)
    check_safety(facts.plan, allow_delete=allow_delete)
    return facts.plan


def with_counts(client: PortalClient, live: LiveState, plan: Plan) -> LiveState:
    """``live`` with what the deletes of ``plan`` would destroy (one more request, only for deletes)."""
    query = what_to_count(plan.ops, live)
    return count_losses(client, live, query) if query else live


def read_for_plan(client: PortalClient, plan: Plan | None = None) -> LiveState:
    """The portal as a plan sees it, with what the deletes of ``plan`` would destroy counted."""
    live = read_portal(client)
    return with_counts(client, live, plan) if plan is not None else live


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
    if plan.live_fingerprint and live.fingerprint() != plan.live_fingerprint:
        raise StalePlanError(
            "the portal changed since this plan was made (what it holds no longer matches the plan's "
            "fingerprint) — re-run `b24provision plan` and review the new plan"
        )
    plan = check_against_live(plan, live, allow_delete=allow_delete)
    engine = _Engine(client, plan, live, progress)
    refuse_long_stage_codes(plan, live)  # a saved plan too, against the portal as read now
    engine.run()
    return ApplyResult(
        done=engine.done_labels,
        requests=client.request_count - start,
        recoveries=engine.recoveries,
        live=engine.live,
    )


# ----------------------------------------------------------------------------------- the engine


def _phase(op: AnyOp) -> str | None:
    level = level_of(op)
    if level is None:
        return None
    return "A" if level <= 1 else "B" if level <= 4 else "C"


def _label(op: AnyOp) -> str:
    return f"{op.action} {op.kind} {op.key}"


class _Engine:
    def __init__(self, client: PortalClient, plan: Plan, live: LiveState, progress: Progress | None) -> None:
        self.client = client
        self.live = live
        self.progress = progress
        self.pending: list[AnyOp] = [op for op in plan.ops if _phase(op) is not None]
        self.total = len(self.pending)
        self.done_labels: list[str] = []
        self.recoveries = 0
        # The default stages of each pipeline this apply created, as the portal returned them.
        self.default_rows: dict[str, list[Mapping[str, Any]]] = {}
        # Live pipeline key -> blueprint key, so ids resolve under the keys the plan uses.
        self.keys: dict[str, str] = {}
        for op in plan.ops:
            live_key = getattr(op, "live_key", None)
            bp_key = getattr(op, "pipeline_key", None) or (
                op.pipeline.key if isinstance(op, UpdatePipelineOp) else None
            )
            if live_key and bp_key:
                self.keys[live_key] = bp_key
        self.new_pipelines = {
            op.pipeline.key: op.pipeline.name for op in plan.ops if isinstance(op, CreatePipelineOp)
        }
        # A live key is made from a pipeline's name, and this apply may rename pipelines (the default
        # one included): after a re-read they are found again by their category id, which never changes.
        self.initial_ids = dict(live.pipeline_ids)
        self.bp_of_category = {self.initial_ids[k]: v for k, v in self.keys.items() if k in self.initial_ids}

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
                for phase in ("A", "B", "C"):
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

    def _run_phase(self, phase: str) -> None:
        ops = [op for op in self.pending if _phase(op) == phase]
        if not ops:
            return
        ids = Ids.of(self.live, self.keys)
        groups: list[tuple[list[AnyOp], list[Command]]] = []
        new_stage_ops: dict[str, list[CreateStageOp]] = {}
        for n, op in enumerate(ops):
            if isinstance(op, CreateStageOp) and op.pipeline_key not in ids.pipelines:
                raise ApplyError(f"pipeline {op.pipeline_key} was not found on the portal; {self._status()}")
            if isinstance(op, CreateStageOp) and op.new_pipeline:
                new_stage_ops.setdefault(op.pipeline_key, []).append(op)
                continue
            groups.append(([op], commands_for(op, ids, n)))
        # The stages of a pipeline this apply created: reconciled against its default stages.
        for i, (pipeline_key, stage_ops) in enumerate(sorted(new_stage_ops.items())):
            rows = self.default_rows.get(pipeline_key) or self._live_rows(pipeline_key)
            commands = reconcile_new(pipeline_key, ids.pipelines[pipeline_key], rows, stage_ops, i)
            groups.append((list(stage_ops), commands))
        if phase == "B":
            groups = _deletes_updates_creates(groups)
        for chunk in _chunks(groups):
            self._send(chunk)

    def _send(self, chunk: list[tuple[list[AnyOp], list[Command]]]) -> None:
        commands = [c for _, cmds in chunk for c in cmds]
        if not commands:
            for ops, _ in chunk:
                self._mark_done(ops)
            return
        creates = [op for ops, _ in chunk for op in ops if isinstance(op, CreatePipelineOp)]
        if creates:
            self._recheck_pipeline_names(creates)
        reply = self.client.batch(commands, halt=True)
        for ops, cmds in chunk:
            failed = next((reply.errors[c.key] for c in cmds if c.key in reply.errors), None)
            if failed is not None:
                raise ApplyError(
                    f"{failed.message} — while trying to {', '.join(_label(o) for o in ops)}; "
                    f"{self._status()}; fix the cause, then run `b24provision plan` to see what is left"
                ) from None
            if not all(c.key in reply.results for c in cmds):
                break  # halted before these: the error is reported above
            for op in ops:
                if isinstance(op, CreatePipelineOp):
                    cmd = cmds[0]
                    category = int(_dig(reply.results[cmd.key], "category", "id"))
                    self.live = _with_pipeline(self.live, op.pipeline.key, category)
                    self.keys[op.pipeline.key] = op.pipeline.key
                    self.bp_of_category[category] = op.pipeline.key
                    rows = reply.results.get(f"{cmd.key}_stages")
                    self.default_rows[op.pipeline.key] = list(rows) if isinstance(rows, list) else []
            self._mark_done(ops)

    def _recheck_pipeline_names(self, creates: Sequence[CreatePipelineOp]) -> None:
        """Refuse to create a pipeline whose name a pipeline made since the read already has.

        Fields and stages cannot be made twice (the portal keeps their codes unique and refuses a
        second add); pipeline names are not unique. The portal lock keeps other b24provision runs out,
        but not a person in the portal's UI, so the pipeline list is read again (one request) right
        before each batch that creates pipelines. Pipelines are told apart by id, which a rename keeps.
        """
        rows = self.client.call_all("crm.category.list", DEAL.type_param, key="categories")
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

    # -- recovery after an unknown outcome

    def _recover(self) -> None:
        self.live = read_portal(self.client)
        self.default_rows = {}
        ids = self.live.pipeline_ids
        self.keys = {k: self.bp_of_category[c] for k, c in ids.items() if c in self.bp_of_category}
        names = {p.name: p.key for p in self.live.blueprint.pipelines if not p.default}
        for bp_key, name in self.new_pipelines.items():
            if name in names and bp_key not in self.keys.values():
                self.keys[names[name]] = bp_key
                self.bp_of_category[ids[names[name]]] = bp_key
        # What the write with the unknown outcome did is done: counted and shown like any other op.
        self._mark_done([op for op in self.pending if self._already_done(op)])

    def _already_done(self, op: AnyOp) -> bool:
        live = self.live
        bp_to_live = {v: k for k, v in self.keys.items()}
        fields = live.blueprint.fields_by_code()
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
                return self.initial_ids.get(op.live_key) not in live.pipeline_ids.values()
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
                return any(
                    t.code == op.trigger.code and t.name == op.trigger.name for t in live.triggers or ()
                )
            case DeleteTriggerOp():
                return all(t.code != op.code for t in live.triggers or ())
            case UpdateFieldOp() | UpdatePipelineOp() | UpdateStageOp() | UpdateAppRobotOp():
                return False  # updates are safe to send again
            case ManualRobotOp() | NeedsAppContextOp():
                return True
        return False

    def _live_rows(self, pipeline_key: str) -> list[Mapping[str, Any]]:
        """A created pipeline's stages as REST-like rows, from the last read (after a recovery)."""
        live_key = next((k for k, v in self.keys.items() if v == pipeline_key), pipeline_key)
        pipeline = self.live.blueprint.pipelines_by_key().get(live_key)
        if pipeline is None:
            return []
        return [
            {
                "STATUS_ID": s.code,
                "ID": self.live.stage_ids[(live_key, s.code)],
                "SEMANTICS": semantics_to_rest(s.semantics),
                "SYSTEM": "Y" if (live_key, s.code) in self.live.system_stages else "N",
            }
            for s in pipeline.stages
        ]


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value[key] if isinstance(value, Mapping) else value
    return value


def _with_pipeline(live: LiveState, key: str, category: int) -> LiveState:
    ids = dict(live.pipeline_ids)
    ids[key] = category
    return replace(live, pipeline_ids=ids)


def _deletes_updates_creates(
    groups: list[tuple[list[AnyOp], list[Command]]],
) -> list[tuple[list[AnyOp], list[Command]]]:
    """Stage groups in the order the portal needs: deletes, updates (sorts move first), replaces and
    creates, reconciles last. Replaces and creates add stages: in-progress ones first, then the
    success stage, then failure stages, as a strict portal takes them (a failure stage added before
    the success stage is refused there, reference §13.7); the order is otherwise kept."""

    semantic_rank = {"process": 0, "success": 1, "failure": 2}

    def rank(group: tuple[list[AnyOp], list[Command]]) -> tuple[int, int]:
        op = group[0][0]
        if isinstance(op, DeleteStageOp):
            return (0, 0)
        if isinstance(op, UpdateStageOp):
            return (1, 0)
        if isinstance(op, ReplaceStageOp) or (isinstance(op, CreateStageOp) and not op.new_pipeline):
            return (2, semantic_rank[op.stage.semantics])
        return (3, 0)

    return sorted(groups, key=rank)


def _chunks(
    groups: list[tuple[list[AnyOp], list[Command]]],
) -> list[list[tuple[list[AnyOp], list[Command]]]]:
    """Groups packed into batches of at most 50 commands; a group's commands stay together
    (a $result reference only works inside one batch). A group larger than 50 is split."""
    chunks: list[list[tuple[list[AnyOp], list[Command]]]] = [[]]
    size = 0
    for ops, commands in groups:
        if len(commands) > BATCH_LIMIT:
            # Only a reconcile of a very large new pipeline gets here: its commands are ordered and
            # independent of each other, so they may span batches.
            for i in range(0, len(commands), BATCH_LIMIT):
                part = commands[i : i + BATCH_LIMIT]
                chunks.append([(ops if i + BATCH_LIMIT >= len(commands) else [], part)])
            chunks.append([])
            size = 0
            continue
        if size + len(commands) > BATCH_LIMIT:
            chunks.append([])
            size = 0
        chunks[-1].append((ops, commands))
        size += len(commands)
    return [c for c in chunks if c]
