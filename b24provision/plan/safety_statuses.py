"""What deleting a lead status or a list item destroys, as the live read says (see ``plan/safety.py``).

A lead status holding leads is blocked by data (the portal refuses its delete); its SYSTEM flag
(deleted only with FORCED=Y) is the portal's too. Both are re-taken from the read at apply time,
never from a saved file.
"""

from __future__ import annotations

from b24provision.plan.ops_statuses import DeleteStatusOp, ReplaceStatusOp
from b24provision.state.entity_live import StatusesLive
from b24provision.state.live import LiveState


def directory_live(live: LiveState, entity: str, list_name: str | None) -> StatusesLive | None:
    """The directory an op is about as ``live`` holds it (the lead's statuses, or a list)."""
    if list_name is not None:
        return live.lists.get(list_name)
    found = live.entities.get(entity)
    return None if found is None else found.statuses


def status_facts(op: DeleteStatusOp | ReplaceStatusOp, live: LiveState) -> DeleteStatusOp | ReplaceStatusOp:
    """``op`` with the leads in its status and its SYSTEM flag, as ``live`` says."""
    code = op.code if isinstance(op, DeleteStatusOp) else op.status.code
    directory = directory_live(live, op.entity, op.list_name)
    counts = {} if directory is None else directory.counts
    system = directory is not None and code in directory.system
    if op.list_name is not None and isinstance(op, DeleteStatusOp):
        return op.model_copy(update={"items_using": counts.get(code, 0), "system": system})
    return op.model_copy(update={"blocked_by_items": counts.get(code, 0), "system": system})
