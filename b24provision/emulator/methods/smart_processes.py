"""Smart processes: ``crm.type.add|update|get|getByEntityTypeId|list|delete|fields``.

The D7 controller's envelope (``api-reference/crm/universal/user-defined-object-types/``): a type
comes back as ``{"type": {...}}``, a list as ``{"types": [...]}`` with ``total``, switches as "Y"/"N".
A new type gets an ``entityTypeId`` (emulator/methods/smart_types.py), a default pipeline with five
stages, and nothing else. ``relations`` (``parent``/``child`` lists of ``{entityTypeId,
isChildrenListEnabled}``) are kept as sent, with ``isPredefined`` "N".

Refusals: deleting a type that still has items answers ``BX_ERROR`` "You cannot delete an entity
type that has elements" (crm-type-delete.md) and an unknown one code ``0`` "Smart process not found"
(crm-type-get.md, crm-type-delete.md); the other refusals' codes and words are UNVERIFIED.

Tariff gate (``Restriction\\DynamicTypesLimit`` + ``DynamicTypesQuantityRestriction``,
``SC:core-corp:modules/crm/lib/restriction/``): the plan variable ``crm_smart_processes_limit``
(``PortalSettings.limits``): 0 means no smart processes at all (adding a type, changing one and
adding an item are refused), a negative value or none means no limit, N refuses a new type once N
exist. Codes ``CREATE_DYNAMIC_TYPE_RESTRICTED``, ``UPDATE_DYNAMIC_TYPE_RESTRICTED``,
``CREATE_DYNAMIC_ITEM_RESTRICTED`` are the core's; their English words are UNVERIFIED, and which
plan has which limit no public source says (the slider codes name 150 and a technical maximum).
"""

from __future__ import annotations

import json
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods import smart_types
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import (
    Paged,
    RestError,
    as_dict,
    as_list,
    field_description,
    iso,
    param,
    to_int,
    to_yn,
)

NOT_FOUND = "Smart process not found"
LIMIT = "crm_smart_processes_limit"


def unavailable(call: Call) -> bool:
    """Whether the plan has no smart processes at all (its limit is 0)."""
    return call.settings.limits.get(LIMIT) == 0


def _relations(raw: Any) -> dict[str, list[dict[str, Any]]]:
    given = as_dict(raw)
    out: dict[str, list[dict[str, Any]]] = {"parent": [], "child": []}
    for side in out:
        for item in as_list(given.get(side)):
            relation = as_dict(item)
            type_id = to_int(relation.get("entityTypeId"))
            if type_id is None:
                continue
            # The docs: "Y"/"N" do not work here, "true"/"false" do (UNVERIFIED what Y does).
            children = str(relation.get("isChildrenListEnabled", "false")).lower() in ("true", "1")
            out[side].append(
                {
                    "entityTypeId": type_id,
                    "isChildrenListEnabled": "Y" if children else "N",
                    "isPredefined": "N",
                }
            )
    return out


def _switches(fields: dict[str, Any], current: dict[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in smart_types.SWITCHES:
        default = "Y" if name in smart_types.DEFAULT_ON else "N"
        base = default if current is None else current.get(name, default)
        out[name] = to_yn(fields[name], base) if name in fields else base
    return out


def _by_id(call: Call) -> Any:
    type_id = to_int(param(call.params, "id"))
    row = None if type_id is None else smart_types.type_row_by_id(call.db, type_id)
    if row is None:
        raise RestError(0, NOT_FOUND)  # crm-type-get.md: code 0
    return row


@method("crm.type.fields")
def type_fields(call: Call) -> dict[str, Any]:
    fdesc = field_description

    fields = {
        "id": fdesc("integer", "ID", readonly=True),
        "title": fdesc("string", "Title", required=True),
        "code": fdesc("string", "Code"),
        "createdBy": fdesc("user", "Created by", readonly=True),
        "entityTypeId": fdesc("integer", "Entity type ID"),
        "customSectionId": fdesc("integer", "Custom section"),
        "createdTime": fdesc("datetime", "Created on", readonly=True),
        "updatedTime": fdesc("datetime", "Modified on", readonly=True),
        "updatedBy": fdesc("user", "Modified by", readonly=True),
        "relations": fdesc("relations", "Relations"),
        "linkedUserFields": fdesc("linkedUserFields", "Linked user fields"),
    }
    fields.update({name: fdesc("boolean", name) for name in smart_types.SWITCHES})
    return {"fields": fields}


@method("crm.type.add", write=True)
def type_add(call: Call) -> dict[str, Any]:
    fields = as_dict(param(call.params, "fields"))
    title = str(param(fields, "title", default="") or "").strip()
    if not title:
        raise RestError(0, "Field 'title' is required")  # UNVERIFIED words
    limit = call.settings.limits.get(LIMIT)
    count = int(call.db.execute("SELECT COUNT(*) FROM crm_type").fetchone()[0])
    if limit is not None and limit >= 0 and count >= limit:
        raise RestError("CREATE_DYNAMIC_TYPE_RESTRICTED", "Your plan does not allow more smart processes.")
    wanted = to_int(param(fields, "entityTypeId"))
    if wanted is None:
        entity_type_id = smart_types.next_entity_type_id(call.db)
    elif not smart_types.valid_entity_type_id(wanted):
        raise RestError(0, f"entityTypeId {wanted} is out of the allowed ranges")  # UNVERIFIED words
    elif smart_types.type_row(call.db, wanted) is not None:
        raise RestError(0, f"A type with entityTypeId {wanted} already exists")  # UNVERIFIED words
    else:
        entity_type_id = wanted
    now = iso(call.now)
    cursor = call.db.execute(
        "INSERT INTO crm_type (entity_type_id, title, code, flags, relations, created, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            entity_type_id,
            title,
            str(param(fields, "code", default="") or ""),
            json.dumps(_switches(fields, None)),
            json.dumps(_relations(param(fields, "relations"))),
            now,
            now,
        ),
    )
    name = store.localized(smart_types.DEFAULT_CATEGORY_NAME, call.settings.language)
    smart_types.create_category(call.db, entity_type_id, name, 500, call.settings.language, default=True)
    row = smart_types.type_row_by_id(call.db, int(cursor.lastrowid or 0))
    assert row is not None
    return {"type": smart_types.type_to_wire(row)}


@method("crm.type.update", write=True)
def type_update(call: Call) -> dict[str, Any]:
    row = _by_id(call)
    if unavailable(call):
        raise RestError(
            "UPDATE_DYNAMIC_TYPE_RESTRICTED", "Your plan does not allow changing smart processes."
        )
    fields = as_dict(param(call.params, "fields"))
    # entityTypeId cannot change (UNVERIFIED whether sending it is refused or ignored: ignored).
    title = param(fields, "title")
    if title is not None and not str(title).strip():
        raise RestError(0, "Field 'title' is required")
    relations = json.loads(row["relations"]) if "relations" not in fields else _relations(fields["relations"])
    call.db.execute(
        "UPDATE crm_type SET title = ?, flags = ?, relations = ?, updated = ? WHERE id = ?",
        (
            row["title"] if title is None else str(title).strip(),
            json.dumps(_switches(fields, smart_types.flags(row))),
            json.dumps(relations),
            iso(call.now),
            row["id"],
        ),
    )
    updated = smart_types.type_row_by_id(call.db, int(row["id"]))
    assert updated is not None
    return {"type": smart_types.type_to_wire(updated)}


@method("crm.type.get")
def type_get(call: Call) -> dict[str, Any]:
    return {"type": smart_types.type_to_wire(_by_id(call))}


@method("crm.type.getbyentitytypeid")
def type_get_by_entity_type_id(call: Call) -> dict[str, Any]:
    entity_type_id = to_int(param(call.params, "entityTypeId"))
    row = None if entity_type_id is None else smart_types.type_row(call.db, entity_type_id)
    if row is None:
        raise RestError(0, NOT_FOUND)
    return {"type": smart_types.type_to_wire(row)}


@method("crm.type.list")
def type_list(call: Call) -> Paged:
    types = [smart_types.type_to_wire(r) for r in store.rows(call.db, "SELECT * FROM crm_type ORDER BY id")]
    for key, value in as_dict(param(call.params, "filter")).items():
        types = [t for t in types if str(t.get(key)) == str(value)]
    for key, direction in reversed(list(as_dict(param(call.params, "order")).items())):

        def sort_key(item: dict[str, Any], name: str = key) -> str:
            return str(item.get(name, "")).zfill(12)

        types.sort(key=sort_key, reverse=str(direction).upper() == "DESC")
    start = max(to_int(param(call.params, "start"), 0) or 0, 0)
    page = types[start : start + 50]
    more = start + 50 < len(types)
    return Paged({"types": page}, total=len(types), next=start + 50 if more else None)


@method("crm.type.delete", write=True)
def type_delete(call: Call) -> list[Any]:
    type_id = to_int(param(call.params, "id"))
    row = None if type_id is None else smart_types.type_row_by_id(call.db, type_id)
    if row is None:
        raise RestError(0, NOT_FOUND)
    sql = "SELECT 1 FROM crm_item WHERE entity_type_id = ? LIMIT 1"
    if call.db.execute(sql, (row["entity_type_id"],)).fetchone():
        raise RestError("BX_ERROR", "You cannot delete an entity type that has elements")
    smart_types.delete_type_rows(call.db, row)
    return []
