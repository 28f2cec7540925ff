"""The rules of a custom field (``b_user_field``) that every REST face of it shares.

``crm.<entity>.userfield.*`` (upper-case, reference §7) and ``userfieldconfig.*`` (camelCase, the
smart processes' fields) are two proxies over one table; what a field's SETTINGS default to, how
labels fill, how enumeration items change and how a field goes out on the wire are the same for
both. The quirks each rule follows are described in emulator/methods/userfields.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.wire import RestError, as_dict, param, to_int, to_yn

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
# What a field's SETTINGS hold when a key is not sent. The keys REST itself sets per type are
# settled by the audit (CORE_ADD_SETTINGS below, §13.2); the rest are what each type's
# PrepareSettings adds in the main module, of which only date's was read (UNVERIFIED for the others).
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
NAME_CHARS = re.compile(r"^[0-9A-Z_]+$")
_IBLOCK_KEYS = ("IBLOCK_TYPE_ID", "IBLOCK_ID", "DEFAULT_VALUE", "DISPLAY", "LIST_HEIGHT", "ACTIVE_FILTER")
# The settings each `case` of UserFieldProxy::add() keeps (uf_settings="core"); a type missing here
# falls into `default:` (SHOW_FILTER=N, no settings).
CORE_ADD_SETTINGS: dict[str, tuple[str, ...]] = {
    "string": ("DEFAULT_VALUE", "ROWS"),
    "integer": ("DEFAULT_VALUE",),
    "double": ("DEFAULT_VALUE", "PRECISION"),
    "boolean": ("DEFAULT_VALUE", "DISPLAY"),
    "date": ("DEFAULT_VALUE",),
    "datetime": ("DEFAULT_VALUE",),
    "enumeration": ("DISPLAY", "LIST_HEIGHT"),
    "iblock_section": _IBLOCK_KEYS,
    "iblock_element": _IBLOCK_KEYS,
    "crm_status": ("ENTITY_TYPE",),
    "crm": ("LEAD", "CONTACT", "COMPANY", "DEAL"),
    "employee": (),
}
# UserFieldProxy::update() has the same cases except date; the rest keep their persisted SETTINGS.
CORE_UPDATE_SETTINGS = {k: v for k, v in CORE_ADD_SETTINGS.items() if k != "date"}
# The emulated site: Russian formats, Moscow time (ConvertTimeStamp / date('c') on a ru portal).
SITE_OFFSET = timezone(timedelta(hours=3))


def known_types(db: sqlite3.Connection) -> dict[str, str]:
    """Built-in types plus app-registered ones (``rest_<app>_<code>``)."""
    types = dict(BUILTIN_TYPES)
    types.update({r["id"]: r["title"] for r in store.rows(db, "SELECT * FROM user_type ORDER BY id")})
    return types


def register_app_type(db: sqlite3.Connection, type_id: str, title: str) -> None:
    """Register an application's field type, as ``userfieldtype.add`` does for an installed app."""
    db.execute("INSERT OR REPLACE INTO user_type (id, title) VALUES (?, ?)", (type_id, title))


def full_name(raw: str, prefix: str = PREFIX) -> str:
    """FIELD_NAME as the proxy stores it: upper-cased, ``prefix`` (UF_CRM_) put in front if missing."""
    name = raw.strip().upper()
    if name.startswith(prefix):
        return name
    if name.startswith("UF_") and prefix == PREFIX:
        return PREFIX + name[3:]
    return prefix + name


def clean_settings(type_id: str, settings: dict[str, Any]) -> dict[str, Any]:
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


def labels_for_add(
    fields: dict[str, Any], field_name: str, languages: tuple[str, ...], *, fill: bool
) -> dict[str, dict[str, str]]:
    """prepareLabels on add: a string sets every language; a map sets its languages, and the others
    get LABEL (else FIELD_NAME) with ``fill`` or stay empty; a label not sent is LABEL everywhere."""
    label = param(fields, "LABEL")
    default = label.strip() if isinstance(label, str) and label.strip() else field_name
    out: dict[str, dict[str, str]] = {}
    for key in LABEL_KEYS:
        given = fields.get(key)
        if isinstance(given, dict):
            other = default if fill else ""
            out[key] = {lang: str(given.get(lang) or other) for lang in languages}
        elif isinstance(given, str) and given != "":
            out[key] = {lang: given for lang in languages}
        else:
            out[key] = {lang: default for lang in languages}
    return out


def parse_iso(text: str) -> datetime | None:
    """strtotime() of what a client sends: an ISO date or date-time, with or without an offset."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(SITE_OFFSET).replace(tzinfo=None) if parsed.tzinfo else parsed


def site_default(type_id: str, value: Any) -> dict[str, Any]:
    """``DEFAULT_VALUE`` of a date or datetime field as unConvertDateTime stores it (site format)."""
    default = value if isinstance(value, dict) else {"VALUE": value, "TYPE": "NONE"}
    kind = str(default.get("TYPE") or "NONE").upper()
    text = str(default.get("VALUE") or "")
    parsed = parse_iso(text) if text else None
    if parsed is not None:
        text = parsed.strftime("%d.%m.%Y" if type_id == "date" else "%d.%m.%Y %H:%M:%S")
    return {"VALUE": text, "TYPE": kind}


def iso_from_site(text: str) -> str:
    """CRestUtil::ConvertDateTime: a site-format date-time as ISO 8601 with the portal's offset."""
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=SITE_OFFSET).isoformat()
        except ValueError:
            continue
    return text


def show_filter(type_id: str, value: Any, builtin: bool) -> str:
    if not builtin:
        return "N"  # app-registered types are never filterable
    text = str(value or "N").upper()
    if text in ("I", "E", "S"):
        return text
    if to_yn(text) == "Y":
        return "I" if type_id == "employee" else "E"
    return "N"


def enum_rows(db: sqlite3.Connection, field_id: int) -> list[sqlite3.Row]:
    return store.rows(db, "SELECT * FROM enum_item WHERE field_id = ? ORDER BY sort, id", (field_id,))


def check_xml_unique(db: sqlite3.Connection, field_id: int) -> None:
    seen: set[str] = set()
    for row in enum_rows(db, field_id):
        if row["xml_id"] in seen:
            raise RestError("ERROR_CORE", f"List item with value XML_ID={row['xml_id']} already exists.")
        seen.add(row["xml_id"])


def proxy_defaults(items: list[Any], multiple: bool) -> list[dict[str, Any]]:
    """DEF as UserFieldProxy::update() passes it on: as sent for a multiple field; for a single-value
    one Y on the first default and N on every other item sent, and no DEF at all when none is a
    default, so an update cannot clear a single-value list's default (the item keeps DEF=Y)."""
    out = [dict(as_dict(i)) for i in items]
    if multiple:
        return out
    first = next((n for n, i in enumerate(out) if to_yn(i.get("DEF")) == "Y"), None)
    for n, item in enumerate(out):
        item.pop("DEF", None)
        if first is not None:
            item["DEF"] = "Y" if n == first else "N"
    return out


def apply_list(db: sqlite3.Connection, field_id: int, items: list[Any], multiple: bool) -> None:
    """Apply LIST edits with CUserFieldEnum::SetEnumValues semantics (see the module docstring)."""
    existing = {int(r["id"]): r for r in enum_rows(db, field_id)}
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
            # md5(salt . VALUE), the salt random in the core; here made from the field and the item
            # count so that two runs of one script give equal portals (and exports).
            salt = f"{field_id}.{len(existing)}.{len(items)}"
            salted = hashlib.md5((salt + value).encode()).hexdigest()
            xml_id = str(item.get("XML_ID") or "") or salted
            db.execute(
                "INSERT INTO enum_item (field_id, value, sort, def, xml_id) VALUES (?, ?, ?, ?, ?)",
                (field_id, value, max(to_int(item.get("SORT"), 500) or 0, 0), to_yn(item.get("DEF")), xml_id),
            )
    if not multiple:  # a single-value list keeps only the first default
        defaults = [r for r in enum_rows(db, field_id) if r["def"] == "Y"]
        for row in defaults[1:]:
            db.execute("UPDATE enum_item SET def = 'N' WHERE id = ?", (row["id"],))
    check_xml_unique(db, field_id)


def field_row(db: sqlite3.Connection, field_id: int) -> sqlite3.Row | None:
    return store.one(db, "SELECT * FROM userfield WHERE id = ?", (field_id,))


def field_to_wire(
    db: sqlite3.Connection,
    row: sqlite3.Row,
    *,
    lang: str | None,
    label_maps: bool,
    xml_ids: bool = True,
    iso_datetime: bool = False,
) -> dict[str, Any]:
    """A field as get (label maps) or list (labels only for ``lang``, as plain strings) show it.

    ``xml_ids``: enumeration items carry their XML_ID (the docs) or not (the core's proxy);
    ``iso_datetime``: a datetime default stored in site format goes out as ISO 8601 (getList)."""
    settings = json.loads(row["settings"])
    default = settings.get("DEFAULT_VALUE")
    is_datetime = row["user_type_id"] == "datetime"
    if iso_datetime and is_datetime and isinstance(default, dict) and default.get("VALUE"):
        settings["DEFAULT_VALUE"] = {**default, "VALUE": iso_from_site(str(default["VALUE"]))}
    item: dict[str, Any] = {
        "ID": str(row["id"]),
        "ENTITY_ID": row["entity_id"],
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
        "SETTINGS": settings,
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
                **({"XML_ID": e["xml_id"]} if xml_ids else {}),
            }
            for e in enum_rows(db, int(row["id"]))
        ]
    return item
