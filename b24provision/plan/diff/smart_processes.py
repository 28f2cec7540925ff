"""Smart processes: each matched to a portal type by its title (or a previous one), then its
pipelines, stages and fields compared by the deal's own comparers, with its key as their entity.

A type the portal does not have is a CreateSmartProcessOp; its default pipeline is the one the
portal makes with the type (``default: true`` in the blueprint), whose stages are reconciled
against the portal's default stages at apply time, as a new deal pipeline's are. Types the blueprint
does not name are reported as unmanaged; nothing here deletes a type.
"""

from __future__ import annotations

from collections.abc import Mapping

from b24provision.blueprint.model import Blueprint, SmartProcess
from b24provision.blueprint.smart_model import SmartProcessSettings
from b24provision.blueprint.smart_section import section_blueprint
from b24provision.errors import PlanError
from b24provision.plan.diff.base import FIX, DiffBase, src
from b24provision.plan.diff.fields import FieldComparer
from b24provision.plan.diff.pipelines import PipelineComparer
from b24provision.plan.diff.robots import RobotComparer
from b24provision.plan.ops import (
    AnyOp,
    Change,
    CreateFieldOp,
    CreatePipelineOp,
    CreateSmartProcessOp,
    CreateStageOp,
    DeleteSmartProcessOp,
    ObjectRef,
    UpdatePipelineOp,
    UpdateSmartProcessOp,
    smart_process_ref,
)
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState
from b24provision.state.match import types_titled
from b24provision.state.smart_relations import SIDES, names_of, resolve


class _SectionDiff(PipelineComparer, FieldComparer, RobotComparer):
    """The deal's pipeline, field and robot comparers, run on one smart process."""


class SmartProcessComparer(DiffBase):
    """The blueprint's smart processes against the portal's types."""

    def smart_processes(self, lang: str = "en") -> None:
        self.lang = lang
        desired, have = self.desired, self.live.smart_processes
        if not (desired.smart_processes or desired.removed.smart_processes):
            return  # not read either (state/rest_smart.py): a deal-only plan says nothing of types
        matched: dict[str, str] = {}  # live key -> blueprint key
        # Every key's portal type first: a relation names other types by their keys.
        self.sp_types = {
            want.key: have[k]
            for i, want in enumerate(desired.smart_processes)
            if (k := _match(want, have, src(desired, "smart_processes", i, "title"))) is not None
        }
        for i, want in enumerate(desired.smart_processes):
            live_key = _match(want, have, src(desired, "smart_processes", i, "title"))
            if live_key is not None:
                if live_key in matched:
                    raise PlanError(
                        f"{src(desired, 'smart_processes', i)}: smart processes {matched[live_key]!r} and "
                        f"{want.key!r} both match the portal's type {have[live_key].title!r}; {FIX}"
                    )
                matched[live_key] = want.key
            self.smart_process(i, want, None if live_key is None else have[live_key])
        declared = {t for sp in desired.smart_processes for t in (sp.title, *sp.previous_titles)}
        for i, title in enumerate(desired.removed.smart_processes):
            where = src(desired, "removed", "smart_processes", i) or "removed.smart_processes"
            if title in declared:
                raise PlanError(f"{where}: smart process {title!r} is both declared and removed; {FIX}")
            hits = types_titled(have, title)
            if len(hits) > 1:
                raise PlanError(
                    f"{where}: the portal has {len(hits)} smart processes titled {title!r}: b24provision "
                    "cannot tell which one to delete — rename the others in the portal, then plan again"
                )
            if hits and hits[0] not in matched:
                # The items it holds are counted before plan and apply judge it (state/counts_smart.py).
                self.ops.append(DeleteSmartProcessOp(entity=hits[0], title=title, source=where))
                matched[hits[0]] = ""
        for key, sp in have.items():
            if key not in matched:
                self.unmanaged.append(
                    ObjectRef(kind="smart_process", key=smart_process_ref(key), note=sp.title)
                )

    def smart_process(self, i: int, want: SmartProcess, have: SmartProcessLive | None) -> None:
        settings = SmartProcessSettings.model_validate(
            want.model_dump(exclude={"pipelines", "fields", "removed"}, exclude_unset=True)
        )
        where = src(self.desired, "smart_processes", i)
        view = section_blueprint(self.desired, i)
        if have is None:
            default = view.default_pipeline()
            self.ops.append(
                CreateSmartProcessOp(
                    entity=want.key,
                    smart=settings,
                    default_pipeline=None if default is None else default.key,
                    source=where,
                )
            )
            self.ops += _new_type_ops(want.key, view)
            self._robots(want.key, view)
            return
        changes: list[Change] = []
        if want.title != have.title:
            changes.append(("title", have.title, want.title))
        for flag, value in want.switches().items():
            if have.switches.get(flag, False) != value:
                changes.append((flag, have.switches.get(flag, False), value))
        for side, names in want.relations().items():
            have_ids = set(have.relations.get(side, ()))
            if resolve(names, self.sp_types) != have_ids:
                changes.append((SIDES[side], names_of(have_ids, self.sp_types), sorted(names)))
        if changes:
            self.ops.append(
                UpdateSmartProcessOp(
                    entity=want.key,
                    smart=settings,
                    live_title=have.title,
                    changes=tuple(changes),
                    source=where,
                )
            )
        else:
            self.unchanged.append(
                ObjectRef(kind="smart_process", key=smart_process_ref(want.key), note=have.title)
            )
        self._section(want.key, view, have.state)

    def _section(self, key: str, view: Blueprint, state: LiveState) -> None:
        sub = _SectionDiff(view, state)
        sub.entity = key
        sub.pipelines()
        sub.fields()
        self.ops += [op.model_copy(update={"entity": key}) for op in sub.ops]
        self.unmanaged += sub.unmanaged
        self.unchanged += sub.unchanged
        self.warnings += sub.warnings
        self.manual_fields += sub.manual_fields
        self._robots(key, view)

    def _robots(self, key: str, view: Blueprint) -> None:
        """Robots on the type's stages: manual steps, as the deal's (REST reads and writes none)."""
        sub = _SectionDiff(view, self.live)
        sub.entity = key  # the robots are described as an item's (plan/diff/robots.py)
        sub.robots(self.lang)
        self.ops += [op.model_copy(update={"entity": key}) for op in sub.ops]


def _match(want: SmartProcess, have: Mapping[str, SmartProcessLive], where: str) -> str | None:
    """The live key of the type titled as ``want`` (or as one of its previous titles)."""
    for title in (want.title, *want.previous_titles):
        hits = types_titled(have, title)
        if len(hits) > 1:
            raise PlanError(
                f"{where or want.key}: the portal has {len(hits)} smart processes titled {title!r}: "
                "b24provision cannot tell which one the blueprint means — rename one of them in the portal, "
                "then plan again"
            )
        if hits:
            return hits[0]
    return None


def _new_type_ops(key: str, view: Blueprint) -> list[AnyOp]:
    """A new type's pipelines, stages and fields: all created; its default pipeline comes with it."""
    ops: list[AnyOp] = []
    for i, pipeline in enumerate(view.pipelines):
        if not pipeline.default:
            ops.append(CreatePipelineOp(entity=key, pipeline=pipeline, source=src(view, "pipelines", i)))
        else:
            # The portal names the default pipeline itself (in its own language): given its name here.
            ops.append(
                UpdatePipelineOp(
                    entity=key,
                    pipeline=pipeline,
                    live_key=pipeline.key,
                    live_name="",
                    changes=(("name", None, pipeline.name),),
                    source=src(view, "pipelines", i),
                )
            )
        sorts = pipeline.stage_sorts()
        ops += [
            CreateStageOp(
                entity=key,
                pipeline_key=pipeline.key,
                pipeline_name=pipeline.name,
                live_key=None,
                stage=stage,
                sort=sorts[stage.code],
                new_pipeline=True,
                source=src(view, "pipelines", i, "stages", j),
            )
            for j, stage in enumerate(pipeline.stages)
        ]
    ops += [
        CreateFieldOp(entity=key, field=f, source=src(view, "fields", j)) for j, f in enumerate(view.fields)
    ]
    return ops


__all__ = ["SmartProcessComparer"]
