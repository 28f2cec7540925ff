"""Custom fields: by code; settings REST cannot change become manual steps; items by xml_id, else text."""

from __future__ import annotations

from typing import Any

from b24provision.blueprint.model import (
    EnumerationField,
    EnumItem,
    FieldBase,
)
from b24provision.entities.types import ENTITY_TYPES, EntityType, any_smart_process
from b24provision.errors import PlanError
from b24provision.keys import is_tool_object
from b24provision.plan.diff.base import FIX as _FIX
from b24provision.plan.diff.base import DiffBase
from b24provision.plan.diff.base import src as _src
from b24provision.plan.field_compare import core_made_xml_id, label_changes, match_items, settings_changes
from b24provision.plan.ops import (
    AnyOp,
    Change,
    CreateFieldOp,
    DeleteFieldOp,
    ManualFieldStep,
    ObjectRef,
    ReplaceFieldOp,
    UpdateFieldOp,
    field_ref,
)
from b24provision.plan.settable import (
    CLEAR_DEFAULT_ITEM,
    manual_text,
    settable_on_update,
    unsettable_on_create,
)
from b24provision.plan.sorts import effective_sorts
from b24provision.state.entity_live import FieldsLive
from b24provision.state.scope import ReadScope


class FieldComparer(DiffBase):
    """The custom fields of each entity type: the deal's, and those of every other the blueprint names."""

    def fields(self) -> None:
        self.entity_fields(self.entity)  # the diff's own: the deal's top-level fields
        for entity in ReadScope.of_blueprint(self.desired).entities:
            self.entity_fields(entity)

    def entity_fields(self, entity: str) -> None:
        """One entity type's fields: the diff's own entity's at the top level of both sides (the
        deal's, or a section's whose blueprint and state have the deal's shape), another's under
        ``entities:`` and ``LiveState.entities``."""
        desired = self.desired
        side = "deal" if entity == self.entity else entity  # where the two sides hold them
        live = self.live.fields_of(side)
        declared = desired.fields_of(side)
        removed_codes = desired.removed.fields_of(side)
        where = desired.fields_path(side)
        removed_where = ("removed", "fields") if side == "deal" else ("removed", entity, "fields")
        name = ".".join(removed_where)
        want = {f.code: f for f in declared}
        have = live.fields_by_code()
        unsupported = {f.code: f for f in live.unsupported}
        index = {f.code: i for i, f in enumerate(declared)}
        ent: Any = entity  # an op's Entity (checked by the op model)
        manual_before = len(self.manual_fields)
        for i, code in enumerate(removed_codes):
            if code in want:
                raise PlanError(
                    f"{_src(desired, *removed_where, i) or name}: field {code!r} is both "
                    f"declared and removed; {_FIX}"
                )
        for field in declared:
            source = _src(desired, *where, index[field.code])
            old = have.get(field.code)
            if old is None:
                if field.code in unsupported:
                    kind = unsupported[field.code].user_type_id
                    self.ops.append(
                        ReplaceFieldOp(
                            entity=ent, field=field, changes=(("type", kind, field.type),), source=source
                        )
                    )
                else:
                    self.ops.append(CreateFieldOp(entity=ent, field=field, source=source))
                self.manual_on_create(field, source)
                continue
            self.label_languages(field, source, live)
            named = ENTITY_TYPES.get(entity) or any_smart_process(entity)  # a label's fallback
            op, manual = _compare_field(field, old, live, self.live.languages, source, named)
            if op is not None:
                op = op.model_copy(update={"entity": entity})
            self.manual_fields += manual
            if isinstance(op, UpdateFieldOp) and op.items_added and op.items_removed:
                self.text_matched_warning(field.code, op, source, live)
            if isinstance(op, ReplaceFieldOp):  # made again: as a new field
                self.manual_on_create(field, source)
            if op is None:
                self.unchanged.append(
                    ObjectRef(kind="field", key=field_ref(entity, field.code), note=_label_note(field))
                )
            else:
                self.ops.append(op)
        removed = set(removed_codes)
        for i, code in enumerate(removed_codes):
            source = _src(desired, *removed_where, i)
            if code in have:
                self.ops.append(
                    DeleteFieldOp(entity=ent, code=code, label=_label_note(have[code]), source=source)
                )
            elif code in unsupported:
                self.ops.append(
                    DeleteFieldOp(entity=ent, code=code, label=unsupported[code].label, source=source)
                )
        for code, f in have.items():
            if code not in want and code not in removed and not is_tool_object(code):
                self.unmanaged.append(
                    ObjectRef(kind="field", key=field_ref(entity, code), note=_label_note(f))
                )
        if side != "deal":
            steps = self.manual_fields[manual_before:]
            self.manual_fields[manual_before:] = [m.model_copy(update={"entity": entity}) for m in steps]
        for u in live.unsupported:
            if u.code not in want and u.code not in removed:
                self.unmanaged.append(
                    ObjectRef(
                        kind="field", key=field_ref(entity, u.code), note=f"{u.label} ({u.user_type_id})"
                    )
                )

    def manual_on_create(self, field: FieldBase, source: str) -> None:
        """What a new field declares that REST may not set at all: a manual step from the start."""
        data = field.model_dump(mode="json")
        for attr in unsettable_on_create(field):
            self.manual_fields.append(
                ManualFieldStep(
                    code=field.code,
                    attribute=attr,
                    after=data.get(attr),
                    text=manual_text(str(data["type"]), attr, data.get(attr)),
                    source=source,
                )
            )

    def text_matched_warning(self, code: str, op: UpdateFieldOp, source: str, live: FieldsLive) -> None:
        text_keyed = {k for c, k in live.text_keyed_items if c == code}
        if not text_keyed & set(op.items_removed):
            return
        self.warnings.append(
            f"{source or code}: field {code}: the portal does not return its list items' XML_ID "
            "(reference §13.1), so they are matched by their text, and an item whose text changed "
            f"looks like a new item ({', '.join(op.items_added)}) and a removed one "
            f"({', '.join(sorted(text_keyed & set(op.items_removed)))}); to keep the deals' values, "
            "change the item's text in the portal first, then plan again"
        )

    def label_languages(self, field: FieldBase, source: str, live: FieldsLive) -> None:
        if not isinstance(field.label, dict) or not live.label_texts:
            return
        missing = [lang for lang in field.label if lang not in self.live.languages]
        if missing:
            self.warnings.append(
                f"{source or field.code}: field {field.code}: the portal has no language "
                f"{', '.join(missing)} (it has {', '.join(self.live.languages)}), which keeps no label "
                "there, so that text is not compared — take it out of the label, or install the "
                "language on the portal"
            )


def _label_note(field: FieldBase) -> str:
    label = field.label
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    return label.get("en") or next(iter(label.values()), "")


def _compare_field(
    want: FieldBase,
    have: FieldBase,
    live: FieldsLive,
    languages: tuple[str, ...],
    source: str,
    entity: EntityType,
) -> tuple[AnyOp | None, list[ManualFieldStep]]:
    """UpdateFieldOp or ReplaceFieldOp when ``have`` differs from ``want`` (None when they match),
    and the manual steps for what differs but REST cannot change."""
    changes: list[Change] = []
    want_type, have_type = str(getattr(want, "type", "")), str(getattr(have, "type", ""))
    if want_type != have_type:
        changes.append(("type", have_type, want_type))
    if want.multiple != have.multiple:
        changes.append(("multiple", have.multiple, want.multiple))
    replace = bool(changes)
    changes += label_changes(want, have, languages, live.label_texts.get(want.code), entity)
    changes += settings_changes(want, have)

    field: Any = want  # a DealField member; FieldBase is its common base
    if replace:
        return ReplaceFieldOp(field=field, changes=tuple(changes), source=source), []
    manual = [
        ManualFieldStep(
            code=want.code,
            attribute=attr,
            before=before,
            after=after,
            text=manual_text(want_type, attr, after),
            source=source,
        )
        for attr, before, after in changes
        if not settable_on_update(want_type, attr)
    ]
    changes = [c for c in changes if settable_on_update(want_type, c[0])]
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    keys: tuple[tuple[str, str], ...] = ()
    if isinstance(want, EnumerationField) and isinstance(have, EnumerationField):
        text_keyed = frozenset(k for code, k in live.text_keyed_items if code == want.code)
        item_changes, added, changed, removed, keys = _compare_items(want, have, text_keyed)
        if not want.multiple and not any(item.default for item in want.items):
            # update() passes a single-value list's DEF only when some item is the default: it
            # cannot clear one (settable.py). By hand, then.
            cleared = [c for c in item_changes if c[0].endswith(".default") and c[1] is True]
            manual += [
                ManualFieldStep(
                    code=want.code,
                    attribute=attr,
                    before=True,
                    after=False,
                    text=CLEAR_DEFAULT_ITEM,
                    source=source,
                )
                for attr, _, _ in cleared
            ]
            item_changes = [c for c in item_changes if c not in cleared]
            changed = tuple(x for x in changed if any(c[0].startswith(f"items[{x}]") for c in item_changes))
        changes += item_changes
    if not changes:
        return None, manual
    op = UpdateFieldOp(
        field=field,
        changes=tuple(changes),
        items_added=added,
        items_changed=changed,
        items_removed=removed,
        item_keys=keys,
        source=source,
    )
    return op, manual


def _compare_items(
    want: EnumerationField, have: EnumerationField, text_keyed: frozenset[str]
) -> tuple[list[Change], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Enumeration items by xml_id, else by text: (changes, added, changed, removed, item keys)."""
    pairs = match_items(want, have, text_keyed)
    have_items = {it.xml_id: it for it in have.items}
    have_sorts = have.item_sorts()
    want_sorts = effective_sorts([(it.xml_id, it.sort) for it in want.items], have_sorts)
    changes: list[Change] = []
    added: list[str] = []
    changed: list[str] = []
    for item in want.items:
        x = item.xml_id
        live_key = pairs.get(x)
        if live_key is None:
            added.append(x)
            changes.append((f"items[{x}]", None, item.value))
            continue
        old: EnumItem = have_items[live_key]
        before = len(changes)
        if live_key != x and live_key not in text_keyed and not core_made_xml_id(live_key):
            # The portal returned another XML_ID of its own for this text: update keeps the one it
            # is sent. One the core made up (add drops the XML_ID sent) is no identity: the next
            # update of the field sends ours anyway.
            changes.append((f"items[{x}].xml_id", live_key, x))
        if item.value != old.value:
            changes.append((f"items[{x}].value", old.value, item.value))
        if want_sorts[x] != have_sorts[live_key]:
            changes.append((f"items[{x}].sort", have_sorts[live_key], want_sorts[x]))
        if item.default != old.default:
            changes.append((f"items[{x}].default", old.default, item.default))
        if len(changes) > before:
            changed.append(x)
    matched = set(pairs.values())
    removed = [k for k in have_items if k not in matched]
    changes += [(f"items[{k}]", have_items[k].value, None) for k in removed]
    keys = tuple((x, k) for x, k in pairs.items() if x != k or k in text_keyed)
    return changes, tuple(added), tuple(changed), tuple(removed), keys
