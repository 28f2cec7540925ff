"""Which plan a live portal is on, what it can hold, and refusing what it cannot.

A portal's plan is learnt from three sources, and every verdict says which one decided:

1. the profile's declaration in portals.yaml (``tariff: crm_plus``, ``limits: {pipelines: 10}``) —
   it wins, because app.info LICENSE cannot tell apart plans that kept their public name (CRM+,
   Team, Company; reference §9.1), and no REST method reports the plan's limits;
2. app.info ``LICENSE`` (``ru_pro100``), read in the portal reader's one batch;
3. ``method.get`` probes of feature-gated methods, in the same batch: bizproc.robot.* exists only
   with an automation feature, bizproc.workflow.* only with business processes (reference §8.1,
   §9.2). What the portal itself proves overrides the tariff table's facts for that plan.

Nothing here sends a request: ``detect_tariff`` works on a ``LiveState`` (``state/rest.py`` put
LICENSE and the probes there). ``validate``, ``plan`` and ``tariff`` show the findings; ``apply``
refuses, before any write, a blueprint the portal's plan cannot hold (``refuse_unfit``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from b24provision.blueprint.model import Blueprint
from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.errors import ConfigError, Problem, TariffLimitError
from b24provision.plan.ops import (
    CreateAppRobotOp,
    CreateFieldOp,
    CreatePipelineOp,
    CreateSmartProcessOp,
    CreateTriggerOp,
    DeleteFieldOp,
    DeletePipelineOp,
    ManualRobotOp,
    NeedsAppContextOp,
    Plan,
    UpdateAppRobotOp,
    UpdateSmartProcessOp,
    UpdateTriggerOp,
)
from b24provision.state.live import LiveState
from b24provision.tariff import (
    Fact,
    Needs,
    PortalEvidence,
    TariffFinding,
    TariffPlan,
    check_tariff,
    find_plan,
    known_plan_codes,
    minimal_plan,
    needs,
    portal_tariff,
    source_text,
)

# Profile limit names -> the tariff table's fact keys.
_LIMIT_FACTS = {
    "pipelines": "max_pipelines",
    "custom_fields": "max_custom_fields",
    # crm_smart_processes_limit (source core-smart-processes): no REST method reports it either.
    "smart_processes": "max_smart_processes",
}
# How each need is named in a refusal ("robots need ...").
_NEED_WORDS = {
    "rest": "the REST API",
    "robots": "robots",
    "business_processes": "business processes",
    "app_robots_triggers": "application robot types and triggers",
    "smart_processes": "smart processes",
}
# Needs that are counts: how a refusal names them.
_COUNTED = {
    "pipelines": "deal pipelines",
    "custom_fields": "custom deal fields",
    "smart_process_count": "smart processes",
}
_FACT_WORDS = {
    "robots": "robots (automation rules)",
    "business_processes": "business processes (Workflow designer)",
    "app_robots_triggers": "application robot types and triggers",
}


@dataclass(frozen=True)
class Declaration:
    """What a portals.yaml profile declares about its portal's plan."""

    tariff: str | None
    limits: Mapping[str, int] = field(default_factory=dict)
    """``pipelines`` / ``custom_fields`` / ``smart_processes``: the most the plan allows."""
    source: str = ""
    """Where it is written, ``portals.yaml:2:1``."""


def declaration_for(portal: str, portals_file: Path | None = None) -> Declaration | None:
    """The declaration of the profile ``portal`` names; None for local, local:FILE and env:VAR.

    Raises:
        ConfigError: the profile's ``tariff:`` names no known plan.
    """
    spec = portal.strip()
    if spec == "local" or spec.startswith(("local:", "env:")):
        return None
    from b24provision.portal.profiles import find_profile  # noqa: PLC0415 - only for profile specs

    profile = find_profile(spec, portals_file)
    if profile.tariff is not None and find_plan(profile.tariff) is None:
        raise ConfigError(
            f"{profile.source}: profile '{profile.name}': unknown tariff {profile.tariff!r} — use one of "
            f"{', '.join(known_plan_codes())}"
        )
    if profile.tariff is None and not profile.limits:
        return None
    return Declaration(profile.tariff, dict(profile.limits), profile.source)


@dataclass(frozen=True)
class PortalTariff:
    """The plan a live portal is on, with what the portal itself proved, and which source said so."""

    plan: TariffPlan | None
    """The plan with its facts overridden by probes and declared limits; None when nothing says."""
    decided_by: str
    """Which source named the plan, e.g. "the profile's declaration (portals.yaml:2:1)"."""
    license: str | None = None
    methods: Mapping[str, bool] = field(default_factory=dict)
    declaration: Declaration | None = None

    def title(self) -> str:
        """ "Professional (from app.info LICENSE ru_pro100)"."""
        name = self.plan.title() if self.plan else "unknown plan"
        return f"{name} (from {self.decided_by})"

    def describe(self) -> list[str]:
        """One line per source, e.g. "robots: available (method.get bizproc.robot.add: exists)"."""
        lines = [f"plan: {self.title()}"]
        if self.declaration is not None and self.declaration.tariff and self.license:
            lines.append(f"app.info LICENSE: {self.license} (the declaration wins)")
        if self.plan is not None:
            for key, words in _FACT_WORDS.items():
                fact = self.plan.fact(key)
                if fact.certainty == "verified" and any(s.startswith("method.get ") for s in fact.source):
                    state = "available" if fact.value else "not available"
                    lines.append(f"{words}: {state} ({'; '.join(fact.source)})")
        if self.declaration is not None:
            for name, limit in self.declaration.limits.items():
                lines.append(f"{name.replace('_', ' ')}: at most {limit} (the profile's declaration)")
        return lines


def detect_tariff(live: LiveState, declaration: Declaration | None = None) -> PortalTariff:
    """The portal's plan from what ``read_portal`` collected and the profile's declaration."""
    declared = declaration.tariff if declaration else None
    where = f" ({declaration.source})" if declaration and declaration.source else ""
    limits = {_LIMIT_FACTS[k]: v for k, v in (declaration.limits if declaration else {}).items()}
    evidence = PortalEvidence(
        license=live.license,
        methods=dict(live.methods or {}),
        declared=declared,
        limits=limits,
        limits_source=f"the profile's declaration{where}",
    )
    plan = portal_tariff(evidence)
    if plan is not None:
        # The portal was just read over REST, so whatever the table says of its plan, REST works here.
        answered = Fact(value=True, certainty="verified", source=("the portal answered over REST",))
        plan = plan.model_copy(update={"facts": {**plan.facts, "rest": answered}})
    if declared:
        decided_by = f"the profile's declaration{where}"
    elif live.license and find_plan(live.license) is not None:
        decided_by = f"app.info LICENSE {live.license}"
    elif live.license:
        decided_by = f"app.info LICENSE {live.license} (a name the tariff table does not know) and method.get"
    else:
        decided_by = "method.get probes; app.info LICENSE could not be read"
    return PortalTariff(plan, decided_by, live.license, evidence.methods, declaration)


# ------------------------------------------------------------------------------------ needs


def needs_for(plan: Plan, live: LiveState, blueprint: Blueprint | None = None) -> Needs:
    """What applying ``plan`` asks of the portal's plan.

    Counts are what the portal will hold after the apply (pipelines and fields it already has, the
    unmanaged ones included, plus creates minus deletes), and only when the plan adds some: a plan
    that adds none asks for no more room than the portal already has. A saved plan (no blueprint)
    is read from its ops: robots from the manual steps, application robots and triggers from theirs.
    """
    if blueprint is not None:
        base = needs(blueprint)
    else:
        robots = [op.robot for op in plan.ops if isinstance(op, ManualRobotOp) and op.entity == "deal"]
        app_ops = (CreateAppRobotOp, UpdateAppRobotOp, CreateTriggerOp, UpdateTriggerOp, NeedsAppContextOp)
        ops = plan.ops
        base = Needs(
            rest=bool(plan.ops),
            robots=bool(robots),
            robot_kinds=tuple(sorted({r.type for r in robots})),
            robot_count=len(robots),
            app_robots_triggers=any(isinstance(op, app_ops) for op in plan.ops),
            lead_robots=sum(isinstance(op, ManualRobotOp) and op.entity == "lead" for op in plan.ops),
            smart_processes=sum(isinstance(op, CreateSmartProcessOp | UpdateSmartProcessOp) for op in ops),
        )
    deal_ops = [op for op in plan.ops if not is_smart_entity(op.entity)]  # a smart process's: tariff/smart.py
    new_pipelines = sum(isinstance(op, CreatePipelineOp) for op in deal_ops)
    gone_pipelines = sum(isinstance(op, DeletePipelineOp) for op in deal_ops)
    # The limit counts each CRM type's fields on its own (tariff/allows.py): these are the deal's.
    new_fields = sum(isinstance(op, CreateFieldOp) and op.entity == "deal" for op in plan.ops)
    gone_fields = sum(isinstance(op, DeleteFieldOp) and op.entity == "deal" for op in plan.ops)
    have_fields = len(live.field_ids) + len(live.unsupported_fields)
    # Every smart process counts against the limit, unmanaged ones too; only a new one is refused.
    new_types = sum(isinstance(op, CreateSmartProcessOp) for op in plan.ops)
    return dataclasses.replace(
        base,
        pipelines=len(live.pipeline_ids) + new_pipelines - gone_pipelines if new_pipelines else 0,
        custom_fields=have_fields + new_fields - gone_fields if new_fields else 0,
        smart_process_count=len(live.smart_processes) + new_types if new_types else 0,
    )


def tariff_findings(n: Needs, tariff: PortalTariff) -> list[TariffFinding]:
    """The needs the portal's plan does not (or may not) meet; empty when its plan is unknown."""
    return check_tariff(n, tariff.plan) if tariff.plan is not None else []


def plan_warnings(findings: Sequence[TariffFinding], tariff: PortalTariff) -> list[str]:
    """Findings as plan warnings (unknown limits, which say nothing new, are left out).

    A warning names its sources by their keys: the citations themselves run to a paragraph each, and
    ``b24provision tariff`` (its JSON, or data/tariffs.yaml) gives them in full."""
    return [
        f"tariff: {f.message} [plan {tariff.title()}{_sources_named(f)}]"
        for f in findings
        if f.severity in ("error", "warning")
    ]


def _sources_named(finding: TariffFinding) -> str:
    """The sources the message does not name yet, and where their citations are."""
    keys = finding.source_keys
    unnamed = [k for k in keys if k not in finding.message]
    named = f"; sources: {', '.join(unnamed)}" if unnamed else ""
    cited = any(source_text(k) != k for k in keys)  # a key of the table, not evidence in words
    return named + ("; `b24provision tariff --format json` cites the sources" if cited else "")


def refuse_unfit(findings: Sequence[TariffFinding], tariff: PortalTariff, n: Needs) -> None:
    """Raise when a confirmed fact says the portal's plan cannot hold the blueprint.

    Raises:
        TariffLimitError: one line naming each unmet need, the plan it needs, this portal's plan and
            the source that decided, and the way out (``--ignore-tariff``).
    """
    unmet = [f for f in findings if f.severity == "error"]
    if not unmet:
        return
    reasons = "; ".join(_reason(f, n) for f in unmet)
    raise TariffLimitError(
        f"{reasons}; this portal is on {tariff.title()} — move it to such a plan, or re-run with "
        "--ignore-tariff to apply the rest (what the plan lacks stays undone)"
    )


def _reason(finding: TariffFinding, n: Needs) -> str:
    if finding.need in _COUNTED:
        words, count = _COUNTED[finding.need], getattr(n, finding.need)
        return (
            f"{count} {words} (after this apply) need a plan that allows {count}; "
            f"it allows {finding.plan_has.split(' (')[0]} ({finding.source})"
        )
    only = Needs(
        rest=True,
        robots=finding.need == "robots",
        business_processes=finding.need == "business_processes",
        app_robots_triggers=finding.need == "app_robots_triggers",
        smart_processes=int(finding.need == "smart_processes"),
    )
    current, legacy = minimal_plan(only), minimal_plan(only, "legacy")
    what = _NEED_WORDS.get(finding.need, finding.need)
    if finding.need == "robots":
        what = f"robots ({n.robot_count} on stages)"
    plans = f"{current.title()} or higher ({legacy.title()} among the old plans)"
    return f"{what} need {plans} [{finding.source}]"


# ------------------------------------------------------------------------------- validate


def blueprint_tariff_problems(bp: Blueprint) -> list[Problem]:
    """``validate``'s tariff findings for a blueprint that declares ``tariff:`` (no portal needed).

    An unknown code is an error at the value; an unmet need is a warning there (validate warns:
    the portal's real plan is only known to ``plan`` and ``apply``).
    """
    if not bp.tariff:
        return []
    where = bp.locate("tariff")
    path, line, col = (where.path, where.line, where.col) if where else ("<blueprint>", 0, 0)
    plan = find_plan(bp.tariff)
    if plan is None:
        return [
            Problem(
                path, line, col,
                f"tariff: unknown plan {bp.tariff!r} — use one of {', '.join(known_plan_codes())}",
                "error", "tariff/unknown",
            )
        ]  # fmt: skip
    return [
        Problem(path, line, col, f"tariff: {f.message}", "warning", f"tariff/{f.need}")
        for f in check_tariff(bp, plan)
        if f.severity in ("error", "warning")
    ]


__all__ = [
    "Declaration",
    "PortalTariff",
    "blueprint_tariff_problems",
    "declaration_for",
    "detect_tariff",
    "needs_for",
    "plan_warnings",
    "refuse_unfit",
    "tariff_findings",
]
