"""What ``doctor --probe`` asks the portal, and the shape of its answers (shared by the probes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["holds", "differs", "could not tell"]
Say = Callable[[str], None]


BLUEPRINT_STAGE_CODE = 18
"""The longest stage code a blueprint may hold (blueprint/model.py StageCode)."""
ASSUMPTIONS: dict[str, str] = {
    "enum_xml_id": "list items keep the XML_ID they are sent (§13.1)",
    "date_default": "a date field's default comes back as sent, 2025-01-31 (§13.3)",
    "labels": "languages a label does not name are left empty (§13.4)",
    "stage_code": f"a new pipeline accepts stage codes of {BLUEPRINT_STAGE_CODE} characters (§13.5)",
    "system_stage": "a pipeline's system stage is deleted with FORCED=Y (§6)",
    "success_code": "a success stage may have another code than WON (§13.7)",
    "smart_processes": "the portal's plan lets crm.type.add create a smart process (core DynamicTypesLimit)",
}


@dataclass(frozen=True)
class Answer:
    """One assumption and what the portal said about it."""

    key: str
    verdict: Verdict
    detail: str

    @property
    def assumption(self) -> str:
        return ASSUMPTIONS[self.key]

    def to_json(self) -> dict[str, str]:
        return {"assumption": self.assumption, "verdict": self.verdict, "detail": self.detail}


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


__all__ = ["ASSUMPTIONS", "BLUEPRINT_STAGE_CODE", "Answer", "Say", "Verdict", "as_map"]
