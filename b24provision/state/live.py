"""The live state of a portal, as the plan sees it.

Reading a portal (``state/rest.py``) yields the same model types as a blueprint, so diffing is a
comparison of two values of one type. What only a live portal has rides alongside: the ids that
apply needs to address objects (never shown in plans), deal counts that make a delete unsafe,
the portal's languages, fields of types a blueprint cannot express, and a fingerprint that a saved
plan keeps so that apply can refuse it when the portal changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from b24provision.blueprint.model import Blueprint, Trigger
from b24provision.state.entity_live import EntityLive, FieldsLive, SmartProcessLive, StatusesLive
from b24provision.state.entity_live import UnsupportedField as UnsupportedField  # its old home

if TYPE_CHECKING:
    from b24provision.portal.lock import LockHolder


@dataclass(frozen=True)
class DealCountQuery:
    """What to count on a portal before a plan's deletes are judged: the deals each delete destroys."""

    stages: frozenset[tuple[str, str]] = frozenset()
    """(live pipeline key, stage code): deals in the stage."""
    fields: frozenset[str] = frozenset()
    """Field codes: deals holding a value in the field."""
    items: frozenset[tuple[str, str]] = frozenset()
    """(field code, item key as in ``LiveState.enum_item_ids``): deals using the enumeration item."""
    lead_statuses: frozenset[str] = frozenset()
    """Lead status codes: leads in the status (``state/count_statuses.py``)."""
    list_items: frozenset[tuple[str, str]] = frozenset()
    """(list name, item code): deals, leads, contacts, companies storing the item."""
    entity_fields: frozenset[tuple[str, str]] = frozenset()
    """(entity key, field code) of another entity type (lead, contact, company): its items holding
    a value in the field."""
    entity_items: frozenset[tuple[str, str, str]] = frozenset()
    """(entity key, field code, item key): that entity's items using the enumeration item."""
    pipelines: frozenset[str] = frozenset()
    """Live pipeline keys: the items in the pipeline (a smart process's, counted by its category)."""
    smart: tuple[tuple[str, DealCountQuery], ...] = ()
    """(live key of a smart process, what to count on its items): stages, pipelines, fields, items,
    named as its own state (``SmartProcessLive.state``) names them (``state/counts_smart.py``)."""
    smart_types: frozenset[str] = frozenset()
    """Live keys of smart processes to be deleted: all their items."""

    def __bool__(self) -> bool:
        return bool(
            self.stages
            or self.fields
            or self.items
            or self.lead_statuses
            or self.list_items
            or self.entity_fields
            or self.entity_items
            or self.pipelines
            or any(query for _, query in self.smart)
            or self.smart_types
        )


@dataclass(frozen=True)
class LiveState:
    """What a portal holds now, keyed by natural keys; ids are for apply only."""

    blueprint: Blueprint
    """Pipelines (keyed by a key made from the name), stages, fields; never robots (REST cannot read them)."""
    languages: tuple[str, ...] = ("en",)
    deal_counts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(pipeline key, stage code) -> deals in that stage, for the stages that were counted."""
    field_value_counts: Mapping[str, int] = field(default_factory=dict)
    """Field code -> deals that hold a value in it, for the fields that were counted."""
    item_use_counts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(field code, item key as in ``enum_item_ids``) -> deals using that enumeration item, where counted."""
    pipeline_counts: Mapping[str, int] = field(default_factory=dict)
    """Pipeline key -> items in it, where counted by the pipeline itself (a smart process's state)."""
    pipeline_ids: Mapping[str, int] = field(default_factory=dict)
    stage_ids: Mapping[tuple[str, str], int] = field(default_factory=dict)
    system_stages: frozenset[tuple[str, str]] = frozenset()
    """Stages the portal marks SYSTEM=Y (deleting them needs FORCED=Y)."""
    field_ids: Mapping[str, int] = field(default_factory=dict)
    enum_item_ids: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(field code, item key) -> enumeration item id; the key is the item's XML_ID, or a key made
    from its text when the portal returned none (see ``text_keyed_items``)."""
    text_keyed_items: frozenset[tuple[str, str]] = frozenset()
    """(field code, item key) of enumeration items the portal returned without an XML_ID (the core's
    REST proxy never returns one, reference §13.1): the plan matches them by their text."""
    label_texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Field code -> language -> the field's EDIT_FORM_LABEL text there, in every portal language
    (apply sends the texts of the languages a label map does not name back unchanged)."""
    unsupported_fields: tuple[UnsupportedField, ...] = ()
    app_robot_codes: frozenset[str] | None = None
    """Codes of the application's robot types (bizproc.robot.list returns codes only, reference
    §8.2), or None when the credentials cannot read them (a webhook has no application context)."""
    triggers: tuple[Trigger, ...] | None = None
    license: str | None = None
    admin: bool | None = None
    """profile ADMIN of the credentials' user; None when not read (see portal/permissions.py)."""
    methods: Mapping[str, bool] | None = None
    """method.get ``isExisting`` of the tariff probes (bizproc.robot.add, ...), by method name; None
    when not probed. A feature-gated method that does not exist proves its feature is off."""
    portal: str = ""
    """The portal's host, for messages (never a secret)."""
    lock: LockHolder | None = None
    """Who holds the portal's lock (an apply is running), as read; not part of the fingerprint."""
    entities: Mapping[str, EntityLive] = field(default_factory=dict)
    """The entity types besides the deal that the blueprint names, by key ("lead", "contact", ...)."""
    lists: Mapping[str, StatusesLive] = field(default_factory=dict)
    """The reference lists the blueprint names, by the blueprint's list name."""
    smart_processes: Mapping[str, SmartProcessLive] = field(default_factory=dict)
    """The portal's smart processes (read only when the blueprint names some), by a key made from
    the title (state/rest_smart.py)."""
    smart_processes_read: bool = False
    """Whether the smart processes were read: a portal may have none, and then
    ``smart_processes`` is empty either way (not part of the fingerprint)."""

    def fields_of(self, entity: str) -> FieldsLive:
        """The custom fields of ``entity`` as one value for every entity type: the deal's from this
        state's own attributes, another's from ``entities`` (none when it was not read)."""
        if entity == "deal":
            return FieldsLive(
                fields=tuple(self.blueprint.fields),
                field_ids=self.field_ids,
                enum_item_ids=self.enum_item_ids,
                text_keyed_items=self.text_keyed_items,
                label_texts=self.label_texts,
                value_counts=self.field_value_counts,
                item_use_counts=self.item_use_counts,
                unsupported=self.unsupported_fields,
            )
        found = self.entities.get(entity)
        return found.fields if found is not None else FieldsLive()

    def fingerprint(self, scope: Collection[str] | None = None) -> str:
        """A digest of everything a plan depends on; changes when the portal changes.

        ``scope`` names the entity types and reference lists the plan is about (``Plan.scope``):
        the read holds every list and the lead's statuses (they come with the deal stages), but a
        plan depends only on those its blueprint names. None: every one that was read."""
        payload: dict[str, Any] = {
            # Without the (always empty, folded) entity form and the lists, which are fingerprinted
            # below by scope, and without the smart processes (below, when read), so fingerprints
            # stay as they were.
            "blueprint": self.blueprint.model_dump(
                mode="json",
                exclude={
                    "entities": True,
                    "lists": True,
                    "smart_processes": True,
                    "removed": {
                        "lead_statuses": True,
                        "lists": True,
                        "smart_processes": True,
                        "lead": {"statuses"},
                    },
                },
            ),
            "deal_counts": sorted([list(k) + [v] for k, v in self.deal_counts.items()]),
            "pipeline_ids": sorted(self.pipeline_ids.items()),
            "stage_ids": sorted([list(k) + [v] for k, v in self.stage_ids.items()]),
            "field_ids": sorted(self.field_ids.items()),
            "enum_item_ids": sorted([list(k) + [v] for k, v in self.enum_item_ids.items()]),
            "label_texts": {code: dict(sorted(t.items())) for code, t in sorted(self.label_texts.items())},
            "app_robot_codes": None if self.app_robot_codes is None else sorted(self.app_robot_codes),
            "triggers": None if self.triggers is None else [t.model_dump(mode="json") for t in self.triggers],
        }
        # Added only when counted, so a state without them keeps the fingerprint it always had.
        if self.field_value_counts:
            payload["field_value_counts"] = sorted(self.field_value_counts.items())
        if self.item_use_counts:
            payload["item_use_counts"] = sorted([list(k) + [v] for k, v in self.item_use_counts.items()])
        if self.pipeline_counts:
            payload["pipeline_counts"] = sorted(self.pipeline_counts.items())
        # Only what the blueprint names is read: a deal-only state keeps its fingerprint.
        entities = {
            k: e for k, e in self.entities.items() if (scope is None or k in scope) and not e.is_empty()
        }
        lists = {k: s for k, s in self.lists.items() if scope is None or k in scope}
        if entities:
            payload["entities"] = {key: e.payload() for key, e in sorted(entities.items())}
        if lists:
            payload["lists"] = {key: s.payload() for key, s in sorted(lists.items())}
        if self.smart_processes:
            payload["smart_processes"] = {k: s.payload() for k, s in sorted(self.smart_processes.items())}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[
            :16
        ]
