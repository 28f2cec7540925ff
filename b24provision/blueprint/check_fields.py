"""Rules over the custom fields of every entity type: the deal's ``fields:`` and
``entities: {lead|contact|company: {fields:}}``.

One set of rules for all (unique codes, no boolean multiple, unique xml_ids, one default in a
single-value list; for the other entity types here also no field prefix and not both declared
and removed, which ``check.py`` says for the deal with its other sections), reported at the place of
the offending value.
"""

from __future__ import annotations

from collections.abc import Iterator

from b24provision.blueprint.check_common import UF_PREFIX, finding, prefixed, where_line
from b24provision.blueprint.model import Blueprint, DealField, EnumerationField
from b24provision.errors import Problem


def deal_field_problems(bp: Blueprint) -> Iterator[Problem]:
    """The deal's field problems (its prefixes and removals are checked in ``check.py``)."""
    yield from _fields(bp, "deal", bp.fields)


def entity_field_problems(bp: Blueprint) -> Iterator[Problem]:
    """Every field problem of the entity types besides the deal that ``bp`` names."""
    for entity in sorted(set(bp.entities.others()) | set(bp.removed.others())):
        yield from _fields(bp, entity, bp.fields_of(entity))
        for fi, f in enumerate(bp.fields_of(entity)):
            if f.code.startswith(UF_PREFIX):
                yield prefixed(bp, (*bp.fields_path(entity), fi, "code"), f.code)
        declared = {f.code for f in bp.fields_of(entity)}
        for i, code in enumerate(bp.removed.fields_of(entity)):
            loc = ("removed", entity, "fields", i)
            if code.startswith(UF_PREFIX):
                yield prefixed(bp, loc, code)
            elif code in declared:
                yield finding(
                    bp, loc, f"removed: {entity} field '{code}' is also declared — a blueprint cannot both "
                    "keep and delete it; remove it from one of the two", "check/removed-declared",
                )  # fmt: skip


def _fields(bp: Blueprint, entity: str, fields: list[DealField]) -> Iterator[Problem]:
    base = bp.fields_path(entity)
    where = ".".join(base)
    what = "field" if entity == "deal" else f"{entity} field"
    seen_codes: dict[str, int] = {}
    for fi, f in enumerate(fields):
        if f.code in seen_codes:
            yield finding(
                bp, (*base, fi, "code"), f"{where}[{fi}]: field code '{f.code}' is used twice (first at "
                f"{where_line(bp, (*base, seen_codes[f.code]))}) — codes must be unique; rename or remove "
                "one", "check/duplicate",
            )  # fmt: skip
        seen_codes.setdefault(f.code, fi)
        if f.type == "boolean" and f.multiple:
            yield finding(
                bp, (*base, fi, "multiple"), f"{what} '{f.code}': a boolean field cannot be multiple "
                "— the portal silently stores it as single (MULTIPLE=N); remove multiple: true, or use an "
                "enumeration with display: checkbox", "check/boolean-multiple",
            )  # fmt: skip
        if isinstance(f, EnumerationField):
            yield from _items(bp, what, f, (*base, fi))


def _items(bp: Blueprint, what: str, f: EnumerationField, loc: tuple[str | int, ...]) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for ii, item in enumerate(f.items):
        if item.xml_id in seen:
            yield finding(
                bp, (*loc, "items", ii, "xml_id"), f"{what} '{f.code}': xml_id '{item.xml_id}' is "
                "used twice — the portal refuses duplicate XML_IDs within a field; make it unique",
                "check/duplicate-xml-id",
            )  # fmt: skip
        seen.setdefault(item.xml_id, ii)
    defaults = [ii for ii, item in enumerate(f.items) if item.default]
    if not f.multiple:
        for ii in defaults[1:]:
            yield finding(
                bp, (*loc, "items", ii, "default"), f"{what} '{f.code}': a second default item "
                f"('{f.items[ii].xml_id}') — a single-value enumeration has at most one default (the portal "
                "keeps only the first); keep one", "check/enum-defaults",
            )  # fmt: skip


__all__ = ["deal_field_problems", "entity_field_problems"]
