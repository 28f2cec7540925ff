"""What apply refuses, judged first on the plan and then on facts re-taken from the live portal.

What needs an application context is refused; a delete or replace that loses data (deals holding a
value, using an item) needs ``allow_delete``; a stage or pipeline that holds deals (or a smart
process's items) is refused even then; one that destroys nothing is an ordinary change. No safety
decision trusts a file: the facts of a saved plan are taken again from the portal
(``plan/safety.py`` computes them; it stays under ``plan/`` because the diff uses it too), and a
plan whose facts differ from the portal's was edited and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from b24provision.apply.smart import with_smart_processes_of_plan
from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.errors import DestructiveChangeError, PlanError
from b24provision.plan.ops import Plan, data_lost, deals_losing_data
from b24provision.plan.safety import live_safety, what_to_count
from b24provision.plan.safety_smart import plan_titles
from b24provision.portal.client import PortalClient
from b24provision.state.counts import count_losses
from b24provision.state.live import LiveState
from b24provision.state.rest import read_portal
from b24provision.state.scope import DEAL_ONLY, ReadScope


def check_safety(plan: Plan, *, allow_delete: bool) -> None:
    """Refuse what apply must not do, judged on the facts the plan holds: what needs an application,
    deletes blocked by data (a stage or pipeline holding deals or a smart process's items), deletes
    losing data unless allowed.

    Apply calls it again on the facts re-taken from the live portal (:func:`check_against_live`);
    on a saved plan, this first call only refuses early what would be refused anyway."""
    needs_app = plan.needs_app_ops()
    if needs_app:
        _refuse_needs_app([f"{op.target} {op.code}" for op in needs_app])
    blocked = plan.blocked_by_data_ops()
    if blocked:
        what = "; ".join(f"{op.kind} {op.key} {data_lost(op)}" for op in blocked)
        if all(is_smart_entity(op.entity) for op in blocked):  # a smart process's stage or pipeline
            held = deals_losing_data(blocked[0])
            them = f"its {held} item{'' if held == 1 else 's'}" if len(blocked) == 1 else "those items"
            raise PlanError(
                f"refusing to delete what still holds items: {what} — move or delete {them} in the "
                "portal first, then plan again"
            )
        if any(op.entity != "deal" for op in blocked):  # a lead status holding leads
            raise PlanError(
                f"refusing to delete what still holds items: {what} — move them to another stage or "
                "status in the portal first, then plan again"
            )
        raise PlanError(
            f"refusing to delete what still holds deals: {what} — move those deals to another stage or "
            "pipeline in the portal first, then plan again"
        )
    losing = plan.allow_delete_ops()
    if losing and not allow_delete:
        what = "; ".join(f"{op.action} {op.kind} {op.key} ({data_lost(op)})" for op in losing)
        raise DestructiveChangeError(
            f"the plan loses data: {what} — review it, then re-run apply with --allow-delete"
        )


def _refuse_needs_app(what: Sequence[str]) -> None:
    raise PlanError(
        f"{', '.join(what)}: application robot types and triggers can only be managed with an OAuth "
        "application's credentials (bizproc.robot.* and crm.automation.trigger.* refuse webhooks) — "
        "use a portal profile with application credentials, or take them out of the blueprint"
    )


def check_against_live(plan: Plan, live: LiveState, *, allow_delete: bool) -> Plan:
    """``plan`` with every safety fact re-taken from ``live`` (counted), after refusing what apply must
    not do given those facts. Nothing the plan itself says about safety is trusted: a plan whose
    facts differ from the portal's was edited (the fingerprint already matched) and is refused."""
    facts = live_safety(plan, live)
    if facts.edited:
        raise PlanError(
            f"the plan does not match what the portal holds: {'; '.join(facts.edited)} — the plan file "
            "was edited or damaged; make a new one with `b24provision plan --out FILE` and review it"
        )
    if facts.needs_app:
        _refuse_needs_app(facts.needs_app)
    check_safety(facts.plan, allow_delete=allow_delete)
    return facts.plan


def with_counts(client: PortalClient, live: LiveState, plan: Plan) -> LiveState:
    """``live`` with what the deletes of ``plan`` would destroy (one more request, only for deletes;
    a smart process's in the same one, its types read first when ``live`` lacks them)."""
    if _deletes_in_smart_processes(plan):
        live = with_smart_processes_of_plan(client, live, plan)
    query = what_to_count(plan.ops, live, plan_titles(plan))
    return count_losses(client, live, query) if query else live


def _deletes_in_smart_processes(plan: Plan) -> bool:
    """Whether the plan deletes a smart process or something in one (what it destroys is counted)."""
    return any(is_smart_entity(op.entity) and op.action in ("delete", "replace", "update") for op in plan.ops)


def read_for_plan(client: PortalClient, plan: Plan | None = None) -> LiveState:
    """The portal as a plan sees it, with what the deletes of ``plan`` would destroy counted."""
    live = read_portal(client, ReadScope.of_plan(plan) if plan is not None else DEAL_ONLY)
    return with_counts(client, live, plan) if plan is not None else live
