"""Tariff checks: what a blueprint needs from a Bitrix24 plan, and whether a plan has it.

Bitrix24 gates features by plan ("tariff"): REST itself only on commercial plans, automation
rules (robots) from CRM+ / Basic up, the Workflow designer (business processes) only on the
higher plans. Nothing official lists the whole matrix (reference §9.3), so the facts live in a
data table, ``data/tariffs.yaml``, where every fact says where it comes from and how sure it is
(verified / seed / unverified) and ``null`` means unknown. The check words its findings the same
way: a fact a source confirms is an error when unmet; an unverified or unknown one is a warning
that says "probably" and "check your plan".

:mod:`.table` holds the plans and their facts, :mod:`.needs` reads what a blueprint asks for,
:mod:`.check` compares the two, :mod:`.detect` tells a live portal's plan from evidence,
:mod:`.allows` answers "does plan X allow N smart processes / robots on a lead", and :mod:`.status`
is the five answers they share: all pure, re-exported here. :mod:`.fit` is the one part that looks
at a live portal's state and a plan's operations (what ``plan``, ``tariff`` and ``apply`` say and
refuse); import it by name.
"""

from b24provision.tariff.allows import (
    Allowance,
    FieldHost,
    RobotHost,
    allows_custom_fields,
    allows_lead_statuses,
    allows_robots,
    allows_smart_processes,
)
from b24provision.tariff.check import (
    TariffFinding,
    TariffReport,
    check_tariff,
    compare_tariff,
    fit_caveat,
    minimal_plan,
    tariff_report,
)
from b24provision.tariff.detect import PROBED_METHODS, PortalEvidence, portal_tariff, probe_source
from b24provision.tariff.needs import Needs, needs
from b24provision.tariff.status import Status
from b24provision.tariff.table import (
    FACT_KEYS,
    Certainty,
    Fact,
    LicenseName,
    Lineup,
    Severity,
    Sources,
    TariffPlan,
    TariffTable,
    find_plan,
    known_plan_codes,
    plan_by_code,
    source_text,
    tariff_table,
)

__all__ = [
    "Allowance",
    "FieldHost",
    "RobotHost",
    "allows_custom_fields",
    "allows_lead_statuses",
    "allows_robots",
    "allows_smart_processes",
    "FACT_KEYS",
    "PROBED_METHODS",
    "Certainty",
    "Fact",
    "LicenseName",
    "Lineup",
    "Needs",
    "PortalEvidence",
    "Severity",
    "Sources",
    "Status",
    "TariffFinding",
    "TariffPlan",
    "TariffReport",
    "TariffTable",
    "check_tariff",
    "compare_tariff",
    "find_plan",
    "fit_caveat",
    "known_plan_codes",
    "minimal_plan",
    "needs",
    "plan_by_code",
    "portal_tariff",
    "probe_source",
    "source_text",
    "tariff_report",
    "tariff_table",
]
