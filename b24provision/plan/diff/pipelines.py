"""Pipelines: matched by the one matcher (state/match.py); renames, sorts, deletes named in ``removed:``."""

from __future__ import annotations

from b24provision.blueprint.model import (
    Pipeline,
)
from b24provision.errors import PlanError
from b24provision.keys import is_tool_object
from b24provision.plan.diff.base import FIX as _FIX
from b24provision.plan.diff.base import src as _src
from b24provision.plan.diff.stages import StageComparer
from b24provision.plan.ops import (
    Change,
    CreatePipelineOp,
    CreateStageOp,
    DeletePipelineOp,
    ObjectRef,
    UpdatePipelineOp,
    pipeline_ref,
)
from b24provision.state.match import AmbiguousPipelineName, default_pipeline, pipelines_named, portal_pipeline


class PipelineComparer(StageComparer):
    """Pipelines of the entity, each matched pipeline then compared stage by stage."""

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
                    ObjectRef(kind="pipeline", key=pipeline_ref(self.entity, p.key), note=p.name)
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
                ObjectRef(kind="pipeline", key=pipeline_ref(self.entity, want.key), note=want.name)
            )
        self.stages(i, want, have)
