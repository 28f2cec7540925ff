"""Custom fields of deals, leads, contacts and companies: ``crm.<entity>.userfield.*`` (reference §7).

One proxy (``CCrmUserFieldRestProxy``) serves the four entities, parametrised by the field entity
(``CRM_DEAL``, ``CRM_LEAD``, ``CRM_CONTACT``, ``CRM_COMPANY``): the same rules, names unique per entity.
The rules themselves live in emulator/methods/userfield_rules.py (shared with ``userfieldconfig.*``).

The rules that bite a provisioner, all emulated: FIELD_NAME is upper-cased and prefixed to
``UF_CRM_``, at most 50 characters of ``A-Z0-9_``; SHOW_FILTER Y is stored as E; FIELD_NAME,
USER_TYPE_ID and MULTIPLE cannot change (sending them to update is silently ignored); SETTINGS get
per-type defaults and are merged on update; labels default to LABEL (else FIELD_NAME) and are maps
over every portal language in ``get``, but plain strings and only with ``filter[LANG]`` in ``list``.

Enumeration items (LIST) on update: an item with ID is changed, with ``DEL: Y`` deleted, an item
without ID added, unmentioned items untouched; the source's two gotchas are kept on purpose — an
item sent with ID but without VALUE is deleted, and an item changed without XML_ID gets
``md5(VALUE)``. A new item without XML_ID gets ``md5(salt . VALUE)`` with a random salt
(``CUserFieldEnum::SetEnumValues``). Duplicate XML_IDs are an ERROR_CORE.

Where the core and the docs disagree, ``PortalSettings.quirks`` decides (reference §13.1-13.4, each
settled against ``SC:core-biz:modules/rest/lib/userfieldproxy.php`` and the main module):

- ``enum_xml_id="dropped"``: add rebuilds each LIST item as ``{VALUE, SORT, DEF}`` (the XML_ID sent is
  lost and the core makes a salted one), get/list return items as ``{ID, SORT, VALUE, DEF}``;
  update keeps an XML_ID it is sent, and passes DEF of a single-value list on only when some item
  is the default (so it cannot clear the default). ``"kept"``: the docs' reading.
  ``"dropped_on_add"``: the core's add and update with the docs' get/list (a mix nobody has seen,
  but the snapshots and the docs each allow it): items come back with the salted XML_ID add made.
- ``uf_settings="core"``: add has a case only for string, integer, double, boolean, date, datetime,
  enumeration, iblock_*, crm_status, crm and employee, and keeps only the settings each case names;
  every other type (money, url, address, file) gets ``SHOW_FILTER=N`` and no settings. Update has no
  case for date, money, url, address, file: their SETTINGS cannot change (SHOW_FILTER can).
- ``date_default="site"``: ``CRestUtil::unConvertDateTime`` stores a fixed default in the site's
  format (31.01.2025 / 31.01.2025 10:00:00); ``getList`` converts only datetime back (ISO 8601 with
  the portal's offset), ``get`` converts nothing.
- ``labels="fill"``: ``prepareLabels`` on add gives every installed language a label map does not
  name the LABEL sent (else FIELD_NAME); ``"as_sent"`` leaves them empty. On update both give ''.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.methods.userfield_rules import (
    BUILTIN_TYPES,
    CORE_ADD_SETTINGS,
    CORE_UPDATE_SETTINGS,
    LABEL_KEYS,
    NAME_CHARS,
    PREFIX,
    SETTINGS_DEFAULTS,
    apply_list,
    clean_settings,
    field_row,
    field_to_wire,
    full_name,
    known_types,
    labels_for_add,
    proxy_defaults,
    register_app_type,
    show_filter,
    site_default,
)
from b24provision.emulator.registry import Call, Handler, method
from b24provision.emulator.wire import (
    Paged,
    RestError,
    as_dict,
    as_list,
    crm_error,
    order_items,
    param,
    to_int,
    to_yn,
)

__all__ = ["ENTITIES", "add_field", "delete_field", "register_app_type", "update_field"]

ENTITIES = {"deal": "CRM_DEAL", "lead": "CRM_LEAD", "contact": "CRM_CONTACT", "company": "CRM_COMPANY"}
"""The method-name entity of crm.<entity>.userfield.* -> its field entity (b_user_field.ENTITY_ID)."""


def _entity_of(call: Call) -> str:
    return ENTITIES[call.name.split(".")[1]]


def _field_id(call: Call) -> int:
    value = to_int(param(call.params, "id", "ID"))
    if value is None or value <= 0:
        raise crm_error("ID is not defined or invalid.")
    return value


def _existing(call: Call, entity_id: str) -> sqlite3.Row:
    field_id = _field_id(call)
    row = field_row(call.db, field_id)
    if row is None or row["entity_id"] != entity_id:
        raise RestError("ERROR_NOT_FOUND", f"The entity with ID '{field_id}' is not found.")
    return row


@method("crm.userfield.types")
def userfield_types(call: Call) -> list[dict[str, str]]:
    return [{"ID": type_id, "title": title} for type_id, title in known_types(call.db).items()]


def add_field(call: Call, entity_id: str, fields: dict[str, Any], prefix: str = PREFIX) -> int:
    """Add a field to ``entity_id`` with the proxy's rules; ``prefix``: what FIELD_NAME must start with."""
    missing = [
        f"The '{k}' field is not found." for k in ("USER_TYPE_ID", "FIELD_NAME") if not param(fields, k)
    ]
    if missing:
        raise crm_error(*missing)
    type_id = str(param(fields, "USER_TYPE_ID"))
    field_name = full_name(str(param(fields, "FIELD_NAME")), prefix)
    # Core validation errors come back as ERROR_CORE. The real text may end with "<br>" (CAdminException
    # joins messages with it, reference §2.4); the emulator sends the docs' clean texts.
    if len(field_name) > 50:
        raise RestError("ERROR_CORE", "Field name is too long (more than 50 characters).")
    if not NAME_CHARS.match(field_name):
        raise RestError(
            "ERROR_CORE", "Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _."
        )
    types = known_types(call.db)
    if type_id not in types:
        raise RestError("ERROR_CORE", "Incorrect custom type specified.")
    taken = "SELECT 1 FROM userfield WHERE entity_id = ? AND field_name = ?"
    if call.db.execute(taken, (entity_id, field_name)).fetchone():
        raise RestError("ERROR_CORE", f"The field {field_name} for entity {entity_id} already exists.")
    limit = call.settings.limits.get("crm_user_field_limit")
    count = "SELECT COUNT(*) FROM userfield WHERE entity_id = ?"
    if limit is not None and int(call.db.execute(count, (entity_id,)).fetchone()[0]) >= limit:
        # UNVERIFIED: the REST reaction to crm_user_field_limit is undocumented; the core refusing
        # the add (ERROR_CORE) is the plausible shape. The limit counts one entity's fields.
        raise RestError(
            "ERROR_CORE", f"The maximum number of custom fields for your plan ({limit}) has been reached."
        )
    builtin = type_id in BUILTIN_TYPES
    quirks = call.settings.quirks
    settings = dict(SETTINGS_DEFAULTS.get(type_id, {}))
    given = as_dict(param(fields, "SETTINGS"))
    filter_mode = show_filter(type_id, param(fields, "SHOW_FILTER"), builtin)
    if quirks.uf_settings == "core":
        # Only the settings add()'s case for the type names; `default:` keeps none and no filter.
        kept = CORE_ADD_SETTINGS.get(type_id)
        given = {k: v for k, v in given.items() if k in (kept or ())}
        if kept is None:
            filter_mode = "N"
    settings.update(given)
    if type_id == "crm" and not any(
        to_yn(given.get(k)) == "Y" for k in ("LEAD", "CONTACT", "COMPANY", "DEAL")
    ):
        # docs: with no entity chosen, LEAD=Y; the core's add() sets each flag from SETTINGS only (N).
        settings["LEAD"] = "N" if quirks.uf_settings == "core" else "Y"
    if type_id in ("date", "datetime") and quirks.date_default == "site" and "DEFAULT_VALUE" in given:
        settings["DEFAULT_VALUE"] = site_default(type_id, given["DEFAULT_VALUE"])
    multiple = "N" if type_id == "boolean" else to_yn(param(fields, "MULTIPLE"))
    sort = to_int(param(fields, "SORT"), 100) or 100
    cursor = call.db.execute(
        "INSERT INTO userfield (entity_id, field_name, user_type_id, xml_id, sort, multiple, mandatory,"
        " show_filter, show_in_list, edit_in_list, is_searchable, settings, labels)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            entity_id,
            field_name,
            type_id,
            param(fields, "XML_ID") or None,
            sort if sort > 0 else 100,
            multiple,
            to_yn(param(fields, "MANDATORY")),
            filter_mode,
            to_yn(param(fields, "SHOW_IN_LIST")),
            to_yn(param(fields, "EDIT_IN_LIST"), "Y"),
            to_yn(param(fields, "IS_SEARCHABLE")),
            json.dumps(clean_settings(type_id, settings), ensure_ascii=False),
            json.dumps(
                labels_for_add(fields, field_name, call.settings.languages, fill=quirks.labels == "fill"),
                ensure_ascii=False,
            ),
        ),
    )
    field_id = int(cursor.lastrowid or 0)
    if type_id == "enumeration":
        items = [i for i in as_list(param(fields, "LIST")) if isinstance(i, dict | list)]
        # The core's add() rebuilds each item as {VALUE, SORT, DEF}: an XML_ID sent is lost (§13.1).
        dropped = ("ID", "XML_ID") if quirks.enum_xml_id in ("dropped", "dropped_on_add") else ("ID",)
        apply_list(
            call.db,
            field_id,
            [{k: v for k, v in as_dict(i).items() if k not in dropped} for i in items],
            multiple == "Y",
        )
    return field_id


def update_field(call: Call, row: sqlite3.Row, fields: dict[str, Any]) -> None:
    """Change a field as UserFieldProxy::update() does (see the module docstring)."""
    type_id = str(row["user_type_id"])
    builtin = type_id in BUILTIN_TYPES
    updates: dict[str, Any] = {}
    # FIELD_NAME, USER_TYPE_ID, MULTIPLE, ENTITY_ID: CUserTypeEntity::Update unsets them; ignored.
    for key, column in (
        ("MANDATORY", "mandatory"),
        ("SHOW_IN_LIST", "show_in_list"),
        ("EDIT_IN_LIST", "edit_in_list"),
        ("IS_SEARCHABLE", "is_searchable"),
    ):
        if key in fields:
            updates[column] = to_yn(fields[key], row[column])
    if "SHOW_FILTER" in fields:
        updates["show_filter"] = show_filter(type_id, fields["SHOW_FILTER"], builtin)
    if "XML_ID" in fields:
        updates["xml_id"] = fields["XML_ID"] or None
    if "SORT" in fields:
        sort = to_int(fields["SORT"], row["sort"]) or row["sort"]
        updates["sort"] = sort if sort > 0 else row["sort"]
    if "SETTINGS" in fields:
        quirks = call.settings.quirks
        given = as_dict(fields["SETTINGS"])
        if quirks.uf_settings == "core":
            # update() has no case for date, money, url, address, file: their SETTINGS stay.
            given = {k: v for k, v in given.items() if k in CORE_UPDATE_SETTINGS.get(type_id, ())}
        if type_id in ("date", "datetime") and quirks.date_default == "site" and "DEFAULT_VALUE" in given:
            given["DEFAULT_VALUE"] = site_default(type_id, given["DEFAULT_VALUE"])
        merged = json.loads(row["settings"])
        merged.update(given)
        updates["settings"] = json.dumps(clean_settings(type_id, merged), ensure_ascii=False)
    labels: dict[str, dict[str, str]] = json.loads(row["labels"])
    changed_labels = False
    for key in LABEL_KEYS:
        if key not in fields:
            continue
        given_label = fields[key]
        # Label fields overwrite fully: a string sets every language, a map sets its languages and
        # blanks the others (reference §7.4).
        if isinstance(given_label, dict):
            labels[key] = {lang: str(given_label.get(lang) or "") for lang in call.settings.languages}
        else:
            labels[key] = {lang: str(given_label or "") for lang in call.settings.languages}
        changed_labels = True
    if changed_labels:
        updates["labels"] = json.dumps(labels, ensure_ascii=False)
    if updates:
        assignments = ", ".join(f"{column} = ?" for column in updates)
        call.db.execute(f"UPDATE userfield SET {assignments} WHERE id = ?", (*updates.values(), row["id"]))
    if type_id == "enumeration" and "LIST" in fields:
        items = as_list(fields["LIST"])
        multiple = row["multiple"] == "Y"
        if call.settings.quirks.enum_xml_id != "kept":  # the core's proxy rebuilds each item
            items = proxy_defaults(items, multiple)
        apply_list(call.db, int(row["id"]), items, multiple)


def delete_field(db: sqlite3.Connection, row: sqlite3.Row) -> None:
    """Delete a field, its list items and its values on every record of its entity."""
    db.execute("DELETE FROM userfield WHERE id = ?", (row["id"],))
    db.execute("DELETE FROM enum_item WHERE field_id = ?", (row["id"],))
    name = row["field_name"]
    if row["entity_id"] == "CRM_DEAL":
        table, column = "deal", "uf"
    else:
        table, column = "crm_item", "fields"
    for record in store.rows(db, f"SELECT id, {column} FROM {table}"):
        values = json.loads(record[column])
        if name in values:
            del values[name]
            db.execute(
                f"UPDATE {table} SET {column} = ? WHERE id = ?",
                (json.dumps(values, ensure_ascii=False), record["id"]),
            )


def userfield_add(call: Call) -> int:
    fields = param(call.params, "fields")
    fields = as_dict(fields) if isinstance(fields, dict | list) else dict(call.params)
    return add_field(call, _entity_of(call), fields)


def userfield_get(call: Call) -> dict[str, Any]:
    xml_ids = call.settings.quirks.enum_xml_id != "dropped"
    row = _existing(call, _entity_of(call))
    return field_to_wire(call.db, row, lang=None, label_maps=True, xml_ids=xml_ids)


def userfield_list(call: Call) -> Paged:
    flt = {k.upper(): v for k, v in as_dict(param(call.params, "filter")).items()}
    lang = flt.pop("LANG", None)
    rows = store.rows(call.db, "SELECT * FROM userfield WHERE entity_id = ?", (_entity_of(call),))
    # LIST is included for enumeration fields in list answers too (settled by the audit, §13.11:
    # getList fills LIST as get does, as {ID, SORT, VALUE, DEF}).
    quirks = call.settings.quirks
    items = [
        field_to_wire(
            call.db,
            r,
            lang=str(lang) if lang else None,
            label_maps=False,
            xml_ids=quirks.enum_xml_id != "dropped",
            iso_datetime=quirks.date_default == "site",
        )
        for r in rows
    ]
    for key, value in flt.items():
        if key in ("ENTITY_ID",):
            continue
        items = [i for i in items if str(i.get(key)) == str(value)]
    order = as_dict(param(call.params, "order")) or {"SORT": "ASC", "ID": "ASC"}
    items = order_items(items, order, {"ID", "SORT"})
    return Paged(items, total=len(items))


def userfield_update(call: Call) -> bool:
    row = _existing(call, _entity_of(call))
    fields = param(call.params, "fields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
    update_field(call, row, fields)
    return True


def userfield_delete(call: Call) -> bool:
    delete_field(call.db, _existing(call, _entity_of(call)))
    return True


_HANDLERS: dict[str, tuple[Handler, bool]] = {
    "add": (userfield_add, True),
    "get": (userfield_get, False),
    "list": (userfield_list, False),
    "update": (userfield_update, True),
    "delete": (userfield_delete, True),
}
for _entity in ENTITIES:
    for _verb, (_handler, _write) in _HANDLERS.items():
        method(f"crm.{_entity}.userfield.{_verb}", write=_write)(_handler)
