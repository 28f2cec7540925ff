"""What differs in the writes of an entity type besides the deal: the shape of its field calls and a
smart process's own settings.

A smart process's fields go through ``userfieldconfig.*`` (the descriptor's ``style``): ``moduleId``
``crm``, the field under ``field`` in camelCase with its ``entityId`` ``CRM_<type id>`` and its name
the type's prefix and ``<code>`` (the docs' userfieldconfig.add example). The payload is built as for the
deal (``portal/mapping.py``) and converted here, so both speak one field language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from b24provision.blueprint.smart_model import SmartProcessSettings
from b24provision.entities.types import DEAL, EntityType

_UPPER_TO_CAMEL = {
    "FIELD_NAME": "fieldName",
    "USER_TYPE_ID": "userTypeId",
    "XML_ID": "xmlId",
    "MULTIPLE": "multiple",
    "MANDATORY": "mandatory",
    "SHOW_FILTER": "showFilter",
    "SHOW_IN_LIST": "showInList",
    "EDIT_IN_LIST": "editInList",
    "IS_SEARCHABLE": "isSearchable",
    "SORT": "sort",
    "SETTINGS": "settings",
    "EDIT_FORM_LABEL": "editFormLabel",
    "LIST_COLUMN_LABEL": "listColumnLabel",
    "LIST_FILTER_LABEL": "listFilterLabel",
    "ERROR_MESSAGE": "errorMessage",
    "HELP_MESSAGE": "helpMessage",
    "LABEL": "label",
}
_ITEM_TO_CAMEL = {"ID": "id", "VALUE": "value", "DEF": "def", "SORT": "sort", "XML_ID": "xmlId", "DEL": "del"}


def field_params(
    e: EntityType, fields: Mapping[str, Any], field_id: int | str | None = None
) -> dict[str, Any]:
    """The params of ``e``'s field add (``field_id`` None) or update, from the deal's field payload."""
    if e.userfields.style == "crm":
        return {"fields": dict(fields)} if field_id is None else {"id": field_id, "fields": dict(fields)}
    field: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "LIST":
            field["enum"] = [{_ITEM_TO_CAMEL.get(k, k.lower()): v for k, v in item.items()} for item in value]
        elif key == "FIELD_NAME":
            field["fieldName"] = e.field_name(DEAL.field_code(str(value)))
        else:
            field[_UPPER_TO_CAMEL.get(key, key)] = value
    params: dict[str, Any] = {**e.userfields.params, "field": field}
    if field_id is None:
        field["entityId"] = e.userfield_entity_id
    else:
        params["id"] = field_id
    return params


def smart_type_fields(settings: SmartProcessSettings) -> dict[str, Any]:
    """crm.type.add / update's fields: the title and the switches the blueprint sets (Y/N)."""
    fields: dict[str, Any] = {"title": settings.title}
    fields.update({flag: "Y" if on else "N" for flag, on in settings.switches().items()})
    return fields


__all__ = ["field_params", "smart_type_fields"]
