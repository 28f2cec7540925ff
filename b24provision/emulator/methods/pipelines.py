"""Deal pipelines (categories): their rules and the legacy ``crm.dealcategory.*`` methods.

The D7 ``crm.category.*`` methods over the same rules are in emulator/methods/categories.py; they
reach deal and smart-process pipelines alike through ``PipelineRules`` (``DealPipelines`` here,
``SmartProcessPipelines`` in emulator/methods/smart_categories.py).

``crm.category.*`` is the D7 controller: camelCase fields, errors with controller codes (NOT_FOUND,
0...) and HTTP 400 (reference §2.3, §5.1). ``crm.dealcategory.*`` is the legacy proxy over the same
rows: upper-case fields, every value a string, errors with the empty code (reference §5.2). Both
share the rules in this module: ids increment from 1, a new pipeline gets the eight default stages,
the default pipeline (id 0) and pipelines holding deals cannot be deleted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Protocol

from b24provision.emulator import store
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import (
    Paged,
    as_dict,
    crm_error,
    field_description,
    iso,
    order_items,
    param,
    to_int,
)

DEAL_TYPE_ID = 2


class PipelineProblem(Exception):
    """A rule broken; each API generation words it in its own error style."""

    def __init__(self, code: str | int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class PipelineRules(Protocol):
    """One entity type's pipelines as the D7 controller sees them; a broken rule: PipelineProblem."""

    def all(self) -> list[dict[str, Any]]: ...

    def add(self, name: str, sort: int, origin_id: str, originator_id: str) -> int: ...

    def update(self, category_id: int, name: str | None, sort: int | None) -> None: ...

    def delete(self, category_id: int) -> None: ...


# --- shared rules -------------------------------------------------------------------------------


def category_row(db: sqlite3.Connection, category_id: int) -> sqlite3.Row | None:
    return store.one(db, "SELECT * FROM category WHERE id = ?", (category_id,))


def category_exists(db: sqlite3.Connection, category_id: int) -> bool:
    return category_id == 0 or category_row(db, category_id) is not None


def category_name(db: sqlite3.Connection, category_id: int) -> str:
    if category_id == 0:
        return store.get_meta(db, "default_category_name") or ""
    row = category_row(db, category_id)
    return "" if row is None else str(row["name"])


def create_category(call: Call, name: str, sort: int, origin_id: str = "", originator_id: str = "") -> int:
    """Add a pipeline with its default stages; refused beyond the plan's pipeline limit."""
    limit = call.settings.limits.get("crm_deal_category_limit")
    if limit is not None:
        count = 1 + int(call.db.execute("SELECT COUNT(*) FROM category").fetchone()[0])
        # UNVERIFIED: how REST reacts at the limit is not documented (2018 source stored the pipeline
        # locked instead). A refusal is the plausible current behaviour and the useful one to test
        # against; the limit counts all pipelines including the default one, as plan pages do.
        if count >= limit:
            raise PipelineProblem(
                "ADDING_DISABLED",
                f"The maximum number of deal pipelines for your plan ({limit}) has been reached.",
            )
    cursor = call.db.execute(
        "INSERT INTO category (name, sort, origin_id, originator_id, created) VALUES (?, ?, ?, ?, ?)",
        (name, max(sort, 0), origin_id, originator_id, iso(call.now)),
    )
    new_id = int(cursor.lastrowid or 0)
    store.create_default_stages(call.db, new_id, call.settings.language)
    return new_id


def delete_category(db: sqlite3.Connection, category_id: int) -> None:
    """Delete a pipeline and its stages; the default one and ones holding deals are refused."""
    if category_id == 0:
        raise PipelineProblem(0, "Default deal category cannot be deleted")
    row = category_row(db, category_id)
    if row is None:
        raise PipelineProblem("NOT_FOUND", "Element not found")
    if db.execute("SELECT 1 FROM deal WHERE category_id = ? LIMIT 1", (category_id,)).fetchone():
        raise PipelineProblem(0, f"Deals related to the funnel {row['name']} found")
    db.execute("DELETE FROM category WHERE id = ?", (category_id,))
    db.execute("DELETE FROM status WHERE entity_id = ?", (store.stage_entity(category_id),))


def update_category(db: sqlite3.Connection, category_id: int, name: str | None, sort: int | None) -> None:
    if category_id == 0:
        if name is not None:
            store.set_meta(db, "default_category_name", name)
        if sort is not None:
            store.set_meta(db, "default_category_sort", str(max(sort, 0)))
        return
    if category_row(db, category_id) is None:
        raise PipelineProblem("NOT_FOUND", "Element not found")
    if name is not None:
        db.execute("UPDATE category SET name = ? WHERE id = ?", (name, category_id))
    if sort is not None:
        db.execute("UPDATE category SET sort = ? WHERE id = ?", (max(sort, 0), category_id))


def all_categories(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every deal pipeline as the D7 controller shows it, default first by id, ordered by sort."""
    default_sort = int(store.get_meta(db, "default_category_sort") or 0)
    # The default pipeline carries no originId/originatorId (real capture, reference §5.1).
    out: list[dict[str, Any]] = [
        {
            "id": 0,
            "name": category_name(db, 0),
            "sort": default_sort,
            "entityTypeId": DEAL_TYPE_ID,
            "isDefault": "Y",
        }
    ]
    for row in store.rows(db, "SELECT * FROM category ORDER BY id"):
        out.append(_d7(row))
    out.sort(key=lambda c: (c["sort"], c["id"]))
    return out


def _d7(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "name": row["name"],
        "sort": int(row["sort"]),
        "entityTypeId": DEAL_TYPE_ID,
        "isDefault": "N",
        "originId": row["origin_id"],
        "originatorId": row["originator_id"],
    }


@dataclass(frozen=True)
class DealPipelines:
    """The deal pipelines under ``PipelineRules`` (the same rules crm.dealcategory.* applies)."""

    call: Call

    def all(self) -> list[dict[str, Any]]:
        return all_categories(self.call.db)

    def add(self, name: str, sort: int, origin_id: str, originator_id: str) -> int:
        return create_category(self.call, name, sort, origin_id, originator_id)

    def update(self, category_id: int, name: str | None, sort: int | None) -> None:
        # isDefault cannot change for deals (DealCategory::setIsDefault throws); how that surfaces
        # over REST is UNVERIFIED, so the emulator ignores it like the other read-only fields.
        update_category(self.call.db, category_id, name, sort)

    def delete(self, category_id: int) -> None:
        delete_category(self.call.db, category_id)


# --- crm.dealcategory.* (legacy) ----------------------------------------------------------------


def _legacy(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "ID": str(row["id"]),
        "CREATED_DATE": row["created"],
        "NAME": row["name"],
        "IS_LOCKED": row["is_locked"],
        "SORT": str(row["sort"]),
        "ORIGIN_ID": row["origin_id"],
        "ORIGINATOR_ID": row["originator_id"],
    }


def _legacy_id(call: Call) -> int:
    value = to_int(param(call.params, "id", "ID"))
    if value is None or value < 0:
        raise crm_error("ID is not defined or invalid.")
    return value


@method("crm.dealcategory.fields")
def dealcategory_fields(call: Call) -> dict[str, Any]:
    return {
        "ID": field_description("integer", "ID", readonly=True),
        "CREATED_DATE": field_description("date", "Created on", readonly=True),
        "NAME": field_description("string", "Name", required=True),
        "IS_LOCKED": field_description("char", "Locked", readonly=True),
        "SORT": field_description("integer", "Sort"),
    }


@method("crm.dealcategory.list")
def dealcategory_list(call: Call) -> Paged:
    items = [_legacy(r) for r in store.rows(call.db, "SELECT * FROM category")]
    flt = as_dict(param(call.params, "filter"))
    for key, value in flt.items():
        items = [i for i in items if str(i.get(key.upper())) == str(value)]
    order = as_dict(param(call.params, "order")) or {"SORT": "ASC"}
    items = order_items(items, order, {"ID", "SORT"})
    select = [str(s).upper() for s in (param(call.params, "select") or [])]
    if select and "*" not in select:
        items = [{k: v for k, v in i.items() if k in select} for i in items]
    return Paged(items, total=len(items))


@method("crm.dealcategory.get")
def dealcategory_get(call: Call) -> dict[str, Any]:
    row = category_row(call.db, _legacy_id(call))
    if row is None:
        raise crm_error("Not found")
    return _legacy(row)


@method("crm.dealcategory.add", write=True)
def dealcategory_add(call: Call) -> int:
    fields = as_dict(param(call.params, "fields", "arFields"))
    name = param(fields, "NAME")
    if name is None or not str(name).strip():
        raise crm_error("The field NAME is required.")
    try:
        return create_category(call, str(name), to_int(param(fields, "SORT"), 500) or 0)
    except PipelineProblem as problem:
        raise crm_error(problem.message) from None


@method("crm.dealcategory.update", write=True)
def dealcategory_update(call: Call) -> bool:
    category_id = _legacy_id(call)
    fields = as_dict(param(call.params, "fields", "arFields"))
    if category_id == 0 or category_row(call.db, category_id) is None:
        raise crm_error("Not found.")
    name = param(fields, "NAME")
    sort = param(fields, "SORT")
    update_category(call.db, category_id, None if name is None else str(name), to_int(sort))
    return True


@method("crm.dealcategory.delete", write=True)
def dealcategory_delete(call: Call) -> bool:
    category_id = _legacy_id(call)
    if category_id != 0 and category_row(call.db, category_id) is None:
        raise crm_error("Not found.")
    try:
        delete_category(call.db, category_id)
    except PipelineProblem as problem:
        raise crm_error(problem.message) from None
    return True


@method("crm.dealcategory.status")
def dealcategory_status(call: Call) -> str:
    category_id = to_int(param(call.params, "id", "ID"), 0) or 0
    if not category_exists(call.db, category_id):
        raise crm_error("Not found")
    return store.stage_entity(category_id)


@method("crm.dealcategory.stage.list")
def dealcategory_stage_list(call: Call) -> list[dict[str, Any]]:
    category_id = to_int(param(call.params, "id", "ID"), 0) or 0
    if not category_exists(call.db, category_id):
        raise crm_error("Not found")
    # A plain list, no total: a real portal's batch answer has "result_total": [] for this method
    # (fast_bitrix24 tests/real_responses/crm_dealcategory_stage_list*.py; replayed in tests/doctor).
    return [
        {"NAME": r["name"], "SORT": int(r["sort"]), "STATUS_ID": r["status_id"]}
        for r in store.rows(
            call.db,
            "SELECT * FROM status WHERE entity_id = ? ORDER BY sort, id",
            (store.stage_entity(category_id),),
        )
    ]


@method("crm.dealcategory.default.get")
def dealcategory_default_get(call: Call) -> dict[str, Any]:
    return {"ID": 0, "NAME": category_name(call.db, 0)}


@method("crm.dealcategory.default.set", write=True)
def dealcategory_default_set(call: Call) -> bool:
    fields = as_dict(param(call.params, "fields"))
    name = param(call.params, "name", "NAME", default=param(fields, "NAME"))
    if name is None or not str(name).strip():
        raise crm_error("The field NAME is required.")
    store.set_meta(call.db, "default_category_name", str(name))
    return True
