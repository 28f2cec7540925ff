"""Plain functions behind the commands: what the CLI and tests call (like alembic/command.py).

Each one takes paths and a portal spec, opens what it needs, and returns a result object; the CLI
renders it. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from b24provision.apply import ApplyResult, Progress, apply_plan, read_for_plan
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.plan.diff import diff
from b24provision.plan.ops import Plan
from b24provision.portal.client import PortalClient
from b24provision.portal.connect import open_portal
from b24provision.portal.read import count_deals, read_portal
from b24provision.state import LiveState


@dataclass
class PlanResult:
    """A plan and what it was made from."""

    plan: Plan
    blueprint: Blueprint
    live: LiveState
    requests: int
    """HTTP requests it took to make the plan."""


@dataclass
class ApplyOutcome:
    """What apply did, and whether the portal now matches the blueprint."""

    applied: ApplyResult
    remaining: Plan | None
    """The plan after apply: no changes when the portal matches (None when not checked)."""
    requests: int


def plan_against(client: PortalClient, blueprint: Blueprint, *, lang: str = "en") -> PlanResult:
    """Read the portal and diff ``blueprint`` against it (one request, two when deletes need deal counts)."""
    start = client.request_count
    live = read_portal(client)
    plan = diff(blueprint, live, lang=lang)
    from b24provision.apply import stages_to_count  # noqa: PLC0415 - same layer, avoids a cycle in docs

    counted = stages_to_count(plan)
    if counted:
        live = count_deals(client, live, counted)
        plan = diff(blueprint, live, lang=lang)
    return PlanResult(plan=plan, blueprint=blueprint, live=live, requests=client.request_count - start)


def make_plan(
    paths: Sequence[Path],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    lang: str = "en",
) -> PlanResult:
    """Load the blueprint at ``paths`` and plan it against ``portal``. Never writes."""
    blueprint = load_blueprint(paths, variables=dict(variables or {}), values_files=values_files)
    with open_portal(portal, portals_file=portals_file) as client:
        return plan_against(client, blueprint, lang=lang)


def apply(
    result: PlanResult | Plan,
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    allow_delete: bool = False,
    progress: Progress | None = None,
) -> ApplyOutcome:
    """Apply a plan: the one just made (``PlanResult``) or a saved one (``Plan``).

    The portal is read again first and the plan refused if it changed since it was made. After the
    writes the portal is read once more: for a PlanResult the blueprint is planned again, and the
    outcome's ``remaining`` plan says whether the portal now matches it.
    """
    plan = result.plan if isinstance(result, PlanResult) else result
    with open_portal(portal, portals_file=portals_file) as client:
        start = client.request_count
        live = read_for_plan(client, plan)
        applied = apply_plan(plan, client, allow_delete=allow_delete, live=live, progress=progress)
        remaining = None
        if isinstance(result, PlanResult):
            remaining = plan_against(client, result.blueprint).plan
        return ApplyOutcome(applied=applied, remaining=remaining, requests=client.request_count - start)
