"""The read-only checks of ``b24provision doctor``: can this portal take an apply of this blueprint?

Two batch requests: one asks the portal who it is and who we are (``server.time``, ``scope``,
``profile``, ``user.current``, ``method.get`` of the methods apply calls and of feature-gated ones;
:mod:`.hello` sends it and checks its answers), the other is the plan's own read, which the checks
here read. Each check ends ok, warning or problem, with a next step; a
problem is something that would make an apply fail or refuse.

What REST does not say is said to be unknown, not guessed: whether a user who is not an
administrator may change CRM settings (reference §13.9: that takes CRM ``CONFIG WRITE``, and no
read-only method reports it — ``profile.ADMIN`` does, for administrators, who have every CRM
right), and the rate class (the docs give 2/s for every plan but Enterprise, 5/s; the portal does
not report its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from b24provision.apply.batches import Rows, new_stage_pipelines, phase_batches, phase_of, pipeline_keys
from b24provision.apply.plan_requests import Request, Write, plan_requests, types_read
from b24provision.apply.smart import reads_smart_processes
from b24provision.blueprint.model import Blueprint
from b24provision.blueprint.model_types import Semantics
from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.doctor.facts import PortalFacts
from b24provision.entities.types import DEAL
from b24provision.keys import TOOL_PREFIX
from b24provision.plan.ops import CreateSmartProcessOp, DeleteSmartProcessOp, Plan
from b24provision.plan.safety import what_to_count
from b24provision.plan.safety_smart import plan_titles
from b24provision.portal.mapping import semantics_to_rest
from b24provision.portal.write import Ids
from b24provision.state.live import LiveState
from b24provision.state.rest import FULL_RECORDS
from b24provision.tariff.fit import PortalTariff, needs_for, tariff_findings

__all__ = [
    "PROBE_PREFIX",
    "Check",
    "apply_budget",
    "lock_check",
    "portal_checks",
    "smart_process_check",
    "worst",
]

Status = Literal["ok", "warning", "problem"]

PROBE_PREFIX = f"{TOOL_PREFIX}PROBE_"


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it came out, and what to do about it."""

    name: str
    status: Status
    message: str
    next_step: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "check": self.name,
            "status": self.status,
            "message": self.message,
            "next_step": self.next_step,
        }


def portal_checks(
    live: LiveState,
    tariff: PortalTariff,
    *,
    blueprint: Blueprint | None,
    plan: Plan | None,
    plan_requests: int | None,
    rate: str | None,
) -> list[Check]:
    """Plan, languages, features, rate, leftovers and the request budget, from the plan's read."""
    checks = [_tariff_check(live, tariff, blueprint, plan)]
    if len(live.languages) > 1 or live.blueprint.fields:
        checks.append(
            Check("languages", "ok", ", ".join(live.languages) + " (the label map of a deal field)")
        )
    else:
        checks.append(
            Check(
                "languages",
                "warning",
                "could not tell: the portal has no custom deal field whose labels name its languages",
                "run `doctor --probe` on staging (it makes a field and reads them)",
            )
        )
    methods = dict(tariff.methods)
    if methods:
        listed = "; ".join(
            f"{m}: {'exists' if ok else 'does not exist'}" for m, ok in sorted(methods.items())
        )
        checks.append(Check("features", "ok", f"method.get {listed}"))
    else:
        checks.append(Check("features", "warning", "method.get did not answer: features could not be told"))
    checks.append(_rate_check(live, rate))
    if plan is not None:
        apply_requests = apply_budget(plan, live)
        # Robots to set up by hand are ops of the plan but no writes: count what apply counts.
        writes = sum(1 for op in plan.ops if op.action != "manual")
        text = f"plan: {plan_requests} requests; apply: about {apply_requests}" + (
            f" ({writes} operations)" if writes else " (nothing to change)"
        )
        checks.append(Check("budget", "ok", text))
    return checks


def lock_check(live: LiveState, portal: str) -> list[Check]:
    """Another run's lock on the portal (portal/lock.py): an apply now would wait, then refuse."""
    if live.lock is None:
        return []
    return [
        Check(
            "lock",
            "problem",
            f"the portal is locked by {live.lock.describe()}: "
            "an apply waits for it (--lock-timeout), then refuses",
            f"wait for that run to finish; if it was killed: b24provision force-unlock --portal {portal}",
        )
    ]


def smart_process_check(blueprint: Blueprint | None, facts: PortalFacts | None) -> list[Check]:
    """A problem when ``doctor --probe`` saw crm.type.add refused for the plan and the blueprint has
    smart processes: the apply's crm.type.add would be refused the same way."""
    if blueprint is None or not blueprint.smart_processes or facts is None:
        return []
    if facts.smart_processes != "restricted":
        return []
    count = len(blueprint.smart_processes)
    return [
        Check(
            "smart processes",
            "problem",
            f"the blueprint has {count} smart process{'es' if count != 1 else ''}, and the probe of "
            f"{facts.probed_at or 'this portal'} saw crm.type.add refused for the portal's plan "
            "(CREATE_DYNAMIC_TYPE_RESTRICTED)",
            "move the portal to a plan with smart processes (check the plan's page: the tariff table's "
            "facts for them are unverified), or take smart_processes: out of the blueprint",
        )
    ]


def _tariff_check(
    live: LiveState, tariff: PortalTariff, blueprint: Blueprint | None, plan: Plan | None
) -> Check:
    if tariff.plan is None:
        return Check(
            "tariff",
            "warning",
            f"plan unknown ({tariff.decided_by})",
            "declare it in portals.yaml (`tariff:`) so the tariff checks can run",
        )
    if blueprint is None or plan is None:
        return Check("tariff", "ok", tariff.title())
    findings = tariff_findings(needs_for(plan, live, blueprint), tariff)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        return Check(
            "tariff",
            "problem",
            f"{tariff.title()}: " + "; ".join(f.message for f in errors),
            "move the portal to a plan that has it, or apply with --ignore-tariff",
        )
    doubts = [f for f in findings if f.severity == "warning"]
    if doubts:
        return Check("tariff", "warning", f"{tariff.title()}: " + "; ".join(f.message for f in doubts))
    return Check("tariff", "ok", f"{tariff.title()}: the blueprint fits")


def _rate_check(live: LiveState, rate: str | None) -> Check:
    if rate:
        return Check("rate", "ok", f"{rate} (the profile's declaration)")
    license_code = live.license or ""
    if "_ent" in license_code:
        return Check("rate", "ok", f"probably enterprise: 5 requests/s, burst 250 (LICENSE {license_code})")
    return Check(
        "rate",
        "ok",
        "probably standard: 2 requests/s, burst 50"
        + (f" (LICENSE {license_code}; only Enterprise plans get 5/s)" if license_code else "")
        + " — the portal does not report it",
    )


def apply_budget(plan: Plan, live: LiveState) -> int:
    """About how many requests applying ``plan`` takes: the read under the portal's lock (a second
    request for the labels past 30 fields, state/rest.py; the smart-process types when the plan
    covers any, apply/smart.py), the counts its deletes need, every request apply sends after its
    read as ``plan --explain`` lists them (apply/plan_requests.py: the batches, the pipeline names
    read again, the types read after their writes), and the verifying read (which releases the
    lock; the types again, as the apply leaves them)."""
    if not plan.has_changes:
        return 0
    read = 2 if len(live.field_ids) > FULL_RECORDS else 1
    counts = 1 if what_to_count(plan.ops, live, plan_titles(plan)) else 0  # a smart process's too
    before = after = 0
    if reads_smart_processes(plan):
        types = len(live.smart_processes)
        made = sum(1 for op in plan.ops if isinstance(op, CreateSmartProcessOp))
        gone = sum(1 for op in plan.ops if isinstance(op, DeleteSmartProcessOp))
        before, after = sum(types_read(types)), sum(types_read(types + made - gone))
    requests = plan_requests(plan, live)
    stages = _default_stage_batches(plan, live, requests)
    return read + before + counts + len(requests) + stages + read + after


def _default_stage_batches(plan: Plan, live: LiveState, requests: Sequence[Request]) -> int:
    """The stage-phase batches apply sends beyond those ``plan --explain`` shows for the deal's new
    pipelines: explain reconciles a pipeline not yet made against no stages, apply against the
    default stages the portal gives it (entities/types.py ``DEAL.default_stages``), deleting each
    one the blueprint does not keep."""
    ops = [op for op in plan.ops if not is_smart_entity(op.entity) and phase_of(op) == "B"]
    new = new_stage_pipelines(ops)
    if not new:
        return 0
    ids = Ids.of(live, pipeline_keys(plan))
    defaults: Rows = [
        {"STATUS_ID": code, "ID": n, "SEMANTICS": semantics_to_rest(cast(Semantics, meaning)), "SYSTEM": "N"}
        for n, (code, meaning) in enumerate(DEAL.default_stages.items(), start=1)
    ]
    for key in new:
        ids.pipelines[key] = 0  # made in phase A; any id builds the same number of commands
    sent = phase_batches("B", ops, ids, dict.fromkeys(new, defaults))
    shown = [r for r in requests if isinstance(r, Write) and not r.entity and r.batch.phase == "B"]
    return len(sent) - len(shown)


def worst(checks: Sequence[Check]) -> Status:
    if any(c.status == "problem" for c in checks):
        return "problem"
    if any(c.status == "warning" for c in checks):
        return "warning"
    return "ok"
