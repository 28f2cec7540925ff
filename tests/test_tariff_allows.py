"""What each plan allows for leads, contacts, companies and smart processes, on the packaged table."""

from __future__ import annotations

import pytest

from b24provision.tariff import (
    PortalEvidence,
    RobotHost,
    allows_custom_fields,
    allows_lead_statuses,
    allows_robots,
    allows_smart_processes,
    plan_by_code,
    portal_tariff,
    tariff_table,
)


@pytest.mark.parametrize(
    ("plan", "count", "status"),
    [
        ("on_premise", 1000, "yes"),  # the core's default option: 1000
        ("on_premise", 1001, "no"),
        ("professional", 1, "unknown"),  # probably has them; how many is in no source
        ("standard", 1, "probably_not"),  # a third party: only Professional and Enterprise
        ("free", 1, "probably_not"),
        ("crm_plus", 1, "unknown"),
        ("free", 0, "yes"),  # none needed: every plan
    ],
)
def test_how_many_smart_processes_a_plan_allows(plan: str, count: int, status: str) -> None:
    assert allows_smart_processes(plan_by_code(plan), count).status == status


def test_an_unsure_answer_names_the_facts_in_doubt_and_says_to_check_the_plan() -> None:
    answer = allows_smart_processes(plan_by_code("professional"), 3)
    assert answer.allowed is None
    assert answer.message == (
        "Professional (Профессиональный) may or may not allow 3 smart processes "
        "(unverified: smart_processes; not known: max_smart_processes; check your plan)"
    )
    sure = allows_smart_processes(plan_by_code("on_premise"), 3)
    assert sure.allowed is True and sure.message == "On-premise (Коробка) allows 3 smart processes"


@pytest.mark.parametrize(
    ("plan", "host", "status"),
    [
        ("free", "lead", "no"),  # seed 002: no robots below CRM+
        ("crm_plus", "lead", "probably"),  # robots: seed; leads themselves only unverified
        ("standard", "lead", "probably"),
        ("on_premise", "lead", "yes"),
        ("standard", "smart_process", "probably_not"),  # no smart processes, no robots on them
        ("professional", "smart_process", "probably"),
        ("team", "smart_process", "unknown"),
        ("on_premise", "smart_process", "yes"),
        ("crm_plus", "deal", "yes"),
    ],
)
def test_robots_on_leads_and_smart_processes(plan: str, host: RobotHost, status: str) -> None:
    assert allows_robots(plan_by_code(plan), host, 2).status == status


def test_a_confirmed_no_is_said_without_doubts() -> None:
    answer = allows_robots(plan_by_code("free"), "lead")
    assert answer.allowed is False
    assert answer.message == "Free (Бесплатный) does not allow robots on lead statuses"


def test_lead_statuses_are_on_every_plan_with_leads() -> None:
    assert allows_lead_statuses(plan_by_code("on_premise")).status == "yes"
    assert allows_lead_statuses(plan_by_code("basic")).status == "probably"  # helpdesk names no plan
    assert allows_lead_statuses(plan_by_code("demo")).status == "unknown"


def test_the_custom_field_limit_holds_for_each_entity_apart() -> None:
    # No source states a plan's limit; a profile's declaration (or a portal) can, and it counts
    # the fields of contacts and of companies separately (core: crm_user_field_limit per type).
    declared = portal_tariff(PortalEvidence(declared="standard", limits={"max_custom_fields": 10}))
    assert declared is not None
    assert allows_custom_fields(declared, "contact", 10).status == "yes"
    assert allows_custom_fields(declared, "company", 10).status == "yes"
    assert allows_custom_fields(declared, "contact", 11).status == "no"
    assert allows_custom_fields(plan_by_code("standard"), "contact", 5).status == "unknown"
    assert allows_custom_fields(plan_by_code("standard"), "contact", 0).status == "yes"
    # Fields on leads need leads, fields on a smart process need smart processes.
    assert allows_custom_fields(declared, "lead", 3).status == "probably"
    assert allows_custom_fields(declared, "smart_process", 3).status == "probably_not"


def test_issue_16_facts_are_stated_on_every_plan_with_a_source() -> None:
    table = tariff_table()
    for plan in table.plans:
        for key in ("leads", "lead_robots", "smart_processes", "max_smart_processes", "smart_process_robots"):
            fact = plan.fact(key)
            assert fact.source and all(s in table.sources for s in fact.source), (plan.code, key)
            # Only the core source settles a value; a cloud plan's come from third parties at best.
            if fact.certainty == "verified":
                assert any(s.startswith("core-") for s in fact.source), (plan.code, key)
