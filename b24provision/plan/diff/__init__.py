"""The diff: what must change on a portal so that it holds what a blueprint declares.

``diff(desired, live)`` is a pure function of two values of one type, done the Alembic way with
key sets: ``want - have`` is created, ``want & have`` is compared attribute by attribute, and
``have - want`` is deleted only where the blueprint owns it:

- a pipeline is matched to the portal's default pipeline (``default: true``), or by name, or by one
  of its ``previous_names`` (a rename, so an update); stages by code within their pipeline; fields
  by code; enumeration items by xml_id, else by their text (plan/field_compare.py); application
  robot types and triggers by code;
- a field setting REST cannot change (plan/settable.py) is a manual step of the plan, not a change;
- stages a declared pipeline no longer lists are deleted; pipelines and fields are deleted only
  when named in ``removed:``; everything else the portal has is reported as unmanaged;
- ``None`` in the blueprint (a pipeline's sort, a stage's colour) means "leave as it is";
- what the API cannot change in place (a stage's semantics, a field's type or multiple) is a
  replace: delete and create again;
- what each delete or replace destroys (deals in a stage, deals with a value in a field, deals
  using an enumeration item) comes from the counts in ``live`` (``plan/safety.py``): one that
  destroys nothing is an ordinary change, one that loses data is destructive;
- robots on stages cannot be read or written over REST, so every one becomes a manual step.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from b24provision.blueprint.model import (
    Blueprint,
    EnumerationField,
    EnumItem,
    FieldBase,
    Pipeline,
    Stage,
)
from b24provision.errors import PlanError
from b24provision.keys import is_tool_object
from b24provision.plan.field_compare import core_made_xml_id, label_changes, match_items, settings_changes
from b24provision.plan.ops import (
    AnyOp,
    Change,
    CreateAppRobotOp,
    CreateFieldOp,
    CreatePipelineOp,
    CreateStageOp,
    CreateTriggerOp,
    DeleteAppRobotOp,
    DeleteFieldOp,
    DeletePipelineOp,
    DeleteStageOp,
    DeleteTriggerOp,
    ManualFieldStep,
    ManualRobotOp,
    NeedsAppContextOp,
    ObjectRef,
    Plan,
    ReplaceFieldOp,
    ReplaceStageOp,
    UpdateFieldOp,
    UpdatePipelineOp,
    UpdateStageOp,
    UpdateTriggerOp,
    field_ref,
    pipeline_ref,
    stage_ref,
)
from b24provision.plan.order import order
from b24provision.plan.safety import with_live_facts
from b24provision.plan.settable import (
    CLEAR_DEFAULT_ITEM,
    manual_text,
    settable_on_update,
    unsettable_on_create,
)
from b24provision.plan.sorts import effective_sorts
from b24provision.robots.describe import describe_robot
from b24provision.state.live import LiveState
from b24provision.state.match import AmbiguousPipelineName, default_pipeline, pipelines_named, portal_pipeline

_FIX = "fix the blueprint (or the portal), then run `b24provision plan` again"


def diff(desired: Blueprint, live: LiveState, *, lang: str = "en") -> Plan:
    """The plan that makes ``live`` hold what ``desired`` declares.

    Args:
        desired: The blueprint, as loaded (its locations become each op's ``source``).
        live: The portal as read, in the same model types.
        lang: The language manual robot steps are described in.

    Returns:
        The plan, its ops in dependency order.

    Raises:
        PlanError: the blueprint cannot be matched to the portal unambiguously (two portal pipelines
            with one name, two blueprint pipelines matching one portal pipeline, an object both
            declared and removed, the default pipeline removed).
    """
    d = _Diff(desired, live)
    d.pipelines()
    d.fields()
    d.app_robots()
    d.triggers()
    d.robots(lang)
    return Plan(
        ops=order(with_live_facts(d.ops, live)),
        unmanaged=tuple(d.unmanaged),
        unchanged=tuple(d.unchanged),
        warnings=tuple(d.warnings),
        manual_fields=tuple(d.manual_fields),
        live_fingerprint=live.fingerprint(),
        portal=live.portal,
    )


def _src(desired: Blueprint, *loc: str | int) -> str:
    where = desired.locate(*loc)
    return str(where) if where else ""


class _Diff:
    """The state of one diff: ops, unmanaged and unchanged objects, warnings."""

    def __init__(self, desired: Blueprint, live: LiveState) -> None:
        self.desired, self.live = desired, live
        self.ops: list[AnyOp] = []
        self.unmanaged: list[ObjectRef] = []
        self.unchanged: list[ObjectRef] = []
        self.warnings: list[str] = []
        self.manual_fields: list[ManualFieldStep] = []

    # --------------------------------------------------------------------------------- pipelines

    def pipelines(self) -> None:
        desired, live_pipelines = self.desired, self.live.blueprint.pipelines
        live_default = default_pipeline(live_pipelines)

        def find(name: str, where: str = "") -> Pipeline | None:
            hits = pipelines_named(live_pipelines, name)
            if len(hits) > 1:
                raise AmbiguousPipelineName(name, hits, where)
            return hits[0] if hits else None

        declared = {p.name for p in desired.pipelines}
        for i, name in enumerate(desired.removed.pipelines):
            if name in declared:
                raise PlanError(
                    f"{_src(desired, 'removed', 'pipelines', i) or 'removed.pipelines'}: pipeline {name!r} "
                    f"is both declared and removed; {_FIX}"
                )
        matched: dict[str, str] = {}  # live key -> blueprint key
        for i, want in enumerate(desired.pipelines):
            have = portal_pipeline(want, live_pipelines, _src(desired, "pipelines", i, "name"))
            if want.default:
                if have is None:
                    raise PlanError(
                        f"{_src(desired, 'pipelines', i) or want.key}: pipeline {want.key!r} is marked "
                        "default but the portal reported no default pipeline; re-read the portal, "
                        "or report this as a bug"
                    )
            if have is not None:
                if have.key in matched:
                    raise PlanError(
                        f"{_src(desired, 'pipelines', i) or want.key}: pipelines {matched[have.key]!r} and "
                        f"{want.key!r} both match the portal's pipeline {have.name!r}; {_FIX}"
                    )
                matched[have.key] = want.key
            self.pipeline(i, want, have)

        removed = set(desired.removed.pipelines)
        for i, name in enumerate(desired.removed.pipelines):
            if live_default is not None and name == live_default.name and find(name) is None:
                raise PlanError(
                    f"{_src(desired, 'removed', 'pipelines', i) or 'removed.pipelines'}: {name!r} is the "
                    "portal's default pipeline, which cannot be deleted; take it out of `removed:`"
                )
            gone = find(name, _src(desired, "removed", "pipelines", i))
            if gone is not None and gone.key not in matched:
                self.ops.append(self.delete_pipeline(gone, _src(desired, "removed", "pipelines", i)))
                matched[gone.key] = ""
        for p in live_pipelines:
            if p.key not in matched and p.name not in removed and not is_tool_object(p.name):
                self.unmanaged.append(
                    ObjectRef(kind="pipeline", key=pipeline_ref("deal", p.key), note=p.name)
                )

    def delete_pipeline(self, gone: Pipeline, source: str) -> DeletePipelineOp:
        # The deals it holds are added by with_live_facts, as for every delete.
        return DeletePipelineOp(
            live_key=gone.key, name=gone.name, stages=tuple(s.code for s in gone.stages), source=source
        )

    def pipeline(self, i: int, want: Pipeline, have: Pipeline | None) -> None:
        desired = self.desired
        if have is None:
            self.ops.append(CreatePipelineOp(pipeline=want, source=_src(desired, "pipelines", i)))
            sorts = want.stage_sorts()
            for j, stage in enumerate(want.stages):
                self.ops.append(
                    CreateStageOp(
                        pipeline_key=want.key,
                        pipeline_name=want.name,
                        live_key=None,
                        stage=stage,
                        sort=sorts[stage.code],
                        new_pipeline=True,
                        source=_src(desired, "pipelines", i, "stages", j),
                    )
                )
            return

        changes: list[Change] = []
        if want.name != have.name:
            changes.append(("name", have.name, want.name))
        if want.sort is not None and want.sort != have.sort:
            changes.append(("sort", have.sort, want.sort))
        if changes:
            self.ops.append(
                UpdatePipelineOp(
                    pipeline=want,
                    live_key=have.key,
                    live_name=have.name,
                    changes=tuple(changes),
                    source=_src(desired, "pipelines", i),
                )
            )
        else:
            self.unchanged.append(
                ObjectRef(kind="pipeline", key=pipeline_ref("deal", want.key), note=want.name)
            )
        self.stages(i, want, have)

    def stages(self, i: int, want: Pipeline, have: Pipeline) -> None:
        desired = self.desired
        have_stages = have.stages_by_code()
        have_sorts = have.stage_sorts()
        want_sorts = effective_sorts([(s.code, s.sort) for s in want.stages], have_sorts)
        common: dict[str, Any] = {"pipeline_key": want.key, "pipeline_name": want.name, "live_key": have.key}
        for j, stage in enumerate(want.stages):
            source = _src(desired, "pipelines", i, "stages", j)
            sort = want_sorts[stage.code]
            old = have_stages.get(stage.code)
            if old is None:
                self.ops.append(CreateStageOp(stage=stage, sort=sort, source=source, **common))
                continue
            changes = _stage_changes(stage, sort, old, have_sorts[old.code])
            if stage.semantics != old.semantics:
                self.ops.append(
                    ReplaceStageOp(
                        stage=stage,
                        sort=sort,
                        changes=(("semantics", old.semantics, stage.semantics), *changes),
                        source=source,
                        **common,
                    )
                )
            elif changes:
                self.ops.append(
                    UpdateStageOp(stage=stage, sort=sort, changes=changes, source=source, **common)
                )
            else:
                self.unchanged.append(
                    ObjectRef(kind="stage", key=stage_ref("deal", want.key, stage.code), note=stage.name)
                )
        wanted = {s.code for s in want.stages}
        for old in have.stages:
            if old.code not in wanted:
                self.ops.append(
                    DeleteStageOp(
                        code=old.code,
                        name=old.name,
                        source=_src(desired, "pipelines", i, "stages"),
                        **common,
                    )
                )

    # ------------------------------------------------------------------------------------ fields

    def fields(self) -> None:
        desired, live = self.desired, self.live
        want = desired.fields_by_code()
        have = live.blueprint.fields_by_code()
        unsupported = {f.code: f for f in live.unsupported_fields}
        index = {f.code: i for i, f in enumerate(desired.fields)}
        for i, code in enumerate(desired.removed.fields):
            if code in want:
                raise PlanError(
                    f"{_src(desired, 'removed', 'fields', i) or 'removed.fields'}: field {code!r} is both "
                    f"declared and removed; {_FIX}"
                )
        for field in desired.fields:
            source = _src(desired, "fields", index[field.code])
            old = have.get(field.code)
            if old is None:
                if field.code in unsupported:
                    kind = unsupported[field.code].user_type_id
                    self.ops.append(
                        ReplaceFieldOp(field=field, changes=(("type", kind, field.type),), source=source)
                    )
                else:
                    self.ops.append(CreateFieldOp(field=field, source=source))
                self.manual_on_create(field, source)
                continue
            self.label_languages(field, source)
            op, manual = _compare_field(field, old, live, source)
            self.manual_fields += manual
            if isinstance(op, UpdateFieldOp) and op.items_added and op.items_removed:
                self.text_matched_warning(field.code, op, source)
            if isinstance(op, ReplaceFieldOp):  # made again: as a new field
                self.manual_on_create(field, source)
            if op is None:
                self.unchanged.append(
                    ObjectRef(kind="field", key=field_ref("deal", field.code), note=_label_note(field))
                )
            else:
                self.ops.append(op)
        removed = set(desired.removed.fields)
        for i, code in enumerate(desired.removed.fields):
            source = _src(desired, "removed", "fields", i)
            if code in have:
                self.ops.append(DeleteFieldOp(code=code, label=_label_note(have[code]), source=source))
            elif code in unsupported:
                self.ops.append(DeleteFieldOp(code=code, label=unsupported[code].label, source=source))
        for code, f in have.items():
            if code not in want and code not in removed and not is_tool_object(code):
                self.unmanaged.append(
                    ObjectRef(kind="field", key=field_ref("deal", code), note=_label_note(f))
                )
        for u in live.unsupported_fields:
            if u.code not in want and u.code not in removed:
                self.unmanaged.append(
                    ObjectRef(
                        kind="field", key=field_ref("deal", u.code), note=f"{u.label} ({u.user_type_id})"
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

    def text_matched_warning(self, code: str, op: UpdateFieldOp, source: str) -> None:
        text_keyed = {k for c, k in self.live.text_keyed_items if c == code}
        if not text_keyed & set(op.items_removed):
            return
        self.warnings.append(
            f"{source or code}: field {code}: the portal does not return its list items' XML_ID "
            "(reference §13.1), so they are matched by their text, and an item whose text changed "
            f"looks like a new item ({', '.join(op.items_added)}) and a removed one "
            f"({', '.join(sorted(text_keyed & set(op.items_removed)))}); to keep the deals' values, "
            "change the item's text in the portal first, then plan again"
        )

    def label_languages(self, field: FieldBase, source: str) -> None:
        if not isinstance(field.label, dict) or not self.live.label_texts:
            return
        missing = [lang for lang in field.label if lang not in self.live.languages]
        if missing:
            self.warnings.append(
                f"{source or field.code}: field {field.code}: the portal has no language "
                f"{', '.join(missing)} (it has {', '.join(self.live.languages)}), which keeps no label "
                "there, so that text is not compared — take it out of the label, or install the "
                "language on the portal"
            )

    # ----------------------------------------------------------------- app robot types, triggers

    def app_robots(self) -> None:
        desired, codes = self.desired, self.live.app_robot_codes
        removed = desired.removed.app_robots
        if codes is None:
            self.needs_app("app_robot", [r.code for r in desired.app_robots], removed)
            return
        for i, robot in enumerate(desired.app_robots):
            if robot.code in codes:
                self.unchanged.append(ObjectRef(kind="app_robot", key=robot.code))
            else:
                self.ops.append(CreateAppRobotOp(robot=robot, source=_src(desired, "app_robots", i)))
        existing = [r.code for r in desired.app_robots if r.code in codes]
        if existing:
            self.warnings.append(
                f"application robot types are compared by code only ({', '.join(existing)}): the portal "
                "lists their codes, not their settings (bizproc.robot.list), so a changed handler or "
                "property does not show here — `b24provision apply --reregister-app-robots` sends every "
                "declared type's settings again"
            )
        wanted = {r.code for r in desired.app_robots}
        for i, code in enumerate(removed):
            if code in wanted:
                raise PlanError(f"application robot {code!r} is both declared and removed; {_FIX}")
            if code in codes:
                self.ops.append(DeleteAppRobotOp(code=code, source=_src(desired, "removed", "app_robots", i)))
        for code in sorted(codes - wanted - set(removed)):
            self.unmanaged.append(ObjectRef(kind="app_robot", key=code))

    def triggers(self) -> None:
        desired, live = self.desired, self.live.triggers
        removed = desired.removed.triggers
        if live is None:
            self.needs_app("trigger", [t.code for t in desired.triggers], removed)
            return
        have = {t.code: t for t in live}
        for i, trigger in enumerate(desired.triggers):
            source = _src(desired, "triggers", i)
            old = have.get(trigger.code)
            if old is None:
                self.ops.append(CreateTriggerOp(trigger=trigger, source=source))
            elif old.name != trigger.name:
                changes = (("name", old.name, trigger.name),)
                self.ops.append(UpdateTriggerOp(trigger=trigger, changes=changes, source=source))
            else:
                self.unchanged.append(ObjectRef(kind="trigger", key=trigger.code, note=trigger.name))
        wanted = {t.code for t in desired.triggers}
        for i, code in enumerate(removed):
            if code in wanted:
                raise PlanError(f"trigger {code!r} is both declared and removed; {_FIX}")
            if code in have:
                self.ops.append(
                    DeleteTriggerOp(
                        code=code, name=have[code].name, source=_src(desired, "removed", "triggers", i)
                    )
                )
        for code in sorted(have.keys() - wanted - set(removed)):
            self.unmanaged.append(ObjectRef(kind="trigger", key=code, note=have[code].name))

    def needs_app(self, target: str, declared: Iterable[str], removed: Iterable[str]) -> None:
        assert target in ("app_robot", "trigger")
        section = "app_robots" if target == "app_robot" else "triggers"
        for i, code in enumerate(declared):
            self.ops.append(
                NeedsAppContextOp(
                    target="app_robot" if target == "app_robot" else "trigger",
                    code=code,
                    wanted="present",
                    source=_src(self.desired, section, i),
                )
            )
        for i, code in enumerate(removed):
            self.ops.append(
                NeedsAppContextOp(
                    target="app_robot" if target == "app_robot" else "trigger",
                    code=code,
                    wanted="removed",
                    source=_src(self.desired, "removed", section, i),
                )
            )

    # ------------------------------------------------------------------------------------ robots

    def robots(self, lang: str) -> None:
        """Every robot is a manual step: REST can neither read nor write robots on stages."""
        desired = self.desired
        for i, p in enumerate(desired.pipelines):
            for j, stage in enumerate(p.stages):
                for k, robot in enumerate(stage.robots):
                    # In the portal UI's own words: pipeline keys become names, field codes labels.
                    described = describe_robot(robot, desired, lang=lang)
                    self.ops.append(
                        ManualRobotOp(
                            pipeline_key=p.key,
                            pipeline_name=p.name,
                            stage_code=stage.code,
                            stage_name=stage.name,
                            index=k,
                            robot=robot,
                            title=described.title,
                            settings=tuple(described.settings),
                            source=_src(desired, "pipelines", i, "stages", j, "robots", k),
                        )
                    )


# ---------------------------------------------------------------------------------------- helpers


def _stage_changes(want: Stage, want_sort: int, have: Stage, have_sort: int) -> tuple[Change, ...]:
    changes: list[Change] = []
    if want.name != have.name:
        changes.append(("name", have.name, want.name))
    if want_sort != have_sort:
        changes.append(("sort", have_sort, want_sort))
    # Colours are compared without case: the portal may store #39a8ef for #39A8EF.
    if want.color is not None and (have.color or "").upper() != want.color.upper():
        changes.append(("color", have.color, want.color))
    return tuple(changes)


def _label_note(field: FieldBase) -> str:
    label = field.label
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    return label.get("en") or next(iter(label.values()), "")


def _compare_field(
    want: FieldBase, have: FieldBase, live: LiveState, source: str
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
    changes += label_changes(want, have, live.languages, live.label_texts.get(want.code))
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
