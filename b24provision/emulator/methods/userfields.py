"""Deal custom fields: ``crm.deal.userfield.*`` and ``crm.userfield.types`` (reference §7).

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

import hashlib
import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.registry import Call, method
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
_NAME_CHARS = re.compile(r"^[0-9A-Z_]+$")
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


def _labels_for_add(
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


def _parse_iso(text: str) -> datetime | None:
    """strtotime() of what a client sends: an ISO date or date-time, with or without an offset."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(SITE_OFFSET).replace(tzinfo=None) if parsed.tzinfo else parsed


def _site_default(type_id: str, value: Any) -> dict[str, Any]:
    """``DEFAULT_VALUE`` of a date or datetime field as unConvertDateTime stores it (site format)."""
    default = value if isinstance(value, dict) else {"VALUE": value, "TYPE": "NONE"}
    kind = str(default.get("TYPE") or "NONE").upper()
    text = str(default.get("VALUE") or "")
    parsed = _parse_iso(text) if text else None
    if parsed is not None:
        text = parsed.strftime("%d.%m.%Y" if type_id == "date" else "%d.%m.%Y %H:%M:%S")
    return {"VALUE": text, "TYPE": kind}


def _iso_from_site(text: str) -> str:
    """CRestUtil::ConvertDateTime: a site-format date-time as ISO 8601 with the portal's offset."""
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=SITE_OFFSET).isoformat()
        except ValueError:
            continue
    return text


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


def _proxy_defaults(items: list[Any], multiple: bool) -> list[dict[str, Any]]:
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
        settings["DEFAULT_VALUE"] = {**default, "VALUE": _iso_from_site(str(default["VALUE"]))}
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
            for e in _enum_rows(db, int(row["id"]))
        ]
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
    quirks = call.settings.quirks
    settings = dict(SETTINGS_DEFAULTS.get(type_id, {}))
    given = as_dict(param(fields, "SETTINGS"))
    show_filter = _show_filter(type_id, param(fields, "SHOW_FILTER"), builtin)
    if quirks.uf_settings == "core":
        # Only the settings add()'s case for the type names; `default:` keeps none and no filter.
        kept = CORE_ADD_SETTINGS.get(type_id)
        given = {k: v for k, v in given.items() if k in (kept or ())}
        if kept is None:
            show_filter = "N"
    settings.update(given)
    if type_id == "crm" and not any(
        to_yn(given.get(k)) == "Y" for k in ("LEAD", "CONTACT", "COMPANY", "DEAL")
    ):
        # docs: with no entity chosen, LEAD=Y; the core's add() sets each flag from SETTINGS only (N).
        settings["LEAD"] = "N" if quirks.uf_settings == "core" else "Y"
    if type_id in ("date", "datetime") and quirks.date_default == "site" and "DEFAULT_VALUE" in given:
        settings["DEFAULT_VALUE"] = _site_default(type_id, given["DEFAULT_VALUE"])
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
            show_filter,
            to_yn(param(fields, "SHOW_IN_LIST")),
            to_yn(param(fields, "EDIT_IN_LIST"), "Y"),
            to_yn(param(fields, "IS_SEARCHABLE")),
            json.dumps(_clean_settings(type_id, settings), ensure_ascii=False),
            json.dumps(
                _labels_for_add(fields, field_name, call.settings.languages, fill=quirks.labels == "fill"),
                ensure_ascii=False,
            ),
        ),
    )
    field_id = int(cursor.lastrowid or 0)
    if type_id == "enumeration":
        items = [i for i in as_list(param(fields, "LIST")) if isinstance(i, dict | list)]
        # The core's add() rebuilds each item as {VALUE, SORT, DEF}: an XML_ID sent is lost (§13.1).
        dropped = ("ID", "XML_ID") if quirks.enum_xml_id in ("dropped", "dropped_on_add") else ("ID",)
        _apply_list(
            call.db,
            field_id,
            [{k: v for k, v in as_dict(i).items() if k not in dropped} for i in items],
            multiple == "Y",
        )
    return field_id


@method("crm.deal.userfield.get")
def userfield_get(call: Call) -> dict[str, Any]:
    xml_ids = call.settings.quirks.enum_xml_id != "dropped"
    return field_to_wire(call.db, _existing(call), lang=None, label_maps=True, xml_ids=xml_ids)


@method("crm.deal.userfield.list")
def userfield_list(call: Call) -> Paged:
    flt = {k.upper(): v for k, v in as_dict(param(call.params, "filter")).items()}
    lang = flt.pop("LANG", None)
    rows = store.rows(call.db, "SELECT * FROM userfield")
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
        quirks = call.settings.quirks
        given = as_dict(fields["SETTINGS"])
        if quirks.uf_settings == "core":
            # update() has no case for date, money, url, address, file: their SETTINGS stay.
            given = {k: v for k, v in given.items() if k in CORE_UPDATE_SETTINGS.get(type_id, ())}
        if type_id in ("date", "datetime") and quirks.date_default == "site" and "DEFAULT_VALUE" in given:
            given["DEFAULT_VALUE"] = _site_default(type_id, given["DEFAULT_VALUE"])
        merged = json.loads(row["settings"])
        merged.update(given)
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
        items = as_list(fields["LIST"])
        multiple = row["multiple"] == "Y"
        if call.settings.quirks.enum_xml_id != "kept":  # the core's proxy rebuilds each item
            items = _proxy_defaults(items, multiple)
        _apply_list(call.db, int(row["id"]), items, multiple)
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
