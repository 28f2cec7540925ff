"""Stages within a matched pipeline: by code; a semantics change is a replace."""

from __future__ import annotations

from typing import Any

from b24provision.blueprint.model import (
    Pipeline,
    Stage,
)
from b24provision.plan.diff.base import DiffBase
from b24provision.plan.diff.base import src as _src
from b24provision.plan.ops import (
    Change,
    CreateStageOp,
    DeleteStageOp,
    ObjectRef,
    ReplaceStageOp,
    UpdateStageOp,
    stage_ref,
)
from b24provision.plan.sorts import effective_sorts


class StageComparer(DiffBase):
    """The stages of one matched pipeline."""

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
                    ObjectRef(kind="stage", key=stage_ref(self.entity, want.key, stage.code), note=stage.name)
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
