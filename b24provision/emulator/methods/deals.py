"""Deals: ``crm.deal.*`` (reference §12), and the list machinery other lists share.

Deals exist in the emulator so that stages and pipelines can *hold* something (deleting a stage or
pipeline with deals is refused) and so that forecasts have history to read. Every stage a deal
enters is recorded (TYPE_ID 1 on creation, 2 on a move; read with ``crm.stagehistory.list``,
emulator/methods/stage_history.py); tests backdate those rows with ``Emulator.set_stage_history_time``.

Lists page 50 at a time with ``next``/``total``; filters take the legacy prefixes
``>=, >, <=, <, !, =, @ (in), !@``; ``start=-1`` skips counting (no next, total 0). UF_ fields are
filtered as the core's SQL builder does (``uf_filter.py``: ``!UF_X: ""`` is "holds a value",
``UF_X: <item id>`` "uses that item"), and a filter on a field the deal does not have is dropped.
A deal stores its TYPE_ID (DEAL_TYPE) and SOURCE_ID (SOURCE, null when not sent) codes, which the
lists filter as the other fields.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods.pipelines import category_exists
from b24provision.emulator.methods.stages import stage_semantic
from b24provision.emulator.registry import Call, method
from b24provision.emulator.uf_filter import split_key, uf_matches
from b24provision.emulator.wire import (
    PAGE_SIZE,
    Paged,
    as_dict,
    as_list,
    crm_error,
    iso,
    param,
    parse_time,
    to_int,
)

STANDARD_FIELDS: dict[str, tuple[str, bool]] = {  # name -> (type, read-only)
    "ID": ("integer", True),
    "TITLE": ("string", False),
    "TYPE_ID": ("crm_status", False),
    "SOURCE_ID": ("crm_status", False),
    "CATEGORY_ID": ("crm_category", False),
    "STAGE_ID": ("crm_status", False),
    "STAGE_SEMANTIC_ID": ("string", True),
    "OPPORTUNITY": ("double", False),
    "CURRENCY_ID": ("crm_currency", False),
    "ASSIGNED_BY_ID": ("user", False),
    "DATE_CREATE": ("datetime", True),
    "DATE_MODIFY": ("datetime", True),
    "CLOSEDATE": ("date", False),
    "CLOSED": ("char", False),
}
# TYPE_ID is a deal's type code (DEAL_TYPE) and a history row's 1/2: compared as text, which both bear.
NUMERIC = {"ID", "CATEGORY_ID", "OPPORTUNITY", "ASSIGNED_BY_ID", "OWNER_ID"}
DATES = {"DATE_CREATE", "DATE_MODIFY", "CLOSEDATE", "CREATED_TIME"}


def _deal_to_wire(row: sqlite3.Row) -> dict[str, Any]:
    stage = str(row["stage_id"])
    item: dict[str, Any] = {
        "ID": str(row["id"]),
        "TITLE": row["title"],
        "TYPE_ID": row["type_id"],
        "SOURCE_ID": row["source_id"],  # a code of the SOURCE list, or null when none was sent
        "CATEGORY_ID": str(row["category_id"]),
        "STAGE_ID": stage,
        "STAGE_SEMANTIC_ID": "P",  # filled in by _with_semantics
        "OPPORTUNITY": f"{float(row['opportunity']):.2f}",
        "CURRENCY_ID": row["currency_id"],
        "ASSIGNED_BY_ID": str(row["assigned_by_id"]),
        "DATE_CREATE": row["date_create"],
        "DATE_MODIFY": row["date_modify"],
        "CLOSEDATE": row["closedate"],
        "CLOSED": "N",
    }
    item.update(json.loads(row["uf"]))
    return item


def _with_semantics(db: sqlite3.Connection, item: dict[str, Any]) -> dict[str, Any]:
    semantic = stage_semantic(db, item["STAGE_ID"], int(item["CATEGORY_ID"]))
    item["STAGE_SEMANTIC_ID"] = semantic
    item["CLOSED"] = "Y" if semantic in ("S", "F") else "N"
    return item


def _first_stage(db: sqlite3.Connection, category_id: int) -> str:
    row = db.execute(
        "SELECT status_id FROM status WHERE entity_id = ? ORDER BY sort, id LIMIT 1",
        (store.stage_entity(category_id),),
    ).fetchone()
    if row is None:
        raise crm_error(f"Pipeline {category_id} has no stages.")
    return str(row["status_id"])


def _stage_in(db: sqlite3.Connection, stage_id: str, category_id: int) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM status WHERE entity_id = ? AND status_id = ?",
            (store.stage_entity(category_id), stage_id),
        ).fetchone()
        is not None
    )


def _record_stage(
    db: sqlite3.Connection, deal_id: int, type_id: int, category_id: int, stage_id: str, now: datetime
) -> None:
    db.execute(
        "INSERT INTO stage_history (type_id, owner_id, created_time, category_id, stage_semantic_id,"
        " stage_id) VALUES (?, ?, ?, ?, ?, ?)",
        (type_id, deal_id, iso(now), category_id, stage_semantic(db, stage_id, category_id), stage_id),
    )


def _uf_values(db: sqlite3.Connection, fields: dict[str, Any]) -> dict[str, Any]:
    """UF_ values from deal fields, lists for MULTIPLE fields; unknown UF_ keys are ignored, as in Bitrix."""
    known = {
        r["field_name"]: r["multiple"]
        for r in store.rows(db, "SELECT field_name, multiple FROM userfield WHERE entity_id = 'CRM_DEAL'")
    }
    out: dict[str, Any] = {}
    for key, value in fields.items():
        upper = key.upper()
        if upper in known:
            out[upper] = as_list(value) if known[upper] == "Y" else value
    return out


def _deal_id(call: Call) -> int:
    value = to_int(param(call.params, "id", "ID"))
    if value is None or value <= 0:
        raise crm_error("ID is not defined or invalid.")
    return value


def _fields(call: Call) -> dict[str, Any]:
    fields = param(call.params, "fields", "arFields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
    return {k.upper(): v for k, v in fields.items()}


@method("crm.deal.fields")
def deal_fields(call: Call) -> dict[str, Any]:
    out: dict[str, Any] = {
        name: {
            "type": kind,
            "isRequired": False,
            "isReadOnly": ro,
            "isImmutable": name == "CATEGORY_ID",
            "isMultiple": False,
            "isDynamic": False,
            "title": name,
        }
        for name, (kind, ro) in STANDARD_FIELDS.items()
    }
    for row in store.rows(call.db, "SELECT * FROM userfield WHERE entity_id = 'CRM_DEAL' ORDER BY sort, id"):
        labels = json.loads(row["labels"])
        title = labels.get("EDIT_FORM_LABEL", {}).get(call.settings.language) or row["field_name"]
        out[row["field_name"]] = {
            "type": row["user_type_id"],
            "isRequired": row["mandatory"] == "Y",
            "isReadOnly": False,
            "isImmutable": False,
            "isMultiple": row["multiple"] == "Y",
            "isDynamic": True,
            "title": row["field_name"],
            "listLabel": title,
            "formLabel": title,
            "filterLabel": title,
        }
    return out


@method("crm.deal.add", write=True)
def deal_add(call: Call) -> int:
    fields = _fields(call)
    stage = str(fields.get("STAGE_ID") or "")
    raw_category = fields.get("CATEGORY_ID")
    if raw_category in (None, "") and ":" in stage and stage.startswith("C"):
        raw_category = stage[1:].split(":", 1)[0]
    category_id = to_int(raw_category, 0) or 0
    if not category_exists(call.db, category_id):
        raise crm_error(f"Deal category {category_id} is not found.")
    if not stage:
        stage = _first_stage(call.db, category_id)  # lands in the pipeline's first stage (reference §12)
    elif not _stage_in(call.db, stage, category_id):
        # UNVERIFIED: a real portal may silently move such a deal to the first stage; refusing makes
        # client bugs visible, which is what the emulator is for.
        raise crm_error(f"Stage '{stage}' does not belong to deal category {category_id}.")
    now = call.now
    cursor = call.db.execute(
        "INSERT INTO deal (title, category_id, stage_id, opportunity, currency_id, assigned_by_id,"
        " date_create, date_modify, closedate, uf, type_id, source_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(fields.get("TITLE") or ""),
            category_id,
            stage,
            float(fields.get("OPPORTUNITY") or 0),
            str(fields.get("CURRENCY_ID") or "RUB"),
            to_int(fields.get("ASSIGNED_BY_ID"), call.auth.user_id) or call.auth.user_id,
            iso(now),
            iso(now),
            _date_or_none(fields.get("CLOSEDATE")),
            json.dumps(_uf_values(call.db, fields), ensure_ascii=False),
            # A deal's type, an item of DEAL_TYPE: SALE when not sent (UNVERIFIED default; the
            # code is not checked against the list here).
            str(fields.get("TYPE_ID") or "SALE"),
            _code_or_none(fields.get("SOURCE_ID")),
        ),
    )
    deal_id = int(cursor.lastrowid or 0)
    _record_stage(call.db, deal_id, 1, category_id, stage, now)
    return deal_id


def _code_or_none(value: Any) -> str | None:
    """A directory code as stored: none for an empty one (the code is not checked against the list,
    as TYPE_ID's is not)."""
    return None if value in (None, "") else str(value)


def _date_or_none(value: Any) -> str | None:
    moment = parse_time(value)
    return iso(moment) if moment else None


def _deal_row(call: Call, deal_id: int) -> sqlite3.Row:
    row = store.one(call.db, "SELECT * FROM deal WHERE id = ?", (deal_id,))
    if row is None:
        raise crm_error("Not found")
    return row


@method("crm.deal.get")
def deal_get(call: Call) -> dict[str, Any]:
    return _with_semantics(call.db, _deal_to_wire(_deal_row(call, _deal_id(call))))


@method("crm.deal.update", write=True)
def deal_update(call: Call) -> bool:
    deal_id = _deal_id(call)
    row = _deal_row(call, deal_id)
    fields = _fields(call)
    category_id = int(row["category_id"])  # CATEGORY_ID is ignored by crm.deal.update
    sets: dict[str, Any] = {}
    if "TITLE" in fields:
        sets["title"] = str(fields["TITLE"] or "")
    if "TYPE_ID" in fields:
        sets["type_id"] = str(fields["TYPE_ID"] or "SALE")
    if "SOURCE_ID" in fields:
        sets["source_id"] = _code_or_none(fields["SOURCE_ID"])
    if "OPPORTUNITY" in fields:
        sets["opportunity"] = float(fields["OPPORTUNITY"] or 0)
    if "CURRENCY_ID" in fields:
        sets["currency_id"] = str(fields["CURRENCY_ID"] or "RUB")
    if "ASSIGNED_BY_ID" in fields:
        sets["assigned_by_id"] = to_int(fields["ASSIGNED_BY_ID"], row["assigned_by_id"])
    if "CLOSEDATE" in fields:
        sets["closedate"] = _date_or_none(fields["CLOSEDATE"])
    new_stage = str(fields.get("STAGE_ID") or "")
    if new_stage and new_stage != row["stage_id"]:
        if not _stage_in(call.db, new_stage, category_id):
            raise crm_error(f"Stage '{new_stage}' does not belong to deal category {category_id}.")
        sets["stage_id"] = new_stage
        _record_stage(call.db, deal_id, 2, category_id, new_stage, call.now)
        if stage_semantic(call.db, new_stage, category_id) in ("S", "F") and "CLOSEDATE" not in fields:
            sets["closedate"] = iso(call.now)
    uf = json.loads(row["uf"])
    uf.update(_uf_values(call.db, fields))
    sets["uf"] = json.dumps(uf, ensure_ascii=False)
    sets["date_modify"] = iso(call.now)
    assignments = ", ".join(f"{column} = ?" for column in sets)
    call.db.execute(f"UPDATE deal SET {assignments} WHERE id = ?", (*sets.values(), deal_id))
    return True


@method("crm.deal.delete", write=True)
def deal_delete(call: Call) -> bool:
    deal_id = _deal_id(call)
    _deal_row(call, deal_id)
    call.db.execute("DELETE FROM deal WHERE id = ?", (deal_id,))
    return True


# --- list machinery shared by crm.deal.list and crm.stagehistory.list ---------------------------


def _comparable(key: str, value: Any) -> Any:
    if key in NUMERIC:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if key in DATES:
        return parse_time(value)
    return None if value is None else str(value)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def condition_holds(item: dict[str, Any], raw_key: str, wanted: Any, user_fields: dict[str, str]) -> bool:
    """Whether ``item`` passes one filter condition (crm.item.list's nested filters ask it too)."""
    return _matches(item, raw_key, wanted, user_fields)


def _matches(item: dict[str, Any], raw_key: str, wanted: Any, user_fields: dict[str, str]) -> bool:
    op, key = split_key(raw_key)
    if key in user_fields:
        return uf_matches(item.get(key), user_fields[key], op, wanted)
    op = op or "="
    have = _comparable(key, item.get(key))
    if op in _OPS:
        want = _comparable(key, wanted)
        return have is not None and want is not None and bool(_OPS[op](have, want))
    values = (
        [_comparable(key, v) for v in as_list(wanted)]
        if isinstance(wanted, list | dict) or op in ("@", "!@")
        else [_comparable(key, wanted)]
    )
    hit = have in values
    return not hit if op in ("!", "!=", "!@") else hit


def list_page(
    call: Call,
    items: list[dict[str, Any]],
    user_fields: dict[str, str] | None = None,
    known: set[str] | None = None,
) -> tuple[list[dict[str, Any]], int | None, int | None]:
    """Filter, order and cut one page (start/50); returns (page, next, total).

    ``user_fields`` (FIELD_NAME -> USER_TYPE_ID) are filtered as the core filters UF_ fields
    (emulator/uf_filter.py); with ``known`` given, a filter on any other field is dropped, as the
    core's REST layer drops it (CCrmRestProxyBase::internalizeFilterFields)."""
    ufs = user_fields or {}
    for key, wanted in as_dict(param(call.params, "filter")).items():
        if known is not None and split_key(key)[1] not in known | set(ufs):
            continue
        items = [i for i in items if _matches(i, key, wanted, ufs)]
    order = as_dict(param(call.params, "order")) or {"ID": "ASC"}
    for key, direction in reversed(list(order.items())):
        upper = key.upper()

        def sort_key(item: dict[str, Any], k: str = upper) -> tuple[int, Any]:
            value = _comparable(k, item.get(k))
            return (0, "") if value is None else (1, value)

        items.sort(key=sort_key, reverse=str(direction).upper() == "DESC")
    start = to_int(param(call.params, "start"), 0) or 0
    if start < 0:  # "disables the total item count calculation" (reference §3.3)
        return items[:PAGE_SIZE], None, 0
    page = items[start : start + PAGE_SIZE]
    more = start + PAGE_SIZE < len(items)
    return page, (start + PAGE_SIZE if more else None), len(items)


def select_fields(
    items: list[dict[str, Any]], select: list[str], default: Callable[[str], bool]
) -> list[dict[str, Any]]:
    wanted = [s.upper() for s in select]

    def keep(key: str) -> bool:
        if not wanted:
            return default(key)
        return (
            key in wanted
            or ("*" in wanted and not key.startswith("UF_"))
            or ("UF_*" in wanted and key.startswith("UF_"))
        )

    return [{k: v for k, v in i.items() if keep(k)} for i in items]


@method("crm.deal.list")
def deal_list(call: Call) -> Paged:
    items = [_with_semantics(call.db, _deal_to_wire(r)) for r in store.rows(call.db, "SELECT * FROM deal")]
    user_fields = {
        str(r["field_name"]): str(r["user_type_id"])
        for r in store.rows(
            call.db, "SELECT field_name, user_type_id FROM userfield WHERE entity_id = 'CRM_DEAL'"
        )
    }
    page, next_start, total = list_page(call, items, user_fields, set(STANDARD_FIELDS))
    select = [str(s) for s in as_list(param(call.params, "select"))]
    page = select_fields(page, select, lambda key: not key.startswith("UF_"))
    return Paged(page, total=total, next=next_start)
