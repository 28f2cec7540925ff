"""What a delete of a lead, contact or company field destroys, counted like the deal's (``counts.py``).

The same filters on the entity's own list method (``crm.lead.list``, ``crm.contact.list``,
``crm.company.list``; the descriptor's ``list_method``), read from ``total``: ``!<FIELD_NAME>: ""``
for the items holding a value in a field, ``=<FIELD_NAME>: <item id>`` for those using an enumeration
item. The counts go into ``LiveState.entities[key].fields`` (``value_counts``, ``item_use_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from b24provision.entities.types import entity_type
from b24provision.portal.client import BatchReply, Command
from b24provision.state.entity_live import EntityLive
from b24provision.state.live import DealCountQuery, LiveState
from b24provision.state.rest_fields import count_in


@dataclass(frozen=True)
class EntityCount:
    """One count: an entity's items holding a value in a field (``item`` None) or using an item."""

    entity: str
    code: str
    item: str | None
    filter: dict[str, Any]

    def command(self, key: str) -> Command:
        e = entity_type(self.entity)
        return Command(key, e.list_method, {**e.list_params, "filter": self.filter, "select": ["ID"]})


def other_entity_filters(live: LiveState, query: DealCountQuery) -> list[EntityCount]:
    """The counts ``query`` asks of the other entity types that were not counted before."""
    out: list[EntityCount] = []
    for entity, code in sorted(query.entity_fields):
        if code not in live.fields_of(entity).value_counts:
            out.append(EntityCount(entity, code, None, {f"!{entity_type(entity).field_name(code)}": ""}))
    for entity, code, item in sorted(query.entity_items):
        have = live.fields_of(entity)
        if (code, item) in have.enum_item_ids and (code, item) not in have.item_use_counts:
            name = entity_type(entity).field_name(code)
            out.append(EntityCount(entity, code, item, {f"={name}": have.enum_item_ids[(code, item)]}))
    return out


def with_entity_counts(live: LiveState, counts: list[EntityCount], reply: BatchReply) -> LiveState:
    """``live`` with the totals of ``counts`` (sent as ``e<n>``) on each entity's fields."""
    if not counts:
        return live
    entities: dict[str, EntityLive] = dict(live.entities)
    for n, count in enumerate(counts):
        value = count_in(reply, f"e{n}")
        ent = entities.get(count.entity, EntityLive())
        fields = ent.fields
        if count.item is None:
            fields = replace(fields, value_counts={**fields.value_counts, count.code: value})
        else:
            key = (count.code, count.item)
            fields = replace(fields, item_use_counts={**fields.item_use_counts, key: value})
        entities[count.entity] = replace(ent, fields=fields)
    return replace(live, entities=entities)


__all__ = ["EntityCount", "other_entity_filters", "with_entity_counts"]
