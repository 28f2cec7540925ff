"""Pipelines through the D7 controller: ``crm.category.*`` with an ``entityTypeId``.

camelCase fields, errors with controller codes (NOT_FOUND, 0...) and HTTP 400 (reference §2.3,
§5.1). Deals (entityTypeId 2) share their rules with the legacy ``crm.dealcategory.*``
(emulator/methods/pipelines.py); smart processes keep their pipelines in one sequence of ids shared
by all types, each with five default stages (emulator/methods/smart_types.py). A smart process takes
new pipelines only with ``isCategoriesEnabled`` Y; its default pipeline and pipelines holding items
are not deleted.
"""

from __future__ import annotations

from typing import Any

from b24provision.emulator.methods import smart_types
from b24provision.emulator.methods.pipelines import (
    DEAL_TYPE_ID,
    PipelineProblem,
    all_categories,
    create_category,
    delete_category,
    update_category,
)
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import Paged, RestError, as_dict, param, to_int


def _entity_type(call: Call) -> int:
    """The entityTypeId asked for: deals (2) or an existing smart process."""
    raw = param(call.params, "entityTypeId")
    value = to_int(raw)
    if value is None:
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", "entityTypeId is required")
    if value != DEAL_TYPE_ID and smart_types.type_row(call.db, value) is None:
        if smart_types.valid_entity_type_id(value):
            # crm-category-list.md: NOT_FOUND "Smart process not found" for an unknown smart process.
            raise RestError("NOT_FOUND", "Smart process not found")
        # Contacts and companies have categories on a real portal too; the emulator models deals
        # and smart processes, so it answers as for an entity type without categories.
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", f"Entity type {value} is not supported")
    return value


def _d7_error(problem: PipelineProblem) -> RestError:
    # The D7 controller's error code goes out as-is; PHP's int 0 is a JSON number (reference §2.3).
    return RestError(problem.code, problem.message)


def _d7_id(call: Call) -> int:
    value = to_int(param(call.params, "id"))
    if value is None or value < 0:
        raise RestError("NOT_FOUND", "Element not found")
    return value


def _get_d7(call: Call, category_id: int, entity_type_id: int = DEAL_TYPE_ID) -> dict[str, Any]:
    cats = all_categories(call.db) if entity_type_id == DEAL_TYPE_ID else _dynamic(call, entity_type_id)
    for cat in cats:
        if cat["id"] == category_id:
            return cat
    raise RestError("NOT_FOUND", "Element not found")


def _dynamic(call: Call, entity_type_id: int) -> list[dict[str, Any]]:
    """A smart process's pipelines as crm.category.list shows them (the docs' example's keys)."""
    return [
        {
            "id": int(r["id"]),
            "name": r["name"],
            "sort": int(r["sort"]),
            "entityTypeId": entity_type_id,
            "isDefault": r["is_default"],
        }
        for r in smart_types.categories(call.db, entity_type_id)
    ]


def _add_dynamic(call: Call, entity_type_id: int, name: str, sort: int) -> int:
    kind = smart_types.type_row(call.db, entity_type_id)
    if kind is None or smart_types.flags(kind).get("isCategoriesEnabled") != "Y":
        # UNVERIFIED code and words: a type without isCategoriesEnabled keeps its one pipeline.
        raise RestError("CATEGORIES_DISABLED", "Categories are disabled for this entity type")
    return smart_types.create_category(
        call.db, entity_type_id, name, sort, call.settings.language, default=False
    )


def _delete_dynamic(call: Call, entity_type_id: int, category_id: int) -> None:
    row = smart_types.category_row(call.db, entity_type_id, category_id)
    if row is None:
        raise RestError("NOT_FOUND", "Element not found")
    # Both refusals' codes and words are UNVERIFIED (the deal ones are the core's).
    if row["is_default"] == "Y":
        raise RestError(0, "Default category cannot be deleted")
    sql = "SELECT 1 FROM crm_item WHERE entity_type_id = ? AND category_id = ? LIMIT 1"
    if call.db.execute(sql, (entity_type_id, category_id)).fetchone():
        raise RestError(0, f"Items related to the category {row['name']} found")
    call.db.execute("DELETE FROM item_category WHERE id = ?", (category_id,))
    entity = smart_types.dynamic_entity(entity_type_id, category_id)
    call.db.execute("DELETE FROM status WHERE entity_id = ?", (entity,))


def _name_and_sort(fields: dict[str, Any], required: bool) -> tuple[str | None, int | None]:
    name = param(fields, "name", "NAME")
    if name is not None:
        name = str(name)
        if not name.strip():
            raise RestError(0, "Field 'NAME' is required")
        if len(name) > 255:
            raise RestError(0, "Field 'NAME' must be no longer than 255 characters")
    elif required:
        raise RestError(0, "Field 'NAME' is required")
    sort_raw = param(fields, "sort", "SORT")
    sort = None if sort_raw is None else max(to_int(sort_raw, 500) or 0, 0)
    return name, sort


@method("crm.category.fields")
def category_fields(call: Call) -> dict[str, Any]:
    _entity_type(call)

    def fdesc(
        kind: str, title: str, upper: str, *, required: bool = False, readonly: bool = False
    ) -> dict[str, Any]:
        return {
            "type": kind,
            "isRequired": required,
            "isReadOnly": readonly,
            "isImmutable": False,
            "isMultiple": False,
            "isDynamic": False,
            "title": title,
            "upperName": upper,
        }

    return {
        "fields": {
            "id": fdesc("integer", "ID", "ID", readonly=True),
            "name": fdesc("string", "Name", "NAME"),
            "sort": fdesc("integer", "Sort", "SORT"),
            "entityTypeId": fdesc(
                "integer", "Entity type ID", "ENTITY_TYPE_ID", required=True, readonly=True
            ),
            "isDefault": fdesc("boolean", "Default", "IS_DEFAULT", readonly=True),
            "originId": fdesc("string", "Origin ID", "ORIGIN_ID"),
            "originatorId": fdesc("string", "Originator ID", "ORIGINATOR_ID"),
        }
    }


@method("crm.category.list")
def category_list(call: Call) -> Paged:
    entity_type_id = _entity_type(call)
    cats = all_categories(call.db) if entity_type_id == DEAL_TYPE_ID else _dynamic(call, entity_type_id)
    return Paged({"categories": cats}, total=len(cats))


@method("crm.category.get")
def category_get(call: Call) -> dict[str, Any]:
    entity_type_id = _entity_type(call)
    return {"category": _get_d7(call, _d7_id(call), entity_type_id)}


@method("crm.category.add", write=True)
def category_add(call: Call) -> dict[str, Any]:
    entity_type_id = _entity_type(call)
    fields = as_dict(param(call.params, "fields"))
    name, sort = _name_and_sort(fields, required=False)
    name, sort = ("-" if name is None else name), (500 if sort is None else sort)
    if entity_type_id != DEAL_TYPE_ID:
        new_id = _add_dynamic(call, entity_type_id, name, sort)
        return {"category": _get_d7(call, new_id, entity_type_id)}
    try:
        new_id = create_category(
            call,
            name,
            sort,
            str(param(fields, "originId", "ORIGIN_ID", default="")),
            str(param(fields, "originatorId", "ORIGINATOR_ID", default="")),
        )
    except PipelineProblem as problem:
        raise _d7_error(problem) from None
    return {"category": _get_d7(call, new_id)}


@method("crm.category.update", write=True)
def category_update(call: Call) -> dict[str, Any]:
    entity_type_id = _entity_type(call)
    category_id = _d7_id(call)
    fields = as_dict(param(call.params, "fields"))
    name, sort = _name_and_sort(fields, required=False)
    if entity_type_id != DEAL_TYPE_ID:
        if smart_types.category_row(call.db, entity_type_id, category_id) is None:
            raise RestError("NOT_FOUND", "Element not found")
        if name is not None:
            call.db.execute("UPDATE item_category SET name = ? WHERE id = ?", (name, category_id))
        if sort is not None:
            call.db.execute("UPDATE item_category SET sort = ? WHERE id = ?", (sort, category_id))
        return {"category": _get_d7(call, category_id, entity_type_id)}
    # isDefault cannot change for deals (DealCategory::setIsDefault throws); how that surfaces over
    # REST is UNVERIFIED, so the emulator ignores it like the other read-only fields.
    try:
        update_category(call.db, category_id, name, sort)
    except PipelineProblem as problem:
        raise _d7_error(problem) from None
    return {"category": _get_d7(call, category_id)}


@method("crm.category.delete", write=True)
def category_delete(call: Call) -> None:
    entity_type_id = _entity_type(call)
    if entity_type_id != DEAL_TYPE_ID:
        _delete_dynamic(call, entity_type_id, _d7_id(call))
        return None
    try:
        delete_category(call.db, _d7_id(call))
    except PipelineProblem as problem:
        raise _d7_error(problem) from None
    return None
