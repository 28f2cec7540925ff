"""Tariff checks: what a blueprint needs from a Bitrix24 plan, and whether a plan has it.

Bitrix24 gates features by plan ("tariff"): REST itself only on commercial plans, automation
rules (robots) from CRM+ / Basic up, the Workflow designer (business processes) only on the
higher plans. Nothing official lists the whole matrix (reference §9.3), so the facts live in a
data table, ``data/tariffs.yaml``, where every fact says where it comes from and how sure it is
(verified / seed / unverified) and ``null`` means unknown. The check words its findings the same
way: a fact a source confirms is an error when unmet; an unverified or unknown one is a warning
that says "probably" and "check your plan".

Everything here is pure: ``needs(blueprint)`` reads a blueprint, ``check_tariff(needs, plan)``
compares, ``minimal_plan(needs)`` picks the cheapest plan that fits. Which plan a live portal is
on is decided by ``portal_tariff(evidence)`` from what the portal reader collected (app.info
LICENSE, method.get probes, the profile's declaration); this module never calls a portal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from b24provision.blueprint.model import Blueprint
from b24provision.blueprint.source import parse_yaml
from b24provision.errors import B24ProvisionError, ConfigError

Certainty = Literal["verified", "seed", "unverified"]
Severity = Literal["error", "warning", "info", "ok"]
Lineup = Literal["current", "legacy", "on_premise", "special", "other"]

# Facts every plan row states (value may be null = unknown).
FACT_KEYS: tuple[str, ...] = (
    "rest",
    "robots",
    "business_processes",
    "app_robots_triggers",
    "max_pipelines",
    "max_custom_fields",
    "rate_class",
)


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else tuple(value)


Sources = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(_Row):
    """One fact about a plan: its value (None = unknown), where it comes from, how sure it is."""

    value: bool | int | str | None
    certainty: Certainty
    source: Sources

    @property
    def confirmed(self) -> bool:
        """A source we trust states it (official docs/source code, or first-hand seed practice)."""
        return self.certainty in ("verified", "seed")


class LicenseName(_Row):
    """A LICENSE name (the part after ``<lang>_``) that app.info reports for a plan."""

    name: str
    certainty: Certainty
    source: Sources
    numbered: bool = False
    """The name is followed by a user count: ent250, ent500, ... ent10000."""


class TariffPlan(_Row):
    """A Bitrix24 plan with what it offers a blueprint (named so to avoid a clash with plan/)."""

    code: str
    lineup: Lineup
    names: dict[str, str]
    license: tuple[LicenseName, ...] = ()
    source: Sources
    certainty: Certainty
    facts: dict[str, Fact]

    @model_validator(mode="after")
    def _all_facts(self) -> TariffPlan:
        missing = [k for k in FACT_KEYS if k not in self.facts]
        if missing:
            raise ValueError(f"plan {self.code}: facts missing: {', '.join(missing)}")
        return self

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or self.code

    def title(self) -> str:
        """Both names, e.g. "Standard (Стандартный)", "CRM+"."""
        en, ru = self.name("en"), self.name("ru")
        return en if en == ru else f"{en} ({ru})"

    def fact(self, key: str) -> Fact:
        return self.facts[key]


class TariffTable(_Row):
    """The whole data table: the sources every fact cites, and the plans in lineup order."""

    format_version: Literal[1]
    sources: dict[str, str]
    plans: tuple[TariffPlan, ...]

    @model_validator(mode="after")
    def _sources_exist(self) -> TariffTable:
        cited = {s for p in self.plans for s in p.source}
        cited |= {s for p in self.plans for f in p.facts.values() for s in f.source}
        cited |= {s for p in self.plans for lic in p.license for s in lic.source}
        unknown = sorted(cited - self.sources.keys())
        if unknown:
            raise ValueError(f"sources cited but not defined: {', '.join(unknown)}")
        codes = [p.code for p in self.plans]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate plan codes")
        return self

    def lineup(self, lineup: Lineup) -> list[TariffPlan]:
        return [p for p in self.plans if p.lineup == lineup]


@cache
def tariff_table() -> TariffTable:
    """The packaged tariff table (read once)."""
    text = resources.files("b24provision").joinpath("data/tariffs.yaml").read_text(encoding="utf-8")
    # The blueprint reader (libyaml): ruamel took 60 ms of every validate and plan for this file.
    doc, problems = parse_yaml(text, "b24provision/data/tariffs.yaml")
    if doc is None:
        raise B24ProvisionError(f"{problems[0]} (a packaging bug)")
    try:
        return TariffTable.model_validate(doc.data)
    except ValidationError as exc:  # a packaging bug, not a user error; still one clear line
        raise B24ProvisionError(f"b24provision/data/tariffs.yaml is invalid: {exc}") from exc


def source_text(key: str) -> str:
    """The full citation behind a source key of the table."""
    return tariff_table().sources.get(key, key)


def known_plan_codes() -> tuple[str, ...]:
    """Every plan code a blueprint's ``tariff:`` may name, in table order."""
    return tuple(p.code for p in tariff_table().plans)


# An app.info LICENSE, "<lang>_<name>" (ru_crm, de_ent250), or its bare name (crm, ent250).
_LICENSE = re.compile(r"^(?:[a-z]{2}_)?([a-z]+?)(\d*)$")


def find_plan(code: str) -> TariffPlan | None:
    """``plan_by_code`` that returns None for an unknown code."""
    wanted = code.strip().lower()
    table = tariff_table()
    for plan in table.plans:
        if wanted == plan.code or wanted in (n.lower() for n in plan.names.values()):
            return plan
    match = _LICENSE.match(wanted)
    if match is None:
        return None
    name, number = match.group(1), match.group(2)
    for plan in table.plans:
        for lic in plan.license:
            if lic.name == name + number or (lic.numbered and lic.name == name):
                return plan
    return None


def plan_by_code(code: str) -> TariffPlan:
    """A plan by our code (``crm_plus``), its name (``CRM+``, ``Команда``) or a LICENSE (``ru_crm``).

    Raises:
        ConfigError: the code names no plan in the table.
    """
    plan = find_plan(code)
    if plan is None:
        raise ConfigError(
            f"unknown tariff {code!r}: use one of {', '.join(known_plan_codes())} "
            "or an app.info LICENSE such as ru_std or de_ent250"
        )
    return plan


# ------------------------------------------------------------------------------------- needs


@dataclass(frozen=True)
class Needs:
    """What a blueprint asks of the portal's plan."""

    rest: bool
    """Anything to provision at all: the tool works over REST."""
    robots: bool
    robot_kinds: tuple[str, ...] = ()
    robot_count: int = 0
    business_processes: bool = False
    """The Workflow designer. No construct of the blueprint model needs it: every robot type is a
    plain automation rule, available wherever robots are. See ``notes`` for designs that do."""
    business_process_reasons: tuple[str, ...] = ()
    app_robots_triggers: bool = False
    pipelines: int = 0
    custom_fields: int = 0
    notes: tuple[str, ...] = field(default=())
    """Advice that is not a requirement, e.g. what a two-way child-deal link would need."""


def needs(blueprint: Blueprint) -> Needs:
    """What ``blueprint`` needs: REST, robots (which kinds), app robots/triggers, pipelines, fields."""
    robots = [r for p in blueprint.pipelines for s in p.stages for r in s.robots]
    notes: list[str] = []
    if any(getattr(r, "store_id_in", None) for r in robots):
        # Seed 000: links kept by robots go one way; a link back from the child deal, or history
        # gathered into the main deal, needs workflows of the higher plans.
        notes.append(
            "Robots write the new deal's or task's ID into a field of this deal only. A link back from "
            "the child deal, or keeping the main deal up to date from it, needs business processes "
            "(Workflow designer): «Команда», «Компания», on-premise, or Standard and up (seed 000)."
        )
    if blueprint.app_robots or blueprint.triggers:
        notes.append(
            "Application robot types and triggers are registered by an OAuth application, not a webhook; "
            "binding a trigger to a stage is done by hand in the Automation rules UI."
        )
    anything = bool(blueprint.pipelines or blueprint.fields or blueprint.app_robots or blueprint.triggers)
    return Needs(
        rest=anything,
        robots=bool(robots),
        robot_kinds=tuple(sorted({r.type for r in robots})),
        robot_count=len(robots),
        app_robots_triggers=bool(blueprint.app_robots or blueprint.triggers),
        pipelines=len(blueprint.pipelines),
        custom_fields=len(blueprint.fields),
        notes=tuple(notes),
    )


# ----------------------------------------------------------------------------------- check


@dataclass(frozen=True)
class TariffFinding:
    """One row of the comparison: a need, what the plan has, and the verdict."""

    need: str
    """The need's key: rest, robots, business_processes, app_robots_triggers, pipelines, custom_fields."""
    needed: str
    plan_has: str
    severity: Severity
    message: str
    minimal_plan: str | None
    """The code of the cheapest plan of the same lineup that fits the whole blueprint."""
    source: str
    """The citation(s) of the plan's fact."""
    certainty: Certainty

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
        }


# Status of one need on one plan, from best to worst.
Status = Literal["yes", "probably", "unknown", "probably_not", "no"]

_FEATURES: dict[str, tuple[str, str]] = {
    # need key: (what is needed, in words; why)
    "rest": ("REST API (webhook or application)", "the tool reads and writes pipelines and fields over REST"),
    "robots": ("automation rules (robots) on deal stages", ""),
    "business_processes": ("business processes (Workflow designer)", ""),
    "app_robots_triggers": (
        "application robot types and triggers (bizproc.robot.*, crm.automation.trigger.*)",
        "",
    ),
}
# For counts: the count up to which no plan can fall short (every portal has its default pipeline).
_LIMITS: dict[str, tuple[str, int, str]] = {
    "pipelines": ("max_pipelines", 1, "deal pipelines"),
    "custom_fields": ("max_custom_fields", 0, "custom deal fields"),
}


def _needed_features(n: Needs) -> list[str]:
    wanted = {"rest": n.rest, "robots": n.robots, "business_processes": n.business_processes}
    wanted["app_robots_triggers"] = n.app_robots_triggers
    return [k for k, v in wanted.items() if v]


def _feature_status(fact: Fact) -> Status:
    if fact.value is None:
        return "unknown"
    if fact.value:
        return "yes" if fact.confirmed else "probably"
    return "no" if fact.confirmed else "probably_not"


def _limit_status(fact: Fact, count: int, floor: int) -> Status:
    if count <= floor:
        return "yes"
    if fact.value is None or not isinstance(fact.value, int) or isinstance(fact.value, bool):
        return "unknown"
    if count <= fact.value:
        return "yes" if fact.confirmed else "probably"
    return "no" if fact.confirmed else "probably_not"


def _statuses(n: Needs, plan: TariffPlan) -> dict[str, Status]:
    out: dict[str, Status] = {k: _feature_status(plan.fact(k)) for k in _needed_features(n)}
    for need, (key, floor, _) in _LIMITS.items():
        count = getattr(n, need)
        if count:
            out[need] = _limit_status(plan.fact(key), count, floor)
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
    return "; ".join(fact.source)


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
        return "warning", f"not known whether {name} has {what}; check your plan ({upgrade}, probably)"
    if status == "probably_not":
        return (
            "warning",
            f"{name} probably lacks {what} (unverified: {_sources(fact)}); check your plan — {upgrade}",
        )
    return "error", f"{name} does not have {what}; {upgrade}"


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
        severity, message = _verdict(statuses[key], what, plan, fact, minimal)
        has = "unknown" if fact.value is None else ("yes" if fact.value else "no")
        rows.append(_finding(key, needed, f"{has} ({_how_sure(fact)})", severity, message, minimal, fact))
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
        else:
            severity, message = _verdict(statuses[need], f"room for {count} {words}", plan, fact, minimal)
        has = f"{limit} ({_how_sure(fact)})"
        rows.append(_finding(need, f"{count} {words}", has, severity, message, minimal, fact))
    return rows


def _how_sure(fact: Fact) -> str:
    """The certainty of a table fact; for what a live portal or a profile said, the saying itself."""
    live = [s for s in fact.source if s not in tariff_table().sources]
    return "; ".join(live) if live else fact.certainty


def _finding(
    need: str, needed: str, has: str, severity: Severity, message: str, minimal: TariffPlan, fact: Fact
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
        name = self.plan.title()
        if unmet:
            return f"{name} does not fit this blueprint: {', '.join(unmet)} not met"
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


# ------------------------------------------------------------------------ the portal's tariff


@dataclass(frozen=True)
class PortalEvidence:
    """What a portal reader learned about the portal's plan; all optional.

    Filled by the portal side (``tariff_detect``): ``license`` from app.info, ``methods`` from
    method.get (isExisting by method name), ``declared`` from the profile's ``tariff:``, ``limits``
    (``max_pipelines``, ``max_custom_fields``) from a profile's declaration.
    """

    license: str | None = None
    methods: Mapping[str, bool] = field(default_factory=dict)
    declared: str | None = None
    limits: Mapping[str, int] = field(default_factory=dict)
    limits_source: str = "the profile's declaration"


@dataclass(frozen=True)
class _Probe:
    """What one method.get answer proves: a method that exists only with a feature (reference §8.1,
    §9.2) proves the feature on when it exists and off when it does not."""

    present: tuple[str, ...]
    """Facts proved available when the method exists."""
    absent: tuple[str, ...]
    """Facts proved unavailable when it does not."""


_PROBES: dict[str, _Probe] = {
    # bizproc.robot.* is registered with any automation feature (bizproc, crm_automation_deal, ...).
    "bizproc.robot.add": _Probe(("robots", "app_robots_triggers"), ("robots", "app_robots_triggers")),
    # bizproc.workflow.* only with the `bizproc` feature: the Workflow designer.
    "bizproc.workflow.template.add": _Probe(("business_processes",), ("business_processes",)),
    "bizproc.workflow.template.list": _Probe(("business_processes",), ("business_processes",)),
    # Its presence proves nothing about robot types (they need bizproc.robot.*); its absence does.
    # UNVERIFIED: whether a portal without automation registers crm.automation.trigger.* at all.
    "crm.automation.trigger.add": _Probe((), ("app_robots_triggers",)),
}
PROBED_METHODS: tuple[str, ...] = (
    "bizproc.robot.add",
    "bizproc.workflow.template.add",
    "crm.automation.trigger.add",
)
"""The methods the portal reader asks method.get about, in its one read batch."""


def probe_source(method: str, exists: bool) -> str:
    """How a probe is cited: "method.get bizproc.robot.add: exists"."""
    return f"method.get {method}: {'exists' if exists else 'does not exist'}"


def portal_tariff(evidence: PortalEvidence) -> TariffPlan | None:
    """The plan a portal is on, from what was read of it; None when nothing says.

    The profile's declaration wins over LICENSE because LICENSE cannot tell apart plans that kept
    their public name (CRM+, Team, Company; reference §9.1). method.get probes then override the
    table's facts for that portal, as verified facts (a missing method wins over a present one), and
    declared limits override the table's (unknown) limits.
    """
    code = evidence.declared or evidence.license
    plan = find_plan(code) if code else None
    if plan is None:
        if not evidence.methods and not evidence.limits:
            return None
        plan = _unknown_plan(code)
    facts = dict(plan.facts)
    for present in (True, False):
        for method, probe in _PROBES.items():
            if evidence.methods.get(method, not present) is not present:
                continue
            for key in probe.present if present else probe.absent:
                source = (probe_source(method, present),)
                facts[key] = Fact(value=present, certainty="verified", source=source)
    for key, limit in evidence.limits.items():
        if key in ("max_pipelines", "max_custom_fields"):
            facts[key] = Fact(value=limit, certainty="verified", source=(evidence.limits_source,))
    return plan.model_copy(update={"facts": facts})


def _unknown_plan(license: str | None) -> TariffPlan:
    """A plan nothing is known about (an unrecognised LICENSE), for probes to fill in."""
    unknown = Fact(value=None, certainty="unverified", source=(f"LICENSE {license or 'not read'}",))
    return TariffPlan(
        code="unknown",
        lineup="other",
        names={"en": "Unknown plan", "ru": "Неизвестный тариф"},
        source=unknown.source,
        certainty="unverified",
        facts={key: unknown for key in FACT_KEYS},
    )
