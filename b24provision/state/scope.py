"""What a read of the portal covers beyond the deal: the entity types a blueprint (or a plan) names.

The deal is always read (its pipelines, stages and fields, in one batch request). Leads, contacts
and companies are read only when the blueprint says something about them, so a deal-only plan
sends exactly the requests it always did and keeps its fingerprint. A saved plan names its scope
through the keys of its objects (``contact:field/INN``), so apply reads what the plan was made from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from b24provision.entities.types import DEAL, ENTITY_TYPES, EntityType

if TYPE_CHECKING:
    from b24provision.blueprint.model import Blueprint
    from b24provision.plan.ops import Plan


@dataclass(frozen=True)
class ReadScope:
    """The entity types besides the deal whose state is read, by key ("lead", "contact", ...)."""

    entities: tuple[str, ...] = ()

    @classmethod
    def of_blueprint(cls, blueprint: Blueprint) -> ReadScope:
        """What ``blueprint`` names: its sections besides the deal, and what its ``removed:`` names."""
        named = set(blueprint.entities.others()) | set(blueprint.removed.others())
        return cls(_ordered(named))

    @classmethod
    def of_plan(cls, plan: Plan) -> ReadScope:
        """What ``plan`` was made from: the entity types its objects' keys start with."""
        keys = [op.key for op in plan.ops] + [r.key for r in (*plan.unmanaged, *plan.unchanged)]
        return cls(_ordered(k.split(":", 1)[0] for k in keys if ":" in k))

    @classmethod
    def everything(cls) -> ReadScope:
        """Every entity type with custom fields (export and the diff of two portals read them all)."""
        return cls(_ordered(ENTITY_TYPES))

    def union(self, other: ReadScope) -> ReadScope:
        return ReadScope(_ordered((*self.entities, *other.entities)))

    def entity_types(self) -> tuple[EntityType, ...]:
        return tuple(ENTITY_TYPES[key] for key in self.entities)


def _ordered(keys: Iterable[str]) -> tuple[str, ...]:
    """The built-in entity types among ``keys`` besides the deal, in the table's order."""
    named = set(keys)
    return tuple(key for key in ENTITY_TYPES if key in named and key != DEAL.key)


DEAL_ONLY = ReadScope()

__all__ = ["DEAL_ONLY", "ReadScope"]
