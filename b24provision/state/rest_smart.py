"""Read a portal's smart processes (crm.type) into ``LiveState.smart_processes``.

Read only when the blueprint names smart processes, so a deal-only plan sends what it always did.
Two requests whatever the number of types (up to 24 in one batch, a batch more per 25 after that):
crm.type.list (one page holds 50 types), then one batch with every stage (crm.status.list without a
filter returns all directories at once, §3.3) and, per type, its pipelines (crm.category.list with
its CRM type id) and its fields (userfieldconfig.list, entity ``CRM_<type id>``: the docs' smart
process settings page). A plan of a portal with 20 smart processes thus takes 3 requests.

userfieldconfig speaks camelCase (``fieldName``, ``editFormLabel`` as a map over every language);
its rows are put into the legacy upper-case form and given the deal's field prefix in place
of the type's its own field prefix, so the deal's field parsing reads them unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from b24provision.blueprint.model import Blueprint
from b24provision.blueprint.smart_model import BUILT_IN_ENTITIES
from b24provision.entities.types import DEAL, TYPE_ID_KEY, EntityType, smart_process
from b24provision.keys import is_tool_object, make_key
from b24provision.portal.client import Command, PortalClient
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState
from b24provision.state.rest import _pipelines
from b24provision.state.rest_fields import _fields, _labels_of_records, _languages, as_list

SWITCH_PREFIX = "is"
TYPE_PAGE = 50


def with_smart_processes_of(client: PortalClient, live: LiveState, blueprint: Blueprint) -> LiveState:
    """``live`` with the smart processes read when ``blueprint`` names some (else as it is)."""
    if (
        not (blueprint.smart_processes or blueprint.removed.smart_processes)
        or live.smart_processes_read
        or live.smart_processes
    ):
        return live
    return with_smart_processes(client, live)


TYPE_LIST = Command("sp_types", "crm.type.list", {})
"""The type list, to send with the portal read (``rest.read_with``) where that read is made anyway."""


def with_smart_processes(client: PortalClient, live: LiveState, first_page: Any = None) -> LiveState:
    """``live`` with the portal's smart processes read (two requests; see the module docstring).

    ``first_page``: TYPE_LIST's result, when it was sent with the portal read (export): then a
    portal without smart processes costs nothing more, one with up to 50 of them one batch."""
    if isinstance(first_page, Mapping) and len(as_list(first_page, "types")) < TYPE_PAGE:
        rows = as_list(first_page, "types")
    else:
        rows = client.call_all("crm.type.list", {}, key="types")
    types = [t for t in rows if isinstance(t, Mapping)]
    if not types:
        return replace(live, smart_processes={}, smart_processes_read=True)
    descriptors = [smart_process(int(t[TYPE_ID_KEY]), int(t["id"])) for t in types]
    commands = [Command("sp_stages", "crm.status.list", {"order": {"SORT": "ASC"}})]
    for e in descriptors:
        assert e.pipelines is not None
        commands.append(Command(f"{e.key}_cats", e.pipelines.method("list"), e.pipelines.params))
        commands.append(Command(f"{e.key}_fields", e.userfields.method("list"), _field_filter(e)))
    reply = client.batch_all(commands)
    reply.raise_first_error()
    statuses = as_list(reply.results.get("sp_stages"))
    found: dict[str, SmartProcessLive] = {}
    for row, e in zip(types, descriptors, strict=True):
        title = str(row.get("title") or "")
        if is_tool_object(title):
            continue
        fields = as_list(reply.results.get(f"{e.key}_fields"), "fields")
        if reply.nexts.get(f"{e.key}_fields"):  # more than one page of fields: the rest one by one
            params = {**_field_filter(e), "start": reply.nexts[f"{e.key}_fields"]}
            fields += client.call_all(e.userfields.method("list"), params, key="fields")
        state = _type_state(
            live, e, as_list(reply.results.get(f"{e.key}_cats"), "categories"), statuses, fields
        )
        switches = {
            k: str(v) == "Y" for k, v in row.items() if k.startswith(SWITCH_PREFIX) and k.endswith("Enabled")
        }
        key = make_key(title or "smart_process", taken=[*found, *BUILT_IN_ENTITIES])
        found[key] = SmartProcessLive(
            type_id=int(row["id"]),
            entity_type_id=int(row[TYPE_ID_KEY]),
            title=title,
            switches=switches,
            state=state,
            relations=_relations(row.get("relations")),
        )
    return replace(live, smart_processes=found, smart_processes_read=True)


def _relations(raw: Any) -> dict[str, tuple[int, ...]]:
    """crm.type's relations: {"parent": [{<CRM type id key>: 2, ...}], "child": [...]} -> the ids."""
    out: dict[str, tuple[int, ...]] = {}
    for side in ("parent", "child"):
        rows = as_list(raw.get(side)) if isinstance(raw, Mapping) else []
        out[side] = tuple(sorted(int(r[TYPE_ID_KEY]) for r in rows if isinstance(r, Mapping)))
    return out


def _field_filter(e: EntityType) -> dict[str, Any]:
    return {**e.userfields.params, "filter": {"entityId": e.userfield_entity_id}, "order": {"sort": "ASC"}}


def _type_state(
    live: LiveState, e: EntityType, categories: list[Any], statuses: list[Any], camel_fields: list[Any]
) -> LiveState:
    """One type's pipelines and fields as a LiveState of their own (the deal's shape)."""
    assert e.stages is not None
    blueprint, pipeline_ids, stage_ids, system = _pipelines(categories, statuses, e.stages.category_of)
    rows = [_legacy_row(e, f) for f in camel_fields if isinstance(f, Mapping)]
    labels = _labels_of_records(rows)
    # The languages of the type's own label maps: the deal read's may include the lock's field,
    # which is there under apply's lock and not in the plan's read (the fingerprints would differ).
    languages = _languages(rows) if rows else live.languages
    fields, unsupported, field_ids, item_ids, text_keyed = _fields(rows, labels, languages)
    return LiveState(
        blueprint=blueprint.model_copy(update={"fields": fields}),
        languages=languages,
        pipeline_ids=pipeline_ids,
        stage_ids=stage_ids,
        system_stages=frozenset(system),
        field_ids=field_ids,
        enum_item_ids=item_ids,
        text_keyed_items=frozenset(text_keyed),
        label_texts={
            code: {lang: labels.get(DEAL.field_name(code), {}).get(lang) or "" for lang in languages}
            for code in field_ids
        },
        unsupported_fields=tuple(unsupported),
        portal=live.portal,
    )


_CAMEL_TO_UPPER = {
    "id": "ID",
    "fieldName": "FIELD_NAME",
    "userTypeId": "USER_TYPE_ID",
    "multiple": "MULTIPLE",
    "mandatory": "MANDATORY",
    "showFilter": "SHOW_FILTER",
    "showInList": "SHOW_IN_LIST",
    "editInList": "EDIT_IN_LIST",
    "isSearchable": "IS_SEARCHABLE",
    "sort": "SORT",
    "xmlId": "XML_ID",
    "settings": "SETTINGS",
    "editFormLabel": "EDIT_FORM_LABEL",
    "listColumnLabel": "LIST_COLUMN_LABEL",
    "listFilterLabel": "LIST_FILTER_LABEL",
    "errorMessage": "ERROR_MESSAGE",
    "helpMessage": "HELP_MESSAGE",
}


def _legacy_row(e: EntityType, field: Mapping[str, Any]) -> dict[str, Any]:
    """A userfieldconfig row in the crm.<x>.userfield form, named as a deal field would be."""
    row: dict[str, Any] = {_CAMEL_TO_UPPER[k]: v for k, v in field.items() if k in _CAMEL_TO_UPPER}
    original = str(row.get("FIELD_NAME") or "")
    row["FIELD_NAME"] = DEAL.field_name(e.field_code(original))
    # The core fills a language without a label with the FIELD_NAME (§13.4): the real one, which
    # the renaming above would hide from the fallback rule (portal/mapping.py _label).
    label = row.get("EDIT_FORM_LABEL")
    if isinstance(label, Mapping):
        row["EDIT_FORM_LABEL"] = {lang: ("" if text == original else text) for lang, text in label.items()}
    row["LIST"] = [
        {
            "ID": i.get("id"),
            "VALUE": i.get("value"),
            "DEF": i.get("def"),
            "SORT": i.get("sort"),
            "XML_ID": i.get("xmlId"),
        }
        for i in as_list(field.get("enum"))
        if isinstance(i, Mapping)
    ]
    return row


def smart_descriptor(sp: SmartProcessLive) -> EntityType:
    """The descriptor of a smart process as read (its own type id names its fields)."""
    return smart_process(sp.entity_type_id, sp.type_id)


__all__ = ["TYPE_LIST", "smart_descriptor", "with_smart_processes", "with_smart_processes_of"]
