"""What deleting a smart process destroys: its items, counted on the portal (crm.item.list with its
CRM type id: the list's ``total``), one batch request and only when a plan deletes a type.

Plan counts them to show the loss, apply counts them again right before judging the delete (no
safety decision trusts a file). A type that could not be counted counts as holding items.
"""

from __future__ import annotations

from collections.abc import Mapping

from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.entities.types import TYPE_ID_KEY
from b24provision.errors import PortalError
from b24provision.plan.diff.smart_processes import refuse_smart_deletes
from b24provision.plan.op_base import UNCOUNTED
from b24provision.plan.ops import DeleteSmartProcessOp, Plan, UpdateSmartProcessOp
from b24provision.plan.ops_smart import is_type_op
from b24provision.portal.client import Command, PortalClient
from b24provision.state.live import LiveState


def with_smart_counts(client: PortalClient, plan: Plan, live: LiveState) -> Plan:
    """``plan`` with the items of every smart process it deletes counted on the portal now; refused
    when it deletes a stage, pipeline or field of a type that holds items (``refuse_smart_deletes``).

    Raises:
        PlanError: see ``refuse_smart_deletes``.
    """
    deletes = [op for op in plan.ops if isinstance(op, DeleteSmartProcessOp)]
    titles = _titles(plan)
    inner = sorted(
        {
            op.entity
            for op in plan.ops
            if is_smart_entity(op.entity)
            and not is_type_op(op)
            and op.action in ("delete", "replace", "update")
        }
    )
    if not deletes and not inner:
        return plan
    types = {sp.title: sp.entity_type_id for sp in live.smart_processes.values()}
    asked = [(f"items_{n}", op.title) for n, op in enumerate(deletes)]
    asked += [(f"inner_{n}", titles.get(entity, "")) for n, entity in enumerate(inner)]
    commands = [
        Command(key, "crm.item.list", {TYPE_ID_KEY: types[title], "select": ["id"]})
        for key, title in asked
        if title in types
    ]
    try:
        reply = client.batch(commands)
        totals: Mapping[str, int] = reply.totals
        lists = {k: v for k, v in reply.results.items() if k not in reply.errors}
    except PortalError:
        totals, lists = {}, {}
    counted: dict[str, int] = {}
    for key, _ in asked:
        if key in totals:
            counted[key] = int(totals[key])
        elif isinstance(found := lists.get(key), Mapping) and isinstance(found.get("items"), list):
            counted[key] = len(found["items"])  # one page without a total: all of them
    refuse_smart_deletes(plan, {entity for n, entity in enumerate(inner) if counted.get(f"inner_{n}") == 0})
    by_title = {title: counted[key] for key, title in asked if key.startswith("items_") and key in counted}
    ops = tuple(
        op.model_copy(update={"items": by_title.get(op.title, UNCOUNTED)})
        if isinstance(op, DeleteSmartProcessOp)
        else op
        for op in plan.ops
    )
    return plan.model_copy(update={"ops": ops})


def _titles(plan: Plan) -> dict[str, str]:
    """Blueprint key -> the portal title of the type it was matched to, as the plan names them."""
    out = {r.key.removeprefix("smart_process:"): r.note for r in plan.unchanged if r.kind == "smart_process"}
    out.update({op.entity: op.live_title for op in plan.ops if isinstance(op, UpdateSmartProcessOp)})
    return out


__all__ = ["with_smart_counts"]
