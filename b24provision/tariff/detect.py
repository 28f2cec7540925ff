"""Which plan a live portal is on, from what the portal reader collected about it.

``portal_tariff(evidence)`` is pure: the evidence (app.info LICENSE, method.get probes, the
profile's declaration) is gathered elsewhere (``tariff/fit.py``); this module never calls a portal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from b24provision.tariff.table import FACT_KEYS, Fact, TariffPlan, find_plan


@dataclass(frozen=True)
class PortalEvidence:
    """What a portal reader learned about the portal's plan; all optional.

    Filled by the portal side (``tariff/fit.py``): ``license`` from app.info, ``methods`` from
    method.get (isExisting by method name), ``declared`` from the profile's ``tariff:``, ``limits``
    (``max_pipelines``, ``max_custom_fields``, ``max_smart_processes``) from a profile's declaration.
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
        if key in ("max_pipelines", "max_custom_fields", "max_smart_processes"):
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
