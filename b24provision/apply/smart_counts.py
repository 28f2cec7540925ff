"""What deleting a smart process destroys: its items, counted on the portal (crm.item.list with its
entityTypeId: the list's ``total``), one batch request and only when a plan deletes a type.

Plan counts them to show the loss, apply counts them again right before judging the delete (no
safety decision trusts a file). A type that could not be counted counts as holding items.
"""

from __future__ import annotations

from collections.abc import Mapping

from b24provision.errors import PortalError
from b24provision.plan.op_base import UNCOUNTED
from b24provision.plan.ops import DeleteSmartProcessOp, Plan
from b24provision.portal.client import Command, PortalClient
from b24provision.state.live import LiveState


def with_smart_counts(client: PortalClient, plan: Plan, live: LiveState) -> Plan:
    """``plan`` with the items of every smart process it deletes counted on the portal now."""
    deletes = [op for op in plan.ops if isinstance(op, DeleteSmartProcessOp)]
    if not deletes:
        return plan
    types = {sp.title: sp.entity_type_id for sp in live.smart_processes.values()}
    commands = [
        Command(f"items_{n}", "crm.item.list", {"entityTypeId": types[op.title], "select": ["id"]})
        for n, op in enumerate(deletes)
        if op.title in types
    ]
    try:
        reply = client.batch(commands)
        totals: Mapping[str, int] = reply.totals
        lists = {k: v for k, v in reply.results.items() if k not in reply.errors}
    except PortalError:
        totals, lists = {}, {}
    counted: dict[str, int] = {}
    for n, op in enumerate(deletes):
        key = f"items_{n}"
        if key in totals:
            counted[op.title] = int(totals[key])
        elif isinstance(found := lists.get(key), Mapping) and isinstance(found.get("items"), list):
            counted[op.title] = len(found["items"])  # one page without a total: all of them
    ops = tuple(
        op.model_copy(update={"items": counted.get(op.title, UNCOUNTED)})
        if isinstance(op, DeleteSmartProcessOp)
        else op
        for op in plan.ops
    )
    return plan.model_copy(update={"ops": ops})


__all__ = ["with_smart_counts"]
