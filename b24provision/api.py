"""Plain functions behind the commands: what the CLI and tests call (like alembic/command.py).

Each one takes paths and a portal spec, opens what it needs, and returns a result object; the CLI
renders it. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from b24provision.apply import ApplyResult, Progress, apply_plan, read_for_plan, stages_to_count
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.doctor.facts import facts_warnings
from b24provision.plan.diff import diff
from b24provision.plan.ops import Plan, UpdateAppRobotOp
from b24provision.plan.order import order
from b24provision.portal.client import PortalClient
from b24provision.portal.connect import open_portal
from b24provision.portal.read import count_deals, read_portal
from b24provision.state import LiveState
from b24provision.tariff_detect import (
    Declaration,
    PortalTariff,
    declaration_for,
    detect_tariff,
    needs_for,
    plan_warnings,
    refuse_unfit,
    tariff_findings,
)


@dataclass
class PlanResult:
    """A plan and what it was made from."""

    plan: Plan
    blueprint: Blueprint
    live: LiveState
    requests: int
    """HTTP requests it took to make the plan."""
    tariff: PortalTariff | None = None
    """The portal's plan as detected (its findings are among the plan's warnings)."""


@dataclass
class ApplyOutcome:
    """What apply did, and whether the portal now matches the blueprint."""

    applied: ApplyResult
    remaining: Plan | None
    """The plan after apply: no changes when the portal matches (None when not checked)."""
    requests: int


def plan_against(
    client: PortalClient, blueprint: Blueprint, *, lang: str = "en", declaration: Declaration | None = None
) -> PlanResult:
    """Read the portal and diff ``blueprint`` against it (one request, two when deletes need deal counts).

    What the portal's plan cannot (or may not) hold is added to the plan's warnings; ``declaration``
    is the profile's declared tariff and limits, which win over detection.
    """
    start = client.request_count
    live = read_portal(client)
    plan = diff(blueprint, live, lang=lang)
    counted = stages_to_count(plan)
    if counted:
        live = count_deals(client, live, counted)
        plan = diff(blueprint, live, lang=lang)
    tariff = detect_tariff(live, declaration)
    warnings = plan_warnings(tariff_findings(needs_for(plan, live, blueprint), tariff), tariff)
    warnings += facts_warnings(blueprint, live)  # what `doctor --probe` learnt about this portal
    if warnings:
        plan = plan.model_copy(update={"warnings": (*plan.warnings, *warnings)})
    requests = client.request_count - start
    return PlanResult(plan=plan, blueprint=blueprint, live=live, requests=requests, tariff=tariff)


def make_plan(
    paths: Sequence[Path],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    lang: str = "en",
    reregister_app_robots: bool = False,
) -> PlanResult:
    """Load the blueprint at ``paths`` and plan it against ``portal``. Never writes.

    ``reregister_app_robots`` adds a re-registration of every declared application robot type the
    portal already has (see :func:`with_app_robots_reregistered`).
    """
    blueprint = load_blueprint(paths, variables=dict(variables or {}), values_files=values_files)
    declaration = declaration_for(portal, portals_file)
    with open_portal(portal, portals_file=portals_file) as client:
        result = plan_against(client, blueprint, lang=lang, declaration=declaration)
    if reregister_app_robots:
        result.plan = with_app_robots_reregistered(result.plan, blueprint)
    return result


def with_app_robots_reregistered(plan: Plan, blueprint: Blueprint) -> Plan:
    """``plan`` plus an UpdateAppRobotOp (bizproc.robot.update) for every declared application robot
    type the portal already has.

    bizproc.robot.list returns codes only (reference §8.2), so a changed handler or property cannot
    be seen; sending every declared type's settings again is idempotent and makes the portal match.
    Under a webhook the plan holds NeedsAppContextOps instead, and nothing is added.
    """
    existing = {ref.key for ref in plan.unchanged if ref.kind == "app_robot"}
    extra = [
        UpdateAppRobotOp(robot=robot, source=str(blueprint.locate("app_robots", i) or ""))
        for i, robot in enumerate(blueprint.app_robots)
        if robot.code in existing
    ]
    if not extra:
        return plan
    unchanged = tuple(ref for ref in plan.unchanged if not (ref.kind == "app_robot" and ref.key in existing))
    return plan.model_copy(update={"ops": order([*plan.ops, *extra]), "unchanged": unchanged})


def apply(
    result: PlanResult | Plan,
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    allow_delete: bool = False,
    ignore_tariff: bool = False,
    progress: Progress | None = None,
    verify_against: Blueprint | None = None,
) -> ApplyOutcome:
    """Apply a plan: the one just made (``PlanResult``) or a saved one (``Plan``).

    The portal is read again first and the plan refused if it changed since it was made. After the
    writes the portal is read once more and the blueprint planned again (a PlanResult's own, or
    ``verify_against`` for a saved plan); the outcome's ``remaining`` plan says whether the portal
    now matches it.

    Raises:
        TariffLimitError: before any write, when the portal's plan cannot hold what is applied and
            ``ignore_tariff`` is not set.
    """
    plan = result.plan if isinstance(result, PlanResult) else result
    declaration = declaration_for(portal, portals_file)
    with open_portal(portal, portals_file=portals_file) as client:
        start = client.request_count
        live = read_for_plan(client, plan)
        if not ignore_tariff:
            check_portal_tariff(result, live, declaration)
        applied = apply_plan(plan, client, allow_delete=allow_delete, live=live, progress=progress)
        blueprint = result.blueprint if isinstance(result, PlanResult) else verify_against
        remaining = plan_against(client, blueprint).plan if blueprint is not None else None
        return ApplyOutcome(applied=applied, remaining=remaining, requests=client.request_count - start)


def check_portal_tariff(
    result: PlanResult | Plan, live: LiveState, declaration: Declaration | None = None
) -> PortalTariff:
    """Refuse what the portal's plan cannot hold (raises TariffLimitError); returns the detected plan."""
    plan = result.plan if isinstance(result, PlanResult) else result
    blueprint = result.blueprint if isinstance(result, PlanResult) else None
    tariff = detect_tariff(live, declaration)
    n = needs_for(plan, live, blueprint)
    refuse_unfit(tariff_findings(n, tariff), tariff, n)
    return tariff
