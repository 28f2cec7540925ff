"""Deal custom fields: ``crm.deal.userfield.*`` and ``crm.userfield.types`` (reference §7).

The rules that bite a provisioner, all emulated: FIELD_NAME is upper-cased and prefixed to
``UF_CRM_``, at most 50 characters of ``A-Z0-9_``; SHOW_FILTER Y is stored as E; FIELD_NAME,
USER_TYPE_ID and MULTIPLE cannot change (sending them to update is silently ignored); SETTINGS get
per-type defaults and are merged on update; labels default to LABEL (else FIELD_NAME) and are maps
over every portal language in ``get``, but plain strings and only with ``filter[LANG]`` in ``list``.

Enumeration items (LIST) on update: an item with ID is changed, with ``DEL: Y`` deleted, an item
without ID added, unmentioned items untouched; the source's two gotchas are kept on purpose — an
item sent with ID but without VALUE is deleted, and an item changed without XML_ID gets
``md5(VALUE)``. Duplicate XML_IDs are an ERROR_CORE.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.registry import Call, method
from b24provision.emulator.settings import Quirks
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

ENTITY_ID = "CRM_DEAL"
PREFIX = "UF_CRM_"
LABEL_KEYS = ("EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL", "ERROR_MESSAGE", "HELP_MESSAGE")
BUILTIN_TYPES: dict[str, str] = {
    "string": "String",
    "integer": "Integer",
    "double": "Number",
    "boolean": "Yes/No",
    "datetime": "Date/Time",
    "date": "Date",
    "money": "Money",
    "url": "Link",
    "address": "Google Maps Address",
    "enumeration": "List",
    "file": "File",
    "employee": "Binding to employee",
    "crm_status": "Binding to CRM directories",
    "iblock_section": "Binding to information block sections",
    "iblock_element": "Binding to information block elements",
    "crm": "Binding to CRM Entities",
}
_IBLOCK = {
    "IBLOCK_TYPE_ID": "",
    "IBLOCK_ID": "",
    "DEFAULT_VALUE": "",
    "DISPLAY": "LIST",
    "LIST_HEIGHT": 5,
    "ACTIVE_FILTER": "N",
}
# What the proxy fills in when SETTINGS omit a key (reference §7.3; exact sets per type UNVERIFIED).
SETTINGS_DEFAULTS: dict[str, dict[str, Any]] = {
    "string": {"SIZE": 20, "ROWS": 1, "REGEXP": "", "MIN_LENGTH": 0, "MAX_LENGTH": 0, "DEFAULT_VALUE": ""},
    "integer": {"SIZE": 20, "MIN_VALUE": 0, "MAX_VALUE": 0, "DEFAULT_VALUE": None},
    "double": {"PRECISION": 2, "SIZE": 20, "MIN_VALUE": 0, "MAX_VALUE": 0, "DEFAULT_VALUE": None},
    "boolean": {"DEFAULT_VALUE": 0, "DISPLAY": "CHECKBOX", "LABEL": ["", ""], "LABEL_CHECKBOX": ""},
    "datetime": {"DEFAULT_VALUE": {"VALUE": "", "TYPE": "NONE"}, "USE_SECOND": "Y", "USE_TIMEZONE": "N"},
    "date": {"DEFAULT_VALUE": {"VALUE": "", "TYPE": "NONE"}},
    "money": {"DEFAULT_VALUE": ""},
    "url": {"POPUP": "Y", "SIZE": 20, "MIN_LENGTH": 0, "MAX_LENGTH": 0, "DEFAULT_VALUE": "", "ROWS": 1},
    "address": {"SHOW_MAP": "Y"},
    "enumeration": {"DISPLAY": "LIST", "LIST_HEIGHT": 1, "CAPTION_NO_VALUE": "", "SHOW_NO_VALUE": "Y"},
    "file": {
        "SIZE": 20,
        "LIST_WIDTH": 0,
        "LIST_HEIGHT": 0,
        "MAX_SHOW_SIZE": 0,
        "MAX_ALLOWED_SIZE": 0,
        "EXTENSIONS": [],
        "TARGET_BLANK": "Y",
    },
    "employee": {},
    "crm_status": {"ENTITY_TYPE": ""},
    "iblock_section": dict(_IBLOCK),
    "iblock_element": dict(_IBLOCK),
    "crm": {"LEAD": "N", "CONTACT": "N", "COMPANY": "N", "DEAL": "N"},
}
_NAME_CHARS = re.compile(r"^[0-9A-Z_]+$")


def known_types(db: sqlite3.Connection) -> dict[str, str]:
    """Built-in types plus app-registered ones (``rest_<app>_<code>``)."""
    types = dict(BUILTIN_TYPES)
    types.update({r["id"]: r["title"] for r in store.rows(db, "SELECT * FROM user_type ORDER BY id")})
    return types


def register_app_type(db: sqlite3.Connection, type_id: str, title: str) -> None:
    """Register an application's field type, as ``userfieldtype.add`` does for an installed app."""
    db.execute("INSERT OR REPLACE INTO user_type (id, title) VALUES (?, ?)", (type_id, title))


def _full_name(raw: str) -> str:
    name = raw.strip().upper()
    if name.startswith(PREFIX):
        return name
    if name.startswith("UF_"):
        return PREFIX + name[3:]
    return PREFIX + name


def _clean_settings(type_id: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Clamp the few settings the proxy validates."""
    out = dict(settings)
    if type_id == "string" and "ROWS" in out:
        out["ROWS"] = min(max(to_int(out["ROWS"], 1) or 1, 1), 50)
    if type_id == "double" and "PRECISION" in out:
        out["PRECISION"] = max(to_int(out["PRECISION"], 2) or 0, 0)
    if type_id == "boolean":
        if "DEFAULT_VALUE" in out:
            out["DEFAULT_VALUE"] = 1 if to_int(out["DEFAULT_VALUE"], 0) else 0
        if str(out.get("DISPLAY", "CHECKBOX")).upper() not in ("CHECKBOX", "RADIO", "DROPDOWN"):
            out["DISPLAY"] = "CHECKBOX"
    if type_id == "enumeration":
        if str(out.get("DISPLAY", "LIST")).upper() not in ("LIST", "UI", "CHECKBOX", "DIALOG"):
            out["DISPLAY"] = "LIST"
        if "LIST_HEIGHT" in out:
            out["LIST_HEIGHT"] = max(to_int(out["LIST_HEIGHT"], 1) or 1, 1)
    if type_id == "crm":
        for key in ("LEAD", "CONTACT", "COMPANY", "DEAL"):
            if key in out:
                out[key] = to_yn(out[key])
    return out


def _unnamed_label(default: str, quirks: Quirks) -> str:
    """Quirk ``labels`` (§13.4): a language the label map does not name is filled (core) or empty.

    Minimal, added for doctor --probe's tests; lane "fields" owns label behaviour."""
    return default if quirks.labels == "fill" else ""


def _quirk_enum_items_for_add(items: list[dict[str, Any]], quirks: Quirks) -> list[dict[str, Any]]:
    """Quirk ``enum_xml_id`` (§13.1): "dropped" rebuilds each item without XML_ID, as the core's
    UserFieldProxy::add does. Minimal, added for doctor --probe's tests; lane "fields" owns it."""
    if quirks.enum_xml_id != "dropped":
        return items
    return [{k: v for k, v in item.items() if k != "XML_ID"} for item in items]


def _quirk_date_default(type_id: str, settings: dict[str, Any], quirks: Quirks) -> dict[str, Any]:
    """Quirk ``date_default`` (§13.3): "site" stores a date default in the site format, 31.01.2025,
    as CRestUtil::unConvertDateTime does. Minimal, added for doctor --probe's tests; lane "fields"
    owns it."""
    default = settings.get("DEFAULT_VALUE")
    if quirks.date_default != "site" or type_id != "date" or not isinstance(default, dict):
        return settings
    value = str(default.get("VALUE") or "")
    match = re.match(r"^(\d{4})-(\d\d)-(\d\d)", value)
    if not match:
        return settings
    site = f"{match[3]}.{match[2]}.{match[1]}"
    return {**settings, "DEFAULT_VALUE": {**default, "VALUE": site}}


def _labels_for_add(
    fields: dict[str, Any], field_name: str, languages: tuple[str, ...], quirks: Quirks
) -> dict[str, dict[str, str]]:
    label = param(fields, "LABEL")
    default = label if isinstance(label, str) and label.strip() else field_name
    out: dict[str, dict[str, str]] = {}
    for key in LABEL_KEYS:
        given = fields.get(key)
        if isinstance(given, dict):
            out[key] = {lang: str(given.get(lang) or _unnamed_label(default, quirks)) for lang in languages}
        elif isinstance(given, str) and given != "":
            out[key] = {lang: given for lang in languages}
        else:
            out[key] = {lang: default for lang in languages}
    return out


def _show_filter(type_id: str, value: Any, builtin: bool) -> str:
    if not builtin:
        return "N"  # app-registered types are never filterable
    text = str(value or "N").upper()
    if text in ("I", "E", "S"):
        return text
    if to_yn(text) == "Y":
        return "I" if type_id == "employee" else "E"
    return "N"


def _enum_rows(db: sqlite3.Connection, field_id: int) -> list[sqlite3.Row]:
    return store.rows(db, "SELECT * FROM enum_item WHERE field_id = ? ORDER BY sort, id", (field_id,))


def _check_xml_unique(db: sqlite3.Connection, field_id: int) -> None:
    seen: set[str] = set()
    for row in _enum_rows(db, field_id):
        if row["xml_id"] in seen:
            raise RestError("ERROR_CORE", f"List item with value XML_ID={row['xml_id']} already exists.")
        seen.add(row["xml_id"])


def _apply_list(db: sqlite3.Connection, field_id: int, items: list[Any], multiple: bool) -> None:
    """Apply LIST edits with CUserFieldEnum::SetEnumValues semantics (see the module docstring)."""
    existing = {int(r["id"]): r for r in _enum_rows(db, field_id)}
    for raw in items:
        item = as_dict(raw)
        value = str(item.get("VALUE") or "").strip()
        item_id = to_int(item.get("ID"))
        if item_id is not None and item_id in existing:
            if to_yn(item.get("DEL")) == "Y" or not value:
                db.execute("DELETE FROM enum_item WHERE id = ?", (item_id,))
                continue
            row = existing[item_id]
            xml_id = str(item.get("XML_ID") or "") or hashlib.md5(value.encode()).hexdigest()
            db.execute(
                "UPDATE enum_item SET value = ?, sort = ?, def = ?, xml_id = ? WHERE id = ?",
                (
                    value,
                    to_int(item.get("SORT"), row["sort"]) if "SORT" in item else row["sort"],
                    to_yn(item.get("DEF"), row["def"]) if "DEF" in item else row["def"],
                    xml_id,
                    item_id,
                ),
            )
        elif item_id is None and value:
            xml_id = str(item.get("XML_ID") or "") or hashlib.md5(value.encode()).hexdigest()
            db.execute(
                "INSERT INTO enum_item (field_id, value, sort, def, xml_id) VALUES (?, ?, ?, ?, ?)",
                (field_id, value, max(to_int(item.get("SORT"), 500) or 0, 0), to_yn(item.get("DEF")), xml_id),
            )
    if not multiple:  # a single-value list keeps only the first default
        defaults = [r for r in _enum_rows(db, field_id) if r["def"] == "Y"]
        for row in defaults[1:]:
            db.execute("UPDATE enum_item SET def = 'N' WHERE id = ?", (row["id"],))
    _check_xml_unique(db, field_id)


def field_row(db: sqlite3.Connection, field_id: int) -> sqlite3.Row | None:
    return store.one(db, "SELECT * FROM userfield WHERE id = ?", (field_id,))


def field_to_wire(
    db: sqlite3.Connection,
    row: sqlite3.Row,
    *,
    lang: str | None,
    label_maps: bool,
    quirks: Quirks | None = None,
) -> dict[str, Any]:
    """A field as get (label maps) or list (labels only for ``lang``, as plain strings) show it."""
    item: dict[str, Any] = {
        "ID": str(row["id"]),
        "ENTITY_ID": ENTITY_ID,
        "FIELD_NAME": row["field_name"],
        "USER_TYPE_ID": row["user_type_id"],
        "XML_ID": row["xml_id"],
        "SORT": str(row["sort"]),
        "MULTIPLE": row["multiple"],
        "MANDATORY": row["mandatory"],
        "SHOW_FILTER": row["show_filter"],
        "SHOW_IN_LIST": row["show_in_list"],
        "EDIT_IN_LIST": row["edit_in_list"],
        "IS_SEARCHABLE": row["is_searchable"],
        "SETTINGS": json.loads(row["settings"]),
    }
    labels: dict[str, dict[str, str]] = json.loads(row["labels"])
    if label_maps:
        item.update(labels)
    elif lang:
        for key in LABEL_KEYS:
            text = labels.get(key, {}).get(lang)
            item[key] = text if text else None
    if row["user_type_id"] == "enumeration":
        item["LIST"] = [
            {
                "ID": str(e["id"]),
                "SORT": str(e["sort"]),
                "VALUE": e["value"],
                "DEF": e["def"],
                "XML_ID": e["xml_id"],
            }
            for e in _enum_rows(db, int(row["id"]))
        ]
        if quirks is not None and quirks.enum_xml_id == "dropped":  # get/getList return ID, SORT, VALUE, DEF
            item["LIST"] = [{k: v for k, v in i.items() if k != "XML_ID"} for i in item["LIST"]]
    return item


def _field_id(call: Call) -> int:
    value = to_int(param(call.params, "id", "ID"))
    if value is None or value <= 0:
        raise crm_error("ID is not defined or invalid.")
    return value


def _existing(call: Call) -> sqlite3.Row:
    field_id = _field_id(call)
    row = field_row(call.db, field_id)
    if row is None:
        raise RestError("ERROR_NOT_FOUND", f"The entity with ID '{field_id}' is not found.")
    return row


@method("crm.userfield.types")
def userfield_types(call: Call) -> list[dict[str, str]]:
    return [{"ID": type_id, "title": title} for type_id, title in known_types(call.db).items()]


@method("crm.deal.userfield.add", write=True)
def userfield_add(call: Call) -> int:
    fields = param(call.params, "fields")
    fields = as_dict(fields) if isinstance(fields, dict | list) else dict(call.params)
    missing = [
        f"The '{k}' field is not found." for k in ("USER_TYPE_ID", "FIELD_NAME") if not param(fields, k)
    ]
    if missing:
        raise crm_error(*missing)
    type_id = str(param(fields, "USER_TYPE_ID"))
    field_name = _full_name(str(param(fields, "FIELD_NAME")))
    # Core validation errors come back as ERROR_CORE. The real text may end with "<br>" (CAdminException
    # joins messages with it, reference §2.4); the emulator sends the docs' clean texts.
    if len(field_name) > 50:
        raise RestError("ERROR_CORE", "Field name is too long (more than 50 characters).")
    if not _NAME_CHARS.match(field_name):
        raise RestError(
            "ERROR_CORE", "Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _."
        )
    types = known_types(call.db)
    if type_id not in types:
        raise RestError("ERROR_CORE", "Incorrect custom type specified.")
    if call.db.execute("SELECT 1 FROM userfield WHERE field_name = ?", (field_name,)).fetchone():
        raise RestError("ERROR_CORE", f"The field {field_name} for entity {ENTITY_ID} already exists.")
    limit = call.settings.limits.get("crm_user_field_limit")
    if limit is not None and int(call.db.execute("SELECT COUNT(*) FROM userfield").fetchone()[0]) >= limit:
        # UNVERIFIED: the REST reaction to crm_user_field_limit is undocumented; the core refusing
        # the add (ERROR_CORE) is the plausible shape.
        raise RestError(
            "ERROR_CORE", f"The maximum number of custom fields for your plan ({limit}) has been reached."
        )
    builtin = type_id in BUILTIN_TYPES
    settings = dict(SETTINGS_DEFAULTS.get(type_id, {}))
    given = as_dict(param(fields, "SETTINGS"))
    settings.update(given)
    if type_id == "crm" and not any(
        to_yn(given.get(k)) == "Y" for k in ("LEAD", "CONTACT", "COMPANY", "DEAL")
    ):
        settings["LEAD"] = "Y"  # docs: with no entity chosen, LEAD=Y
    multiple = "N" if type_id == "boolean" else to_yn(param(fields, "MULTIPLE"))
    sort = to_int(param(fields, "SORT"), 100) or 100
    cursor = call.db.execute(
        "INSERT INTO userfield (field_name, user_type_id, xml_id, sort, multiple, mandatory, show_filter,"
        " show_in_list, edit_in_list, is_searchable, settings, labels) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            field_name,
            type_id,
            param(fields, "XML_ID") or None,
            sort if sort > 0 else 100,
            multiple,
            to_yn(param(fields, "MANDATORY")),
            _show_filter(type_id, param(fields, "SHOW_FILTER"), builtin),
            to_yn(param(fields, "SHOW_IN_LIST")),
            to_yn(param(fields, "EDIT_IN_LIST"), "Y"),
            to_yn(param(fields, "IS_SEARCHABLE")),
            json.dumps(
                _quirk_date_default(type_id, _clean_settings(type_id, settings), call.settings.quirks),
                ensure_ascii=False,
            ),
            json.dumps(
                _labels_for_add(fields, field_name, call.settings.languages, call.settings.quirks),
                ensure_ascii=False,
            ),
        ),
    )
    field_id = int(cursor.lastrowid or 0)
    if type_id == "enumeration":
        items = [i for i in as_list(param(fields, "LIST")) if isinstance(i, dict | list)]
        _apply_list(
            call.db,
            field_id,
            _quirk_enum_items_for_add(
                [{k: v for k, v in as_dict(i).items() if k != "ID"} for i in items], call.settings.quirks
            ),
            multiple == "Y",
        )
    return field_id


@method("crm.deal.userfield.get")
def userfield_get(call: Call) -> dict[str, Any]:
    return field_to_wire(call.db, _existing(call), lang=None, label_maps=True, quirks=call.settings.quirks)


@method("crm.deal.userfield.list")
def userfield_list(call: Call) -> Paged:
    flt = {k.upper(): v for k, v in as_dict(param(call.params, "filter")).items()}
    lang = flt.pop("LANG", None)
    rows = store.rows(call.db, "SELECT * FROM userfield")
    # LIST is included for enumeration fields in list answers too (UNVERIFIED: docs show it only in get).
    items = [
        field_to_wire(
            call.db, r, lang=str(lang) if lang else None, label_maps=False, quirks=call.settings.quirks
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


@method("crm.deal.userfield.update", write=True)
def userfield_update(call: Call) -> bool:
    row = _existing(call)
    fields = param(call.params, "fields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
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
        updates["show_filter"] = _show_filter(type_id, fields["SHOW_FILTER"], builtin)
    if "XML_ID" in fields:
        updates["xml_id"] = fields["XML_ID"] or None
    if "SORT" in fields:
        sort = to_int(fields["SORT"], row["sort"]) or row["sort"]
        updates["sort"] = sort if sort > 0 else row["sort"]
    if "SETTINGS" in fields:
        merged = json.loads(row["settings"])
        merged.update(as_dict(fields["SETTINGS"]))
        updates["settings"] = json.dumps(_clean_settings(type_id, merged), ensure_ascii=False)
    labels: dict[str, dict[str, str]] = json.loads(row["labels"])
    changed_labels = False
    for key in LABEL_KEYS:
        if key not in fields:
            continue
        given = fields[key]
        # Label fields overwrite fully: a string sets every language, a map sets its languages and
        # blanks the others (reference §7.4).
        if isinstance(given, dict):
            labels[key] = {lang: str(given.get(lang) or "") for lang in call.settings.languages}
        else:
            labels[key] = {lang: str(given or "") for lang in call.settings.languages}
        changed_labels = True
    if changed_labels:
        updates["labels"] = json.dumps(labels, ensure_ascii=False)
    if updates:
        assignments = ", ".join(f"{column} = ?" for column in updates)
        call.db.execute(f"UPDATE userfield SET {assignments} WHERE id = ?", (*updates.values(), row["id"]))
    if type_id == "enumeration" and "LIST" in fields:
        _apply_list(call.db, int(row["id"]), as_list(fields["LIST"]), row["multiple"] == "Y")
    return True


@method("crm.deal.userfield.delete", write=True)
def userfield_delete(call: Call) -> bool:
    row = _existing(call)
    call.db.execute("DELETE FROM userfield WHERE id = ?", (row["id"],))
    call.db.execute("DELETE FROM enum_item WHERE field_id = ?", (row["id"],))
    for deal in store.rows(call.db, "SELECT id, uf FROM deal"):
        values = json.loads(deal["uf"])
        if row["field_name"] in values:
            del values[row["field_name"]]
            call.db.execute(
                "UPDATE deal SET uf = ? WHERE id = ?", (json.dumps(values, ensure_ascii=False), deal["id"])
            )
    return True
