"""Comparing two configurations: each side a portal or a blueprint, matched by natural keys.

``compare(a, b)`` answers "what is different between A and B?" the way ``plan`` answers "what must
change on the portal?", and reuses it: A becomes the live side and B the desired side of
``plan.diff``, so every difference is an op read as *going from A to B* (``+`` only in B, ``-`` only
in A, ``~`` different, shown ``A -> B``). Before the diff, a pre-pass makes the two sides
comparable:

- pairing follows the one matcher (``state/match.py``): pipelines by the default flag, else by
  name (as in a plan); ids never matter;
- stages match by code within their pipeline, **except** codes the portal's UI made (``UC_…``,
  random per portal): a stage that found no partner by code and has such a code on either side is
  matched by its name within the pipeline, and B's code is renamed to A's; every such pairing is
  reported, so nobody wonders why ``UC_LAFJPE`` equals ``UC_X2Y3Z4``;
- fields match by code; enumeration items by ``xml_id``, falling back to the item's text for items
  whose ``xml_id`` has no partner (portals give items made in the UI random xml_ids) — reported too;
- what a blueprint leaves unsaid (a pipeline's sort, a stage's colour, the default pipeline, fields
  of types it cannot express) is not a difference, and the output says what was not compared;
- objects only in A become ``removed:`` entries of B, so they show up as deletes (``-``) and are
  never hidden as "unmanaged";
- robots are compared only between two blueprints: a portal never shows them over REST.
  Application robot types and triggers are compared by code when both sides can see them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from b24provision.blueprint.model import (
    Blueprint,
    EnumerationField,
    FieldBase,
    Pipeline,
    Removed,
    SmartProcess,
    Stage,
)
from b24provision.compare.entities import desired_entities, live_entities
from b24provision.compare.result import Comparison, Difference, Pairing
from b24provision.compare.sides import Side, open_side
from b24provision.compare.smart import desired_smart_processes, live_smart_processes, only_in_a
from b24provision.compare.statuses import with_directories
from b24provision.plan.diff import diff
from b24provision.plan.nested import nested_changes
from b24provision.plan.ops import (
    AnyOp,
    CreateStageOp,
    ManualRobotOp,
    NeedsAppContextOp,
    field_ref,
    stage_ref,
)
from b24provision.plan.render_common import value
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState, UnsupportedField
from b24provision.state.match import UI_CODE_PREFIX, items_by_value, pair_pipelines, ui_stage_pairs

__all__ = ["Comparison", "Difference", "Pairing", "Side", "compare", "open_side", "UI_CODE_PREFIX"]

# ---------------------------------------------------------------------------------- comparison


def compare(a: Side, b: Side) -> Comparison:
    """The differences between ``a`` and ``b`` (see the module docstring for the rules)."""
    c = _Compare(a, b)
    return c.run()


class _Compare:
    def __init__(self, a: Side, b: Side) -> None:
        self.a, self.b = a, b
        self.extra: list[Difference] = []
        self.pairings: list[Pairing] = []
        self.notes: list[str] = []

    def run(self) -> Comparison:
        a_bp, b_bp = self._defaults(self.a.blueprint, self.b.blueprint)
        pairs = pair_pipelines(b_bp.pipelines, a_bp.pipelines)
        b_pipelines = [self._align_pipeline(pairs.get(p.key), p) for p in b_bp.pipelines]
        a_fields = a_bp.fields_by_code()
        b_fields = [self._align_field(a_fields.get(f.code), f) for f in b_bp.fields]
        self._robots(a_bp, b_bp, pairs)
        self._app_objects(a_bp, b_bp)
        self._unsupported(a_bp, b_bp)

        matched_a = {p.key for p in pairs.values()}
        b_codes = {f.code for f in b_fields} | {u.code for u in self._unsupported_of(self.b)}
        entities, removed = desired_entities(a_bp, b_bp, self._align_field, self._unsupported_codes_of_b)
        desired = Blueprint(
            pipelines=b_pipelines,
            fields=b_fields,
            entities=entities,
            removed=Removed(
                pipelines=[p.name for p in a_bp.pipelines if p.key not in matched_a and not p.default],
                fields=[f.code for f in a_bp.fields if f.code not in b_codes],
            ).model_copy(update=removed),
        )
        desired, live = with_directories(self.a, self.b, desired, self._live(a_bp))  # compare/statuses.py
        if self.a.blueprint.smart_processes or self.b.blueprint.smart_processes or _has_types(self.a, self.b):
            a_types = live_smart_processes(self.a, live.languages)
            b_types = [self._align_type(sp, a_types) for sp in desired_smart_processes(self.b)]
            desired = desired.model_copy(update={"smart_processes": b_types})
            live = replace(live, smart_processes=a_types)
            self.extra += only_in_a(a_types, b_types)
        plan = diff(desired, live)
        ops = tuple(op for op in plan.ops if _is_difference(op))
        plan = plan.model_copy(update={"ops": ops, "unmanaged": (), "warnings": ()})
        return Comparison(self.a, self.b, plan, tuple(self.extra), tuple(self.pairings), tuple(self.notes))

    def _align_type(self, want: SmartProcess, a_types: Mapping[str, SmartProcessLive]) -> SmartProcess:
        """B's smart process with what A leaves unsaid left out, as the deal's pipelines and fields."""
        have = next((sp for sp in a_types.values() if sp.title in (want.title, *want.previous_titles)), None)
        if have is None:
            return want
        pairs = pair_pipelines(want.pipelines, have.state.blueprint.pipelines)
        a_fields = have.state.blueprint.fields_by_code()
        return want.model_copy(
            update={
                "pipelines": [self._align_pipeline(pairs.get(p.key), p) for p in want.pipelines],
                "fields": [self._align_field(a_fields.get(f.code), f) for f in want.fields],
            }
        )

    # --- the default pipeline: a portal always has one, a blueprint may leave it out

    def _defaults(self, a: Blueprint, b: Blueprint) -> tuple[Blueprint, Blueprint]:
        a_default, b_default = a.default_pipeline(), b.default_pipeline()
        if (a_default is None) == (b_default is None):
            return a, b
        only, side, other = (a_default, "A", self.b) if a_default else (b_default, "B", self.a)
        assert only is not None
        # Only a blueprint can lack it (a portal always has one), and a blueprint that does not
        # declare the default pipeline leaves it alone: not a difference.
        self.notes.append(
            f"the default pipeline ({only.name!r}) is not compared: {other.label} does not declare it"
        )
        strip = [p for p in (a if side == "A" else b).pipelines if not p.default]
        stripped = (a if side == "A" else b).model_copy(update={"pipelines": strip})
        return (stripped, b) if side == "A" else (a, stripped)

    # --- stages: by code, UI-made codes by name; what a blueprint leaves unsaid is no difference

    def _align_pipeline(self, have: Pipeline | None, want: Pipeline) -> Pipeline:
        if have is None:
            return want
        update: dict[str, object] = {}
        if have.sort is None:
            update["sort"] = None  # A does not say: not a difference
        renamed = self._pair_stages(want.key, have.stages, want.stages)
        stages = []
        have_by_code = have.stages_by_code()
        for stage in want.stages:
            code = renamed.get(stage.code, stage.code)
            old = have_by_code.get(code)
            changes: dict[str, object] = {"code": code}
            if old is not None and old.color is None:
                changes["color"] = None
            if old is not None and old.sort is None:
                changes["sort"] = None  # A says the order only: B's numbers are compared as an order
            stages.append(stage.model_copy(update=changes))
        update["stages"] = stages
        return want.model_copy(update=update)

    def _pair_stages(self, key: str, have: Sequence[Stage], want: Sequence[Stage]) -> dict[str, str]:
        """B's stage code -> A's, for stages that pair by name because a UI made their codes."""
        renamed = ui_stage_pairs(have, want)
        names = {s.code: s.name for s in want}
        for b_code, a_code in renamed.items():
            self.pairings.append(Pairing("stage", key, a_code, b_code, f"by name {names[b_code]!r}"))
        return renamed

    # --- fields: enumeration items by xml_id, else by value

    def _align_field(self, have: FieldBase | None, want: FieldBase) -> FieldBase:
        if not isinstance(have, EnumerationField) or not isinstance(want, EnumerationField):
            return want
        paired = items_by_value(have.items, want.items)
        items = []
        for item in want.items:
            if item.xml_id in paired:
                self.pairings.append(
                    Pairing("item", want.code, paired[item.xml_id], item.xml_id, f"by value {item.value!r}")
                )
                item = item.model_copy(update={"xml_id": paired[item.xml_id]})
            items.append(item)
        return want.model_copy(update={"items": items})

    # --- what is not an op

    def _robots(self, a: Blueprint, b: Blueprint, pairs: Mapping[str, Pipeline]) -> None:
        portals = [s.label for s in (self.a, self.b) if s.kind == "portal"]
        if portals:
            if a.robot_count() or b.robot_count():
                self.notes.append(
                    f"robots are not compared: {' and '.join(portals)} "
                    f"{'is a portal' if len(portals) == 1 else 'are portals'}, "
                    "and REST cannot read robots on stages"
                )
            return
        for want in b.pipelines:
            have = pairs.get(want.key)
            if have is None:
                continue
            have_stages = have.stages_by_code()
            for stage in want.stages:
                old = have_stages.get(stage.code)
                if old is None:
                    continue
                before = {"robots": [r.model_dump(mode="json", exclude_defaults=True) for r in old.robots]}
                after = {"robots": [r.model_dump(mode="json", exclude_defaults=True) for r in stage.robots]}
                changes = nested_changes(before, after, whole_lists=False)
                if changes:
                    # Which setting of which robot, e.g. robots[0].delay: "1 month" -> "2 months".
                    what = "; ".join(f"{path}: {value(a)} -> {value(b)}" for path, a, b in changes[:5])
                    more = f"; and {len(changes) - 5} more" if len(changes) > 5 else ""
                    self.extra.append(
                        Difference(
                            "~",
                            "robots",
                            stage_ref("deal", want.key, stage.code),
                            f"the robots on stage {stage.name!r} differ "
                            f"({len(old.robots)} in A, {len(stage.robots)} in B): {what}{more}",
                        )
                    )

    def _app_objects(self, a: Blueprint, b: Blueprint) -> None:
        a_robots, a_triggers = self._app_view(self.a, a)
        b_robots, b_triggers = self._app_view(self.b, b)
        if a_robots is None or b_robots is None:
            if a.app_robots or b.app_robots or a.triggers or b.triggers or self._any_portal_app_objects():
                blind = [s.label for s, r in ((self.a, a_robots), (self.b, b_robots)) if r is None]
                self.notes.append(
                    "application robot types and triggers are not compared: the credentials of "
                    f"{' and '.join(blind)} cannot read them (a webhook has no application context)"
                )
            return
        self._code_sets("app_robot", a_robots, b_robots)
        assert a_triggers is not None and b_triggers is not None
        self._code_sets("trigger", set(a_triggers), set(b_triggers))
        for code in sorted(set(a_triggers) & set(b_triggers)):
            if a_triggers[code] != b_triggers[code]:
                self.extra.append(
                    Difference("~", "trigger", code, f"name: {a_triggers[code]!r} -> {b_triggers[code]!r}")
                )

    def _any_portal_app_objects(self) -> bool:
        return any(
            s.live is not None and (s.live.app_robot_codes or s.live.triggers) for s in (self.a, self.b)
        )

    @staticmethod
    def _app_view(side: Side, bp: Blueprint) -> tuple[set[str] | None, dict[str, str] | None]:
        if side.live is None:
            return {r.code for r in bp.app_robots}, {t.code: t.name for t in bp.triggers}
        if side.live.app_robot_codes is None or side.live.triggers is None:
            return None, None
        return set(side.live.app_robot_codes), {t.code: t.name for t in side.live.triggers}

    def _code_sets(self, kind: str, a: set[str], b: set[str]) -> None:
        for code in sorted(b - a):
            self.extra.append(Difference("+", kind, code, "only in B"))
        for code in sorted(a - b):
            self.extra.append(Difference("-", kind, code, "only in A"))

    def _unsupported_codes_of_b(self, entity: str) -> set[str]:
        return (
            {u.code for u in self.b.live.fields_of(entity).unsupported} if self.b.live is not None else set()
        )

    @staticmethod
    def _unsupported_of(side: Side) -> tuple[UnsupportedField, ...]:
        return side.live.unsupported_fields if side.live is not None else ()

    def _unsupported(self, a: Blueprint, b: Blueprint) -> None:
        """Fields of types no blueprint can express: compared by code and type."""
        a_un = {u.code: u for u in self._unsupported_of(self.a)}
        b_un = {u.code: u for u in self._unsupported_of(self.b)}
        if self.a.kind == "blueprint" or self.b.kind == "blueprint":
            # A blueprint cannot hold such a field, so its absence there is no difference.
            for side, fields in ((self.a, a_un), (self.b, b_un)):
                if fields:
                    listed = ", ".join(f"{u.code} ({u.user_type_id})" for u in fields.values())
                    self.notes.append(
                        f"fields of types a blueprint cannot express are compared only between portals: "
                        f"{listed} on {side.label}"
                    )
            return
        a_fields, b_fields = a.fields_by_code(), b.fields_by_code()
        for code, u in sorted(b_un.items()):
            if code in a_un:
                if a_un[code].user_type_id != u.user_type_id:
                    self.extra.append(
                        Difference(
                            "~",
                            "field",
                            field_ref("deal", code),
                            f"type: {a_un[code].user_type_id!r} -> {u.user_type_id!r}",
                        )
                    )
            elif code in a_fields:
                kind = getattr(a_fields[code], "type", "?")
                self.extra.append(
                    Difference("~", "field", field_ref("deal", code), f"type: {kind!r} -> {u.user_type_id!r}")
                )
            else:
                self.extra.append(
                    Difference(
                        "+", "field", field_ref("deal", code), f"{u.label!r} ({u.user_type_id}): only in B"
                    )
                )
        for code, u in sorted(a_un.items()):
            if code not in b_un and code not in b_fields:
                self.extra.append(
                    Difference(
                        "-", "field", field_ref("deal", code), f"{u.label!r} ({u.user_type_id}): only in A"
                    )
                )
        # A field of B whose code is unsupported in A shows up as a ReplaceFieldOp from the diff.

    # --- A as the "live" side of the diff

    def _live(self, a: Blueprint) -> LiveState:
        side = self.a
        # Robots, app robot types and triggers are compared above; the diff sees none of them.
        pipelines = [p.model_copy(update={"stages": [s.model_copy(update={"robots": []}) for s in p.stages]})
                     for p in a.pipelines]  # fmt: skip
        bp = Blueprint(pipelines=pipelines, fields=a.fields)
        if side.live is not None:
            return replace(side.live, blueprint=bp, app_robot_codes=frozenset(), triggers=(), deal_counts={})
        return LiveState(
            blueprint=bp,
            languages=self._languages(),
            app_robot_codes=frozenset(),
            triggers=(),
            entities=live_entities(a, None),
        )

    def _languages(self) -> tuple[str, ...]:
        """The languages labels are compared in when A is a blueprint: B's portal's, or those named."""
        if self.b.live is not None:
            return self.b.live.languages
        named = {
            lang
            for bp in (self.a.blueprint, self.b.blueprint)
            for f in bp.fields
            if isinstance(f.label, dict)
            for lang in f.label
        }
        return tuple(sorted(named)) or ("en",)


# ------------------------------------------------------------------------------------ helpers


def _has_types(*sides: Side) -> bool:
    return any(side.live is not None and side.live.smart_processes for side in sides)


def _is_difference(op: AnyOp) -> bool:
    """Ops that are differences: robot steps and app-context entries are reported otherwise, and a
    pipeline only in B is one difference, not one per stage."""
    if isinstance(op, ManualRobotOp | NeedsAppContextOp):
        return False
    return not (isinstance(op, CreateStageOp) and op.new_pipeline)
