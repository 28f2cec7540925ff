"""The JSON documents of ``apply --format json`` and ``export --format json``, for CI tools.

Like the plan's and validate's JSON they carry ``"format_version": 1``; keys may be added, never
renamed or removed. Shapes::

    apply:  {"format_version", "portal", "plan": <the plan's JSON>, "applied": {"operations": ["create
             stage sales/NEW", ...], "requests", "recoveries"}, "verified": true | false | null,
             "remaining": <the plan's JSON of what still differs> | null}
    export: {"format_version", "portal", "requests", "file": "path" | null, "blueprint": "<YAML>",
             "pipelines": [keys], "fields": [codes], "unsupported_fields": [codes],
             "app_robot_codes": [codes]}

``verified`` is true when the portal, re-read after the writes, matches the blueprint (or nothing
needed doing), false when it still differs (``remaining`` says how), null when there was nothing to
compare with (a saved plan without its blueprint). The export's ``blueprint`` is the YAML text
itself, comments included: the blueprint is a file a person keeps, not a data structure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from b24provision.api import ApplyOutcome
from b24provision.export import ExportResult
from b24provision.plan.ops import Plan
from b24provision.plan.render_json import plan_to_json

FORMAT_VERSION = 1

__all__ = ["FORMAT_VERSION", "apply_to_json", "export_to_json"]


def apply_to_json(plan: Plan, outcome: ApplyOutcome | None) -> dict[str, Any]:
    """What apply did with ``plan``; ``outcome`` is None when there was nothing to do."""
    if outcome is None:
        applied: dict[str, Any] = {"operations": [], "requests": 0, "recoveries": 0}
        verified: bool | None = True
        remaining = None
    else:
        done = outcome.applied
        applied = {"operations": list(done.done), "requests": outcome.requests, "recoveries": done.recoveries}
        verified = None if outcome.remaining is None else not outcome.remaining.has_changes
        remaining = plan_to_json(outcome.remaining) if outcome.remaining is not None else None
    return {
        "format_version": FORMAT_VERSION,
        "portal": plan.portal,
        "plan": plan_to_json(plan),
        "applied": applied,
        "verified": verified,
        "remaining": remaining,
    }


def export_to_json(result: ExportResult, written: Path | None) -> dict[str, Any]:
    """An export: the blueprint's YAML text and what it holds; ``written`` is the file, if one was."""
    blueprint = result.live.blueprint
    return {
        "format_version": FORMAT_VERSION,
        "portal": result.live.portal,
        "requests": result.requests,
        "file": str(written) if written is not None else None,
        "blueprint": result.text,
        "pipelines": [p.key for p in blueprint.pipelines],
        "fields": [f.code for f in blueprint.fields],
        "unsupported_fields": sorted(u.code for u in result.live.unsupported_fields),
        "app_robot_codes": sorted(result.live.app_robot_codes or ()),
    }
