"""What directories a portal has: ``crm.status.entity.types`` and ``crm.status.entity.items``.

Reference lists come with their names; stage directories with their pipeline, prefix and
semantic info (the first stage, the success and the failure stage). Smart-process directories
``DYNAMIC_<t>_STAGE_<c>`` and lead statuses are listed as the docs' example answer shows them
(``api-reference/crm/status/crm-status-entity-types.md``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods.pipelines import category_exists, category_name
from b24provision.emulator.methods.smart_types import StageDirectory, dynamic_directory, type_row
from b24provision.emulator.methods.stages import deal_category_of, supported_entities
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import crm_error, param


def _semantic_info(
    db: sqlite3.Connection, entity: str, prefix: str, won_code: str, lost_code: str
) -> dict[str, Any]:
    stages = {
        r["semantics"]: r
        for r in store.rows(db, "SELECT * FROM status WHERE entity_id = ? ORDER BY sort DESC", (entity,))
    }
    first = db.execute(
        "SELECT status_id FROM status WHERE entity_id = ? ORDER BY sort, id LIMIT 1", (entity,)
    ).fetchone()
    won, lost = stages.get("S"), stages.get("F")
    return {
        "START_FIELD": first["status_id"] if first else f"{prefix}NEW",
        "FINAL_SUCCESS_FIELD": won["status_id"] if won else f"{prefix}{won_code}",
        "FINAL_UNSUCCESS_FIELD": lost["status_id"] if lost else f"{prefix}{lost_code}",
        "FINAL_SORT": int(won["sort"]) if won else 0,
    }


def _dynamic_entity_type(call: Call, directory: StageDirectory) -> dict[str, Any]:
    """A smart-process pipeline as the docs' example answer lists it (crm-status-entity-types.md:
    "<type> (<pipeline>)", SEMANTIC_INFO an empty array, the pipeline's name, sort and default flag)."""
    kind = type_row(call.db, directory.entity_type_id)
    category = store.one(call.db, "SELECT * FROM item_category WHERE id = ?", (directory.category_id,))
    title = "" if kind is None else str(kind["title"])
    pipeline = "" if category is None else str(category["name"])
    return {
        "ID": directory.entity_id,
        "NAME": f"{title} ({pipeline})",
        "SEMANTIC_INFO": [],
        "PREFIX": directory.prefix.rstrip(":"),
        "FIELD_ATTRIBUTE_SCOPE": f"category_{directory.category_id}",
        "ENTITY_TYPE_ID": directory.entity_type_id,
        "IS_ENABLED": True,
        "CATEGORY_ID": directory.category_id,
        "CATEGORY_NAME": pipeline,
        "CATEGORY_SORT": 0 if category is None else int(category["sort"]),
        "IS_DEFAULT_CATEGORY": category is not None and category["is_default"] == "Y",
    }


def _lead_entity_type(call: Call) -> dict[str, Any]:
    """STATUS with its semantic info and ENTITY_TYPE_ID 1 (the docs' example; FINAL_SORT 0 there)."""
    info = _semantic_info(call.db, "STATUS", "", "CONVERTED", "JUNK")
    info["FINAL_SORT"] = 0
    names = store.DIRECTORY_NAMES["STATUS"]
    return {
        "ID": "STATUS",
        "NAME": store.localized(names, call.settings.language),
        "SEMANTIC_INFO": info,
        "ENTITY_TYPE_ID": 1,
    }


@method("crm.status.entity.types")
def status_entity_types(call: Call) -> list[dict[str, Any]]:
    language = call.settings.language
    out: list[dict[str, Any]] = []
    for entity in supported_entities(call.db):
        dynamic = dynamic_directory(entity)
        if dynamic is not None:
            out.append(_dynamic_entity_type(call, dynamic))
            continue
        if entity == "STATUS":
            out.append(_lead_entity_type(call))
            continue
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
        if call.settings.quirks.success_stage_code == "WON":
            # The legacy semantic info names <prefix>WON whatever the pipeline holds (reference §13.7).
            sql = "SELECT * FROM status WHERE entity_id = ? AND status_id = ?"
            won = store.one(call.db, sql, (entity, f"{prefix}WON"))
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
