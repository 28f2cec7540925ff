"""Ops on custom fields (see ``ops.py`` for what an op is)."""

from __future__ import annotations

from typing import Literal

from b24provision.blueprint.model import DealField
from b24provision.plan.op_base import OpBase, field_ref

# ---------------------------------------------------------------------------------------- fields


class CreateFieldOp(OpBase):
    ACTION = "create"
    KIND = "field"
    op: Literal["CreateFieldOp"] = "CreateFieldOp"
    field: DealField

    @property
    def key(self) -> str:
        return field_ref(self.entity, self.field.code)


class UpdateFieldOp(OpBase):
    """Change a field's updatable attributes; enumeration items are added, changed or removed by xml_id."""

    ACTION = "update"
    KIND = "field"
    op: Literal["UpdateFieldOp"] = "UpdateFieldOp"
    field: DealField
    items_added: tuple[str, ...] = ()
    items_changed: tuple[str, ...] = ()
    items_removed: tuple[str, ...] = ()
    """xml_ids of enumeration items to delete: deals lose that value."""
    items_in_use: tuple[tuple[str, int], ...] = ()
    """(removed item, deals using it) for every removed item that deals use (UNCOUNTED: may use)."""
    item_keys: tuple[tuple[str, str], ...] = ()
    """(blueprint xml_id, the portal item's key) for items matched by their text, not their XML_ID:
    the portal returned none (the core's REST proxy omits it, reference §13.1) or another one."""

    @property
    def key(self) -> str:
        return field_ref(self.entity, self.field.code)

    @property
    def destructive(self) -> bool:
        return any(deals for _, deals in self.items_in_use)


class ReplaceFieldOp(OpBase):
    """Delete a field and create it again: the API ignores changes of type and multiple (reference §7.4)."""

    ACTION = "replace"
    KIND = "field"
    op: Literal["ReplaceFieldOp"] = "ReplaceFieldOp"
    field: DealField
    deals_with_value: int = 0
    """Deals holding a value in the field now: they lose it."""

    @property
    def key(self) -> str:
        return field_ref(self.entity, self.field.code)

    @property
    def destructive(self) -> bool:
        return self.deals_with_value > 0


class DeleteFieldOp(OpBase):
    """Delete a field named in ``removed:``; every deal loses its value."""

    ACTION = "delete"
    KIND = "field"
    op: Literal["DeleteFieldOp"] = "DeleteFieldOp"
    code: str
    label: str = ""
    deals_with_value: int = 0
    """Deals holding a value in the field: they lose it."""

    @property
    def key(self) -> str:
        return field_ref(self.entity, self.code)

    @property
    def destructive(self) -> bool:
        return self.deals_with_value > 0
