"""Does plan X allow this? Answers for leads, contacts, companies and smart processes.

Each function reads only the tariff table's facts of one plan (or of a portal's plan, as
:func:`~.detect.portal_tariff` made it) and answers with an :class:`Allowance`: one of the five
statuses of :mod:`.status` ("yes", "probably", "unknown", "probably_not", "no"), the facts that
decided it, and one line for people. A need made of several facts is only as sure as the least
sure of them: robots on a smart process need smart processes *and* automation on them.

Facts the core source settles (``data/tariffs.yaml``, sources ``core-*``): smart processes are a
plan feature with a count limit; robots are a feature per CRM type (leads, deals, each smart
process); the custom-field limit counts each type's fields on its own, so ``max_custom_fields``
holds for leads, contacts and companies apart. Which cloud plan has which value is mostly only
third-party or unknown, which the statuses say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from b24provision.tariff.status import Status, feature_status, limit_status, worst
from b24provision.tariff.table import TariffPlan

RobotHost = Literal["deal", "lead", "smart_process"]
"""Where robots run: deal stages, lead statuses, smart-process stages."""
FieldHost = Literal["deal", "lead", "contact", "company", "smart_process"]
"""What custom fields are added to."""

_ROBOT_FACTS: dict[RobotHost, tuple[str, ...]] = {
    "deal": ("robots",),
    "lead": ("leads", "lead_robots"),
    "smart_process": ("smart_processes", "smart_process_robots"),
}
_FIELD_FACTS: dict[FieldHost, tuple[str, ...]] = {
    "deal": (),
    "lead": ("leads",),
    "contact": (),
    "company": (),
    "smart_process": ("smart_processes",),
}
_VERBS: dict[Status, str] = {
    "yes": "allows",
    "probably": "probably allows",
    "unknown": "may or may not allow",
    "probably_not": "probably does not allow",
    "no": "does not allow",
}
_DOUBTS: dict[Status, str] = {"probably": "unverified", "probably_not": "unverified", "unknown": "not known"}


@dataclass(frozen=True)
class Allowance:
    """Whether a plan allows something, how sure that is, and which facts say so."""

    status: Status
    facts: tuple[str, ...]
    """The fact keys of the plan that decided it (``smart_processes``, ``max_smart_processes``)."""
    message: str
    """One line, e.g. "Standard probably does not allow 3 smart processes (unverified: smart_processes;
    check your plan)"."""

    @property
    def allowed(self) -> bool | None:
        """True when allowed (for sure or probably), False when not, None when unknown."""
        if self.status in ("yes", "probably"):
            return True
        return None if self.status == "unknown" else False


def _allowance(plan: TariffPlan, statuses: dict[str, Status], what: str) -> Allowance:
    status = worst(statuses.values())
    doubts: dict[str, list[str]] = {}
    for key, each in statuses.items():
        # A confirmed "no" decides by itself: the doubts about the other parts do not matter.
        if each in _DOUBTS and status != "no":
            doubts.setdefault(_DOUBTS[each], []).append(key)
    why = "; ".join(f"{doubt}: {', '.join(keys)}" for doubt, keys in doubts.items())
    message = f"{plan.title()} {_VERBS[status]} {what}" + (f" ({why}; check your plan)" if why else "")
    return Allowance(status, tuple(statuses), message)


def allows_smart_processes(plan: TariffPlan, count: int) -> Allowance:
    """Whether ``plan`` lets a portal have ``count`` smart processes (none: always)."""
    if count <= 0:
        return _allowance(plan, {}, "no smart processes")
    statuses = {
        "smart_processes": feature_status(plan.fact("smart_processes")),
        "max_smart_processes": limit_status(plan.fact("max_smart_processes"), count, 0),
    }
    if statuses["smart_processes"] in ("no", "probably_not"):
        del statuses["max_smart_processes"]  # no smart process at all: its limit says nothing
    return _allowance(plan, statuses, f"{count} smart process{'es' if count != 1 else ''}")


def allows_robots(plan: TariffPlan, host: RobotHost, count: int = 1) -> Allowance:
    """Whether ``plan`` runs ``count`` robots on ``host`` (lead statuses, deal or smart-process stages).

    Robots on leads need leads; robots on a smart process need smart processes and automation on
    them. No source states a per-plan count of robots, so the answer does not depend on ``count``
    beyond zero (none: always allowed).
    """
    where = {"deal": "deal stages", "lead": "lead statuses", "smart_process": "smart-process stages"}[host]
    if count <= 0:
        return _allowance(plan, {}, f"no robots on {where}")
    statuses = {key: feature_status(plan.fact(key)) for key in _ROBOT_FACTS[host]}
    return _allowance(plan, statuses, f"robots on {where}")


def allows_lead_statuses(plan: TariffPlan) -> Allowance:
    """Whether ``plan`` has leads, and so lead statuses to set up."""
    return _allowance(plan, {"leads": feature_status(plan.fact("leads"))}, "leads and their statuses")


def allows_custom_fields(plan: TariffPlan, host: FieldHost, count: int) -> Allowance:
    """Whether ``plan`` lets ``host`` have ``count`` custom fields.

    The limit counts each CRM type's fields on its own (source ``core-uf-limit``), so ten fields on
    contacts and ten on companies are two counts of ten, each against ``max_custom_fields``.
    """
    names = {"smart_process": "a smart process"}
    what = f"{count} custom field{'s' if count != 1 else ''} on {names.get(host, host + 's')}"
    statuses = {key: feature_status(plan.fact(key)) for key in _FIELD_FACTS[host]}
    statuses["max_custom_fields"] = limit_status(plan.fact("max_custom_fields"), count, 0)
    return _allowance(plan, statuses, what)
