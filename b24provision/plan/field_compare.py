"""How one declared field is compared with the portal's: settings, labels, enumeration items.

Settings and labels are nested values (a field's attributes, a label per language), compared with
DeepDiff (plan/nested.py); what comes out is the plan's own ``Change`` (``attribute, before,
after``) with a readable path: ``default``, ``targets`` (a list whose order means nothing: compared
as a set, shown whole), ``label`` (one text in every language) or ``label[de]`` (one language).

- Date and datetime defaults compare as dates, not strings: the portal may return a fixed default
  in its site format (31.01.2025) or with its offset (reference §13.3).
- Labels: a string label means that text in every portal language. A label map means the
  languages it names; the languages it does not name are the portal's business (on add the core
  fills them with LABEL or the field code, the docs' reading leaves them empty, §13.4) and are
  never compared, so a blueprint naming only ``en`` plans clean after its apply on either portal.
  A named language the portal does not have is not compared either (the plan warns).
- Enumeration items are matched by XML_ID where the portal returns one, then by their text
  (``match_items``): the core's REST proxy drops XML_ID on add and never returns it (§13.1), and
  an item must never be deleted and re-created only because its XML_ID is not visible.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from deepdiff.operator import BaseOperator

from b24provision.blueprint.model import EnumerationField, FieldBase, label_map
from b24provision.dates import same_moment
from b24provision.entities.fields import codec
from b24provision.entities.types import DEAL, EntityType
from b24provision.plan.nested import nested_changes
from b24provision.plan.ops import Change

# Attributes compared by their own rules, not by DeepDiff of the dump.
SPECIAL = frozenset({"code", "type", "multiple", "label", "items"})


class _SameDate(BaseOperator):
    """DeepDiff operator: a date/datetime ``default`` equal as a date (moment) is no difference."""

    def __init__(self, with_time: bool) -> None:
        super().__init__(regex_paths=[r"^root\['default'\]$"])
        self.with_time = with_time

    def give_up_diffing(self, level: Any, diff_instance: Any) -> bool:
        t1, t2 = level.t1, level.t2
        if not (isinstance(t1, str | None) and isinstance(t2, str | None)):
            return False
        return same_moment(t1, t2, with_time=self.with_time)


def settings_changes(want: FieldBase, have: FieldBase) -> list[Change]:
    """Changed settings (every attribute but code, type, multiple, label and items)."""
    want_dump = want.model_dump(mode="json", exclude=set(SPECIAL))
    have_dump = have.model_dump(mode="json", exclude=set(SPECIAL))
    # Only attributes both types have: after a type change, the other type's settings are noise.
    common = [a for a in want_dump if a in have_dump]
    row = codec(str(getattr(want, "type", "")))
    moment = row.moment if row else None
    operators = [_SameDate(with_time=moment == "datetime")] if moment else []
    return nested_changes(
        {a: have_dump[a] for a in common},
        {a: want_dump[a] for a in common},
        ignore_order=True,
        custom_operators=operators,
    )


def compared_languages(want: FieldBase, languages: Iterable[str]) -> tuple[str, ...]:
    """The portal languages a declared label is compared in: all for a string (or no label), the
    named ones for a map."""
    portal = tuple(languages)
    if isinstance(want.label, dict):
        return tuple(lang for lang in want.label if lang in portal)
    return portal


def label_changes(
    want: FieldBase,
    have: FieldBase,
    languages: Iterable[str],
    texts: Mapping[str, str] | None = None,
    entity: EntityType = DEAL,
) -> list[Change]:
    """``label`` when every compared language goes from one text to another, else ``label[<lang>]``
    per language that differs. ``texts``: the portal's exact text per language (else made from
    ``have.label``); ``entity``: whose field it is, which names a field with no label."""
    portal = tuple(languages)
    compared = compared_languages(want, portal)
    fallback = want.name_in(entity)
    every = tuple(sorted(set(portal) | set(compared)))
    expected = label_map(want.label, every, fallback)
    actual = dict(texts) if texts else label_map(have.label, every, fallback)
    before = {lang: actual.get(lang, "") for lang in compared}
    if want.label is None:  # no label: the field code, which a portal may also leave empty
        before = {lang: text or fallback for lang, text in before.items()}
    after = {lang: expected.get(lang, "") for lang in compared}
    found = nested_changes({"label": before}, {"label": after}, keys_in_brackets=True)
    if not found:
        return []
    if len(compared) > 1 and len(set(before.values())) == 1 and len(set(after.values())) == 1:
        return [("label", next(iter(before.values())), next(iter(after.values())))]
    return found


_MD5 = re.compile(r"^[0-9a-f]{32}$")


def core_made_xml_id(xml_id: str) -> bool:
    """An XML_ID the core made itself: md5(VALUE) or md5(salt . VALUE) (CUserFieldEnum)."""
    return bool(_MD5.match(xml_id))


def match_items(want: EnumerationField, have: EnumerationField, text_keyed: frozenset[str]) -> dict[str, str]:
    """Blueprint xml_id -> the key of the portal item it is.

    First by XML_ID (only items the portal returned one for), then the rest by their text, in
    order (two items with one text pair up in their order)."""
    by_key = {item.xml_id: item for item in have.items}
    pairs: dict[str, str] = {}
    for item in want.items:
        if item.xml_id in by_key and item.xml_id not in text_keyed:
            pairs[item.xml_id] = item.xml_id
    free = [h for h in have.items if h.xml_id not in set(pairs.values())]
    for item in want.items:
        if item.xml_id in pairs:
            continue
        hit = next((h for h in free if h.value.strip() == item.value.strip()), None)
        if hit is not None:
            pairs[item.xml_id] = hit.xml_id
            free.remove(hit)
    return pairs


__all__ = [
    "SPECIAL",
    "compared_languages",
    "core_made_xml_id",
    "label_changes",
    "match_items",
    "settings_changes",
]
