"""Ops on pipelines and their stages (see ``ops.py`` for what an op is)."""

from __future__ import annotations

from typing import Literal

from b24provision.blueprint.model import Pipeline, Stage
from b24provision.plan.op_base import OpBase, pipeline_ref, stage_ref

# ------------------------------------------------------------------------------------- pipelines


class CreatePipelineOp(OpBase):
    """Create a pipeline. The portal adds its own default stages to a new pipeline (reference §5.1):
    apply keeps those whose code the blueprint lists (updating them) and removes the others; the
    blueprint's stages follow as CreateStageOps with ``new_pipeline=True``."""

    ACTION = "create"
    KIND = "pipeline"
    op: Literal["CreatePipelineOp"] = "CreatePipelineOp"
    pipeline: Pipeline

    @property
    def key(self) -> str:
        return pipeline_ref(self.entity, self.pipeline.key)


class UpdatePipelineOp(OpBase):
    """Rename or re-sort a pipeline; ``changes`` says which (a rename via previous_names included)."""

    ACTION = "update"
    KIND = "pipeline"
    op: Literal["UpdatePipelineOp"] = "UpdatePipelineOp"
    pipeline: Pipeline
    live_key: str
    live_name: str
    """The pipeline's name on the portal now (before a rename)."""

    @property
    def key(self) -> str:
        return pipeline_ref(self.entity, self.pipeline.key)


class DeletePipelineOp(OpBase):
    """Delete a pipeline named in ``removed:``; the portal deletes its stages with it."""

    ACTION = "delete"
    KIND = "pipeline"
    op: Literal["DeletePipelineOp"] = "DeletePipelineOp"
    live_key: str
    name: str
    stages: tuple[str, ...] = ()
    """Codes of the stages that go with it."""
    blocked_by_deals: int = 0
    """Deals in the pipeline; apply refuses its delete while it holds any."""

    @property
    def key(self) -> str:
        return pipeline_ref(self.entity, self.live_key)

    @property
    def destructive(self) -> bool:
        return self.blocked_by_deals > 0


# ---------------------------------------------------------------------------------------- stages


class _StageOp(OpBase):
    pipeline_key: str
    """The blueprint's key of the pipeline."""
    pipeline_name: str
    live_key: str | None
    """The portal pipeline's key in LiveState; None when the pipeline is created by this plan."""


class CreateStageOp(_StageOp):
    """Create a stage in a pipeline (an existing one, or one this plan creates)."""

    ACTION = "create"
    KIND = "stage"
    op: Literal["CreateStageOp"] = "CreateStageOp"
    stage: Stage
    sort: int
    """The effective sort (the stage's own, or 10 times its position)."""
    new_pipeline: bool = False
    """The pipeline is created earlier in the same apply (see CreatePipelineOp about its default stages)."""

    @property
    def key(self) -> str:
        return stage_ref(self.entity, self.pipeline_key, self.stage.code)


class UpdateStageOp(_StageOp):
    """Change a stage's name, sort or colour (``changes`` says which)."""

    ACTION = "update"
    KIND = "stage"
    op: Literal["UpdateStageOp"] = "UpdateStageOp"
    stage: Stage
    sort: int

    @property
    def key(self) -> str:
        return stage_ref(self.entity, self.pipeline_key, self.stage.code)


class ReplaceStageOp(_StageOp):
    """Delete a stage and create it again: its semantics (process/success/failure) cannot be updated."""

    ACTION = "replace"
    KIND = "stage"
    op: Literal["ReplaceStageOp"] = "ReplaceStageOp"
    stage: Stage
    sort: int
    blocked_by_deals: int = 0
    """Deals in the stage; apply refuses to replace it while it holds any."""
    system: bool = False
    """The portal marks the stage SYSTEM=Y: deleting it needs FORCED=Y."""

    @property
    def key(self) -> str:
        return stage_ref(self.entity, self.pipeline_key, self.stage.code)

    @property
    def destructive(self) -> bool:
        return self.blocked_by_deals > 0


class DeleteStageOp(_StageOp):
    """Delete a stage of a declared pipeline that the blueprint no longer lists."""

    ACTION = "delete"
    KIND = "stage"
    op: Literal["DeleteStageOp"] = "DeleteStageOp"
    code: str
    name: str
    blocked_by_deals: int = 0
    """Deals in the stage; apply refuses to delete it while it holds any."""
    system: bool = False

    @property
    def key(self) -> str:
        return stage_ref(self.entity, self.pipeline_key, self.code)

    @property
    def destructive(self) -> bool:
        return self.blocked_by_deals > 0
