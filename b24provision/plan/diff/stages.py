"""Stages within a matched pipeline: by code (plan/diff/stage_list.py); a semantics change is a
replace; a stage the blueprint no longer lists is deleted."""

from __future__ import annotations

from typing import Any

from b24provision.blueprint.model import Pipeline, Stage
from b24provision.plan.diff.base import DiffBase
from b24provision.plan.diff.base import src as _src
from b24provision.plan.diff.stage_list import StageListOps, compare_stage_list
from b24provision.plan.ops import (
    CreateStageOp,
    DeleteStageOp,
    ObjectRef,
    ReplaceStageOp,
    UpdateStageOp,
    stage_ref,
)


class StageComparer(DiffBase):
    """The stages of one matched pipeline."""

    def stages(self, i: int, want: Pipeline, have: Pipeline) -> None:
        desired = self.desired
        common: dict[str, Any] = {"pipeline_key": want.key, "pipeline_name": want.name, "live_key": have.key}

        words = StageListOps[Stage](
            create=lambda stage, sort, source: CreateStageOp(stage=stage, sort=sort, source=source, **common),
            replace=lambda stage, sort, changes, source: ReplaceStageOp(
                stage=stage, sort=sort, changes=changes, source=source, **common
            ),
            update=lambda stage, sort, changes, source: UpdateStageOp(
                stage=stage, sort=sort, changes=changes, source=source, **common
            ),
            unchanged=lambda stage: ObjectRef(
                kind="stage", key=stage_ref(self.entity, want.key, stage.code), note=stage.name
            ),
        )
        compared = compare_stage_list(
            want.stages,
            have.stages_by_code(),
            have.stage_sorts(),
            lambda j: _src(desired, "pipelines", i, "stages", j),
            words,
        )
        self.ops += compared.ops
        self.unchanged += compared.unchanged
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
