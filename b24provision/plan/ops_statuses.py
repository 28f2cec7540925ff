"""Ops on crm.status directories other than pipeline stages: lead statuses and reference list items.

A lead status is a stage without a pipeline (the lead has one status list, ENTITY_ID ``STATUS``):
keyed ``lead:NEW`` (``status_ref``). A reference list item is keyed by its list and code,
``list:source/TRADE_SHOW`` (``list_item_ref``). One set of op classes serves both: ``list_name``
is None for a lead status and the blueprint's list name (``source``) for a list item; both carry
the item as a ``StatusValue``. See ``ops.py`` for what an op is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from b24provision.blueprint.list_model import ListItemCode
from b24provision.blueprint.model_types import Semantics
from b24provision.plan.op_base import Kind, OpBase


class StatusValue(BaseModel):
    """A lead status or list item as an op carries it: what crm.status holds of it. A list item's
    semantics stay "process" (lists have none); robots are the blueprint's, never an op's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: ListItemCode
    name: str
    semantics: Semantics = "process"
    color: str | None = None
    sort: int | None = None


def status_ref(entity: str, code: str) -> str:
    """``lead:NEW``: how a plan names a lead status."""
    return f"{entity}:{code}"


def list_item_ref(list_name: str, code: str) -> str:
    """``list:source/TRADE_SHOW``: how a plan names an item of a reference list."""
    return f"list:{list_name}/{code}"


class _StatusOp(OpBase):
    list_name: str | None = None
    """The reference list's name (``source``), or None for a lead status."""

    def ref(self, code: str) -> str:
        return (
            status_ref(self.entity, code) if self.list_name is None else list_item_ref(self.list_name, code)
        )

    @property
    def kind(self) -> Kind:
        return "status" if self.list_name is None else "list_item"


class CreateStatusOp(_StatusOp):
    """Add a lead status or a reference list item (crm.status.add)."""

    ACTION = "create"
    KIND = "status"
    op: Literal["CreateStatusOp"] = "CreateStatusOp"
    status: StatusValue
    sort: int

    @property
    def key(self) -> str:
        return self.ref(self.status.code)


class UpdateStatusOp(_StatusOp):
    """Change a lead status's or list item's name, sort or colour (``changes`` says which)."""

    ACTION = "update"
    KIND = "status"
    op: Literal["UpdateStatusOp"] = "UpdateStatusOp"
    status: StatusValue
    sort: int

    @property
    def key(self) -> str:
        return self.ref(self.status.code)


class ReplaceStatusOp(_StatusOp):
    """Delete a lead status and add it again: its semantics cannot be updated (crm.status.update
    ignores SEMANTICS, reference §6)."""

    ACTION = "replace"
    KIND = "status"
    op: Literal["ReplaceStatusOp"] = "ReplaceStatusOp"
    status: StatusValue
    sort: int
    blocked_by_items: int = 0
    """Leads in the status; the portal refuses to delete it while it holds any."""
    system: bool = False

    @property
    def key(self) -> str:
        return self.ref(self.status.code)

    @property
    def destructive(self) -> bool:
        return self.blocked_by_items > 0


class DeleteStatusOp(_StatusOp):
    """Delete a lead status or list item named in ``removed:``."""

    ACTION = "delete"
    KIND = "status"
    op: Literal["DeleteStatusOp"] = "DeleteStatusOp"
    code: str
    name: str
    blocked_by_items: int = 0
    """Leads in the lead status: the portal refuses its delete while it holds any."""
    items_using: int = 0
    """Deals, leads, contacts or companies that store the list item's code (``LIST_USERS``): the
    portal deletes it anyway, and they lose that value (needs --allow-delete)."""
    system: bool = False
    """The portal marks it SYSTEM=Y: deleting it needs FORCED=Y."""

    @property
    def key(self) -> str:
        return self.ref(self.code)

    @property
    def destructive(self) -> bool:
        return self.blocked_by_items > 0 or self.items_using > 0
