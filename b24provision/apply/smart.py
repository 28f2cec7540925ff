"""Apply a plan's smart-process ops: the types first, then each type's pipelines, stages and fields.

Each type's own ops run through the deal's engine (``engine._Engine``) with the type's descriptor,
so batching, the reconcile of a new pipeline's default stages and the recovery after an unknown
outcome are the deal's. What is a type's own is done here: crm.type.add / update in one batch, then
one read of the types (two requests, state/rest_smart.py) that gives a new type its ids and its
default pipeline with the portal's default stages, which its blueprint's default pipeline is
reconciled against. A type write whose outcome is unknown is never resent blindly: the types are
read again and a write the portal shows done is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from b24provision.apply.batches import phase_of
from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.entities.types import TYPE_ID_KEY
from b24provision.errors import ApplyError, OutcomeUnknown
from b24provision.plan.ops import (
    AnyOp,
    CreateSmartProcessOp,
    DeleteSmartProcessOp,
    Plan,
    UpdateSmartProcessOp,
)
from b24provision.plan.ops_smart import is_type_op
from b24provision.portal.client import Command, PortalClient
from b24provision.portal.write import Ids, commands_for
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState
from b24provision.state.rest_smart import smart_descriptor, with_smart_processes
from b24provision.state.smart_relations import SIDES, resolve

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
    if not reads_smart_processes(plan) or live.smart_processes:
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
    groups: dict[str, list[AnyOp]] = {}
    for op in plan.ops:
        if is_smart_entity(op.entity) and phase_of(op) is not None:
            groups.setdefault(op.entity, []).append(op)
    if not groups:
        return []
    done: list[str] = []
    type_ops = [
        op
        for ops in groups.values()
        for op in ops
        if is_type_op(op) and not isinstance(op, DeleteSmartProcessOp)
    ]
    deletes = [op for op in plan.ops if isinstance(op, DeleteSmartProcessOp)]
    titles = _titles(plan)
    if type_ops:
        done += _send_type_ops(client, type_ops, live)
        live = with_smart_processes(client, live)
        _send_relations(client, type_ops, live, titles)
    for key, ops in groups.items():
        rest = [op for op in ops if not is_type_op(op)]
        if not rest:
            continue
        found = _by_title(live.smart_processes, titles.get(key, ""))
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
        commands = []
        for n, op in enumerate(pending):
            type_id = _live_type_id(live, op)
            commands += commands_for(op, Ids(type_id=type_id), n)
        try:
            reply = client.batch(commands, halt=True)
        except OutcomeUnknown:
            live = with_smart_processes(client, live)  # what did the portal do? read, never resend blindly
            pending = [op for op in pending if not _type_done(op, live)]
            done += [_label(op) for op in ops if op not in pending and _label(op) not in done]
            if not pending:
                return done
            continue
        for n, op in enumerate(pending):
            error = reply.errors.get(f"op{n}")
            if error is not None:
                raise ApplyError(
                    f"{error.message} — while trying to {_label(op)}; done: {', '.join(done) or 'nothing'}; "
                    "fix the cause, then run `b24provision plan` to see what is left"
                ) from None
            done.append(_label(op))
        return done
    raise ApplyError(
        f"gave up after {MAX_RECOVERIES} re-reads of the smart processes; run `b24provision plan`"
    )


def _send_relations(
    client: PortalClient, ops: Sequence[AnyOp], live: LiveState, titles: Mapping[str, str]
) -> None:
    """Set the relations the type ops ask for, now that every type named has its CRM type id.

    A write whose answer is lost is not sent again here: the error says so, the next plan shows it."""
    types = {k: sp for k, t in titles.items() if (sp := _by_title(live.smart_processes, t)) is not None}
    commands: list[Command] = []
    for n, op in enumerate(ops):
        if not isinstance(op, CreateSmartProcessOp | UpdateSmartProcessOp) or not op.smart.relations():
            continue
        relations: dict[str, list[dict[str, Any]]] = {}
        for side, names in op.smart.relations().items():
            ids = resolve(names, types)
            if ids is None or op.entity not in types:
                raise ApplyError(
                    f"smart process {op.entity}: {SIDES[side]} {names} name a type not found on the portal; "
                    "run `b24provision plan` to see what is left"
                )
            relations[side] = [{TYPE_ID_KEY: i, "isChildrenListEnabled": "true"} for i in sorted(ids)]
        commands.append(
            Command(
                f"rel{n}",
                "crm.type.update",
                {"id": types[op.entity].type_id, "fields": {"relations": relations}},
            )
        )
    if commands:
        try:
            reply = client.batch(commands, halt=True)
        except OutcomeUnknown:
            return  # not sent again: the plan after the apply shows a relation still to set

        for error in reply.errors.values():
            raise ApplyError(
                f"{error.message} — while setting smart process relations; run `b24provision plan`"
            )


def _label(op: AnyOp) -> str:
    return f"{op.action} {op.kind} {op.key}"


def _live_type_id(live: LiveState, op: AnyOp) -> int | None:
    if isinstance(op, UpdateSmartProcessOp | DeleteSmartProcessOp):
        title = op.live_title if isinstance(op, UpdateSmartProcessOp) else op.title
        found = _by_title(live.smart_processes, title)
        return None if found is None else found.type_id
    return None


def _type_done(op: AnyOp, live: LiveState) -> bool:
    """Whether the portal, read again, shows the type op carried out."""
    if isinstance(op, DeleteSmartProcessOp):
        return _by_title(live.smart_processes, op.title) is None
    if not isinstance(op, CreateSmartProcessOp | UpdateSmartProcessOp):
        return False
    found = _by_title(live.smart_processes, op.smart.title)
    if found is None:
        return False
    wanted = op.smart.switches()
    return all(found.switches.get(flag) == on for flag, on in wanted.items())


def _titles(plan: Plan) -> dict[str, str]:
    """Blueprint key -> the title its type has once the type ops ran."""
    out = {
        ref.key.removeprefix("smart_process:"): ref.note
        for ref in plan.unchanged
        if ref.kind == "smart_process"
    }
    for op in plan.ops:
        if isinstance(op, CreateSmartProcessOp | UpdateSmartProcessOp):
            out[op.entity] = op.smart.title
    return out


def _by_title(types: Mapping[str, SmartProcessLive], title: str) -> SmartProcessLive | None:
    hits = [sp for sp in types.values() if sp.title == title]
    return hits[0] if len(hits) == 1 else None


def _rereader(client: PortalClient, live: LiveState, title: str) -> Callable[[], LiveState]:
    def reread() -> LiveState:
        found = _by_title(with_smart_processes(client, live).smart_processes, title)
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
