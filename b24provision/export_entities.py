"""The export's ``entities:`` section: the custom fields of leads, contacts and companies.

Written as the deal's fields are (``export._field``: the same order and defaults), under
``entities: {lead: {fields:}, contact: {fields:}, company: {fields:}}``, and only for the entity
types that have fields, so the export of a portal with deal fields only looks as it always did.
"""

from __future__ import annotations

from collections.abc import Callable

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision.blueprint.model import FieldBase
from b24provision.state.live import LiveState


def entities_section(live: LiveState, field: Callable[[FieldBase], CommentedMap]) -> CommentedMap:
    """Each read entity type with fields, its fields sorted as the deal's (``field`` writes one)."""
    out = CommentedMap()
    for key, entity in live.entities.items():
        fields = sorted(entity.fields.fields, key=lambda f: (f.sort, f.code))
        if fields:
            out[key] = CommentedMap(fields=CommentedSeq(field(f) for f in fields))
    return out


__all__ = ["entities_section"]
