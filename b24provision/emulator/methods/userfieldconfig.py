"""Custom fields through the main module's controller: ``userfieldconfig.add|get|list|update|delete``.

How smart processes get their fields: ``moduleId`` ``crm``, entity ``CRM_<type id>`` (the type's
``id``, not its ``entityTypeId``), names ``UF_CRM_<type id>_…``. The envelope is camelCase
(``{"field": {"id": "165", "entityId": …, "fieldName": …, "userTypeId": …, "editFormLabel":
{"en": …}, "settings": {…}}}``, the docs' userfieldconfig.get example; a list is ``{"fields": [...]}``
with ``total``); enumeration items are ``enum`` ``[{id, value, def, sort, xmlId}]``. The field rules
are the legacy proxy's (emulator/methods/userfield_rules.py, emulator/methods/userfields.py).

UNVERIFIED, so quirk ``dynamic_field_prefix``: whether a name without ``UF_CRM_<id>_`` is refused
("required", the core preset: the main module's controller has no crm-specific prefixing) or gets
the prefix put in front as the crm proxies do ("added", the docs preset). The codes and words of
this module's own refusals (unknown module, entity or field) are UNVERIFIED too.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods import smart_types
from b24provision.emulator.methods.camel import to_camel, to_upper
from b24provision.emulator.methods.userfield_rules import PREFIX, field_row, field_to_wire
from b24provision.emulator.methods.userfields import ENTITIES, add_field, delete_field, update_field
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import Paged, RestError, as_dict, as_list, param, to_int

_DYNAMIC_ENTITY = re.compile(r"^CRM_(\d+)$")


def _module(call: Call) -> None:
    module = str(param(call.params, "moduleId", default="") or "")
    if module != "crm":
        raise RestError(0, f"Module '{module}' is not available")


def _prefix(db: sqlite3.Connection, entity_id: str) -> str:
    """The name prefix of an entity's fields; refuses an entity the crm module does not have."""
    match = _DYNAMIC_ENTITY.match(entity_id)
    if match and smart_types.type_row_by_id(db, int(match.group(1))) is not None:
        return f"{PREFIX}{match.group(1)}_"
    if entity_id in ENTITIES.values():
        return PREFIX
    raise RestError("ACCESS_DENIED", f"Entity {entity_id} is not available")


def _upper(field: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in field.items():
        if key == "enum":
            out["LIST"] = [{to_upper(k): v for k, v in as_dict(i).items()} for i in as_list(value)]
        elif key == "settings":
            out["SETTINGS"] = value
        else:
            out[to_upper(key)] = value
    return out


def field_to_camel(db: sqlite3.Connection, row: sqlite3.Row, languages: tuple[str, ...]) -> dict[str, Any]:
    upper = field_to_wire(db, row, lang=None, label_maps=True)
    out: dict[str, Any] = {}
    for key, value in upper.items():
        if key == "LIST":
            out["enum"] = [
                {"id": i["ID"], "userFieldId": upper["ID"], "value": i["VALUE"], "def": i["DEF"],
                 "sort": i["SORT"], "xmlId": i.get("XML_ID")}
                for i in value
            ]  # fmt: skip
        elif key == "SETTINGS":
            out["settings"] = value
        else:
            out[to_camel(key)] = value
        if key == "SETTINGS":
            out["languageId"] = {lang: lang for lang in languages}
    return out


def _row(call: Call) -> sqlite3.Row:
    field_id = to_int(param(call.params, "id"))
    row = None if field_id is None else field_row(call.db, field_id)
    if row is None:
        raise RestError("NOT_FOUND", f"Field {field_id} is not found")
    return row


@method("userfieldconfig.add", write=True, scope="userfieldconfig")
def config_add(call: Call) -> dict[str, Any]:
    _module(call)
    fields = _upper(as_dict(param(call.params, "field")))
    entity_id = str(fields.get("ENTITY_ID") or "")
    prefix = _prefix(call.db, entity_id)
    name = str(fields.get("FIELD_NAME") or "").strip().upper()
    if name and not name.startswith(prefix) and call.settings.quirks.dynamic_field_prefix == "required":
        raise RestError("ERROR_CORE", f"The field name must begin with {prefix}.")
    field_id = add_field(call, entity_id, fields, prefix)
    row = field_row(call.db, field_id)
    assert row is not None
    return {"field": field_to_camel(call.db, row, call.settings.languages)}


@method("userfieldconfig.get", scope="userfieldconfig")
def config_get(call: Call) -> dict[str, Any]:
    _module(call)
    return {"field": field_to_camel(call.db, _row(call), call.settings.languages)}


@method("userfieldconfig.list", scope="userfieldconfig")
def config_list(call: Call) -> Paged:
    _module(call)
    flt = as_dict(param(call.params, "filter"))
    rows = store.rows(call.db, "SELECT * FROM userfield ORDER BY sort, id")
    items = [field_to_camel(call.db, r, call.settings.languages) for r in rows]
    for key, value in flt.items():
        items = [i for i in items if str(i.get(key)) == str(value)]
    start = max(to_int(param(call.params, "start"), 0) or 0, 0)
    more = start + 50 < len(items)
    return Paged({"fields": items[start : start + 50]}, total=len(items), next=start + 50 if more else None)


@method("userfieldconfig.update", write=True, scope="userfieldconfig")
def config_update(call: Call) -> dict[str, Any]:
    _module(call)
    row = _row(call)
    update_field(call, row, _upper(as_dict(param(call.params, "field"))))
    updated = field_row(call.db, int(row["id"]))
    assert updated is not None
    return {"field": field_to_camel(call.db, updated, call.settings.languages)}


@method("userfieldconfig.delete", write=True, scope="userfieldconfig")
def config_delete(call: Call) -> None:
    _module(call)
    delete_field(call.db, _row(call))
    return None
