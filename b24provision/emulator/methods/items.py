"""Smart-process items: ``crm.item.add|get|list|delete`` (``api-reference/crm/universal/crm-item-*``).

The D7 controller's envelope: ``{"item": {...}}``, ``{"items": [...]}`` with ``next``/``total``,
camelCase fields (``stageId``, ``categoryId``, ``ufCrm5_1623456789``, emulator/methods/camel.py).
A new item lands in the type's default pipeline and that pipeline's first stage unless it names
others; a stage outside the pipeline is refused (UNVERIFIED words). Lists filter with the legacy
prefixes on camelCase names (``stageId``, ``=categoryId``, ``!ufCrm5_…``), as a provisioner counts
what a stage, pipeline or field holds before deleting it, nested conditions and ``logic: OR`` as the
ORM takes them (emulator/methods/items_filter.py ``holds``); a condition on a multiple field follows
the quirk ``item_multiple_filter`` (UNVERIFIED); a key naming no field of the type is refused as the
core refuses it (emulator/methods/items_filter.py). Only smart processes are served here
(a real portal also takes deals, leads, contacts and companies through ``crm.item.*``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods import smart_types
from b24provision.emulator.methods.camel import to_camel, to_upper
from b24provision.emulator.methods.deals import condition_holds, list_page
from b24provision.emulator.methods.items_filter import (
    ITEM_FIELDS,
    check_filter,
    check_order,
    holds,
    split,
    upper_filter,
)
from b24provision.emulator.methods.smart_processes import unavailable
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import Paged, RestError, as_dict, as_list, iso, param, to_int

STANDARD = ("ID", "TITLE", "CATEGORY_ID", "STAGE_ID", "ASSIGNED_BY_ID", "CREATED_TIME", "UPDATED_TIME")


def _type(call: Call) -> sqlite3.Row:
    entity_type_id = to_int(param(call.params, "entityTypeId"))
    row = None if entity_type_id is None else smart_types.type_row(call.db, entity_type_id)
    if row is None:
        # crm-item-delete.md: NOT_FOUND for an unknown entityTypeId ("SPA not found" in the English
        # table, "Smart process not found" on crm.type.delete's page: the exact words UNVERIFIED).
        raise RestError("NOT_FOUND", "Smart process not found")
    return row


def _user_fields(db: sqlite3.Connection, kind: sqlite3.Row) -> dict[str, sqlite3.Row]:
    rows = store.rows(db, "SELECT * FROM userfield WHERE entity_id = ?", (f"CRM_{kind['id']}",))
    return {str(r["field_name"]): r for r in rows}


def _upper_item(row: sqlite3.Row) -> dict[str, Any]:
    stored = json.loads(row["fields"])
    item: dict[str, Any] = {
        "ID": int(row["id"]),
        "TITLE": row["title"],
        "CATEGORY_ID": row["category_id"],
        "STAGE_ID": row["stage_id"],
        "ASSIGNED_BY_ID": stored.get("ASSIGNED_BY_ID", 1),
        "CREATED_TIME": row["created"],
        "UPDATED_TIME": row["updated"],
    }
    item.update({k: v for k, v in stored.items() if k.startswith("UF_")})
    return item


def _original(call: Call) -> bool:
    """``useOriginalUfNames=Y``: custom fields keep their UF_CRM_<id>_… names (crm-item-list.md)."""
    return str(param(call.params, "useOriginalUfNames", default="N")).upper() == "Y"


def _camel_item(
    item: dict[str, Any], entity_type_id: int, ufs: dict[str, sqlite3.Row], original: bool = False
) -> dict[str, Any]:
    def name_of(key: str) -> str:
        return key if original and key.startswith("UF_") else to_camel(key)

    out: dict[str, Any] = {"entityTypeId": entity_type_id}
    for key, value in item.items():
        out[name_of(key)] = value
    for name in ufs:  # every field of the type is present, null when it has no value
        out.setdefault(name_of(name), None)
    return out


def _names(ufs: dict[str, sqlite3.Row]) -> dict[str, str]:
    """camelCase name -> upper name, for standard fields and the type's own fields (original UF names
    map to themselves)."""
    known = {to_camel(name): name for name in STANDARD}
    known.update({to_camel(name): name for name in ufs})
    known.update({name: name for name in ufs})
    return known


@method("crm.item.add", write=True)
def item_add(call: Call) -> dict[str, Any]:
    kind = _type(call)
    if unavailable(call):  # the plan has no smart processes (emulator/methods/smart_processes.py)
        raise RestError("CREATE_DYNAMIC_ITEM_RESTRICTED", "Your plan does not allow smart process items.")
    entity_type_id = int(kind["entity_type_id"])
    ufs = _user_fields(call.db, kind)
    known = _names(ufs)
    fields = {known.get(k, to_upper(k)): v for k, v in as_dict(param(call.params, "fields")).items()}
    category_id = to_int(fields.get("CATEGORY_ID"))
    if category_id is None:
        category_id = smart_types.default_category(call.db, entity_type_id)
    if category_id is None or smart_types.category_row(call.db, entity_type_id, category_id) is None:
        raise RestError("NOT_FOUND", f"Category {category_id} is not found")  # UNVERIFIED words
    entity = smart_types.dynamic_entity(entity_type_id, category_id)
    stages = [
        r["status_id"]
        for r in store.rows(
            call.db, "SELECT status_id FROM status WHERE entity_id = ? ORDER BY sort, id", (entity,)
        )
    ]
    stage = str(fields.get("STAGE_ID") or (stages[0] if stages else ""))
    if stage not in stages:
        raise RestError("NOT_FOUND", f"Stage {stage} is not found in category {category_id}")  # UNVERIFIED
    stored: dict[str, Any] = {"ASSIGNED_BY_ID": to_int(fields.get("ASSIGNED_BY_ID"), call.auth.user_id)}
    for name, row in ufs.items():
        if name in fields:
            stored[name] = as_list(fields[name]) if row["multiple"] == "Y" else fields[name]
    cursor = call.db.execute(
        "INSERT INTO crm_item (entity_type_id, category_id, stage_id, title, fields, created, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            entity_type_id,
            category_id,
            stage,
            str(fields.get("TITLE") or ""),
            json.dumps(stored, ensure_ascii=False),
            iso(call.now),
            iso(call.now),
        ),
    )
    new = store.one(call.db, "SELECT * FROM crm_item WHERE id = ?", (int(cursor.lastrowid or 0),))
    assert new is not None
    return {"item": _camel_item(_upper_item(new), entity_type_id, ufs, _original(call))}


def _item_row(call: Call, entity_type_id: int) -> sqlite3.Row:
    item_id = to_int(param(call.params, "id"))
    sql = "SELECT * FROM crm_item WHERE id = ? AND entity_type_id = ?"
    row = None if item_id is None else store.one(call.db, sql, (item_id, entity_type_id))
    if row is None:
        raise RestError("NOT_FOUND", "Item not found")  # crm-item-delete.md
    return row


@method("crm.item.get")
def item_get(call: Call) -> dict[str, Any]:
    kind = _type(call)
    entity_type_id = int(kind["entity_type_id"])
    row = _item_row(call, entity_type_id)
    return {
        "item": _camel_item(_upper_item(row), entity_type_id, _user_fields(call.db, kind), _original(call))
    }


@method("crm.item.delete", write=True)
def item_delete(call: Call) -> list[Any]:
    kind = _type(call)
    call.db.execute(
        "DELETE FROM crm_item WHERE id = ?", (_item_row(call, int(kind["entity_type_id"]))["id"],)
    )
    return []


def _serialized(values: Any) -> str | None:
    """A multiple field's values as one column would hold them (PHP's serialize; none when empty)."""
    found = [v for v in as_list(values) if v not in (None, "")]
    if not found:
        return None
    body = "".join(f"i:{n};i:{v};" for n, v in enumerate(found))
    return f"a:{len(found)}:{{{body}}}"


@method("crm.item.list")
def item_list(call: Call) -> Paged:
    kind = _type(call)
    entity_type_id = int(kind["entity_type_id"])
    ufs = _user_fields(call.db, kind)
    known = _names(ufs)

    def upper(name: str) -> str:  # an upper-case name is taken as it is
        return known.get(name, name if name == name.upper() else to_upper(name))

    params = dict(call.params)
    params["filter"] = upper_filter(as_dict(param(call.params, "filter")), upper)
    params["order"] = {upper(k): v for k, v in as_dict(param(call.params, "order")).items()}
    check_filter(params["filter"], ITEM_FIELDS | set(ufs))  # the core refuses an unknown key
    check_order(params["order"], ITEM_FIELDS | set(ufs))
    rows = store.rows(call.db, "SELECT * FROM crm_item WHERE entity_type_id = ?", (entity_type_id,))
    items = [_upper_item(r) for r in rows]
    types = {name: str(r["user_type_id"]) for name, r in ufs.items()}
    multiple = [name for name, r in ufs.items() if r["multiple"] == "Y"]
    filtered, originals = items, {int(i["ID"]): i for i in items}
    if multiple and call.settings.quirks.item_multiple_filter == "serialized":
        # The ORM's one column per field: a multiple field's values compared as one serialized text.
        filtered = [{**i, **{n: _serialized(i.get(n)) for n in multiple}} for i in items]
        types.update({n: "string" for n in multiple})
    stored = set(STANDARD) | set(types)

    def condition(item: dict[str, Any]) -> Callable[[str, Any], bool | None]:
        # A field the emulator does not store makes no condition, as list_page drops it at the top.
        return lambda key, value: (
            condition_holds(item, key, value, types) if split(key)[1] in stored else None
        )

    # Nested conditions and LOGIC OR as the ORM takes them (items_filter.holds); the page from the rest.
    filtered = [i for i in filtered if holds(params["filter"], condition(i))]
    params["filter"] = {}
    page, next_start, total = list_page(replace(call, params=params), filtered, types, set(STANDARD))
    page = [originals[int(i["ID"])] for i in page]
    out = [_camel_item(i, entity_type_id, ufs, _original(call)) for i in page]
    select = [str(s) for s in as_list(param(call.params, "select"))]
    if select and "*" not in select:
        out = [{k: v for k, v in i.items() if k in select} for i in out]
    return Paged({"items": out}, total=total, next=next_start)
