"""A smart process's pipelines: the rules ``crm.category.*`` applies to them.

The deal pipelines' rules are in emulator/methods/pipelines.py; both answer to the one D7 controller
in emulator/methods/categories.py through the ``PipelineRules`` shape and word a broken rule as a
``PipelineProblem``. A smart process keeps its pipelines in ``item_category`` (one sequence of ids
shared by all types, emulator/methods/smart_types.py); it takes new ones only with
``isCategoriesEnabled`` Y, and its default pipeline and pipelines holding items are not deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from b24provision.emulator.methods import smart_types
from b24provision.emulator.methods.pipelines import PipelineProblem
from b24provision.emulator.registry import Call


@dataclass(frozen=True)
class SmartProcessPipelines:
    """The pipelines of the smart process ``entity_type_id`` (which exists: the caller checked)."""

    call: Call
    entity_type_id: int

    def all(self) -> list[dict[str, Any]]:
        """As crm.category.list shows them (the docs' example's keys), ordered by sort."""
        return [
            {
                "id": int(r["id"]),
                "name": r["name"],
                "sort": int(r["sort"]),
                "entityTypeId": self.entity_type_id,
                "isDefault": r["is_default"],
            }
            for r in smart_types.categories(self.call.db, self.entity_type_id)
        ]

    def add(self, name: str, sort: int, origin_id: str, originator_id: str) -> int:
        # A smart-process pipeline stores no originId/originatorId (the docs' example shows none).
        kind = smart_types.type_row(self.call.db, self.entity_type_id)
        if kind is None or smart_types.flags(kind).get("isCategoriesEnabled") != "Y":
            # UNVERIFIED code and words: a type without isCategoriesEnabled keeps its one pipeline.
            raise PipelineProblem("CATEGORIES_DISABLED", "Categories are disabled for this entity type")
        return smart_types.create_category(
            self.call.db, self.entity_type_id, name, sort, self.call.settings.language, default=False
        )

    def update(self, category_id: int, name: str | None, sort: int | None) -> None:
        db = self.call.db
        if smart_types.category_row(db, self.entity_type_id, category_id) is None:
            raise PipelineProblem("NOT_FOUND", "Element not found")
        if name is not None:
            db.execute("UPDATE item_category SET name = ? WHERE id = ?", (name, category_id))
        if sort is not None:
            db.execute("UPDATE item_category SET sort = ? WHERE id = ?", (max(sort, 0), category_id))

    def delete(self, category_id: int) -> None:
        db = self.call.db
        row = smart_types.category_row(db, self.entity_type_id, category_id)
        if row is None:
            raise PipelineProblem("NOT_FOUND", "Element not found")
        # Both refusals' codes and words are UNVERIFIED (the deal ones are the core's).
        if row["is_default"] == "Y":
            raise PipelineProblem(0, "Default category cannot be deleted")
        sql = "SELECT 1 FROM crm_item WHERE entity_type_id = ? AND category_id = ? LIMIT 1"
        if db.execute(sql, (self.entity_type_id, category_id)).fetchone():
            raise PipelineProblem(0, f"Items related to the category {row['name']} found")
        db.execute("DELETE FROM item_category WHERE id = ?", (category_id,))
        entity = smart_types.dynamic_entity(self.entity_type_id, category_id)
        db.execute("DELETE FROM status WHERE entity_id = ?", (entity,))
