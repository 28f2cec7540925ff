"""Every request an apply of a plan sends after its first read, in order, for ``plan --explain``.

Apply runs the engine over everything but the smart processes (phases A, B, C: ``batches.py``),
then the smart processes (``smart.py``): their crm.type.add / update in one batch, a read of the
types (crm.type.list and one batch per 24 types) that gives a new type its ids and its default
pipeline with the portal's default stages, the relations in one batch, then each type's own
pipelines, stages and fields through the engine, and the type deletes last. Right before each
batch that creates pipelines the engine reads their list again (pipeline names are not unique).
This module lists those requests (:class:`Write` for a batch, :class:`Read` for a read) as the
apply would send them if nothing fails; nothing here reads or writes the portal.

An id the apply only learns from an earlier request is shown as where it comes from: a pipeline
created in phase A as the ``$result[opN][category][id]`` reference to the command that makes it
(``batches.engine_batches``); a type created in the same apply, and its default pipeline, as
``<measurement id>``, ``<measurement:main id>`` and the type's CRM type id named alike: the values
the types' read gives (``STAND_IN_NAME`` matches them). Their commands are built with stand-in
numbers no portal hands out (the descriptor table makes a type's field and stage names from its
ids), which are then replaced by those names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from math import ceil
from typing import Any

from b24provision.apply.batches import (
    BATCH_LIMIT,
    Batch,
    BatchPhase,
    Step,
    engine_batches,
    pipeline_keys,
    plan_batches,
)
from b24provision.apply.smart_writes import (
    relation_commands,
    smart_groups,
    titles_of,
    type_commands,
    type_writes,
    types_by_key,
)
from b24provision.blueprint.model import Blueprint
from b24provision.entities.types import TYPE_ID_KEY
from b24provision.plan.ops import (
    AnyOp,
    CreateSmartProcessOp,
    DeleteSmartProcessOp,
    Plan,
    UpdateSmartProcessOp,
)
from b24provision.plan.ops_smart import is_type_op
from b24provision.portal.client import Command
from b24provision.portal.write import Ids
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState
from b24provision.state.rest_smart import smart_descriptor

TYPE_PAGE = 50
"""crm.type.list answers 50 types a page (state/rest_smart.py)."""
_STAND_IN = 900_000_000
"""The first stand-in id: nine digits each, so one never contains another."""
STAND_IN_NAME = re.compile(rf"<[^<>\s]+ (id|{TYPE_ID_KEY})>")
"""How a stand-in id is named where it shows: ``<measurement id>``."""


@dataclass(frozen=True)
class Read:
    """One read request apply sends between its writes, to learn what they made."""

    method: str
    why: str


@dataclass(frozen=True)
class Write:
    """One batch request of writes."""

    batch: Batch
    entity: str = ""
    """The smart process key whose pipelines, stages and fields the batch writes; "" for the rest."""


Request = Read | Write


def plan_requests(plan: Plan, live: LiveState) -> list[Request]:
    """Every request an apply of ``plan`` on the portal read as ``live`` sends after that read."""
    return _engine_requests(plan_batches(plan, live), "") + _smart_requests(plan, live)


def _engine_requests(batches: Sequence[Batch], entity: str) -> list[Request]:
    out: list[Request] = []
    for batch in batches:
        if not batch.commands:
            continue  # nothing is sent for it (robots as manual steps)
        if batch.creates_pipelines:
            out.append(Read("crm.category.list", "the pipeline list again: pipeline names are not unique"))
        out.append(Write(batch, entity))
    return out


def _smart_requests(plan: Plan, live: LiveState) -> list[Request]:
    groups = smart_groups(plan)
    if not groups:
        return []
    titles = titles_of(plan)
    type_ops = type_writes(groups)
    new = _stand_ins(type_ops)
    types = {**types_by_key(live, _titles_now(plan, titles)), **{k: sp for k, (sp, _) in new.items()}}
    out: list[Request] = []
    if type_ops:
        out.append(Write(_batch("types", type_ops, type_commands(type_ops, live))))
        out += _types_read(len(live.smart_processes) + len(new), bool(new))
        pairs = relation_commands(type_ops, types)
        if pairs:
            steps = tuple(Step((op,), (command,)) for op, command in pairs)
            out.append(Write(Batch("relations", steps)))
    for key, ops in groups.items():
        rest = [op for op in ops if not is_type_op(op)]
        sp = types.get(key)
        if not rest or sp is None:
            continue  # nothing for the engine, or a type apply would not find (it says so)
        keys = pipeline_keys(Plan(ops=tuple(rest)))
        ids = replace(Ids.of(sp.state, keys), entity=smart_descriptor(sp), type_id=sp.type_id)
        if key in new:
            default = new[key][1]
            if default:
                ids.pipelines[default] = _category_stand_in(sp)
        out += _engine_requests(engine_batches(rest, ids), key)
    deletes = [op for op in plan.ops if isinstance(op, DeleteSmartProcessOp)]
    if deletes:
        out.append(Write(_batch("type deletes", deletes, type_commands(deletes, live))))
    names = {
        str(n): ref for key, (sp, default) in new.items() for n, ref in _references(key, sp, default).items()
    }
    return [_named(r, names) for r in out] if names else out


def _titles_now(plan: Plan, titles: Mapping[str, str]) -> dict[str, str]:
    """Blueprint key -> the title its type has on the portal now (before a rename the plan makes)."""
    now = dict(titles)
    for op in plan.ops:
        if isinstance(op, UpdateSmartProcessOp):
            now[op.entity] = op.live_title
    return now


def _batch(phase: BatchPhase, ops: Sequence[AnyOp], commands: Sequence[Command]) -> Batch:
    """One step per op, as ``type_commands`` keys them: ``op<n>`` by position."""
    return Batch(phase, tuple(Step((op,), (commands[n],)) for n, op in enumerate(ops)))


def _types_read(types: int, created: bool) -> list[Request]:
    """The read of every type after the type writes (state/rest_smart.with_smart_processes)."""
    why = (
        "the types again: each new type's ids and default pipeline with the portal's default stages"
        if created
        else "the types again, as the writes left them"
    )
    pages, batches = types_read(types)
    reads: list[Request] = [Read("crm.type.list", why) for _ in range(pages)]
    return reads + [Read("batch", why) for _ in range(batches)]


def types_read(types: int) -> tuple[int, int]:
    """The requests a read of ``types`` smart processes sends (state/rest_smart.with_smart_processes):
    crm.type.list pages, then batches of the stages and each type's pipelines and fields (none for
    a portal without types). A type with more than 50 fields costs a request more per page: the
    read does not know it yet."""
    pages = max(1, ceil(types / TYPE_PAGE))
    return pages, ceil((1 + 2 * types) / BATCH_LIMIT) if types else 0


def _stand_ins(type_ops: Sequence[AnyOp]) -> dict[str, tuple[SmartProcessLive, str]]:
    """Each type created: a stand-in of it as the types' read will give it, and its default pipeline."""
    out: dict[str, tuple[SmartProcessLive, str]] = {}
    for n, op in enumerate(o for o in type_ops if isinstance(o, CreateSmartProcessOp)):
        sp = SmartProcessLive(
            type_id=_STAND_IN + 3 * n + 1,
            entity_type_id=_STAND_IN + 3 * n,
            title=op.smart.title,
            switches={},
            state=LiveState(blueprint=Blueprint()),
        )
        out[op.entity] = (sp, op.default_pipeline or "")
    return out


def _category_stand_in(sp: SmartProcessLive) -> int:
    return sp.entity_type_id + 2


def _references(key: str, sp: SmartProcessLive, default: str) -> dict[int, str]:
    out = {sp.entity_type_id: f"<{key} {TYPE_ID_KEY}>", sp.type_id: f"<{key} id>"}
    if default:
        out[_category_stand_in(sp)] = f"<{key}:{default} id>"
    return out


def _named(request: Request, names: Mapping[str, str]) -> Request:
    """``request`` with every stand-in id replaced by the name of where apply takes it from."""
    if isinstance(request, Read):
        return request
    steps = tuple(
        Step(step.ops, tuple(Command(c.key, c.method, _name_in(c.params, names)) for c in step.commands))
        for step in request.batch.steps
    )
    return Write(Batch(request.batch.phase, steps), request.entity)


def _name_in(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {k: _name_in(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_name_in(v, names) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and str(value) in names:
        return names[str(value)]
    if isinstance(value, str):
        for number, name in names.items():
            value = value.replace(number, name)
    return value


__all__ = ["STAND_IN_NAME", "Read", "Request", "Write", "plan_requests", "types_read"]
