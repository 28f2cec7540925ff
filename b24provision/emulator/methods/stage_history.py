"""A deal's way through the stages: ``crm.stagehistory.list`` (reference §12).

Rows are written by emulator/methods/deals.py as deals are added (TYPE_ID 1) and moved (2); the
answer is ``{"items": [...]}`` paged 50 at a time with the deal lists' filters. Only deals have
history here; leads (1) and invoices (5) answer an empty list, other types ENTITY_TYPE_NOT_SUPPORTED.
"""

from __future__ import annotations

from b24provision.emulator import store
from b24provision.emulator.methods.deals import list_page, select_fields
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import Paged, RestError, as_list, param, to_int


@method("crm.stagehistory.list")
def stagehistory_list(call: Call) -> Paged:
    entity_type = to_int(param(call.params, "entityTypeId"))
    if entity_type not in (1, 2, 5):
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", f"Entity type {entity_type} is not supported")
    rows = store.rows(call.db, "SELECT * FROM stage_history") if entity_type == 2 else []
    items = [
        {
            "ID": str(r["id"]),
            "TYPE_ID": str(r["type_id"]),
            "OWNER_ID": str(r["owner_id"]),
            "CREATED_TIME": r["created_time"],
            "CATEGORY_ID": str(r["category_id"]),
            "STAGE_SEMANTIC_ID": r["stage_semantic_id"],
            "STAGE_ID": r["stage_id"],
        }
        for r in rows
    ]
    page, next_start, total = list_page(call, items)
    page = select_fields(page, [str(s) for s in as_list(param(call.params, "select"))], lambda key: True)
    return Paged({"items": page}, total=total, next=next_start)
