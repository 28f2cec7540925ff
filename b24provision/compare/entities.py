"""The entity types besides the deal in a comparison: lead, contact and company fields.

A portal side's blueprint carries the fields read for them (``LiveState.entities``), a blueprint
side its ``entities:`` sections; the comparison then hands them to the diff like the deal's: B's
fields (enumeration items aligned as the deal's are) desired, A's as the live side, and A's
fields that B lacks as ``removed:`` entries, so they show as ``-``.
"""

from __future__ import annotations

from collections.abc import Callable

from b24provision.blueprint.model import (
    Blueprint,
    Entities,
    EntitySection,
    FieldBase,
    Removed,
    RemovedSection,
)
from b24provision.state.entity_live import EntityLive, FieldsLive
from b24provision.state.live import LiveState


def with_entity_fields(blueprint: Blueprint, live: LiveState) -> Blueprint:
    """A portal's blueprint with the fields read for the other entity types under ``entities:``."""
    update = {
        key: EntitySection(fields=list(e.fields.fields))
        for key, e in live.entities.items()
        if e.fields.fields
    }
    if not update:
        return blueprint
    entities = blueprint.entities
    sections = {
        key: getattr(entities, key).model_copy(update={"fields": s.fields}) for key, s in update.items()
    }
    return blueprint.model_copy(update={"entities": entities.model_copy(update=sections)})


def desired_entities(
    a: Blueprint,
    b: Blueprint,
    align: Callable[[FieldBase | None, FieldBase], FieldBase],
    unsupported_in_b: Callable[[str], set[str]],
) -> tuple[Entities, dict[str, RemovedSection]]:
    """B's ``entities`` with their fields aligned to A's, and per entity what only A has (``removed``)."""
    sections: dict[str, EntitySection] = {}
    removed: dict[str, RemovedSection] = {}
    for key in sorted(set(a.entities.others()) | set(b.entities.others())):
        have = {f.code: f for f in a.fields_of(key)}
        fields = [align(have.get(f.code), f) for f in b.fields_of(key)]
        codes = {f.code for f in fields} | unsupported_in_b(key)
        sections[key] = getattr(b.entities, key).model_copy(update={"fields": fields})
        # The entity's own removed section type (the lead's also names statuses: compare/statuses.py).
        removed[key] = getattr(Removed(), key).model_copy(
            update={"fields": [c for c in have if c not in codes]}
        )
    return b.entities.model_copy(update=sections), removed


def live_entities(a: Blueprint, live: LiveState | None) -> dict[str, EntityLive]:
    """A's other entity types as the diff's live side: as read for a portal, else its sections."""
    if live is not None:
        return dict(live.entities)
    return {
        key: EntityLive(fields=FieldsLive(fields=tuple(s.fields))) for key, s in a.entities.others().items()
    }


__all__ = ["desired_entities", "live_entities", "with_entity_fields"]
