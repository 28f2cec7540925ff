"""The read-only checks of ``b24provision doctor``: can this portal take an apply of this blueprint?

Two batch requests: one asks the portal who it is and who we are (``server.time``, ``scope``,
``profile``, ``user.current``, ``method.get`` of the methods apply calls and of feature-gated ones),
the other is the plan's own read. Each check ends ok, warning or problem, with a next step; a
problem is something that would make an apply fail or refuse.

What REST does not say is said to be unknown, not guessed: whether a user who is not an
administrator may change CRM settings (reference §13.9: that takes CRM ``CONFIG WRITE``, and no
read-only method reports it — ``profile.ADMIN`` does, for administrators, who have every CRM
right), and the rate class (the docs give 2/s for every plan but Enterprise, 5/s; the portal does
not report its own).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from b24provision.blueprint.model import Blueprint
from b24provision.entities.types import DEAL, PipelineApi
from b24provision.keys import TOOL_PREFIX
from b24provision.plan.ops import CreatePipelineOp, Plan
from b24provision.plan.order import level_of
from b24provision.plan.safety import what_to_count
from b24provision.plan.safety_smart import plan_titles
from b24provision.portal.client import BATCH_LIMIT, Command, PortalClient
from b24provision.state.live import LiveState
from b24provision.state.rest import FULL_RECORDS
from b24provision.tariff import PROBED_METHODS
from b24provision.tariff.fit import PortalTariff, needs_for, tariff_findings

__all__ = ["Check", "Hello", "apply_budget", "hello", "hello_checks", "portal_checks"]

Status = Literal["ok", "warning", "problem"]

# The methods apply calls: method.get says whether they exist and may be called with these scopes.
_PIPELINES = PipelineApi(DEAL.type_id)
WRITE_METHODS = (_PIPELINES.method("add"), "crm.status.add", DEAL.userfields.method("add"))
DEFAULT_STAGES = 8
"""Stages a new pipeline gets (reference §13.11)."""
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


@dataclass
class Hello:
    """The answers of the first batch."""

    server_time: str | None = None
    scopes: tuple[str, ...] | None = None
    admin: bool | None = None
    user_name: str | None = None
    methods: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    """method -> (isExisting, isAvailable)."""
    leftovers: list[str] = field(default_factory=list)
    """Pipelines and fields named B24P_PROBE_*: what an interrupted probe left."""


def hello(client: PortalClient) -> Hello:
    """Who the portal is and who we are, in one batch request (raises PortalError if it fails)."""
    names = (*WRITE_METHODS, *PROBED_METHODS)
    commands = [
        Command("time", "server.time", {}),
        Command("scope", "scope", {}),
        Command("profile", "profile", {}),
        Command("user", "user.current", {}),
        Command("pipelines", _PIPELINES.method("list"), _PIPELINES.params),
        Command("fields", DEAL.userfields.method("list"), {}),
        *(Command(f"m{n}", "method.get", {"name": name}) for n, name in enumerate(names)),
    ]
    reply = client.batch(commands)
    results = reply.results
    profile = results.get("profile") if isinstance(results.get("profile"), Mapping) else {}
    user = results.get("user") if isinstance(results.get("user"), Mapping) else None
    scopes = results.get("scope")
    methods = {}
    for n, name in enumerate(names):
        answer = results.get(f"m{n}")
        if isinstance(answer, Mapping) and "isExisting" in answer:
            methods[name] = (bool(answer.get("isExisting")), bool(answer.get("isAvailable")))
    admin = profile.get("ADMIN") if profile else None
    raw_pipelines = results.get("pipelines")
    pipelines: Mapping[str, Any] = raw_pipelines if isinstance(raw_pipelines, Mapping) else {}
    leftovers = [
        str(p.get("name"))
        for p in pipelines.get("categories") or []
        if isinstance(p, Mapping) and str(p.get("name", "")).startswith(PROBE_PREFIX)
    ]
    raw_fields = results.get("fields")
    fields: list[Any] = raw_fields if isinstance(raw_fields, list) else []
    leftovers += [
        str(f.get("FIELD_NAME"))
        for f in fields
        if isinstance(f, Mapping) and str(f.get("FIELD_NAME", "")).startswith(DEAL.field_name(PROBE_PREFIX))
    ]
    return Hello(
        server_time=str(results["time"]) if results.get("time") else None,
        scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else None,
        admin=_yes(admin) if admin is not None else None,
        user_name=" ".join(str(user.get(k) or "") for k in ("NAME", "LAST_NAME")).strip() if user else None,
        methods=methods,
        leftovers=leftovers,
    )


def hello_checks(h: Hello, host: str, blueprint: Blueprint | None) -> list[Check]:
    """Portal, credentials, scopes and rights, from the first batch."""
    checks = [
        Check(
            "portal",
            "ok",
            f"{host} answers as a Bitrix24 REST API (server time {h.server_time or 'unknown'})",
        ),
        Check("credentials", "ok", "accepted" + (f" (user: {h.user_name})" if h.user_name else "")),
    ]
    needed = {"crm": "pipelines, stages and fields"}
    if blueprint is not None and blueprint.app_robots:
        needed["bizproc"] = "application robot types (bizproc.robot.*)"
    if h.scopes is None:
        checks.append(
            Check(
                "scopes",
                "warning",
                "the portal did not answer `scope`: could not tell",
                "check the webhook's scopes",
            )
        )
    else:
        missing = [f"{s} ({why})" for s, why in needed.items() if s not in h.scopes]
        if missing:
            checks.append(
                Check(
                    "scopes",
                    "problem",
                    f"missing: {', '.join(missing)}; granted: {', '.join(h.scopes) or 'none'}",
                    "edit the webhook (Developer resources > Other) and tick the missing scopes",
                )
            )
        elif "user" not in h.scopes:
            checks.append(
                Check(
                    "scopes",
                    "warning",
                    f"{', '.join(sorted(needed))} granted; without `user`, responsible users show as ids",
                    "add the `user` scope for names",
                )
            )
        else:
            checks.append(Check("scopes", "ok", f"{', '.join(sorted({*needed, 'user'}))} granted"))
    unavailable = [m for m in WRITE_METHODS if m in h.methods and not h.methods[m][1]]
    if unavailable:
        checks.append(
            Check(
                "methods",
                "problem",
                f"method.get: {', '.join(unavailable)} cannot be called with these credentials",
                "give the webhook the crm scope",
            )
        )
    checks.append(_rights(h))
    if h.leftovers:
        checks.append(
            Check(
                "leftovers",
                "warning",
                f"objects an interrupted probe left: {', '.join(h.leftovers)}",
                "run `b24provision doctor --probe` again: it removes them first",
            )
        )
    return checks


def _rights(h: Hello) -> Check:
    # profile.ADMIN is CRestUtil::isAdmin() (rest_provider.php, profile), and CCrmPerms::HavePerm
    # grants an administrator every permission but "none" (crm/classes/general/crm_perms.php).
    if h.admin:
        return Check(
            "rights", "ok", "the user is an administrator (profile.ADMIN): every CRM right, settings included"
        )
    if h.admin is None:
        return Check(
            "rights",
            "warning",
            "profile did not say whether the user is an administrator: CRM settings rights unknown",
            "use an administrator's webhook, or run `doctor --probe` on staging (it tries a write)",
        )
    # Reference §13.9: changing fields, stages and pipelines needs CRM CONFIG WRITE; REST has no
    # read-only way to ask for it, so the honest answer for a non-administrator is "unknown".
    return Check(
        "rights",
        "warning",
        "the user is not an administrator; whether they may change CRM settings (CRM permission "
        "'settings: write') cannot be read over REST",
        "use an administrator's webhook, or run `doctor --probe` on a staging portal with the same user",
    )


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
    request for the labels past 30 fields, state/rest.py), the deal counts its deletes need, the
    re-read of pipeline names before creating pipelines, each phase's writes in batches of 50, and
    the verifying read (which releases the lock)."""
    if not plan.has_changes:
        return 0
    phases: dict[str, int] = {}
    for op in plan.ops:
        level = level_of(op)
        if level is None:
            continue
        phase = "A" if level <= 1 else "B" if level <= 4 else "C"
        phases[phase] = phases.get(phase, 0) + 1
        if isinstance(op, CreatePipelineOp):
            # A new pipeline comes with the portal's default stages, which its stage ops reconcile
            # (each deleted or updated): that many more commands in the stage phase.
            phases["B"] = phases.get("B", 0) + DEFAULT_STAGES
    read = 2 if len(live.field_ids) > FULL_RECORDS else 1
    counts = 1 if what_to_count(plan.ops, live, plan_titles(plan)) else 0  # a smart process's too
    writes = sum(math.ceil(n / BATCH_LIMIT) for n in phases.values())
    # Pipeline names are read again right before each batch that creates pipelines (apply.py).
    creates = any(isinstance(op, CreatePipelineOp) for op in plan.ops)
    rechecks = math.ceil(phases.get("A", 0) / BATCH_LIMIT) if creates else 0
    return read + counts + rechecks + writes + read


def worst(checks: Sequence[Check]) -> Status:
    if any(c.status == "problem" for c in checks):
        return "problem"
    if any(c.status == "warning" for c in checks):
        return "warning"
    return "ok"


def _yes(value: Any) -> bool:
    return value is True or str(value).upper() in ("Y", "TRUE", "1")
