"""What a plan's deletes destroy, taken from the live portal: the facts every safety decision rests on.

A delete is only as dangerous as what it destroys. Before a plan is judged, the portal is asked
(``state/counts.count_losses``, one batch, only when the plan deletes something) how many deals are
in each stage or pipeline to be deleted, hold a value in each field to be deleted or replaced, and
use each enumeration item to be removed. :func:`what_to_count` says what to ask; :func:`with_live_facts`
writes the answers onto the ops, so that:

- a delete that destroys nothing is an ordinary change (shown and confirmed like any other);
- a delete that loses data needs ``--allow-delete``, and the plan says how much;
- a stage or pipeline that holds deals is blocked by data: refused even with ``--allow-delete``.

A smart process's stages, pipelines and fields are counted on its items and judged on its own state
(``SmartProcessLive.state``, found through ``plan/safety_smart.py``) by the same code; a stage or
pipeline holding items there is blocked as the deal's is (``ops.blocked_by_deals`` says why).

``diff`` uses :func:`with_live_facts` when it makes a plan, and apply uses it again on the state it
reads before writing (:func:`live_safety`): a saved plan is data, never trust, so a count,
a flag or a missing "needs an application" entry edited in the file changes nothing apply decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.entities.types import DEAL, ENTITY_TYPES
from b24provision.plan.ops import (
    UNCOUNTED,
    AnyOp,
    CreateAppRobotOp,
    CreateTriggerOp,
    DeleteAppRobotOp,
    DeleteFieldOp,
    DeletePipelineOp,
    DeleteSmartProcessOp,
    DeleteStageOp,
    DeleteStatusOp,
    DeleteTriggerOp,
    Plan,
    ReplaceFieldOp,
    ReplaceStageOp,
    ReplaceStatusOp,
    UpdateAppRobotOp,
    UpdateFieldOp,
    UpdateTriggerOp,
    data_lost,
)
from b24provision.plan.ops_smart import is_type_op
from b24provision.plan.safety_entities import other_entity_counts
from b24provision.plan.safety_smart import deleted_types, plan_titles, section_state, sections
from b24provision.plan.safety_statuses import status_facts
from b24provision.state.entity_live import FieldsLive
from b24provision.state.live import DealCountQuery, LiveState


def what_to_count(
    ops: Iterable[AnyOp], live: LiveState, titles: Mapping[str, str] | None = None
) -> DealCountQuery:
    """The counts the deletes among ``ops`` depend on, named as ``live`` names objects; a smart
    process's on its own state, found by the title ``titles`` gives its key (``plan/safety_smart.py``)."""
    ops = list(ops)
    # Fields of the lead, contact and company are counted on their own items; a smart process's ops
    # on its own state; the deal's and the status ops (lead statuses, list items) by the loop below.
    others = [op for op in ops if _field_of_another_entity(op)]
    own = [op for op in ops if not _field_of_another_entity(op) and not is_smart_entity(op.entity)]
    query = _query(own, live)
    entity_fields, entity_items = other_entity_counts(others, live)
    smart = tuple(
        (key, sub)
        for key, state, group in sections(ops, live, titles or {})
        if (sub := _query(group, state, by_pipeline=True))
    )
    return replace(
        query,
        entity_fields=entity_fields,
        entity_items=entity_items,
        smart=smart,
        smart_types=deleted_types(ops, live),
    )


def _query(ops: Iterable[AnyOp], live: LiveState, by_pipeline: bool = False) -> DealCountQuery:
    """What the deal's (or, ``by_pipeline``, a smart process's) deletes among ``ops`` depend on; a
    smart process's pipeline is counted by its category, the deal's as the sum of its stages."""
    stages: set[tuple[str, str]] = set()
    pipelines: set[str] = set()
    statuses: set[str] = set()
    list_items: set[tuple[str, str]] = set()
    fields: set[str] = set()
    items: set[tuple[str, str]] = set()
    known_fields = set(live.field_ids) | {f.code for f in live.unsupported_fields}
    for op in ops:
        match op:
            case DeleteStageOp() if op.live_key:
                stages.add((op.live_key, op.code))
            case ReplaceStageOp() if op.live_key:
                stages.add((op.live_key, op.stage.code))
            case DeletePipelineOp() if by_pipeline:
                pipelines.add(op.live_key)
            case DeletePipelineOp():
                stages.update((op.live_key, code) for code in _pipeline_stages(op, live))
            case DeleteStatusOp() | ReplaceStatusOp() if op.list_name is None:
                statuses.add(op.code if isinstance(op, DeleteStatusOp) else op.status.code)
            case DeleteStatusOp() if op.list_name is not None:
                list_items.add((op.list_name, op.code))
            case DeleteFieldOp() | ReplaceFieldOp():
                code = op.code if isinstance(op, DeleteFieldOp) else op.field.code
                if code in known_fields:
                    fields.add(code)
            case UpdateFieldOp():
                items.update(
                    (op.field.code, item)
                    for item in op.items_removed
                    if (op.field.code, item) in live.enum_item_ids
                )
            case _:
                pass
    return DealCountQuery(
        stages=frozenset(stages),
        pipelines=frozenset(pipelines),
        fields=frozenset(fields),
        items=frozenset(items),
        lead_statuses=frozenset(statuses),
        list_items=frozenset(list_items),
    )


def _field_of_another_entity(op: AnyOp) -> bool:
    """A field op of a built-in entity type besides the deal (lead, contact, company)."""
    return op.kind == "field" and op.entity in ENTITY_TYPES and op.entity != DEAL.key


def with_live_facts(
    ops: Iterable[AnyOp], live: LiveState, titles: Mapping[str, str] | None = None
) -> tuple[AnyOp, ...]:
    """``ops`` with what each one destroys as ``live`` says (counts not taken count as 0); a smart
    process's as its own state says, found by ``titles`` (blueprint key -> portal title)."""
    return tuple(_with_facts(op, live, titles or {}) for op in ops)


def _with_facts(op: AnyOp, live: LiveState, titles: Mapping[str, str]) -> AnyOp:
    if isinstance(op, DeleteSmartProcessOp):
        found = live.smart_processes.get(op.entity)
        counted = None if found is None else found.item_count
        return op.model_copy(update={"items": UNCOUNTED if counted is None else counted})
    if is_type_op(op):
        return op
    if is_smart_entity(op.entity):
        state = section_state(live, titles, op.entity)
        return op if state is None else _facts_on(op, state, DEAL.key)  # a new type holds nothing
    return _facts_on(op, live, op.entity)


def _facts_on(op: AnyOp, live: LiveState, entity: str) -> AnyOp:
    """``op`` with its facts from ``live``, whose fields are ``entity``'s."""
    match op:
        case DeleteStageOp() | ReplaceStageOp():
            code = op.code if isinstance(op, DeleteStageOp) else op.stage.code
            key = (op.live_key or "", code)
            return op.model_copy(
                update={
                    "blocked_by_deals": live.deal_counts.get(key, 0) if op.live_key else 0,
                    "system": key in live.system_stages,
                }
            )
        case DeleteStatusOp() | ReplaceStatusOp():
            return status_facts(op, live)
        case DeletePipelineOp():
            codes = _pipeline_stages(op, live)
            deals = live.pipeline_counts.get(op.live_key)
            if deals is None:
                deals = sum(live.deal_counts.get((op.live_key, c), 0) for c in codes)
            return op.model_copy(update={"blocked_by_deals": deals, "stages": codes})
        case DeleteFieldOp():
            counts = live.fields_of(entity).value_counts
            return op.model_copy(update={"deals_with_value": counts.get(op.code, 0)})
        case ReplaceFieldOp():
            counts = live.fields_of(entity).value_counts
            return op.model_copy(update={"deals_with_value": counts.get(op.field.code, 0)})
        case UpdateFieldOp():
            fields = live.fields_of(entity)
            in_use = tuple(
                (item, n) for item in op.items_removed if (n := _item_use(fields, op.field.code, item))
            )
            return op.model_copy(update={"items_in_use": in_use})
        case _:
            return op


def _item_use(live: FieldsLive, code: str, item: str) -> int:
    """Items using an enumeration item; UNCOUNTED for one the portal's read does not name (it cannot
    be asked)."""
    if (code, item) in live.item_use_counts:
        return live.item_use_counts[(code, item)]
    return 0 if (code, item) in live.enum_item_ids else UNCOUNTED


def _pipeline_stages(op: DeletePipelineOp, live: LiveState) -> tuple[str, ...]:
    """The stages that go with a pipeline: as the portal has them (the plan's list only when it has none)."""
    pipeline = live.blueprint.pipelines_by_key().get(op.live_key)
    return tuple(s.code for s in pipeline.stages) if pipeline is not None else op.stages


@dataclass(frozen=True)
class LiveSafety:
    """A plan's safety facts re-taken from the live read, and what is wrong with the plan given them."""

    plan: Plan
    """The plan with every op's facts as the portal says (this is what apply carries out)."""
    edited: tuple[str, ...] = ()
    """Ops whose facts differ from the portal's ("stage s/X: the plan says A, the portal says B")."""
    needs_app: tuple[str, ...] = ()
    """Ops the credentials cannot carry out (no application context on this portal)."""


def live_safety(plan: Plan, live: LiveState) -> LiveSafety:
    """Re-take every safety fact of ``plan`` from ``live`` (the state apply just read)."""
    ops = with_live_facts(plan.ops, live, plan_titles(plan))
    edited = tuple(
        f"{theirs.kind} {theirs.key}: the plan says {_facts(theirs)}, the portal says {_facts(ours)}"
        for theirs, ours in zip(plan.ops, ops, strict=True)
        if theirs != ours
    )
    needs_app: list[str] = []
    for op in ops:
        match op:
            case CreateAppRobotOp() | UpdateAppRobotOp() | DeleteAppRobotOp() if live.app_robot_codes is None:
                needs_app.append(f"app_robot {op.key}")
            case CreateTriggerOp() | UpdateTriggerOp() | DeleteTriggerOp() if live.triggers is None:
                needs_app.append(f"trigger {op.key}")
            case _:
                pass
    return LiveSafety(plan=plan.model_copy(update={"ops": ops}), edited=edited, needs_app=tuple(needs_app))


def _facts(op: AnyOp) -> str:
    """What the op destroys, to follow "says": "it destroys nothing", "it holds 2 deals", ..."""
    lost = data_lost(op)
    words = ("it " + lost if lost.startswith("holds") else lost) if lost else "it destroys nothing"
    if isinstance(op, DeletePipelineOp):
        words += f" (stages {', '.join(op.stages) or 'none'})"
    return words + (" (a system stage)" if getattr(op, "system", False) else "")
