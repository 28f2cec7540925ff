"""Pipelines through the D7 controller: ``crm.category.*`` with an ``entityTypeId``.

camelCase fields, errors with controller codes (NOT_FOUND, 0...) and HTTP 400 (reference §2.3,
§5.1), the same for every entity type: each method resolves the ``entityTypeId`` to that type's
``PipelineRules`` once and goes one way for all. Deals (entityTypeId 2) share their rules with the
legacy ``crm.dealcategory.*`` (emulator/methods/pipelines.py); a smart process's rules are in
emulator/methods/smart_categories.py.
"""

from __future__ import annotations

from typing import Any

from b24provision.emulator.methods import smart_types
from b24provision.emulator.methods.pipelines import (
    DEAL_TYPE_ID,
    DealPipelines,
    PipelineProblem,
    PipelineRules,
)
from b24provision.emulator.methods.smart_categories import SmartProcessPipelines
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import Paged, RestError, as_dict, field_description, param, to_int


def _rules(call: Call) -> PipelineRules:
    """The pipelines of the entityTypeId asked for: deals (2) or an existing smart process."""
    raw = param(call.params, "entityTypeId")
    value = to_int(raw)
    if value is None:
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", "entityTypeId is required")
    if value == DEAL_TYPE_ID:
        return DealPipelines(call)
    if smart_types.type_row(call.db, value) is None:
        if smart_types.valid_entity_type_id(value):
            # crm-category-list.md: NOT_FOUND "Smart process not found" for an unknown smart process.
            raise RestError("NOT_FOUND", "Smart process not found")
        # Contacts and companies have categories on a real portal too; the emulator models deals
        # and smart processes, so it answers as for an entity type without categories.
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", f"Entity type {value} is not supported")
    return SmartProcessPipelines(call, value)


def _d7_error(problem: PipelineProblem) -> RestError:
    # The D7 controller's error code goes out as-is; PHP's int 0 is a JSON number (reference §2.3).
    return RestError(problem.code, problem.message)


def _d7_id(call: Call) -> int:
    value = to_int(param(call.params, "id"))
    if value is None or value < 0:
        raise RestError("NOT_FOUND", "Element not found")
    return value


def _get_d7(rules: PipelineRules, category_id: int) -> dict[str, Any]:
    for cat in rules.all():
        if cat["id"] == category_id:
            return cat
    raise RestError("NOT_FOUND", "Element not found")


def _name_and_sort(fields: dict[str, Any]) -> tuple[str | None, int | None]:
    name = param(fields, "name", "NAME")
    if name is not None:
        name = str(name)
        if not name.strip():
            raise RestError(0, "Field 'NAME' is required")
        if len(name) > 255:
            raise RestError(0, "Field 'NAME' must be no longer than 255 characters")
    sort_raw = param(fields, "sort", "SORT")
    sort = None if sort_raw is None else max(to_int(sort_raw, 500) or 0, 0)
    return name, sort


@method("crm.category.fields")
def category_fields(call: Call) -> dict[str, Any]:
    _rules(call)
    return {
        "fields": {
            "id": field_description("integer", "ID", readonly=True, upperName="ID"),
            "name": field_description("string", "Name", upperName="NAME"),
            "sort": field_description("integer", "Sort", upperName="SORT"),
            "entityTypeId": field_description(
                "integer", "Entity type ID", required=True, readonly=True, upperName="ENTITY_TYPE_ID"
            ),
            "isDefault": field_description("boolean", "Default", readonly=True, upperName="IS_DEFAULT"),
            "originId": field_description("string", "Origin ID", upperName="ORIGIN_ID"),
            "originatorId": field_description("string", "Originator ID", upperName="ORIGINATOR_ID"),
        }
    }


@method("crm.category.list")
def category_list(call: Call) -> Paged:
    cats = _rules(call).all()
    return Paged({"categories": cats}, total=len(cats))


@method("crm.category.get")
def category_get(call: Call) -> dict[str, Any]:
    rules = _rules(call)
    return {"category": _get_d7(rules, _d7_id(call))}


@method("crm.category.add", write=True)
def category_add(call: Call) -> dict[str, Any]:
    rules = _rules(call)
    fields = as_dict(param(call.params, "fields"))
    name, sort = _name_and_sort(fields)
    try:
        new_id = rules.add(
            "-" if name is None else name,
            500 if sort is None else sort,
            str(param(fields, "originId", "ORIGIN_ID", default="")),
            str(param(fields, "originatorId", "ORIGINATOR_ID", default="")),
        )
    except PipelineProblem as problem:
        raise _d7_error(problem) from None
    return {"category": _get_d7(rules, new_id)}


@method("crm.category.update", write=True)
def category_update(call: Call) -> dict[str, Any]:
    rules = _rules(call)
    category_id = _d7_id(call)
    name, sort = _name_and_sort(as_dict(param(call.params, "fields")))
    try:
        rules.update(category_id, name, sort)
    except PipelineProblem as problem:
        raise _d7_error(problem) from None
    return {"category": _get_d7(rules, category_id)}


@method("crm.category.delete", write=True)
def category_delete(call: Call) -> None:
    rules = _rules(call)
    category_id = _d7_id(call)
    try:
        rules.delete(category_id)
    except PipelineProblem as problem:
        raise _d7_error(problem) from None
    return None
