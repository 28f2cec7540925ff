"""What ``doctor --probe`` learnt about one portal, kept for plan and apply.

The public sources leave several behaviours of a real portal open (reference §13): whether list
items keep their XML_ID, the format a date default comes back in, which languages a label is filled
into, how long a stage code may be in a new pipeline, whether a system stage can be deleted, whether
a success stage may have another code than WON. ``doctor --probe`` asks the portal itself and saves
the answers in ``.b24provision/portals/<host>.json`` — no secret, just the answers and when they
were given — and :func:`load_facts` gives them to whoever needs them as one typed value.

A facts file is a hint, never a safety decision: plans turn facts into warnings (and matching
choices); every refusal apply makes is still made from what the portal answers at that moment. A
file that cannot be read is ignored and said so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from b24provision.entities.stages import DealStages
from b24provision.state.live import LiveState

__all__ = ["FACTS_FORMAT", "PortalFacts", "facts_path", "facts_for", "load_facts", "save_facts"]

FACTS_FORMAT = 1
DEFAULT_STATE_DIR = Path(".b24provision")


@dataclass(frozen=True)
class PortalFacts:
    """A portal's answers to the open questions; None where the probe could not tell."""

    host: str
    probed_at: str
    enum_xml_id: Literal["kept", "dropped"] | None = None
    """List items' XML_ID after an add (§13.1); "dropped": match items by their text."""
    date_default: Literal["iso", "site"] | None = None
    """How a date default comes back (§13.3): as sent (2025-01-31), or in site format (31.01.2025)."""
    labels: Literal["as_sent", "fill"] | None = None
    """Languages a label map does not name (§13.4): left empty, or filled."""
    stage_id_budget: int | None = None
    """Characters a STATUS_ID may have with its ``C<id>:`` prefix (§13.5): a stage code in pipeline
    ``id`` may have ``stage_id_budget - len("C<id>:")`` (the default pipeline has no prefix)."""
    probe_pipeline_id: int | None = None
    """The id the probe's pipeline got: pipelines made later get higher ids (ids only grow)."""
    system_stage_forced_delete: bool | None = None
    """A SYSTEM stage of a pipeline is deleted with ``params[FORCED]=Y`` (§6)."""
    success_stage_any_code: bool | None = None
    """A success stage may have another code than WON (§13.7)."""
    smart_processes: Literal["allowed", "restricted"] | None = None
    """Whether crm.type.add made the probe's smart process, or answered CREATE_DYNAMIC_TYPE_RESTRICTED
    (the plan lacks smart processes, doctor/probe_smart.py); None: not probed (the portal had some)."""
    languages: tuple[str, ...] = ()
    """The portal's languages, from a probe field's label map."""
    answers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """The probe's report, assumption by assumption (verdict, detail), as printed."""

    def max_stage_code(self, pipeline_id: int) -> int | None:
        """The longest stage code pipeline ``pipeline_id`` accepts, if the probe measured it."""
        if self.stage_id_budget is None:
            return None
        return self.stage_id_budget - len(DealStages().status_prefix(pipeline_id))

    def smart_process_warning(self, creates: int) -> str | None:
        """The plan's warning when it creates ``creates`` smart processes on a portal whose probe saw
        crm.type.add refused for its plan (a hint: apply still goes by what the portal answers)."""
        if not creates or self.smart_processes != "restricted":
            return None
        return (
            f"doctor: the probe of {self.probed_at} saw crm.type.add refused for this portal's plan "
            f"(CREATE_DYNAMIC_TYPE_RESTRICTED): creating the {creates} smart process"
            f"{'es' if creates != 1 else ''} of this plan will fail — move the portal to a plan with "
            "smart processes, or run `b24provision doctor --probe` again if it changed"
        )

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["languages"] = list(self.languages)
        return {"format_version": FACTS_FORMAT, **doc}


def facts_path(host: str, state_dir: Path = DEFAULT_STATE_DIR) -> Path:
    """``.b24provision/portals/<host>.json`` (a port's colon becomes ``_``)."""
    safe = re.sub(r"[^A-Za-z0-9.\-]", "_", host) or "portal"
    return state_dir / "portals" / f"{safe}.json"


def save_facts(facts: PortalFacts, state_dir: Path = DEFAULT_STATE_DIR) -> Path:
    """Write the facts file (atomically: a half-written file is never read)."""
    path = facts_path(facts.host, state_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(facts.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def load_facts(host: str, state_dir: Path = DEFAULT_STATE_DIR) -> PortalFacts | None:
    """The facts saved for ``host``, or None when it was never probed.

    Raises:
        ValueError: the file exists but is not a facts file of this version (the caller says so).
    """
    path = facts_path(host, state_dir)
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not readable ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format_version") != FACTS_FORMAT:
        raise ValueError(f"{path}: not a facts file of format {FACTS_FORMAT}")
    return PortalFacts(
        host=str(doc.get("host") or host),
        probed_at=str(doc.get("probed_at") or ""),
        enum_xml_id=_choice(doc.get("enum_xml_id"), ("kept", "dropped")),  # type: ignore[arg-type]
        date_default=_choice(doc.get("date_default"), ("iso", "site")),  # type: ignore[arg-type]
        labels=_choice(doc.get("labels"), ("as_sent", "fill")),  # type: ignore[arg-type]
        stage_id_budget=_int(doc.get("stage_id_budget")),
        probe_pipeline_id=_int(doc.get("probe_pipeline_id")),
        system_stage_forced_delete=_bool(doc.get("system_stage_forced_delete")),
        success_stage_any_code=_bool(doc.get("success_stage_any_code")),
        smart_processes=_choice(doc.get("smart_processes"), ("allowed", "restricted")),  # type: ignore[arg-type]
        languages=tuple(str(x) for x in doc.get("languages") or () if isinstance(x, str)),
        answers={k: v for k, v in (doc.get("answers") or {}).items() if isinstance(v, dict)},
    )


def facts_for(live: LiveState, state_dir: Path = DEFAULT_STATE_DIR) -> tuple[PortalFacts | None, list[str]]:
    """What ``doctor --probe`` found on the portal ``live`` was read from (None when never probed),
    and a warning when its file could not be used."""
    try:
        return (load_facts(live.portal, state_dir) if live.portal else None), []
    except ValueError as exc:
        return None, [f"doctor: ignored {exc}; run `b24provision doctor --probe` again"]


def _choice(value: Any, allowed: tuple[str, ...]) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
