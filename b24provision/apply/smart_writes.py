"""The writes of a smart process's own (crm.type.add / update / delete, the relations), as plain values.

Apply (``smart.py``) sends them and ``plan --explain`` (``explain_smart.py``) shows them: one
function builds both. A type is found on the portal by its title (the one it has once the type ops
ran, ``titles_of``); whether a write shows done in a fresh read is answered here too, so a write
whose outcome is unknown is resent only when the portal, read again, does not show it. Pure
functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from b24provision.apply.batches import phase_of
from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.entities.types import TYPE_ID_KEY
from b24provision.errors import ApplyError
from b24provision.plan.ops import (
    AnyOp,
    CreateSmartProcessOp,
    DeleteSmartProcessOp,
    Plan,
    UpdateSmartProcessOp,
)
from b24provision.plan.ops_smart import is_type_op
from b24provision.portal.client import Command
from b24provision.portal.write import Ids, commands_for
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState
from b24provision.state.match import types_titled
from b24provision.state.smart_relations import SIDES, resolve

TypeOp = CreateSmartProcessOp | UpdateSmartProcessOp


def label(op: AnyOp) -> str:
    return f"{op.action} {op.kind} {op.key}"


def smart_groups(plan: Plan) -> dict[str, list[AnyOp]]:
    """The smart-process ops apply carries out, by type key, in the order apply runs the types."""
    groups: dict[str, list[AnyOp]] = {}
    for op in plan.ops:
        if is_smart_entity(op.entity) and phase_of(op) is not None:
            groups.setdefault(op.entity, []).append(op)
    return groups


def type_writes(groups: Mapping[str, Sequence[AnyOp]]) -> list[AnyOp]:
    """The type creates and updates of ``smart_groups``, sent first (deletes go last)."""
    return [
        op
        for ops in groups.values()
        for op in ops
        if is_type_op(op) and not isinstance(op, DeleteSmartProcessOp)
    ]


def titles_of(plan: Plan) -> dict[str, str]:
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


def by_title(types: Mapping[str, SmartProcessLive], title: str) -> SmartProcessLive | None:
    hits = types_titled(types, title)
    return types[hits[0]] if len(hits) == 1 else None


def types_by_key(live: LiveState, titles: Mapping[str, str]) -> dict[str, SmartProcessLive]:
    """The blueprint's smart process keys -> the portal's types, found by their titles."""
    return {k: sp for k, t in titles.items() if (sp := by_title(live.smart_processes, t)) is not None}


def type_commands(ops: Sequence[AnyOp], live: LiveState) -> list[Command]:
    """crm.type.add / update / delete for ``ops`` (keys ``op<n>`` by position); an update or delete
    addresses the type by the id ``live`` gives its current title."""
    commands: list[Command] = []
    for n, op in enumerate(ops):
        commands += commands_for(op, Ids(type_id=_live_type_id(live, op)), n)
    return commands


def type_done(op: AnyOp, live: LiveState) -> bool:
    """Whether the portal, read again, shows the type op carried out."""
    if isinstance(op, DeleteSmartProcessOp):
        return by_title(live.smart_processes, op.title) is None
    if not isinstance(op, CreateSmartProcessOp | UpdateSmartProcessOp):
        return False
    found = by_title(live.smart_processes, op.smart.title)
    if found is None:
        return False
    wanted = op.smart.switches()
    return all(found.switches.get(flag) == on for flag, on in wanted.items())


def relation_commands(
    ops: Sequence[AnyOp], types: Mapping[str, SmartProcessLive]
) -> list[tuple[TypeOp, Command]]:
    """The crm.type.update that sets each type op's relations (``parents:`` / ``children:``), keyed
    ``rel<n>`` by the op's position in ``ops``; ``types``: every type named, by blueprint key.

    Raises:
        ApplyError: a relation names a smart process the portal does not have.
    """
    out: list[tuple[TypeOp, Command]] = []
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
        params = {"id": types[op.entity].type_id, "fields": {"relations": relations}}
        out.append((op, Command(f"rel{n}", "crm.type.update", params)))
    return out


def relations_set(op: TypeOp, types: Mapping[str, SmartProcessLive]) -> bool:
    """Whether the portal, read again, holds the relations ``op`` sets (compared as the plan does)."""
    have = types.get(op.entity)
    if have is None:
        return False
    return all(
        resolve(names, types) == set(have.relations.get(side, ()))
        for side, names in op.smart.relations().items()
    )


def _live_type_id(live: LiveState, op: AnyOp) -> int | None:
    if isinstance(op, UpdateSmartProcessOp | DeleteSmartProcessOp):
        title = op.live_title if isinstance(op, UpdateSmartProcessOp) else op.title
        found = by_title(live.smart_processes, title)
        return None if found is None else found.type_id
    return None


__all__ = [
    "by_title",
    "label",
    "relation_commands",
    "relations_set",
    "smart_groups",
    "titles_of",
    "type_commands",
    "type_done",
    "type_writes",
    "types_by_key",
]
