"""The field-type codec table: one row per custom-field type, with everything REST does differently
for it.

A row says how the type's SETTINGS (and an enumeration's LIST) read into blueprint attributes
(``from_rest``), how the attributes write back as SETTINGS (``to_rest``), what the core's REST proxy
sets on add and on update (``settable``, reference §13.2, see plan/settable.py for the policy) and
how its default compares (as a date or a moment). The REST USER_TYPE_ID is the blueprint's ``type``
for every type (§7.3 lists the 16 built-ins). What is immutable after creation is the same for every
type: ``IMMUTABLE``. Pure functions over plain dicts (a model's ``model_dump()``); no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from b24provision.dates import iso_date
from b24provision.keys import make_key

IMMUTABLE = ("FIELD_NAME", "USER_TYPE_ID", "MULTIPLE")
"""CUserTypeEntity::Update unsets them whatever is sent (§7.4): a change is a replace."""

CRM_TARGETS = {"deal": "DEAL", "contact": "CONTACT", "company": "COMPANY", "lead": "LEAD"}
"""A ``crm`` field's targets as its SETTINGS flags (§7.3: LEAD, CONTACT, COMPANY, DEAL = Y/N)."""

_ALWAYS = frozenset({"label", "mandatory", "sort"})


@dataclass(frozen=True)
class Settable:
    """The blueprint attributes of one field type that REST sets on add and on update."""

    on_add: frozenset[str]
    on_update: frozenset[str]


def _both(*attrs: str) -> Settable:
    return Settable(
        on_add=_ALWAYS | {"show_in_filter", *attrs}, on_update=_ALWAYS | {"show_in_filter", *attrs}
    )


# Types in add()'s `default:` branch: no settings, no filter on add; update changes the filter only.
_DEFAULT_CASE = Settable(on_add=_ALWAYS, on_update=_ALWAYS | {"show_in_filter"})

FromRest = Callable[[Mapping[str, Any], list[Any]], dict[str, Any]]
ToRest = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class FieldCodec:
    """One field type: SETTINGS <-> blueprint attributes, and what REST can set."""

    user_type: str
    from_rest: FromRest
    """(SETTINGS, LIST) -> the type's blueprint attributes."""
    to_rest: ToRest
    """The field's ``model_dump()`` -> SETTINGS for add and update."""
    settable: Settable
    moment: Literal["date", "datetime"] | None = None
    """A date default compares as a date, a datetime one as a moment (§13.3), else as a value."""


# ------------------------------------------------------------------------------- codecs


def _default(s: Mapping[str, Any]) -> Any:
    value = s.get("DEFAULT_VALUE")
    return None if value in ("", None, []) else value


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _none(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    return {}


def _no_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    return {}


def _plain_default(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"DEFAULT_VALUE": "" if data["default"] is None else data["default"]}


def _string_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    return {"default": _default(s), "rows": int(s.get("ROWS") or 1)}


def _string_to(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"DEFAULT_VALUE": data["default"] or "", "ROWS": data["rows"]}


def _integer_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    value = _default(s)
    return {"default": None if value is None else int(value)}


def _double_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    value = _default(s)
    return {"default": None if value is None else float(value), "precision": int(s.get("PRECISION", 2))}


def _double_to(data: Mapping[str, Any]) -> dict[str, Any]:
    return {**_plain_default(data), "PRECISION": data["precision"]}


def _boolean_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    return {
        "default": str(s.get("DEFAULT_VALUE", 0)) in ("1", "Y", "true", "True"),
        "display": str(s.get("DISPLAY") or "CHECKBOX").lower(),
    }


def _boolean_to(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"DEFAULT_VALUE": 1 if data["default"] else 0, "DISPLAY": data["display"].upper()}


def _date_from(with_time: bool) -> FromRest:
    def read(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
        dv = s.get("DEFAULT_VALUE") or {}
        kind = str(dv.get("TYPE") or "NONE").upper() if isinstance(dv, Mapping) else "NONE"
        fixed = iso_date(str(dv.get("VALUE") or ""), with_time=with_time) if kind == "FIXED" else None
        return {"default": {"NOW": "now", "FIXED": fixed}.get(kind)}

    return read


def _date_to(data: Mapping[str, Any]) -> dict[str, Any]:
    default = data["default"]
    if default is None:
        return {"DEFAULT_VALUE": {"TYPE": "NONE", "VALUE": ""}}
    if default == "now":
        return {"DEFAULT_VALUE": {"TYPE": "NOW", "VALUE": ""}}
    return {"DEFAULT_VALUE": {"TYPE": "FIXED", "VALUE": default}}


def _default_only_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    return {"default": _default(s)}


def _enumeration_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
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


def _enumeration_to(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"DISPLAY": data["display"].upper(), "LIST_HEIGHT": data["list_height"]}


def _crm_status_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    return {"entity_type": str(s.get("ENTITY_TYPE") or "STATUS")}


def _crm_status_to(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"ENTITY_TYPE": data["entity_type"]}


def _crm_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    # The docs: with no target flag the portal binds to leads.
    return {"targets": [t for t, flag in CRM_TARGETS.items() if s.get(flag) == "Y"] or ["lead"]}


def _crm_to(data: Mapping[str, Any]) -> dict[str, Any]:
    return {flag: _yn(t in data["targets"]) for t, flag in CRM_TARGETS.items()}


def _iblock_from(s: Mapping[str, Any], items: list[Any]) -> dict[str, Any]:
    iblock_id = s.get("IBLOCK_ID")
    return {
        "iblock_type_id": s.get("IBLOCK_TYPE_ID") or None,
        "iblock_id": int(iblock_id) if iblock_id not in (None, "", 0, "0") else None,
    }


def _iblock_to(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if data["iblock_type_id"]:
        out["IBLOCK_TYPE_ID"] = data["iblock_type_id"]
    if data["iblock_id"]:
        out["IBLOCK_ID"] = data["iblock_id"]
    return out


_ROWS = (
    FieldCodec("string", _string_from, _string_to, _both("default", "rows")),
    FieldCodec("integer", _integer_from, _plain_default, _both("default")),
    FieldCodec("double", _double_from, _double_to, _both("default", "precision")),
    FieldCodec("boolean", _boolean_from, _boolean_to, _both("default", "display")),
    # add() converts a fixed date with unConvertDateTime; update() has a case for datetime only.
    FieldCodec(
        "date",
        _date_from(with_time=False),
        _date_to,
        Settable(on_add=_ALWAYS | {"show_in_filter", "default"}, on_update=_ALWAYS | {"show_in_filter"}),
        moment="date",
    ),
    FieldCodec("datetime", _date_from(with_time=True), _date_to, _both("default"), moment="datetime"),
    FieldCodec("money", _default_only_from, _plain_default, _DEFAULT_CASE),
    FieldCodec("url", _default_only_from, _plain_default, _DEFAULT_CASE),
    FieldCodec("address", _none, _no_settings, _DEFAULT_CASE),
    FieldCodec("file", _none, _no_settings, _DEFAULT_CASE),
    FieldCodec("employee", _none, _no_settings, _both()),
    FieldCodec("enumeration", _enumeration_from, _enumeration_to, _both("items", "display", "list_height")),
    FieldCodec("crm_status", _crm_status_from, _crm_status_to, _both("entity_type")),
    FieldCodec("crm", _crm_from, _crm_to, _both("targets")),
    FieldCodec("iblock_section", _iblock_from, _iblock_to, _both("iblock_type_id", "iblock_id")),
    FieldCodec("iblock_element", _iblock_from, _iblock_to, _both("iblock_type_id", "iblock_id")),
)

FIELD_CODECS: Mapping[str, FieldCodec] = {row.user_type: row for row in _ROWS}
"""The codec of each field type, by USER_TYPE_ID (= the blueprint's ``type``)."""


def codec(user_type: str) -> FieldCodec | None:
    return FIELD_CODECS.get(user_type)


# ------------------------------------------------------------------ enumeration item keys


def has_xml_id(item: Mapping[str, Any]) -> bool:
    return bool(str(item.get("XML_ID") or "").strip())


def item_keys(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """The key of each enumeration item: its XML_ID, or (none returned, §13.1) a key made from its text."""
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


__all__ = [
    "CRM_TARGETS",
    "FIELD_CODECS",
    "IMMUTABLE",
    "FieldCodec",
    "Settable",
    "codec",
    "has_xml_id",
    "item_keys",
    "text_key",
]
