"""Apply a plan's smart-process ops: the types first, then each type's pipelines, stages and fields.

Each type's own ops run through the deal's engine (``engine._Engine``) with the type's descriptor,
so batching, the reconcile of a new pipeline's default stages and the recovery after an unknown
outcome are the deal's. What is a type's own is done here: crm.type.add / update in one batch, then
one read of the types (two requests, state/rest_smart.py) that gives a new type its ids and its
default pipeline with the portal's default stages, which its blueprint's default pipeline is
reconciled against. Then the relations (``parents:`` / ``children:``), one crm.type.update each,
now that every type named has its CRM type id. A type or relation write whose outcome is unknown
is never resent blindly: the types are read again and a write the portal shows done is dropped
(``smart_writes.py`` builds the writes and answers what a read shows done).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from b24provision.apply.smart_writes import (
    by_title,
    label,
    relation_commands,
    relations_set,
    smart_groups,
    titles_of,
    type_commands,
    type_done,
    type_writes,
    types_by_key,
)
from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.errors import ApplyError, OutcomeUnknown
from b24provision.plan.ops import (
    AnyOp,
    CreateSmartProcessOp,
    DeleteSmartProcessOp,
    Plan,
)
from b24provision.plan.ops_smart import is_type_op
from b24provision.portal.client import PortalClient
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState
from b24provision.state.rest_smart import smart_descriptor, with_smart_processes

MAX_RECOVERIES = 5


class _EngineLike(Protocol):
    done_labels: list[str]
    keys: dict[str, str]
    bp_of_category: dict[int, str]

    def run(self) -> None: ...


EngineFactory = Callable[..., _EngineLike]


def reads_smart_processes(plan: Plan) -> bool:
    """Whether the plan was made with the portal's smart processes read (its blueprint names some)."""
    return any(is_smart_entity(op.entity) for op in plan.ops) or any(
        ref.kind == "smart_process" for ref in (*plan.unchanged, *plan.unmanaged)
    )


def with_smart_processes_of_plan(client: PortalClient, live: LiveState, plan: Plan) -> LiveState:
    """``live`` read as the plan's was: with the smart processes when it covers any."""
    if not reads_smart_processes(plan) or live.smart_processes_read or live.smart_processes:
        return live
    return with_smart_processes(client, live)


def apply_smart_processes(
    client: PortalClient,
    plan: Plan,
    live: LiveState,
    progress: Callable[[int, int, str], None] | None,
    engine: EngineFactory,
) -> list[str]:
    """Carry out the smart-process ops of ``plan``; what was done, as the engine labels it."""
    groups = smart_groups(plan)
    if not groups:
        return []
    done: list[str] = []
    type_ops = type_writes(groups)
    deletes = [op for op in plan.ops if isinstance(op, DeleteSmartProcessOp)]
    titles = titles_of(plan)
    if type_ops:
        done += _send_type_ops(client, type_ops, live)
        live = _send_relations(client, type_ops, with_smart_processes(client, live), titles)
    for key, ops in groups.items():
        rest = [op for op in ops if not is_type_op(op)]
        if not rest:
            continue
        found = by_title(live.smart_processes, titles.get(key, ""))
        if found is None:
            raise ApplyError(
                f"smart process {key} ({titles.get(key)!r}) was not found on the portal; done: "
                f"{', '.join(done) or 'nothing'} — run `b24provision plan` to see what is left"
            )
        sp = found
        e = smart_descriptor(sp)
        run = engine(
            client,
            Plan(ops=tuple(rest)),
            sp.state,
            progress,
            entity=e,
            entity_key=key,
            type_id=sp.type_id,
            reread=_rereader(client, live, sp.title),
        )
        _map_new_default(run, plan, key, sp)
        run.run()
        done += run.done_labels
    if deletes:  # last, as the deal's deletes: a failed apply has deleted nothing it need not have
        done += _send_type_ops(client, deletes, live)
    return done


def _send_type_ops(client: PortalClient, ops: Sequence[AnyOp], live: LiveState) -> list[str]:
    pending = list(ops)
    done: list[str] = []
    for _ in range(MAX_RECOVERIES):
        try:
            reply = client.batch(type_commands(pending, live), halt=True)
        except OutcomeUnknown:
            live = with_smart_processes(client, live)  # what did the portal do? read, never resend blindly
            pending = [op for op in pending if not type_done(op, live)]
            done += [label(op) for op in ops if op not in pending and label(op) not in done]
            if not pending:
                return done
            continue
        for n, op in enumerate(pending):
            error = reply.errors.get(f"op{n}")
            if error is not None:
                raise ApplyError(
                    f"{error.message} — while trying to {label(op)}; done: {', '.join(done) or 'nothing'}; "
                    "fix the cause, then run `b24provision plan` to see what is left"
                ) from None
            done.append(label(op))
        return done
    raise ApplyError(
        f"gave up after {MAX_RECOVERIES} re-reads of the smart processes; run `b24provision plan`"
    )


def _send_relations(
    client: PortalClient, ops: Sequence[AnyOp], live: LiveState, titles: Mapping[str, str]
) -> LiveState:
    """Set the relations the type ops ask for, now that every type named has its CRM type id; the
    portal as read last.

    A write whose answer is lost may or may not have happened: the types are read again and only the
    relations the portal does not show are sent again (``smart_writes.relations_set``)."""
    pending = relation_commands(ops, types_by_key(live, titles))
    for _ in range(MAX_RECOVERIES):
        if not pending:
            return live
        try:
            reply = client.batch([command for _, command in pending], halt=True)
        except OutcomeUnknown:
            live = with_smart_processes(client, live)  # read the relations back, never resend blindly
            types = types_by_key(live, titles)
            left = [op for op, _ in pending if not relations_set(op, types)]
            pending = [(op, c) for op, c in relation_commands(ops, types) if op in left]
            continue
        for error in reply.errors.values():
            raise ApplyError(
                f"{error.message} — while setting smart process relations; run `b24provision plan`"
            )
        return live
    raise ApplyError(
        f"gave up setting smart process relations after {MAX_RECOVERIES} re-reads; run `b24provision plan`"
    )


def _rereader(client: PortalClient, live: LiveState, title: str) -> Callable[[], LiveState]:
    def reread() -> LiveState:
        found = by_title(with_smart_processes(client, live).smart_processes, title)
        if found is None:
            raise ApplyError(f"smart process {title!r} is gone from the portal; run `b24provision plan`")
        return found.state

    return reread


def _map_new_default(run: _EngineLike, plan: Plan, key: str, sp: SmartProcessLive) -> None:
    """A type this apply created: its blueprint default pipeline is the portal's default one."""
    for op in plan.ops:
        if isinstance(op, CreateSmartProcessOp) and op.entity == key and op.default_pipeline:
            default = sp.state.blueprint.default_pipeline()
            if default is not None:
                # The plan could only name it by the blueprint's key: the portal's key replaces that.
                for stale in [k for k, v in run.keys.items() if v == op.default_pipeline]:
                    del run.keys[stale]
                run.keys[default.key] = op.default_pipeline
                run.bp_of_category[sp.state.pipeline_ids[default.key]] = op.default_pipeline


__all__ = ["apply_smart_processes", "reads_smart_processes", "with_smart_processes_of_plan"]
