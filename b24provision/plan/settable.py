"""What REST can set on a custom field, per type: on ``<entity>.userfield.add``, on ``.update``.

The core's REST proxy (``SC:core-biz:modules/rest/lib/userfieldproxy.php``, reference §13.2) copies
only the settings its ``case`` for a type names. ``add()`` has no case for money, url, address and
file: they fall into ``default:``, which forces ``SHOW_FILTER=N`` and drops every setting (the
default included). ``update()`` has no case for date, money, url, address and file: their settings
keep what they have, while ``SHOW_FILTER``, ``MANDATORY``, ``SORT`` and the labels still change.
The docs' reading lets both set everything; which one a cloud portal runs is UNSETTLED, so the
client assumes the stricter one everywhere:

- it still sends every setting (a portal that keeps them is the better for it);
- what add cannot set but update can (the filter flag of money, url, address, file) is sent again
  by an update right after the add, in the same batch (``after_add``);
- what neither can set becomes a manual step of the plan (``manual_text``), never a change: a
  change REST cannot make would reappear in every plan and be "done" by every apply. One more of
  them is not a setting but a list item's flag: update cannot clear the default of a single-value
  enumeration (``CLEAR_DEFAULT_ITEM``).

Attribute names are the blueprint's (``default``, ``rows``, ``show_in_filter``...). ``type`` and
``multiple`` are set on add only (a change is a replace, see plan/diff.py).
"""

from __future__ import annotations

from typing import Any

from b24provision.blueprint.model import FieldBase
from b24provision.entities.fields import FIELD_CODECS, Settable

TABLE: dict[str, Settable] = {user_type: row.settable for user_type, row in FIELD_CODECS.items()}
"""Per type: what add and update set (the codec table's rows, entities/fields.py). Every blueprint
field type has a row (tests check it)."""


def settable_on_update(field_type: str, attribute: str) -> bool:
    """Whether ``<entity>.userfield.update`` changes ``attribute`` (a top-level blueprint name or a
    path under one, e.g. ``label[de]``, ``items[s].value``) of a field of ``field_type``."""
    top = attribute.split("[", 1)[0].split(".", 1)[0]
    row = TABLE.get(field_type)
    return row is None or top in row.on_update


def after_add(field: FieldBase) -> dict[str, Any]:
    """REST fields to send by update right after the add: what add drops but update sets.

    Only values that differ from what add leaves are sent (add leaves the filter off)."""
    row = TABLE.get(str(getattr(field, "type", "")))
    if row is None:
        return {}
    out: dict[str, Any] = {}
    if "show_in_filter" not in row.on_add and "show_in_filter" in row.on_update and field.show_in_filter:
        out["SHOW_FILTER"] = "Y"
    return out


def unsettable_on_create(field: FieldBase) -> list[str]:
    """Attributes a new field declares (other than their defaults) that neither add nor update set."""
    field_type = str(getattr(field, "type", ""))
    row = TABLE.get(field_type)
    if row is None:
        return []
    declared = field.model_dump(exclude_defaults=True, exclude={"code", "type", "multiple"})
    return [a for a in declared if a not in row.on_add and a not in row.on_update]


CLEAR_DEFAULT_ITEM = (
    "make no list item the default in the field's settings in the portal (REST cannot clear the "
    "default of a single-value list: its update passes DEF on only when some item is the default)"
)


def manual_text(field_type: str, attribute: str, value: Any) -> str:
    """The manual step for a setting REST cannot make, in the portal UI's words."""
    what = {"default": "the default value", "show_in_filter": "Show in filter"}.get(attribute, attribute)
    shown = "(none)" if value is None else str(value)
    return (
        f"set {what} to {shown} in the field's settings in the portal "
        f"(REST cannot set {what} of a {field_type} field)"
    )


__all__ = [
    "CLEAR_DEFAULT_ITEM",
    "TABLE",
    "Settable",
    "after_add",
    "manual_text",
    "settable_on_update",
    "unsettable_on_create",
]
