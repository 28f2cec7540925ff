"""What deletes on the entity types besides the deal destroy: the counts to take (``plan/safety.py``).

A field of a lead, contact or company loses the values its items hold when it is deleted or
replaced, and an enumeration item removed from it loses the items using it; both are counted on
the portal like the deal's (``state/counts.py``), named by (entity, field code[, item key]).
"""

from __future__ import annotations

from collections.abc import Iterable

from b24provision.plan.ops import AnyOp, DeleteFieldOp, ReplaceFieldOp, UpdateFieldOp
from b24provision.state.live import LiveState


def other_entity_counts(
    ops: Iterable[AnyOp], live: LiveState
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str, str]]]:
    """(entity, field code) of the fields and (entity, field code, item key) of the enumeration
    items whose use the field deletes among ``ops`` (none of them the deal's) depend on."""
    fields: set[tuple[str, str]] = set()
    items: set[tuple[str, str, str]] = set()
    for op in ops:
        have = live.fields_of(op.entity)
        if isinstance(op, DeleteFieldOp | ReplaceFieldOp):
            code = op.code if isinstance(op, DeleteFieldOp) else op.field.code
            if code in have.field_ids or any(u.code == code for u in have.unsupported):
                fields.add((op.entity, code))
        elif isinstance(op, UpdateFieldOp):
            code = op.field.code
            items.update((op.entity, code, i) for i in op.items_removed if (code, i) in have.enum_item_ids)
    return frozenset(fields), frozenset(items)


__all__ = ["other_entity_counts"]
