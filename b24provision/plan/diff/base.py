"""What every comparer of the diff shares: the two sides, and the plan being built."""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint
from b24provision.plan.ops import AnyOp, ManualFieldStep, ObjectRef
from b24provision.state.live import LiveState

FIX = "fix the blueprint (or the portal), then run `b24provision plan` again"


def src(desired: Blueprint, *loc: str | int) -> str:
    """The blueprint location of ``loc`` as "file:line:col", or "" when unknown."""
    where = desired.locate(*loc)
    return str(where) if where else ""


class DiffBase:
    """The state of one diff: ops, unmanaged and unchanged objects, warnings, manual field steps."""

    entity = "deal"
    """The CRM entity type the comparers work on (the only one so far; see plan/ops.py)."""

    def __init__(self, desired: Blueprint, live: LiveState) -> None:
        self.desired, self.live = desired, live
        self.ops: list[AnyOp] = []
        self.unmanaged: list[ObjectRef] = []
        self.unchanged: list[ObjectRef] = []
        self.warnings: list[str] = []
        self.manual_fields: list[ManualFieldStep] = []
