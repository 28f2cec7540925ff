"""Ops on smart processes themselves (crm.type): create one, or change its title and switches.

Its pipelines, stages and fields are the deal's ops with the smart process's key as their
``entity`` (``measurement:main/NEW``, ``measurement:field/SIZE``). A smart process's own key is
``smart_process:<key>``.
"""

from __future__ import annotations

from typing import Literal

from b24provision.blueprint.smart_model import SmartProcessSettings
from b24provision.plan.op_base import UNCOUNTED, OpBase


def smart_process_ref(key: str) -> str:
    """``smart_process:measurement``: how a plan names a smart process."""
    return f"smart_process:{key}"


class CreateSmartProcessOp(OpBase):
    """Create a smart process (crm.type.add with its title and switches). The portal gives it a
    default pipeline with its own default stages: the blueprint's default pipeline's stages follow
    as CreateStageOps with ``new_pipeline=True``, reconciled against those."""

    ACTION = "create"
    KIND = "smart_process"
    op: Literal["CreateSmartProcessOp"] = "CreateSmartProcessOp"
    smart: SmartProcessSettings
    default_pipeline: str | None = None
    """The blueprint's key of its default pipeline, if it names one."""

    @property
    def key(self) -> str:
        return smart_process_ref(self.smart.key)


class UpdateSmartProcessOp(OpBase):
    """Change a smart process's title (a rename via previous_titles) or switches (crm.type.update)."""

    ACTION = "update"
    KIND = "smart_process"
    op: Literal["UpdateSmartProcessOp"] = "UpdateSmartProcessOp"
    smart: SmartProcessSettings
    live_title: str
    """Its title on the portal now (before a rename)."""

    @property
    def key(self) -> str:
        return smart_process_ref(self.smart.key)


class DeleteSmartProcessOp(OpBase):
    """Delete a smart process named in ``removed: smart_processes:`` (by title), with everything it
    has. ``items`` are counted on the portal (crm.item.list's total) right before plan and apply
    judge it, never taken from a file; the portal itself refuses to delete a type holding items."""

    ACTION = "delete"
    KIND = "smart_process"
    op: Literal["DeleteSmartProcessOp"] = "DeleteSmartProcessOp"
    title: str
    items: int = UNCOUNTED
    """Items of the type (UNCOUNTED until counted: an uncounted type counts as holding items)."""

    @property
    def key(self) -> str:
        return smart_process_ref(self.entity)

    @property
    def destructive(self) -> bool:
        return self.items != 0


def is_type_op(op: object) -> bool:
    """An op on a smart process itself (apply/smart.py sends these, not the engine)."""
    return isinstance(op, CreateSmartProcessOp | UpdateSmartProcessOp | DeleteSmartProcessOp)


__all__ = [
    "CreateSmartProcessOp",
    "DeleteSmartProcessOp",
    "UpdateSmartProcessOp",
    "is_type_op",
    "smart_process_ref",
]
