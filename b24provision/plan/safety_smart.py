"""Which portal type a smart process's ops are about, for the facts of its deletes (``plan/safety.py``).

A smart process's stages, pipelines and fields are diffed against its own state
(``SmartProcessLive.state``, the deal's shape), so what their deletes destroy is counted and read
there too, as the deal's is on ``LiveState`` itself. Its ops name it by the blueprint's key; the
portal type is the one the plan matched by title: ``titles`` maps each key to that title (the diff
knows it; a saved plan says it in its unchanged types and type updates, as apply finds the type it
writes to, apply/smart.py). A type the portal does not have yet holds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.plan.ops import AnyOp, DeleteSmartProcessOp, Plan, UpdateSmartProcessOp
from b24provision.plan.ops_smart import is_type_op
from b24provision.state.live import LiveState
from b24provision.state.match import types_titled


def plan_titles(plan: Plan) -> dict[str, str]:
    """Blueprint key -> the portal title of the type a saved plan matched it to (before its update)."""
    out = {r.key.removeprefix("smart_process:"): r.note for r in plan.unchanged if r.kind == "smart_process"}
    out.update({op.entity: op.live_title for op in plan.ops if isinstance(op, UpdateSmartProcessOp)})
    return out


def live_key(live: LiveState, titles: Mapping[str, str], entity: str) -> str | None:
    """The live key of the type a smart process's ops are about (None: not on the portal)."""
    title = titles.get(entity)
    hits = [] if title is None else types_titled(live.smart_processes, title)
    return hits[0] if len(hits) == 1 else None


def section_state(live: LiveState, titles: Mapping[str, str], entity: str) -> LiveState | None:
    """The state a smart process's ops are diffed and judged against."""
    key = live_key(live, titles, entity)
    return None if key is None else live.smart_processes[key].state


def sections(
    ops: Iterable[AnyOp], live: LiveState, titles: Mapping[str, str]
) -> list[tuple[str, LiveState, list[AnyOp]]]:
    """(live key, its state, its ops) of every type on the portal that ``ops`` change inside."""
    groups: dict[str, list[AnyOp]] = {}
    for op in ops:
        if is_smart_entity(op.entity) and not is_type_op(op):
            groups.setdefault(op.entity, []).append(op)
    out: list[tuple[str, LiveState, list[AnyOp]]] = []
    for entity, group in sorted(groups.items()):
        key = live_key(live, titles, entity)
        if key is not None:
            out.append((key, live.smart_processes[key].state, group))
    return out


def deleted_types(ops: Iterable[AnyOp], live: LiveState) -> frozenset[str]:
    """Live keys of the types ``ops`` delete (their items are counted)."""
    return frozenset(
        op.entity for op in ops if isinstance(op, DeleteSmartProcessOp) and op.entity in live.smart_processes
    )


__all__ = ["deleted_types", "live_key", "plan_titles", "section_state", "sections"]
