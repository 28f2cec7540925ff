"""The diff: what must change on a portal so that it holds what a blueprint declares.

``diff(desired, live)`` is a pure function of two values of one type, done the Alembic way with
key sets: ``want - have`` is created, ``want & have`` is compared attribute by attribute, and
``have - want`` is deleted only where the blueprint owns it:

- a pipeline is matched to the portal's default pipeline (``default: true``), or by name, or by one
  of its ``previous_names`` (a rename, so an update); stages by code within their pipeline; fields
  by code; enumeration items by xml_id; application robot types and triggers by code;
- stages a declared pipeline no longer lists are deleted; pipelines and fields are deleted only
  when named in ``removed:``; everything else the portal has is reported as unmanaged;
- ``None`` in the blueprint (a pipeline's sort, a stage's colour) means "leave as it is";
- what the API cannot change in place (a stage's semantics, a field's type or multiple) is a
  replace: delete and create again, which is destructive;
- robots on stages cannot be read or written over REST, so every one becomes a manual step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from b24provision.blueprint.model import (
    Blueprint,
    EnumerationField,
    EnumItem,
    FieldBase,
    Label,
    Pipeline,
    Stage,
    label_map,
)
from b24provision.errors import PlanError
from b24provision.keys import is_tool_object
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
)
from b24provision.plan.order import order
from b24provision.robots.describe import describe_robot
from b24provision.state import LiveState

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
        ops=order(d.ops),
        unmanaged=tuple(d.unmanaged),
        unchanged=tuple(d.unchanged),
        warnings=tuple(d.warnings),
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

    # --------------------------------------------------------------------------------- pipelines

    def pipelines(self) -> None:
        desired, live_pipelines = self.desired, self.live.blueprint.pipelines
        live_default = next((p for p in live_pipelines if p.default), None)
        by_name: dict[str, list[Pipeline]] = defaultdict(list)
        for p in live_pipelines:
            if not p.default:  # the default pipeline is matched by being the default, never by name
                by_name[p.name].append(p)

        def find(name: str) -> Pipeline | None:
            hits = by_name.get(name, [])
            if len(hits) > 1:
                keys = " and ".join(p.key for p in hits)
                raise PlanError(
                    f"the portal has {len(hits)} pipelines named {name!r} ({keys}), so the blueprint "
                    "cannot tell which one it means; rename one of them on the portal, then run "
                    "`b24provision plan` again"
                )
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
            have: Pipeline | None
            if want.default:
                have = live_default
                if have is None:
                    raise PlanError(
                        f"{_src(desired, 'pipelines', i) or want.key}: pipeline {want.key!r} is marked "
                        "default but the portal reported no default pipeline; re-read the portal, "
                        "or report this as a bug"
                    )
            else:
                have = next((hit for n in [want.name, *want.previous_names] if (hit := find(n))), None)
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
            gone = find(name)
            if gone is not None and gone.key not in matched:
                self.ops.append(self.delete_pipeline(gone, _src(desired, "removed", "pipelines", i)))
                matched[gone.key] = ""
        for p in live_pipelines:
            if p.key not in matched and p.name not in removed and not is_tool_object(p.name):
                self.unmanaged.append(ObjectRef(kind="pipeline", key=p.key, note=p.name))

    def delete_pipeline(self, gone: Pipeline, source: str) -> DeletePipelineOp:
        deals = sum(self.live.deal_counts.get((gone.key, s.code), 0) for s in gone.stages)
        return DeletePipelineOp(
            live_key=gone.key,
            name=gone.name,
            stages=tuple(s.code for s in gone.stages),
            blocked_by_deals=deals,
            source=source,
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
            self.unchanged.append(ObjectRef(kind="pipeline", key=want.key, note=want.name))
        self.stages(i, want, have)

    def stages(self, i: int, want: Pipeline, have: Pipeline) -> None:
        live, desired = self.live, self.desired
        have_stages = have.stages_by_code()
        want_sorts, have_sorts = want.stage_sorts(), have.stage_sorts()
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
                        blocked_by_deals=live.deal_counts.get((have.key, old.code), 0),
                        system=(have.key, old.code) in live.system_stages,
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
                    ObjectRef(kind="stage", key=f"{want.key}/{stage.code}", note=stage.name)
                )
        wanted = {s.code for s in want.stages}
        for old in have.stages:
            if old.code not in wanted:
                self.ops.append(
                    DeleteStageOp(
                        code=old.code,
                        name=old.name,
                        blocked_by_deals=live.deal_counts.get((have.key, old.code), 0),
                        system=(have.key, old.code) in live.system_stages,
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
                continue
            op = _compare_field(field, old, live.languages, source)
            if op is None:
                self.unchanged.append(ObjectRef(kind="field", key=field.code, note=_label_note(field)))
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
                self.unmanaged.append(ObjectRef(kind="field", key=code, note=_label_note(f)))
        for u in live.unsupported_fields:
            if u.code not in want and u.code not in removed:
                self.unmanaged.append(
                    ObjectRef(kind="field", key=u.code, note=f"{u.label} ({u.user_type_id})")
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


def _label_value(label: Label | None, languages: tuple[str, ...], fallback: str) -> Any:
    """A label as the plan shows it: one string when every language has the same text."""
    texts = label_map(label, languages, fallback)
    distinct = set(texts.values())
    return distinct.pop() if len(distinct) == 1 else texts


# Attributes compared by their own rules, not by equality of the dump.
_SPECIAL = {"code", "type", "multiple", "label", "items"}


def _compare_field(want: FieldBase, have: FieldBase, languages: tuple[str, ...], source: str) -> AnyOp | None:
    """UpdateFieldOp or ReplaceFieldOp when ``have`` differs from ``want``; None when they match."""
    changes: list[Change] = []
    want_type, have_type = getattr(want, "type", ""), getattr(have, "type", "")
    if want_type != have_type:
        changes.append(("type", have_type, want_type))
    if want.multiple != have.multiple:
        changes.append(("multiple", have.multiple, want.multiple))
    replace = bool(changes)
    fallback = want.field_name
    if label_map(want.label, languages, fallback) != label_map(have.label, languages, fallback):
        changes.append(
            (
                "label",
                _label_value(have.label, languages, fallback),
                _label_value(want.label, languages, fallback),
            )
        )
    want_dump = want.model_dump(mode="json", exclude=_SPECIAL)
    have_dump = have.model_dump(mode="json", exclude=_SPECIAL)
    # Only attributes both types have: after a type change, the other type's settings are noise.
    for attr in (a for a in want_dump if a in have_dump):
        if want_dump[attr] != have_dump[attr]:
            changes.append((attr, have_dump[attr], want_dump[attr]))

    field: Any = want  # a DealField member; FieldBase is its common base
    if replace:
        return ReplaceFieldOp(field=field, changes=tuple(changes), source=source)
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    if isinstance(want, EnumerationField) and isinstance(have, EnumerationField):
        item_changes, added, changed, removed = _compare_items(want, have)
        changes += item_changes
    if not changes:
        return None
    return UpdateFieldOp(
        field=field,
        changes=tuple(changes),
        items_added=added,
        items_changed=changed,
        items_removed=removed,
        source=source,
    )


def _compare_items(
    want: EnumerationField, have: EnumerationField
) -> tuple[list[Change], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Enumeration items by xml_id: (changes, added, changed, removed)."""
    want_items = {it.xml_id: it for it in want.items}
    have_items = {it.xml_id: it for it in have.items}
    want_sorts, have_sorts = want.item_sorts(), have.item_sorts()
    changes: list[Change] = []
    added: list[str] = []
    changed: list[str] = []
    for x, item in want_items.items():
        old: EnumItem | None = have_items.get(x)
        if old is None:
            added.append(x)
            changes.append((f"items[{x}]", None, item.value))
            continue
        before = len(changes)
        if item.value != old.value:
            changes.append((f"items[{x}].value", old.value, item.value))
        if want_sorts[x] != have_sorts[x]:
            changes.append((f"items[{x}].sort", have_sorts[x], want_sorts[x]))
        if item.default != old.default:
            changes.append((f"items[{x}].default", old.default, item.default))
        if len(changes) > before:
            changed.append(x)
    removed = [x for x in have_items if x not in want_items]
    changes += [(f"items[{x}]", have_items[x].value, None) for x in removed]
    return changes, tuple(added), tuple(changed), tuple(removed)
