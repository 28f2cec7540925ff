"""Robots on stages: every one a manual step (REST can neither read nor write them)."""

from __future__ import annotations

from b24provision.plan.diff.base import DiffBase
from b24provision.plan.diff.base import src as _src
from b24provision.plan.ops import (
    ManualRobotOp,
)
from b24provision.robots.describe import Entity, describe_robot


class RobotComparer(DiffBase):
    """Robots on the stages of the entity's pipelines."""

    def robots(self, lang: str) -> None:
        """Every robot is a manual step: REST can neither read nor write robots on stages."""
        desired = self.desired
        for i, p in enumerate(desired.pipelines):
            for j, stage in enumerate(p.stages):
                for k, robot in enumerate(stage.robots):
                    # In the portal UI's own words: pipeline keys become names, field codes labels.
                    # A smart process's comparer runs on its own view, with its key as the entity.
                    entity: Entity = "deal" if self.entity == "deal" else "smart"
                    described = describe_robot(robot, desired, lang=lang, entity=entity)
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
