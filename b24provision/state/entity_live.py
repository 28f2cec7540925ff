"""Live state of the CRM entity types besides the deal: their custom fields and status lists.

The deal's state stays on ``LiveState`` itself (its pipelines, fields and ids, as before). Every
other entity type the blueprint names (issue 16: lead, contact, company) gets an ``EntityLive``
under ``LiveState.entities`` by its key (``"lead"``), and every reference list the blueprint names
a ``StatusesLive`` under ``LiveState.lists``. Both hold the model's own types (so diffing stays a
comparison of two values of one type) and, beside them, the portal ids apply needs and the counts
that make a delete unsafe. Only what the blueprint names is read, so a deal-only plan reads and
fingerprints exactly what it did before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from b24provision.blueprint.model import FieldBase, ListItem, Stage

if TYPE_CHECKING:
    from b24provision.state.live import LiveState


@dataclass(frozen=True)
class UnsupportedField:
    """A custom field whose type a blueprint cannot express (e.g. an application's own type)."""

    code: str
    user_type_id: str
    label: str


@dataclass(frozen=True)
class FieldsLive:
    """One entity type's custom fields as the portal holds them (keyed by code, without prefix)."""

    fields: tuple[FieldBase, ...] = ()
    field_ids: Mapping[str, int] = field(default_factory=dict)
    enum_item_ids: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(field code, item key) -> item id, keyed as ``LiveState.enum_item_ids``."""
    text_keyed_items: frozenset[tuple[str, str]] = frozenset()
    label_texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Field code -> language -> EDIT_FORM_LABEL, as ``LiveState.label_texts``."""
    value_counts: Mapping[str, int] = field(default_factory=dict)
    """Field code -> items holding a value in it, where counted (a delete's losses)."""
    item_use_counts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(field code, item key) -> items using that enumeration item, where counted."""
    unsupported: tuple[UnsupportedField, ...] = ()
    """Fields of types a blueprint cannot express: reported as unmanaged, deletable by ``removed:``."""

    def fields_by_code(self) -> dict[str, FieldBase]:
        return {f.code: f for f in self.fields}

    def payload(self) -> dict[str, Any]:
        return {
            "fields": [f.model_dump(mode="json") for f in self.fields],
            "field_ids": sorted(self.field_ids.items()),
            "enum_item_ids": sorted([list(k) + [v] for k, v in self.enum_item_ids.items()]),
            "label_texts": {c: dict(sorted(t.items())) for c, t in sorted(self.label_texts.items())},
            "value_counts": sorted(self.value_counts.items()),
            "item_use_counts": sorted([list(k) + [v] for k, v in self.item_use_counts.items()]),
            "unsupported": sorted([u.code, u.user_type_id] for u in self.unsupported),
        }


@dataclass(frozen=True)
class StatusesLive:
    """One crm.status directory as the portal holds it: lead statuses, or a reference list.

    ``stages`` are the lead statuses as the model's Stage values, ``items`` a reference list's items
    (no semantics, longer codes); ``ids`` give crm.status ID by code."""

    entity_id: str
    """The directory's ENTITY_ID (``STATUS``, ``SOURCE``, ...)."""
    stages: tuple[Stage, ...] = ()
    items: tuple[ListItem, ...] = ()
    ids: Mapping[str, int] = field(default_factory=dict)
    system: frozenset[str] = frozenset()
    """Codes the portal marks SYSTEM=Y (deleting them needs FORCED=Y)."""
    counts: Mapping[str, int] = field(default_factory=dict)
    """Code -> leads in that lead status, or records storing that list item, where counted."""

    def codes(self) -> list[str]:
        """The codes the directory holds, in its order."""
        return [s.code for s in self.stages] + [i.code for i in self.items]

    def payload(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "stages": [s.model_dump(mode="json") for s in self.stages],
            "items": [i.model_dump(mode="json") for i in self.items],
            "ids": sorted(self.ids.items()),
            "system": sorted(self.system),
            "counts": sorted(self.counts.items()),
        }


@dataclass(frozen=True)
class EntityLive:
    """One entity type besides the deal: its fields, and its status list where it has one (lead)."""

    fields: FieldsLive = field(default_factory=FieldsLive)
    statuses: StatusesLive | None = None

    def is_empty(self) -> bool:
        """Nothing read (an entity type without fields): left out of the fingerprint, so a plan
        that names the entity only in ``removed:`` fingerprints as apply reads it."""
        return self == EntityLive()

    def payload(self) -> dict[str, Any]:
        return {
            "fields": self.fields.payload(),
            "statuses": None if self.statuses is None else self.statuses.payload(),
        }


@dataclass(frozen=True)
class SmartProcessLive:
    """One smart process (crm.type) as the portal holds it.

    ``state`` is its pipelines, stages and fields as a LiveState of their own (the deal's shape: a
    blueprint with pipelines and fields, and the ids apply needs), so the deal's comparers diff it
    unchanged. Keyed in ``LiveState.smart_processes`` by a key made from the title (as a pipeline)."""

    type_id: int
    """crm.type ``id``: names its fields (``CRM_<id>``, its own field prefix)."""
    entity_type_id: int
    """crm.type's CRM type id: what crm.category.*, crm.item.* and its stage directories take."""
    title: str
    switches: Mapping[str, bool]
    """crm.type flag -> on (``isAutomationEnabled``: True)."""
    state: LiveState
    relations: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """"parent" / "child" -> the CRM type ids of the linked entity types, as read."""
    item_count: int | None = None
    """All its items, when counted (a plan deletes the type); None: not counted."""

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type_id": self.type_id,
            "entity_type_id": self.entity_type_id,
            "title": self.title,
            "switches": dict(sorted(self.switches.items())),
            "state": self.state.fingerprint(),
            "relations": {side: sorted(ids) for side, ids in sorted(self.relations.items())},
        }
        if self.item_count is not None:  # only when counted: a state without it keeps its fingerprint
            out["item_count"] = self.item_count
        return out
