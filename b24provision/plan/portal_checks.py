"""What a plan learns only against a real portal, beyond its diff: one place for plan_against.

* stage codes the target pipeline cannot hold are refused (``stage_codes``, with the limit
  ``doctor --probe`` measured where it did; apply checks again);
* a user who may lack CRM settings rights is warned about (``portal.permissions``);
* the blueprint's warnings whose outcome depends on the portal (``check.portal_risks``: a success
  stage not named WON) are repeated next to the portal's answers.

Pure: no I/O.
"""

from __future__ import annotations

from b24provision.blueprint.check import portal_risks
from b24provision.blueprint.model import Blueprint
from b24provision.doctor.facts import PortalFacts
from b24provision.plan.ops import Plan
from b24provision.plan.stage_codes import refuse_long_stage_codes
from b24provision.portal.permissions import settings_rights_warnings
from b24provision.state.live import LiveState


def checked_against_portal(
    plan: Plan, live: LiveState, blueprint: Blueprint, facts: PortalFacts | None = None
) -> Plan:
    """``plan`` with the portal-dependent warnings added. ``facts``: what ``doctor --probe``
    measured on this portal (its stage-code limit replaces the core's rule).

    Raises:
        PlanError: a stage code the target pipeline cannot hold.
    """
    measured = facts is not None and facts.stage_id_budget is not None
    refuse_long_stage_codes(
        plan,
        live,
        budget=facts.stage_id_budget if facts is not None else None,
        measured=facts.probed_at if facts is not None and measured else "",
    )
    extra = settings_rights_warnings(plan, live) + portal_risks(blueprint)
    return plan.model_copy(update={"warnings": (*plan.warnings, *extra)}) if extra else plan
