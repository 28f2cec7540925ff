"""CRM directories, deal stages among them: ``crm.status.*`` (reference §6).

A directory is an ENTITY_ID: ``DEAL_STAGE`` for the default pipeline, ``DEAL_STAGE_<id>`` for the
others (stage codes there are ``C<id>:CODE``), and plain lists such as STATUS, SOURCE, DEAL_TYPE.
Rules a provisioner meets: STATUS_ID gets the ``C<id>:`` prefix on add; SYSTEM is forced to N; an
in-progress stage cannot be sorted after the success stage; a SYSTEM stage is deleted only with
``params[FORCED]=Y``; a stage holding deals is never deleted. Every scalar goes out as a string.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods.pipelines import category_exists, category_name
from b24provision.emulator.registry import Call, method
from b24provision.emulator.settings import Quirks
from b24provision.emulator.wire import Paged, RestError, as_dict, crm_error, order_items, param, to_int

_DEAL_STAGE = re.compile(r"^DEAL_STAGE(?:_(\d+))?$")
_EXTRA_SEMANTICS = {None: "process", "": "process", "S": "success", "F": "failure"}
_STAGE_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


def max_stage_code(prefix: str) -> int:
    """The longest bare stage code: ``validateStatusId`` allows 30 − len(prefix) − len('STAGE_ID')
    (reference §13.5): 22 in the default pipeline, 19 in C1–C9, 18 in C10–C99, 17 in C100–C999.
    Added for doctor --probe's tests; lane "core" owns stage code rules."""
    return 30 - len(prefix) - len("STAGE_ID")


def _quirk_success_code(bare: str, semantics: str | None, quirks: Quirks) -> None:
    """Quirk ``success_stage_code`` (§13.7): "WON" refuses a success stage with another code.

    How the portal words it is UNVERIFIED; the legacy proxies' empty code and a plain sentence is
    the plausible shape. Minimal, added for doctor --probe's tests; lane "core" owns it."""
    if quirks.success_stage_code == "WON" and semantics == "S" and bare != "WON":
        raise crm_error("The successful stage of a pipeline must have the code WON.")


def deal_category_of(entity_id: str) -> int | None:
    """The pipeline id of a deal-stage directory, None for other directories."""
    match = _DEAL_STAGE.match(entity_id)
    if not match:
        return None
    return int(match.group(1) or 0)


def supported_entities(db: sqlite3.Connection) -> list[str]:
    ids = ["STATUS", "SOURCE", "CONTACT_TYPE", "COMPANY_TYPE", "INDUSTRY", "DEAL_TYPE", "DEAL_STAGE"]
    ids += [f"DEAL_STAGE_{r['id']}" for r in store.rows(db, "SELECT id FROM category ORDER BY id")]
    return ids


def status_to_wire(row: sqlite3.Row) -> dict[str, Any]:
    """A directory row as crm.status.get/list print it: strings, EXTRA for stage-like directories."""
    item: dict[str, Any] = {
        "ID": str(row["id"]),
        "ENTITY_ID": row["entity_id"],
        "STATUS_ID": row["status_id"],
        "NAME": row["name"],
        "NAME_INIT": row["name_init"],
        "SORT": str(row["sort"]),
        "SYSTEM": row["system"],
        "CATEGORY_ID": None if row["category_id"] is None else str(row["category_id"]),
        "COLOR": row["color"],
        "SEMANTICS": row["semantics"] or None,
    }
    if row["entity_id"] in ("STATUS", "QUOTE_STATUS") or deal_category_of(row["entity_id"]) is not None:
        semantics = _EXTRA_SEMANTICS.get(row["semantics"], "process")
        if row["semantics"] == "F" and row["status_id"].rsplit(":", 1)[-1] == "APOLOGY":
            semantics = "apology"
        item["EXTRA"] = {"SEMANTICS": semantics, "COLOR": row["color"]}
    return item


def stage_semantic(db: sqlite3.Connection, stage_id: str, category_id: int) -> str:
    """P (in progress), S (won) or F (lost): the STAGE_SEMANTIC_ID of a deal in this stage."""
    row = db.execute(
        "SELECT semantics FROM status WHERE entity_id = ? AND status_id = ?",
        (store.stage_entity(category_id), stage_id),
    ).fetchone()
    return (row["semantics"] if row and row["semantics"] else "P") if row else "P"


def _status_id(call: Call) -> int:
    value = to_int(param(call.params, "id", "ID"))
    if value is None or value <= 0:
        raise crm_error("ID is not defined or invalid.")
    return value


def _row(db: sqlite3.Connection, status_id: int) -> sqlite3.Row | None:
    return store.one(db, "SELECT * FROM status WHERE id = ?", (status_id,))


def _color(fields: dict[str, Any]) -> str | None:
    color = param(fields, "COLOR")
    if color is None:
        color = param(as_dict(param(fields, "EXTRA")), "COLOR")
    return None if color is None else str(color)


@method("crm.status.fields")
def status_fields(call: Call) -> dict[str, Any]:
    def fdesc(
        kind: str, title: str, *, required: bool = False, readonly: bool = False, immutable: bool = False
    ) -> dict[str, Any]:
        return {
            "type": kind,
            "isRequired": required,
            "isReadOnly": readonly,
            "isImmutable": immutable,
            "isMultiple": False,
            "isDynamic": False,
            "title": title,
        }

    return {
        "ID": fdesc("integer", "ID", readonly=True),
        "ENTITY_ID": fdesc("string", "Entity ID", required=True, immutable=True),
        "STATUS_ID": fdesc("string", "Status ID", required=True, immutable=True),
        "SORT": fdesc("integer", "Sort"),
        "NAME": fdesc("string", "Name", required=True),
        "NAME_INIT": fdesc("string", "Default name", readonly=True),
        "SYSTEM": fdesc("char", "System", readonly=True),
        "CATEGORY_ID": fdesc("integer", "Pipeline", immutable=True),
        "COLOR": fdesc("string", "Color"),
        "SEMANTICS": fdesc("char", "Semantics", immutable=True),
        "EXTRA": fdesc("crm_status_extra", "Extra"),
    }


@method("crm.status.get")
def status_get(call: Call) -> dict[str, Any]:
    row = _row(call.db, _status_id(call))
    if row is None:
        raise crm_error("CRM Status is not found.")
    return status_to_wire(row)


@method("crm.status.list")
def status_list(call: Call) -> Paged:
    flt = param(call.params, "filter", default={})
    if not isinstance(flt, dict | list):
        raise crm_error("Parameter 'filter' must be array.")
    flt = as_dict(flt)
    order = param(call.params, "order", default={})
    if not isinstance(order, dict | list):
        raise crm_error("Parameter 'order' must be array.")
    items = [status_to_wire(r) for r in store.rows(call.db, "SELECT * FROM status ORDER BY id")]
    for key, value in flt.items():
        upper = key.upper()
        if isinstance(value, dict | list) and upper in ("ENTITY_ID", "STATUS_ID", "SORT", "SEMANTICS"):
            raise crm_error(f"Filter by {upper} must be a string")
        items = [i for i in items if str(i.get(upper)) == str(value)]
    items = order_items(items, as_dict(order) or {"SORT": "ASC"}, {"ID", "SORT", "CATEGORY_ID"})
    return Paged(items, total=len(items))


@method("crm.status.add", write=True)
def status_add(call: Call) -> int:
    fields = param(call.params, "fields", "arFields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
    entity_id = str(param(fields, "ENTITY_ID", default="") or "")
    code = str(param(fields, "STATUS_ID", default="") or "")
    missing = [
        f"The field {name} is required."
        for name, v in (("ENTITY_ID", entity_id), ("STATUS_ID", code))
        if not v
    ]
    if missing:
        raise crm_error(*missing)
    if entity_id not in supported_entities(call.db):
        raise crm_error("Specified entity type is not supported.")
    name = str(param(fields, "NAME", default="") or "")
    if not name.strip():
        raise crm_error("The field Title is required.")
    sort = to_int(param(fields, "SORT"), 10) or 0
    semantics = str(param(fields, "SEMANTICS", default="") or "").upper() or None
    if semantics not in (None, "S", "F"):
        semantics = None
    category_id = deal_category_of(entity_id)
    if category_id is not None:
        prefix = store.stage_prefix(category_id)
        if prefix and not code.startswith(prefix):
            code = prefix + code
        bare = code[len(prefix) :]
        if not _STAGE_CODE.match(bare):
            raise RestError(
                "ERROR_CORE", "The status ID contains invalid characters. Allowed: A-Z, a-z, 0-9, _ and -."
            )
        if len(bare) > max_stage_code(prefix):
            raise RestError("ERROR_CORE", "The status ID is too long.")
        _quirk_success_code(bare, semantics, call.settings.quirks)
        won = call.db.execute(
            "SELECT sort FROM status WHERE entity_id = ? AND semantics = 'S'", (entity_id,)
        ).fetchone()
        if semantics is None and won is not None and sort > int(won["sort"]):
            raise crm_error(
                "Cannot create more stages after the final stage because the final successful stage "
                "already exists. Try using sort order values less than that of the final stage."
            )
    elif len(code) > 50:
        raise RestError("ERROR_CORE", "The status ID is too long.")
    if call.db.execute(
        "SELECT 1 FROM status WHERE entity_id = ? AND status_id = ?", (entity_id, code)
    ).fetchone():
        raise RestError("ERROR_CORE", "The specified status ID already exists.")
    cursor = call.db.execute(
        "INSERT INTO status (entity_id, status_id, name, name_init, sort, system, color, semantics,"
        " category_id) VALUES (?, ?, ?, '', ?, 'N', ?, ?, ?)",
        (entity_id, code, name, sort, _color(fields), semantics, category_id or None),
    )
    return int(cursor.lastrowid or 0)


@method("crm.status.update", write=True)
def status_update(call: Call) -> bool:
    status_id = _status_id(call)
    fields = param(call.params, "fields", "arFields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
    row = _row(call.db, status_id)
    if row is None:
        raise crm_error("Status is not found.")
    # ENTITY_ID, STATUS_ID, CATEGORY_ID, SEMANTICS are immutable: silently ignored (reference §6).
    name = param(fields, "NAME")
    sort = param(fields, "SORT")
    color = _color(fields)
    if name is not None and not str(name).strip():
        raise crm_error("The field Title is required.")
    call.db.execute(
        "UPDATE status SET name = ?, sort = ?, color = ? WHERE id = ?",
        (
            row["name"] if name is None else str(name),
            row["sort"] if sort is None else (to_int(sort, row["sort"]) or 0),
            row["color"] if color is None else color,
            status_id,
        ),
    )
    return True


@method("crm.status.delete", write=True)
def status_delete(call: Call) -> bool:
    status_id = _status_id(call)
    row = _row(call.db, status_id)
    if row is None:
        raise crm_error("Status is not found.")
    params = as_dict(param(call.params, "params"))
    if row["system"] == "Y" and str(param(params, "FORCED", default="")).upper() != "Y":
        raise crm_error(
            'CRM System Status can be deleted only if parameter FORCED is specified and equal to "Y".'
        )
    category_id = deal_category_of(row["entity_id"])
    if category_id is not None:
        holding = call.db.execute(
            "SELECT 1 FROM deal WHERE category_id = ? AND stage_id = ? LIMIT 1",
            (category_id, row["status_id"]),
        ).fetchone()
        if holding:
            raise crm_error("There are active items in this status.")
    call.db.execute("DELETE FROM status WHERE id = ?", (status_id,))
    return True


@method("crm.status.entity.types")
def status_entity_types(call: Call) -> list[dict[str, Any]]:
    language = call.settings.language
    out: list[dict[str, Any]] = []
    for entity in supported_entities(call.db):
        category_id = deal_category_of(entity)
        if category_id is None:
            names = store.DIRECTORY_NAMES.get(entity, {"en": entity})
            out.append({"ID": entity, "NAME": store.localized(names, language)})
            continue
        prefix = store.stage_prefix(category_id)
        stages = {
            r["semantics"]: r
            for r in store.rows(
                call.db, "SELECT * FROM status WHERE entity_id = ? ORDER BY sort DESC", (entity,)
            )
        }
        first = call.db.execute(
            "SELECT status_id FROM status WHERE entity_id = ? ORDER BY sort, id LIMIT 1", (entity,)
        ).fetchone()
        won, lost = stages.get("S"), stages.get("F")
        base = store.localized(store.DIRECTORY_NAMES["DEAL_STAGE"], language)
        item: dict[str, Any] = {
            "ID": entity,
            "NAME": base if category_id == 0 else f"{base} ({category_name(call.db, category_id)})",
            "SEMANTIC_INFO": {
                "START_FIELD": first["status_id"] if first else f"{prefix}NEW",
                "FINAL_SUCCESS_FIELD": won["status_id"] if won else f"{prefix}WON",
                "FINAL_UNSUCCESS_FIELD": lost["status_id"] if lost else f"{prefix}LOSE",
                "FINAL_SORT": int(won["sort"]) if won else 0,
            },
            "PREFIX": prefix.rstrip(":"),
            "FIELD_ATTRIBUTE_SCOPE": "" if category_id == 0 else f"category_{category_id}",
            "ENTITY_TYPE_ID": 2,
            "CATEGORY_ID": 0 if category_id == 0 else str(category_id),
        }
        if category_id:
            item["PARENT_ID"] = "DEAL_STAGE"
        out.append(item)
    return out


@method("crm.status.entity.items")
def status_entity_items(call: Call) -> list[dict[str, Any]]:
    entity = str(param(call.params, "entityId", default="") or "")
    category_id = deal_category_of(entity)
    if (
        not entity
        or entity not in supported_entities(call.db)
        or (category_id is not None and not category_exists(call.db, category_id))
    ):
        raise crm_error("The parameter entityId is not defined or invalid.")
    return [
        {"NAME": r["name"], "SORT": int(r["sort"]), "STATUS_ID": r["status_id"]}
        for r in store.rows(call.db, "SELECT * FROM status WHERE entity_id = ? ORDER BY sort, id", (entity,))
    ]
