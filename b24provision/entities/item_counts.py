"""How a smart process's items are counted: ``crm.item.list`` filters, read from ``total``.

What a delete of a smart process's stage, pipeline or field destroys is counted as the deal's is
(``state/counts.py``), with the universal item list (the docs' ``api-reference/crm/universal/
crm-item-list.md``; the core's ``crm/lib/controller/item.php`` ``listAction``):

- ``useOriginalUfNames: "Y"``: custom fields keep their ``UF_CRM_<type id>_<code>`` names in the
  filter (``convertFieldNamesToUpper`` then leaves every key starting with ``UF_`` as it is and turns
  only camelCase names into upper case). The camelCase form (``ufCrm5_…`` or ``ufCrm5…``: the docs
  write both) is thereby never needed;
- ``=stageId: <STATUS_ID>`` for the items in a stage, ``=categoryId: <id>`` for those in a pipeline
  ("=" is the exact match; without a prefix the core's CSQLWhere compares a string with LIKE, where
  the "_" of ``DT1032_5:`` is a wildcard);
- ``!<FIELD_NAME>: ""`` for the items holding a value in a field, ``=<FIELD_NAME>: <item id>`` for
  those using an enumeration item. The D7 ORM hands this old-style filter to CSQLWhere
  (``main/lib/orm/query/query.php`` ``buildWhere``) with the field's data type, as the deal's list
  does (``state/counts.py``): NULL is empty, and for integer, enumeration and boolean fields 0 too.

UNVERIFIED: how the ORM filters a *multiple* field (one serialized column, or its values): so the
use of an enumeration item of a multiple field is not asked and counts as in use (the emulator's
quirk ``item_multiple_filter``). Pure values; no I/O.
"""

from __future__ import annotations

from typing import Any

from b24provision.entities.types import EntityType

COUNT_PARAMS: dict[str, Any] = {"select": ["id"], "useOriginalUfNames": "Y"}
"""What every count sends besides its filter (the type's ``list_params`` name the type)."""


def count_params(e: EntityType, filter_: dict[str, Any] | None = None) -> dict[str, Any]:
    """The parameters of one count of ``e``'s items (all of them without ``filter_``)."""
    params = {**e.list_params, **COUNT_PARAMS}
    return params if filter_ is None else {**params, "filter": filter_}


def stage_filter(e: EntityType, category_id: int, code: str) -> dict[str, Any]:
    assert e.stages is not None
    return {"=stageId": f"{e.stages.status_prefix(category_id)}{code}"}


def pipeline_filter(category_id: int) -> dict[str, Any]:
    return {"=categoryId": category_id}


def value_filter(e: EntityType, code: str) -> dict[str, Any]:
    return {f"!{e.field_name(code)}": ""}


def enum_item_filter(e: EntityType, code: str, item_id: int) -> dict[str, Any]:
    return {f"={e.field_name(code)}": item_id}


__all__ = [
    "COUNT_PARAMS", "count_params", "enum_item_filter", "pipeline_filter", "stage_filter", "value_filter",
]  # fmt: skip
