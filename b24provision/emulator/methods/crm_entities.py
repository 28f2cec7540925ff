"""Leads, contacts and companies: ``crm.lead.*``, ``crm.contact.*``, ``crm.company.*`` (legacy proxies).

They exist so that lead statuses, reference-list items and custom fields can *hold* data, and so
that a provisioner can count it before it deletes anything (``crm.lead.list`` with
``filter[STATUS_ID]``, ``filter[!UF_…]``, ``filter[=UF_…]``, ``select[]=ID`` and the hoisted
``total``). The list machinery is the deals' one (emulator/methods/deals.py: paging 50 at a time,
the legacy filter prefixes, UF_ filters as the core's SQL builder has them, unknown fields dropped).
Answers use the legacy shape: upper-case keys, every scalar a string, errors with the empty code.

A lead's STATUS_ID must be a status of the ``STATUS`` directory (default: the first by sort, NEW on
a fresh portal); a status the portal lacks is refused here (UNVERIFIED: the core may store it).
Contacts and companies have no stages. Rows live in ``crm_item`` (entity types 1, 3 and 4) next
to smart-process items.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods.deals import list_page, select_fields
from b24provision.emulator.registry import Call, Handler, method
from b24provision.emulator.wire import Paged, as_list, crm_error, iso, param, to_int


@dataclass(frozen=True)
class LegacyEntity:
    name: str
    entity_type_id: int
    field_entity: str
    fields: tuple[str, ...]
    """Standard fields besides ID, DATE_CREATE, DATE_MODIFY (stored as sent, printed as strings)."""
    title_field: str


ENTITIES = {
    "lead": LegacyEntity(
        "lead",
        1,
        "CRM_LEAD",
        ("TITLE", "STATUS_ID", "SOURCE_ID", "NAME", "LAST_NAME", "HONORIFIC", "ASSIGNED_BY_ID"),
        "TITLE",
    ),
    "contact": LegacyEntity(
        "contact",
        3,
        "CRM_CONTACT",
        ("NAME", "LAST_NAME", "TYPE_ID", "SOURCE_ID", "HONORIFIC", "ASSIGNED_BY_ID"),
        "NAME",
    ),
    "company": LegacyEntity(
        "company",
        4,
        "CRM_COMPANY",
        ("TITLE", "COMPANY_TYPE", "INDUSTRY", "EMPLOYEES", "ASSIGNED_BY_ID"),
        "TITLE",
    ),
}


def _entity(call: Call) -> LegacyEntity:
    return ENTITIES[call.name.split(".")[1]]


def user_fields(db: sqlite3.Connection, field_entity: str) -> dict[str, sqlite3.Row]:
    rows = store.rows(db, "SELECT * FROM userfield WHERE entity_id = ? ORDER BY sort, id", (field_entity,))
    return {str(r["field_name"]): r for r in rows}


def _to_wire(row: sqlite3.Row, entity: LegacyEntity) -> dict[str, Any]:
    stored = json.loads(row["fields"])
    item: dict[str, Any] = {"ID": str(row["id"])}
    for name in entity.fields:
        value = stored.get(name)
        item[name] = None if value is None else str(value)
    if entity.name == "lead":
        item["STATUS_SEMANTIC_ID"] = stored.get("STATUS_SEMANTIC_ID", "P")
    item["DATE_CREATE"] = row["created"]
    item["DATE_MODIFY"] = row["updated"]
    item.update({k: v for k, v in stored.items() if k.startswith("UF_")})
    return item


def _fields(call: Call) -> dict[str, Any]:
    fields = param(call.params, "fields", "arFields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
    return {k.upper(): v for k, v in fields.items()}


def _lead_status(db: sqlite3.Connection, wanted: Any) -> tuple[str, str]:
    """(STATUS_ID, its semantic P/S/F) of a new lead."""
    if wanted in (None, ""):
        row = store.one(db, "SELECT * FROM status WHERE entity_id = 'STATUS' ORDER BY sort, id LIMIT 1")
    else:
        sql = "SELECT * FROM status WHERE entity_id = 'STATUS' AND status_id = ?"
        row = store.one(db, sql, (str(wanted),))
    if row is None:
        raise crm_error(f"Status '{wanted}' is not found.")
    return str(row["status_id"]), str(row["semantics"] or "P")


def entity_add(call: Call) -> int:
    entity = _entity(call)
    fields = _fields(call)
    known = user_fields(call.db, entity.field_entity)
    stored: dict[str, Any] = {k: fields[k] for k in entity.fields if fields.get(k) is not None}
    stored.setdefault("ASSIGNED_BY_ID", call.auth.user_id)
    for key, value in fields.items():
        if key in known:  # unknown UF_ keys are ignored, as in Bitrix
            stored[key] = as_list(value) if known[key]["multiple"] == "Y" else value
    stage = None
    if entity.name == "lead":
        stage, semantic = _lead_status(call.db, fields.get("STATUS_ID"))
        stored["STATUS_ID"] = stage
        stored["STATUS_SEMANTIC_ID"] = semantic
    cursor = call.db.execute(
        "INSERT INTO crm_item (entity_type_id, stage_id, title, fields, created, updated)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            entity.entity_type_id,
            stage,
            str(stored.get(entity.title_field) or ""),
            json.dumps(stored, ensure_ascii=False),
            iso(call.now),
            iso(call.now),
        ),
    )
    return int(cursor.lastrowid or 0)


def _row(call: Call, entity: LegacyEntity) -> sqlite3.Row:
    item_id = to_int(param(call.params, "id", "ID"))
    if item_id is None or item_id <= 0:
        raise crm_error("ID is not defined or invalid.")
    sql = "SELECT * FROM crm_item WHERE id = ? AND entity_type_id = ?"
    row = store.one(call.db, sql, (item_id, entity.entity_type_id))
    if row is None:
        raise crm_error("Not found")
    return row


def entity_get(call: Call) -> dict[str, Any]:
    entity = _entity(call)
    return _to_wire(_row(call, entity), entity)


def entity_delete(call: Call) -> bool:
    entity = _entity(call)
    call.db.execute("DELETE FROM crm_item WHERE id = ?", (_row(call, entity)["id"],))
    return True


def entity_list(call: Call) -> Paged:
    entity = _entity(call)
    rows = store.rows(
        call.db, "SELECT * FROM crm_item WHERE entity_type_id = ? ORDER BY id", (entity.entity_type_id,)
    )
    items = [_to_wire(r, entity) for r in rows]
    ufs = {name: str(r["user_type_id"]) for name, r in user_fields(call.db, entity.field_entity).items()}
    standard = {"ID", "DATE_CREATE", "DATE_MODIFY", *entity.fields}
    page, next_start, total = list_page(call, items, ufs, standard)
    select = [str(s) for s in as_list(param(call.params, "select"))]
    page = select_fields(page, select, lambda key: not key.startswith("UF_"))
    return Paged(page, total=total, next=next_start)


_HANDLERS: dict[str, tuple[Handler, bool]] = {
    "add": (entity_add, True),
    "get": (entity_get, False),
    "list": (entity_list, False),
    "delete": (entity_delete, True),
}
for _name in ENTITIES:
    for _verb, (_handler, _write) in _HANDLERS.items():
        method(f"crm.{_name}.{_verb}", write=_write)(_handler)
