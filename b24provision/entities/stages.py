"""How Bitrix24 names the stages of one entity type: the crm.status ENTITY_ID of a pipeline's stages
and the prefix of their STATUS_IDs.

A stage's natural code is its STATUS_ID without the prefix; the prefix and the directory depend on
the entity type and the pipeline (category):

- deal (reference §6, §13.5): pipeline 0 is ``DEAL_STAGE`` with plain codes (``NEW``), pipeline 5 is
  ``DEAL_STAGE_5`` with ``C5:`` codes (``C5:NEW``);
- lead: one directory, ``STATUS``, plain codes (§6: "STATUS (lead)");
- smart process 1032, pipeline 7: ``DYNAMIC_1032_STAGE_7`` with ``DT1032_7:`` codes, the default
  pipeline too (§6, the docs' SPA tutorial: ``DT177_87:NEW``).

``category`` may be a ``$result[...]`` reference inside a batch (a pipeline added in the same
request): then it is a string and is put in as it is. Pure values and functions; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATUS_ID_LIMIT = 22
"""CCrmStatus::validateStatusId (reference §13.5): 30 − len("STAGE_ID") characters for STATUS_ID with
its prefix, so 22 in the default pipeline, 19 in C1–C9, 18 in C10–C99, 17 from C100."""

OTHER_STATUS_ID_LIMIT = 50
"""The docs' limit for directories other than STATUS, QUOTE_STATUS and DEAL_STAGE* (§6,
crm-status-add.md); what the core checks for smart-process stages is UNVERIFIED."""


def _is_default(category: int | str) -> bool:
    return str(category) == "0"


@dataclass(frozen=True)
class DealStages:
    """Deal pipelines: ``DEAL_STAGE`` / ``DEAL_STAGE_<id>``, codes plain / ``C<id>:`` (§6)."""

    def entity_id(self, category: int | str) -> str:
        return "DEAL_STAGE" if _is_default(category) else f"DEAL_STAGE_{category}"

    def status_prefix(self, category: int | str) -> str:
        return "" if _is_default(category) else f"C{category}:"

    def category_of(self, entity_id: str) -> int | None:
        """The pipeline of a stage directory, or None for a directory of something else."""
        if entity_id == "DEAL_STAGE":
            return 0
        found = re.fullmatch(r"DEAL_STAGE_(\d+)", entity_id)
        return int(found[1]) if found else None

    def max_code_length(self, category: int | str) -> int:
        return STATUS_ID_LIMIT - len(self.status_prefix(category))


@dataclass(frozen=True)
class LeadStatuses:
    """Lead statuses: one directory, ``STATUS``, plain codes; the docs allow 21 characters (§6)."""

    def entity_id(self, category: int | str = 0) -> str:
        return "STATUS"

    def status_prefix(self, category: int | str = 0) -> str:
        return ""

    def category_of(self, entity_id: str) -> int | None:
        return 0 if entity_id == "STATUS" else None

    def max_code_length(self, category: int | str = 0) -> int:
        return 21


@dataclass(frozen=True)
class DynamicStages:
    """A smart process's pipelines: ``DYNAMIC_<type>_STAGE_<id>``, codes ``DT<type>_<id>:`` in every
    pipeline, the default one included (§6; the SPA tutorial's ``DT177_87:NEW``)."""

    entity_type_id: int

    def entity_id(self, category: int | str) -> str:
        return f"DYNAMIC_{self.entity_type_id}_STAGE_{category}"

    def status_prefix(self, category: int | str) -> str:
        return f"DT{self.entity_type_id}_{category}:"

    def category_of(self, entity_id: str) -> int | None:
        found = re.fullmatch(rf"DYNAMIC_{self.entity_type_id}_STAGE_(\d+)", entity_id)
        return int(found[1]) if found else None

    def max_code_length(self, category: int | str) -> int:
        return OTHER_STATUS_ID_LIMIT - len(self.status_prefix(category))  # UNVERIFIED, see above


StageScheme = DealStages | LeadStatuses | DynamicStages


def dynamic_directory(entity_id: str) -> tuple[int, int] | None:
    """(entityTypeId, category id) of a smart-process stage directory ``DYNAMIC_<type>_STAGE_<id>``."""
    found = re.fullmatch(r"DYNAMIC_(\d+)_STAGE_(\d+)", entity_id)
    return (int(found[1]), int(found[2])) if found else None


def stage_code(status_id: str) -> str:
    """The natural code of a stage: its STATUS_ID without the ``C<id>:`` / ``DT<type>_<id>:`` prefix."""
    return status_id.split(":", 1)[1] if ":" in status_id else status_id


DEAL_STAGES = DealStages()

__all__ = [
    "DEAL_STAGES",
    "OTHER_STATUS_ID_LIMIT",
    "STATUS_ID_LIMIT",
    "DealStages",
    "DynamicStages",
    "LeadStatuses",
    "StageScheme",
    "dynamic_directory",
    "stage_code",
]
