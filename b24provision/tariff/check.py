"""Whether a plan has what a blueprint needs, and the cheapest plan that does.

The check words its findings the way the table words its facts: a fact a source confirms is an
error when unmet; an unverified or unknown one is a warning that says "probably" and "check your
plan"; an unknown limit on a count is an info. Everything here is pure: ``check_tariff(needs,
plan)`` compares, ``minimal_plan(needs)`` picks the cheapest plan of a lineup that fits,
``tariff_report`` is what ``b24provision tariff`` shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from b24provision.blueprint.model import Blueprint
from b24provision.tariff.needs import Needs, needs
from b24provision.tariff.status import Status, feature_status, limit_status
from b24provision.tariff.table import (
    Certainty,
    Fact,
    Lineup,
    Severity,
    TariffPlan,
    source_kind,
    source_text,
    tariff_table,
)


@dataclass(frozen=True)
class TariffFinding:
    """One row of the comparison: a need, what the plan has, and the verdict."""

    need: str
    """The need's key: rest, robots, business_processes, app_robots_triggers, lead_robots,
    smart_process_robots, smart_processes, pipelines, custom_fields, smart_process_count."""
    needed: str
    plan_has: str
    severity: Severity
    message: str
    minimal_plan: str | None
    """The code of the cheapest plan of the same lineup that fits the whole blueprint."""
    source: str
    """The citation(s) of the plan's fact."""
    certainty: Certainty
    status: Status = "yes"
    """How sure it is that the plan meets the need (``status.py``): "probably_not" is a warning that
    says the plan most likely lacks it, "unknown" one that no source says."""
    source_keys: tuple[str, ...] = ()
    """The keys of those citations in data/tariffs.yaml's ``sources:`` (what a plan warning names)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "need": self.need,
            "needed": self.needed,
            "plan_has": self.plan_has,
            "severity": self.severity,
            "message": self.message,
            "minimal_plan": self.minimal_plan,
            "source": self.source,
            "certainty": self.certainty,
            "status": self.status,
        }


_FEATURES: dict[str, tuple[str, str]] = {
    # need key: (what is needed, in words; why)
    "rest": ("REST API (webhook or application)", "the tool reads and writes pipelines and fields over REST"),
    "robots": ("automation rules (robots) on deal stages", ""),
    "business_processes": ("business processes (Workflow designer)", ""),
    "lead_robots": ("automation rules (robots) on lead statuses", ""),
    "smart_process_robots": ("automation rules (robots) on smart-process stages", ""),
    "smart_processes": ("smart processes (crm.type)", ""),
    "app_robots_triggers": (
        "application robot types and triggers (bizproc.robot.*, crm.automation.trigger.*)",
        "",
    ),
}
# For counts: the count up to which no plan can fall short (every portal has its default pipeline).
_LIMITS: dict[str, tuple[str, int, str]] = {
    "pipelines": ("max_pipelines", 1, "deal pipelines"),
    "custom_fields": ("max_custom_fields", 0, "custom deal fields"),
    "smart_process_count": ("max_smart_processes", 0, "smart processes"),
}


def _needed_features(n: Needs) -> list[str]:
    wanted = {"rest": n.rest, "robots": n.robots, "business_processes": n.business_processes}
    wanted["app_robots_triggers"] = n.app_robots_triggers
    wanted["lead_robots"] = n.lead_robots > 0
    wanted["smart_process_robots"] = n.smart_process_robots > 0
    wanted["smart_processes"] = n.smart_processes > 0
    return [k for k, v in wanted.items() if v]


def _statuses(n: Needs, plan: TariffPlan) -> dict[str, Status]:
    out: dict[str, Status] = {k: feature_status(plan.fact(k)) for k in _needed_features(n)}
    for need, (key, floor, _) in _LIMITS.items():
        count = getattr(n, need)
        if count:
            out[need] = limit_status(plan.fact(key), count, floor)
    return out


def _fits(n: Needs, plan: TariffPlan) -> bool:
    """No need is known or probably unmet (unknowns cannot be decided, so they do not disqualify)."""
    return all(s not in ("no", "probably_not") for s in _statuses(n, plan).values())


def minimal_plan(needs_or_blueprint: Needs | Blueprint, lineup: Lineup = "current") -> TariffPlan:
    """The cheapest plan of ``lineup`` that fits; the top plan of the lineup when none does.

    Args:
        needs_or_blueprint: the needs, or a blueprint to compute them from.
        lineup: "current" (what Bitrix24 sells today) or "legacy" (CRM+, Команда, Компания).
    """
    n = needs_or_blueprint if isinstance(needs_or_blueprint, Needs) else needs(needs_or_blueprint)
    plans = tariff_table().lineup(lineup)
    if not plans:
        raise ValueError(f"no plans in lineup {lineup!r}")
    return next((p for p in plans if _fits(n, p)), plans[-1])


def _sources(fact: Fact) -> str:
    """The fact's source keys with their kind: "third party: web-truetech-lowcode; core source: ..."."""
    kinds: dict[str, list[str]] = {}
    for s in fact.source:
        kinds.setdefault(source_kind(s), []).append(s)
    return "; ".join(
        f"{kind}: {', '.join(keys)}" if kind != keys[0] else kind for kind, keys in kinds.items()
    )


def _verdict(
    status: Status, what: str, plan: TariffPlan, fact: Fact, minimal: TariffPlan
) -> tuple[Severity, str]:
    name = plan.title()
    upgrade = f"the cheapest plan that fits is {minimal.title()}"
    if status == "yes":
        return "ok", f"{name} has {what}"
    if status == "probably":
        return "warning", f"{name} probably has {what} (unverified: {_sources(fact)}); check your plan"
    if status == "unknown":
        # The cheapest plan that fits is worth naming only above this one: a cheaper plan "fits"
        # here only because the same fact is not known for it either.
        hint = f" ({upgrade}, probably)" if _above(minimal, plan) else ""
        return "warning", f"not known whether {name} has {what}; check your plan{hint}"
    if status == "probably_not":
        return (
            "warning",
            f"{name} probably lacks {what} (unverified: {_sources(fact)}); check your plan — {upgrade}",
        )
    return "error", f"{name} does not have {what}; {upgrade}"


def _above(candidate: TariffPlan, plan: TariffPlan) -> bool:
    """Whether ``candidate`` comes after ``plan`` in their lineup (False across lineups)."""
    codes = (
        [p.code for p in tariff_table().lineup(plan.lineup)] if plan.lineup in ("current", "legacy") else []
    )
    return (
        candidate.code in codes
        and plan.code in codes
        and codes.index(candidate.code) > codes.index(plan.code)
    )


def compare_tariff(needs_or_blueprint: Needs | Blueprint, plan: TariffPlan) -> list[TariffFinding]:
    """Every need of the blueprint against ``plan``, including the ones that are met (severity "ok").

    Unknown limits on counts (pipelines, fields) are "info": no source states any plan's limit.
    """
    n = needs_or_blueprint if isinstance(needs_or_blueprint, Needs) else needs(needs_or_blueprint)
    lineup: Lineup = plan.lineup if plan.lineup in ("current", "legacy") else "current"
    minimal = minimal_plan(n, lineup)
    statuses = _statuses(n, plan)
    rows: list[TariffFinding] = []
    for key in _needed_features(n):
        fact = plan.fact(key)
        what = _FEATURES[key][0]
        needed = f"{what}: {n.robot_count} ({', '.join(n.robot_kinds)})" if key == "robots" else what
        needed = f"{what}: {n.lead_robots}" if key == "lead_robots" else needed
        needed = f"{what}: {n.smart_process_robots}" if key == "smart_process_robots" else needed
        needed = f"{what}: {n.smart_processes}" if key == "smart_processes" else needed
        severity, message = _verdict(statuses[key], what, plan, fact, minimal)
        has = "unknown" if fact.value is None else ("yes" if fact.value else "no")
        has = f"{has} ({_how_sure(fact)})"
        rows.append(_finding(key, needed, has, severity, message, minimal, fact, statuses[key]))
    for need, (key, _, words) in _LIMITS.items():
        count = getattr(n, need)
        if not count:
            continue
        fact = plan.fact(key)
        limit = "unknown" if fact.value is None else f"at most {fact.value}"
        if statuses[need] == "unknown":
            severity, message = (
                "info",
                f"{plan.title()}: the limit on {words} is not known; check it allows {count}",
            )
        elif statuses[need] == "no":
            # Say the limit and who said it (the table, a profile's declaration): the way out differs.
            better = (
                "" if minimal.code == plan.code else f"; the cheapest plan that fits is {minimal.title()}"
            )
            severity = "error"
            message = f"{plan.title()} allows at most {limit.removeprefix('at most ')} {words} "
            message += f"({_how_sure(fact)}), not {count}{better}"
        else:
            severity, message = _verdict(statuses[need], f"room for {count} {words}", plan, fact, minimal)
        has = f"{limit} ({_how_sure(fact)})"
        rows.append(_finding(need, f"{count} {words}", has, severity, message, minimal, fact, statuses[need]))
    return rows


def _how_sure(fact: Fact) -> str:
    """The certainty of a table fact and the kinds of its sources ("unverified; third party"); for
    what a live portal or a profile said, the saying itself."""
    live = [s for s in fact.source if s not in tariff_table().sources]
    if live:
        return "; ".join(live)
    kinds = dict.fromkeys(source_kind(s) for s in fact.source)
    return f"{fact.certainty}; {', '.join(kinds)}"


def _finding(  # noqa: PLR0913 - one row's columns
    need: str,
    needed: str,
    has: str,
    severity: Severity,
    message: str,
    minimal: TariffPlan,
    fact: Fact,
    status: Status,
) -> TariffFinding:
    return TariffFinding(
        need=need,
        needed=needed,
        plan_has=has,
        severity=severity,
        message=message,
        minimal_plan=None if severity in ("ok", "info") else minimal.code,
        source="; ".join(source_text(s) for s in fact.source),
        certainty=fact.certainty,
        status=status,
        source_keys=tuple(fact.source),
    )


def check_tariff(needs_or_blueprint: Needs | Blueprint, plan: TariffPlan) -> list[TariffFinding]:
    """The problems of running the blueprint on ``plan``: errors (a confirmed fact says no),
    warnings (unverified or unknown facts) and infos (unknown limits). Met needs are left out.
    """
    return [f for f in compare_tariff(needs_or_blueprint, plan) if f.severity != "ok"]


@dataclass(frozen=True)
class TariffReport:
    """What ``b24provision tariff`` shows: the needs, each against the plan, and the plans that fit."""

    needs: Needs
    plan: TariffPlan | None
    rows: list[TariffFinding]
    """Every need against ``plan`` (met ones too); empty when no plan was named."""
    minimal: TariffPlan
    minimal_legacy: TariffPlan

    @property
    def has_errors(self) -> bool:
        return any(r.severity == "error" for r in self.rows)

    def verdict(self) -> str | None:
        """One line: whether ``plan`` fits, and what is only probable; None when no plan was named."""
        if self.plan is None:
            return None
        unmet = [r.need for r in self.rows if r.severity == "error"]
        unsure = [r.need for r in self.rows if r.severity == "warning"]
        lacking = [r.need for r in self.rows if r.severity == "warning" and r.status == "probably_not"]
        name = self.plan.title()
        if unmet:
            return f"{name} does not fit this blueprint: {', '.join(unmet)} not met"
        if lacking:
            # Only unverified sources say so: not a refusal, but no "probably fits" either.
            return (
                f"{name} probably does not fit this blueprint: {', '.join(lacking)} probably not met "
                "(unverified) — check your plan"
            )
        if unsure:
            unsure_text = ", ".join(unsure)
            return f"{name} probably fits this blueprint; not confirmed: {unsure_text} — check your plan"
        return f"{name} fits this blueprint"

    def minimal_caveat(self) -> str:
        """Why the cheapest plan that fits is only probably enough ("" when every need is confirmed)."""
        return fit_caveat(self.needs, self.minimal)

    def to_json(self) -> dict[str, Any]:
        n = self.needs
        return {
            "format_version": 1,
            "plan": self.plan.code if self.plan else None,
            "needs": {
                "rest": n.rest,
                "robots": n.robots,
                "robot_kinds": list(n.robot_kinds),
                "robot_count": n.robot_count,
                "business_processes": n.business_processes,
                "app_robots_triggers": n.app_robots_triggers,
                "pipelines": n.pipelines,
                "custom_fields": n.custom_fields,
                "smart_processes": n.smart_processes,
                "notes": list(n.notes),
            },
            "findings": [r.to_json() for r in self.rows],
            "minimal_plan": self.minimal.code,
            "minimal_plan_caveat": self.minimal_caveat(),
            "minimal_plan_legacy": self.minimal_legacy.code,
            "ok": not self.has_errors,
        }


def fit_caveat(n: Needs, plan: TariffPlan) -> str:
    """The needs ``plan`` meets only by an unverified fact, or may not meet at all, with their
    sources, e.g. "probably: robots (web-truetech) unverified"; "" when every need is confirmed."""
    # Unknown count limits are left out: no source states any plan's, so they say nothing of this one.
    statuses = _statuses(n, plan)
    unsure = [
        f"{need} ({_sources(plan.fact(need))})"
        for need, status in statuses.items()
        if need not in _LIMITS and status in ("probably", "unknown")
    ]
    return f"probably: {', '.join(unsure)} unverified — check the plan's page" if unsure else ""


def tariff_report(needs_or_blueprint: Needs | Blueprint, plan: TariffPlan | None) -> TariffReport:
    """The needs of a blueprint against ``plan`` (if any), with the cheapest plans that fit."""
    n = needs_or_blueprint if isinstance(needs_or_blueprint, Needs) else needs(needs_or_blueprint)
    rows = compare_tariff(n, plan) if plan is not None else []
    return TariffReport(n, plan, rows, minimal_plan(n), minimal_plan(n, "legacy"))
