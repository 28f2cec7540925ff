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
from b24provision.entities.fields import IMMUTABLE, codec
from b24provision.entities.stages import DealStages, stage_code
from b24provision.entities.types import DEAL, EntityType
from b24provision.state.live import UnsupportedField

FIELD_PREFIX = DEAL.field_prefix
_FIELD_ADAPTER: TypeAdapter[Any] = TypeAdapter(DealField)
_SEMANTICS_FROM: dict[str, Semantics] = {"S": "success", "F": "failure"}
_SEMANTICS_TO: dict[Semantics, str] = {"process": "", "success": "S", "failure": "F"}
_STAGES = DealStages()


def stage_entity_id(category_id: int | str) -> str:
    """The crm.status ENTITY_ID of a deal pipeline's stages (entities/stages.py)."""
    return _STAGES.entity_id(category_id)


def stage_prefix(category_id: int | str) -> str:
    """The STATUS_ID prefix of a deal pipeline's stages (entities/stages.py)."""
    return _STAGES.status_prefix(category_id)


def category_of_entity(entity_id: str) -> int | None:
    """The pipeline id of a deal-stage ENTITY_ID, or None for other directories."""
    return _STAGES.category_of(entity_id)


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
    """A blueprint field from a <entity>.userfield row (deals today), or an UnsupportedField.

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
    found = codec(user_type)
    data.update(found.from_rest(settings, row.get("LIST") or []) if found else {})
    try:
        return _FIELD_ADAPTER.validate_python(data)
    except ValidationError:
        # A value the blueprint cannot express (e.g. an odd default): keep the field visible.
        shown = text if isinstance(text, str) else field_name
        return UnsupportedField(code=data["code"], user_type_id=user_type, label=str(shown))


def field_settings_to_rest(field: FieldBase) -> dict[str, Any]:
    """SETTINGS for <entity>.userfield.add / update (entities/fields.py)."""
    data = field.model_dump()
    row = codec(data["type"])
    return row.to_rest(data) if row else {}


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
    field: FieldBase, languages: Iterable[str], current: Mapping[str, str] | None, entity: EntityType = DEAL
) -> dict[str, Any]:
    """The label keys for update: a map over every portal language, so that the API (which blanks the
    languages a map does not name) keeps the portal's own text in them; the map's fallback where the
    portal has none. A string or no label (the name plan compares with) goes out as one string for
    every language."""
    if field.label is None:
        return {key: field.name_in(entity) for key in _LABEL_KEYS}
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
    """Fields for <entity>.userfield.add."""
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
    entity: EntityType = DEAL,
) -> dict[str, Any]:
    """Fields for <entity>.userfield.update: everything the API can change (not type or multiple).

    ``languages`` and ``current_labels`` (the portal's texts by language) keep the languages a label
    map does not name as the portal has them (see ``label_payload``)."""
    fields = field_to_rest(field)
    fields.pop("LABEL", None)  # update ignores LABEL (prepareLabels gets '' as the default there)
    # Going back to "no label" means the FIELD_NAME again; update overwrites every language.
    fields.update(label_payload(field, languages, current_labels, entity))
    for immutable in IMMUTABLE:
        fields.pop(immutable)
    if "LIST" in fields:
        fields["LIST"] = enum_items_to_rest(field, item_ids)
    return fields
