"""Custom fields as the read returns them, for every entity type: rows -> the model's field types.

The first batch of the read holds each entity's ``crm.<entity>.userfield.list`` and the full record
(``get``) of its first fields, which carries the labels in every portal language (``state/rest.py``
says why). An entity with more fields than records gets its labels from the list read once per
portal language: one more round for all entities together, 50 commands a request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from b24provision.entities.fields import has_xml_id, item_keys
from b24provision.entities.types import DEAL, EntityType
from b24provision.portal.client import BatchReply, Command, PortalClient
from b24provision.portal.lock import is_reserved
from b24provision.portal.mapping import field_from_rest
from b24provision.state.entity_live import FieldsLive, UnsupportedField

Labels = dict[str, dict[str, str | None]]
"""FIELD_NAME -> language -> EDIT_FORM_LABEL."""


def as_list(value: Any, key: str | None = None) -> list[Any]:
    if key and isinstance(value, Mapping):
        value = value.get(key)
    if isinstance(value, Mapping):  # PHP arrays with integer keys may arrive as objects
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def count_in(reply: BatchReply, key: str, inner: str | None = None) -> int:
    """How many records the list command ``key`` matched: its ``total``, else the length of what it
    returned (``inner``: the key the list sits under, crm.item.list's "items"); its error is raised."""
    if key in reply.errors:
        raise reply.errors[key]
    total = reply.totals.get(key)
    return int(total) if total is not None else len(as_list(reply.results.get(key), inner))


def command_prefix(entity: EntityType) -> str:
    """Command keys of an entity: the deal's are bare (``fields``), others' carry the entity key."""
    return "" if entity.key == DEAL.key else f"{entity.key}_"


def records_of(results: Mapping[str, Any], entity: EntityType, count: int) -> list[Mapping[str, Any]]:
    """The full field records (``<prefix>uf_<i>``) the first round read for ``entity``."""
    p = command_prefix(entity)
    return [r for i in range(count) if isinstance(r := results.get(f"{p}uf_{i}"), Mapping)]


def _languages(records: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """The portal's languages: the keys of the records' label maps (GetByID returns one entry per
    language the field has a label row in; add writes one for every installed language, §13.4).
    ("en",) when the portal has no fields yet: nothing to compare labels with then."""
    found = {
        str(lang)
        for record in records
        if isinstance(labels := record.get("EDIT_FORM_LABEL"), Mapping)
        for lang in labels
    }
    return tuple(sorted(found)) or ("en",)


def _labels_of_records(records: Iterable[Mapping[str, Any]]) -> Labels:
    """FIELD_NAME -> language -> EDIT_FORM_LABEL, from full records (get: a map per field)."""
    out: Labels = {}
    for record in records:
        texts = record.get("EDIT_FORM_LABEL")
        if isinstance(texts, Mapping):
            out[str(record.get("FIELD_NAME"))] = {str(k): v for k, v in texts.items()}
    return out


def labels_by_language(
    client: PortalClient, languages: tuple[str, ...], entities: Sequence[EntityType] = (DEAL,)
) -> dict[str, Labels]:
    """Each entity's labels from its field list read once per portal language, by entity key; one
    batch request while the commands fit in 50 (the deal alone: one per language)."""
    commands = [
        Command(f"{command_prefix(e)}lang_{lang}", e.userfields.method("list"), {"filter": {"LANG": lang}})
        for e in entities
        for lang in languages
    ]
    reply = client.batch(commands) if len(commands) <= 50 else client.batch_all(commands)
    for command in commands:
        if command.key in reply.errors:
            raise reply.errors[command.key]  # no labels would look like every label changed
    out: dict[str, Labels] = {}
    for e in entities:
        labels = out.setdefault(e.key, {})
        for lang in languages:
            for row in as_list(reply.results.get(f"{command_prefix(e)}lang_{lang}")):
                if isinstance(row, Mapping):
                    labels.setdefault(str(row["FIELD_NAME"]), {})[lang] = row.get("EDIT_FORM_LABEL")
    return out


def _labels_by_language(client: PortalClient, languages: tuple[str, ...]) -> Labels:
    """The deal's labels from its field list read once per portal language (one batch request)."""
    return labels_by_language(client, languages)[DEAL.key]


def _fields(
    rows: list[Any], labels: Mapping[str, Mapping[str, str | None]], languages: tuple[str, ...]
) -> tuple[
    list[Any], list[UnsupportedField], dict[str, int], dict[tuple[str, str], int], set[tuple[str, str]]
]:
    fields: list[Any] = []
    unsupported: list[UnsupportedField] = []
    field_ids: dict[str, int] = {}
    item_ids: dict[tuple[str, str], int] = {}
    text_keyed: set[tuple[str, str]] = set()
    for row in rows:
        name = str(row.get("FIELD_NAME", ""))
        if is_reserved(name):  # the tool's own lock and probes: neither managed nor unmanaged
            continue
        texts = {lang: labels.get(name, {}).get(lang) for lang in languages}
        parsed = field_from_rest(row, texts)
        if isinstance(parsed, UnsupportedField):
            unsupported.append(parsed)
            continue
        fields.append(parsed)
        field_ids[parsed.code] = int(row["ID"])
        # Keys as field_from_rest made them: the XML_ID, or one made from the text (§13.1).
        items = sorted(
            (i for i in as_list(row.get("LIST")) if isinstance(i, Mapping)),
            key=lambda it: (int(it.get("SORT") or 0), int(it.get("ID") or 0)),
        )
        for item, key in zip(items, item_keys(items), strict=True):
            item_ids[(parsed.code, key)] = int(item["ID"])
            if not has_xml_id(item):
                text_keyed.add((parsed.code, key))
    return fields, unsupported, field_ids, item_ids, text_keyed


def fields_live(
    entity: EntityType,
    rows: list[Any],
    labels: Mapping[str, Mapping[str, str | None]],
    languages: tuple[str, ...],
) -> FieldsLive:
    """One entity type's fields as a FieldsLive (codes without the entity's prefix)."""
    fields, unsupported, field_ids, item_ids, text_keyed = _fields(rows, labels, languages)
    return FieldsLive(
        fields=tuple(fields),
        field_ids=field_ids,
        enum_item_ids=item_ids,
        text_keyed_items=frozenset(text_keyed),
        label_texts={
            code: {lang: labels.get(entity.field_name(code), {}).get(lang) or "" for lang in languages}
            for code in field_ids
        },
        unsupported=tuple(unsupported),
    )


__all__ = [
    "Labels",
    "as_list",
    "command_prefix",
    "count_in",
    "fields_live",
    "labels_by_language",
    "records_of",
]
