"""Translation between the portal's REST rows and the blueprint model, in both directions.

Reading (``*_from_rest``) and writing (``*_to_rest``) live side by side so that what apply writes
reads back as exactly the model it came from: that symmetry is what makes "apply, then plan shows
no changes" hold. Pure functions; no I/O.

Wire facts used here (reference §5-7, §13): every scalar comes back as a string; stage SEMANTICS is
null / "S" / "F" (or "P"); SHOW_FILTER is stored as E for Y; a field added without a label is
labelled with its FIELD_NAME; enumeration items carry ID, VALUE, SORT, DEF and, on some portals,
XML_ID (the core's REST proxy drops it on add and never returns it, §13.1: such an item is keyed by
its text, ``text_key``); a fixed date default may come back in the site's format (31.01.2025) and a
datetime one with the portal's offset (§13.3), both read as ISO 8601 (``iso_date``).

Labels (§13.4): a string label is sent for every language; a map is sent for the languages it
names, with ``LABEL`` = its English (else first) text, which the core gives the languages the map
does not name on add. On update the API blanks unnamed languages, so the update sends the portal's
own texts for them back (``label_payload``): a label change never wipes a translation made by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import TypeAdapter, ValidationError

from b24provision.blueprint.model import (
    FIELD_TYPES,
    DealField,
    FieldBase,
    Pipeline,
    Semantics,
    Stage,
)
from b24provision.dates import iso_date
from b24provision.keys import make_key
from b24provision.state.live import UnsupportedField

FIELD_PREFIX = "UF_CRM_"
_FIELD_ADAPTER: TypeAdapter[Any] = TypeAdapter(DealField)
_SEMANTICS_FROM: dict[str, Semantics] = {"S": "success", "F": "failure"}
_SEMANTICS_TO: dict[Semantics, str] = {"process": "", "success": "S", "failure": "F"}
_CRM_TARGETS = {"deal": "DEAL", "contact": "CONTACT", "company": "COMPANY", "lead": "LEAD"}


def stage_entity_id(category_id: int | str) -> str:
    """The crm.status ENTITY_ID of a deal pipeline's stages."""
    return "DEAL_STAGE" if str(category_id) == "0" else f"DEAL_STAGE_{category_id}"


def stage_prefix(category_id: int | str) -> str:
    return "" if str(category_id) == "0" else f"C{category_id}:"


def category_of_entity(entity_id: str) -> int | None:
    """The pipeline id of a deal-stage ENTITY_ID, or None for other directories."""
    if entity_id == "DEAL_STAGE":
        return 0
    if entity_id.startswith("DEAL_STAGE_") and entity_id[11:].isdigit():
        return int(entity_id[11:])
    return None


def stage_code(status_id: str) -> str:
    """The natural code of a stage: its STATUS_ID without the ``C<id>:`` prefix."""
    return status_id.split(":", 1)[1] if ":" in status_id else status_id


# ---------------------------------------------------------------------------------- stages


def semantics_from_rest(value: Any) -> Semantics:
    """A stage's semantics from its SEMANTICS value (null / "" in progress, "S", "F")."""
    return _SEMANTICS_FROM.get(str(value or ""), "process")


def semantics_to_rest(semantics: Semantics) -> str:
    return _SEMANTICS_TO[semantics]


def stage_from_rest(row: Mapping[str, Any]) -> Stage:
    extra = row.get("EXTRA") or {}
    color = row.get("COLOR") or (extra.get("COLOR") if isinstance(extra, Mapping) else None)
    return Stage(
        code=stage_code(str(row["STATUS_ID"])),
        name=str(row.get("NAME") or row["STATUS_ID"]),
        semantics=semantics_from_rest(row.get("SEMANTICS")),
        color=color.upper() if isinstance(color, str) and len(color) == 7 else None,
        sort=int(row.get("SORT") or 0),
    )


def stage_to_rest(stage: Stage, sort: int, category_id: int | str) -> dict[str, Any]:
    """Fields for crm.status.add (``category_id`` may be a ``$result[...]`` reference)."""
    fields: dict[str, Any] = {
        "ENTITY_ID": stage_entity_id(category_id),
        "STATUS_ID": f"{stage_prefix(category_id)}{stage.code}",
        "NAME": stage.name,
        "SORT": sort,
        "SEMANTICS": semantics_to_rest(stage.semantics),
    }
    if stage.color:
        fields["COLOR"] = stage.color
    return fields


def pipeline_from_rest(row: Mapping[str, Any], key: str, stages: list[Stage]) -> Pipeline:
    return Pipeline(
        key=key,
        name=str(row.get("name") or "-"),
        default=str(row.get("isDefault", "N")) == "Y" or str(row.get("id")) == "0",
        sort=int(row.get("sort") or 0),
        stages=stages or [Stage(code="NEW", name="-")],
    )


def pipeline_to_rest(pipeline: Pipeline) -> dict[str, Any]:
    """Fields for crm.category.add / update."""
    fields: dict[str, Any] = {"name": pipeline.name}
    if pipeline.sort is not None:
        fields["sort"] = pipeline.sort
    return fields


# ---------------------------------------------------------------------------------- fields


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _label(labels: Mapping[str, str | None], field_name: str) -> str | dict[str, str] | None:
    """A blueprint label from per-language texts, as short as says the same thing: None when it is
    the portal's fallback everywhere, one string when every language agrees, else a map of English
    (else every language with a text) plus the languages whose text differs from the English one.

    Empty texts and the field code are the portal's fallback (the core fills the languages a map
    does not name with LABEL or the field code, §13.4), so they are no label of their own. The exact
    texts stay in ``LiveState.label_texts``, which is what the plan compares."""
    texts = {lang: (text or "") for lang, text in sorted(labels.items())}
    named = {lang: text for lang, text in texts.items() if text and text != field_name}
    if not named:
        return None
    if len(set(named.values())) == 1 and len(named) == len(texts):
        return next(iter(named.values()))
    if "en" in named:
        return {lang: text for lang, text in named.items() if lang == "en" or text != named["en"]}
    return named


def field_from_rest(row: Mapping[str, Any], labels: Mapping[str, str | None]) -> Any:
    """A blueprint field from a crm.deal.userfield row, or an UnsupportedField.

    ``labels`` are the field's EDIT_FORM_LABEL per portal language.
    """
    field_name = str(row["FIELD_NAME"])
    user_type = str(row.get("USER_TYPE_ID") or "")
    text = _label(labels, field_name)
    if not field_name.startswith(FIELD_PREFIX) or user_type not in FIELD_TYPES:
        shown = text if isinstance(text, str) else next(iter((text or {}).values()), field_name)
        return UnsupportedField(
            code=field_name.removeprefix(FIELD_PREFIX), user_type_id=user_type, label=shown
        )
    settings: Mapping[str, Any] = row.get("SETTINGS") or {}
    data: dict[str, Any] = {
        "type": user_type,
        "code": field_name[len(FIELD_PREFIX) :],
        "label": text,
        "multiple": row.get("MULTIPLE") == "Y",
        "mandatory": row.get("MANDATORY") == "Y",
        "show_in_filter": str(row.get("SHOW_FILTER") or "N") != "N",
        "sort": int(row.get("SORT") or 100),
    }
    data.update(_settings_from_rest(user_type, settings, row.get("LIST") or []))
    try:
        return _FIELD_ADAPTER.validate_python(data)
    except ValidationError:
        # A value the blueprint cannot express (e.g. an odd default): keep the field visible.
        shown = text if isinstance(text, str) else field_name
        return UnsupportedField(code=data["code"], user_type_id=user_type, label=str(shown))


def _default(settings: Mapping[str, Any]) -> Any:
    value = settings.get("DEFAULT_VALUE")
    return None if value in ("", None, []) else value


def _settings_from_rest(user_type: str, s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    match user_type:
        case "string":
            return {"default": _default(s), "rows": int(s.get("ROWS") or 1)}
        case "integer":
            value = _default(s)
            return {"default": None if value is None else int(value)}
        case "double":
            value = _default(s)
            return {
                "default": None if value is None else float(value),
                "precision": int(s.get("PRECISION", 2)),
            }
        case "boolean":
            return {
                "default": str(s.get("DEFAULT_VALUE", 0)) in ("1", "Y", "true", "True"),
                "display": str(s.get("DISPLAY") or "CHECKBOX").lower(),
            }
        case "date" | "datetime":
            dv = s.get("DEFAULT_VALUE") or {}
            kind = str(dv.get("TYPE") or "NONE").upper() if isinstance(dv, Mapping) else "NONE"
            fixed = (
                iso_date(str(dv.get("VALUE") or ""), with_time=user_type == "datetime")
                if kind == "FIXED"
                else None
            )
            return {"default": {"NOW": "now", "FIXED": fixed}.get(kind)}
        case "money" | "url":
            return {"default": _default(s)}
        case "enumeration":
            ordered = sorted(items, key=lambda it: (int(it.get("SORT") or 0), int(it.get("ID") or 0)))
            return {
                "display": str(s.get("DISPLAY") or "LIST").lower(),
                "list_height": int(s.get("LIST_HEIGHT") or 1),
                "items": [
                    {
                        "xml_id": key,
                        "value": str(it.get("VALUE") or ""),
                        "sort": int(it.get("SORT") or 0),
                        "default": it.get("DEF") == "Y",
                    }
                    for it, key in zip(ordered, item_keys(ordered), strict=True)
                ],
            }
        case "crm_status":
            return {"entity_type": str(s.get("ENTITY_TYPE") or "STATUS")}
        case "crm":
            return {"targets": [t for t, flag in _CRM_TARGETS.items() if s.get(flag) == "Y"] or ["lead"]}
        case "iblock_section" | "iblock_element":
            iblock_id = s.get("IBLOCK_ID")
            return {
                "iblock_type_id": s.get("IBLOCK_TYPE_ID") or None,
                "iblock_id": int(iblock_id) if iblock_id not in (None, "", 0, "0") else None,
            }
    return {}


def has_xml_id(item: Mapping[str, Any]) -> bool:
    return bool(str(item.get("XML_ID") or "").strip())


def item_keys(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """The key of each enumeration item: its XML_ID, or (none returned) a key made from its text."""
    keys: list[str] = []
    for item in items:
        if has_xml_id(item):
            keys.append(str(item["XML_ID"]))
        else:
            keys.append(text_key(str(item.get("VALUE") or ""), keys))
    return keys


def text_key(value: str, taken: Iterable[str] = ()) -> str:
    """A readable key for an item the portal returned without XML_ID: "Нью-Йорк" -> "nyu_york"."""
    return make_key(value or "item", taken=taken)


def field_settings_to_rest(field: FieldBase) -> dict[str, Any]:
    """SETTINGS for crm.deal.userfield.add / update."""
    data = field.model_dump()
    match data["type"]:
        case "string":
            return {"DEFAULT_VALUE": data["default"] or "", "ROWS": data["rows"]}
        case "integer" | "money" | "url":
            return {"DEFAULT_VALUE": "" if data["default"] is None else data["default"]}
        case "double":
            return {
                "DEFAULT_VALUE": "" if data["default"] is None else data["default"],
                "PRECISION": data["precision"],
            }
        case "boolean":
            return {"DEFAULT_VALUE": 1 if data["default"] else 0, "DISPLAY": data["display"].upper()}
        case "date" | "datetime":
            default = data["default"]
            if default is None:
                return {"DEFAULT_VALUE": {"TYPE": "NONE", "VALUE": ""}}
            if default == "now":
                return {"DEFAULT_VALUE": {"TYPE": "NOW", "VALUE": ""}}
            return {"DEFAULT_VALUE": {"TYPE": "FIXED", "VALUE": default}}
        case "enumeration":
            return {"DISPLAY": data["display"].upper(), "LIST_HEIGHT": data["list_height"]}
        case "crm_status":
            return {"ENTITY_TYPE": data["entity_type"]}
        case "crm":
            return {flag: _yn(t in data["targets"]) for t, flag in _CRM_TARGETS.items()}
        case "iblock_section" | "iblock_element":
            out: dict[str, Any] = {}
            if data["iblock_type_id"]:
                out["IBLOCK_TYPE_ID"] = data["iblock_type_id"]
            if data["iblock_id"]:
                out["IBLOCK_ID"] = data["iblock_id"]
            return out
    return {}


_LABEL_KEYS = ("EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL")


def label_fallback(label: Mapping[str, str]) -> str:
    """The text a label map gives the languages it does not name: English, else its first text."""
    return label.get("en") or next(iter(label.values()), "")


def labels_to_rest(field: FieldBase) -> dict[str, Any]:
    """The label keys for add. A string applies to every language; a map sets the languages it
    names, and LABEL (its English, else first, text) goes to the others where the portal fills them
    (the core, §13.4; the docs' reading leaves them empty). No label: the portal shows the FIELD_NAME."""
    if field.label is None:
        return {}
    if isinstance(field.label, str):
        return {key: field.label for key in _LABEL_KEYS}
    label = dict(field.label)
    return {"LABEL": label_fallback(label), **{key: label for key in _LABEL_KEYS}}


def label_payload(
    field: FieldBase, languages: Iterable[str], current: Mapping[str, str] | None
) -> dict[str, Any]:
    """The label keys for update: a map over every portal language, so that the API (which blanks the
    languages a map does not name) keeps the portal's own text in them; the map's fallback where the
    portal has none. A string or no label goes out as one string for every language."""
    if field.label is None:
        return {key: field.field_name for key in _LABEL_KEYS}
    if isinstance(field.label, str):
        return {key: field.label for key in _LABEL_KEYS}
    named = dict(field.label)
    texts = {lang: (current or {}).get(lang) or label_fallback(named) for lang in languages}
    texts.update(named)
    return {key: dict(texts) for key in _LABEL_KEYS}


def enum_items_to_rest(field: FieldBase, item_ids: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """LIST items: known xml_ids carry their ID (and always VALUE: an item sent without VALUE is
    deleted, reference §7.4); items no longer wanted are sent with DEL=Y."""
    items = getattr(field, "items", None)
    if items is None:
        return []
    ids = dict(item_ids or {})
    sorts = field.item_sorts()  # type: ignore[attr-defined]
    out: list[dict[str, Any]] = []
    for item in items:
        row: dict[str, Any] = {
            "VALUE": item.value,
            "XML_ID": item.xml_id,
            "SORT": sorts[item.xml_id],
            "DEF": _yn(item.default),
        }
        if item.xml_id in ids:
            row["ID"] = ids.pop(item.xml_id)
        out.append(row)
    out.extend({"ID": item_id, "DEL": "Y"} for item_id in ids.values())
    return out


def field_to_rest(field: FieldBase) -> dict[str, Any]:
    """Fields for crm.deal.userfield.add."""
    data = field.model_dump()
    fields: dict[str, Any] = {
        "FIELD_NAME": field.field_name,
        "USER_TYPE_ID": data["type"],
        "MULTIPLE": _yn(field.multiple),
        "MANDATORY": _yn(field.mandatory),
        "SHOW_FILTER": _yn(field.show_in_filter),
        "SORT": field.sort,
        "SETTINGS": field_settings_to_rest(field),
        **labels_to_rest(field),
    }
    if data["type"] == "enumeration":
        fields["LIST"] = enum_items_to_rest(field)
    return fields


def field_update_to_rest(
    field: FieldBase,
    item_ids: Mapping[str, int] | None = None,
    *,
    languages: Iterable[str] = (),
    current_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Fields for crm.deal.userfield.update: everything the API can change (not type or multiple).

    ``languages`` and ``current_labels`` (the portal's texts by language) keep the languages a label
    map does not name as the portal has them (see ``label_payload``)."""
    fields = field_to_rest(field)
    fields.pop("LABEL", None)  # update ignores LABEL (prepareLabels gets '' as the default there)
    # Going back to "no label" means the FIELD_NAME again; update overwrites every language.
    fields.update(label_payload(field, languages, current_labels))
    for immutable in ("FIELD_NAME", "USER_TYPE_ID", "MULTIPLE"):
        fields.pop(immutable)
    if "LIST" in fields:
        fields["LIST"] = enum_items_to_rest(field, item_ids)
    return fields
