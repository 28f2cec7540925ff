"""The tariff table and the pure tariff check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from robots.conftest import child_deals_doc, write_blueprint
from typer.testing import CliRunner

from b24provision.blueprint.model import Blueprint
from b24provision.cli import app
from b24provision.errors import ConfigError
from b24provision.tariff import (
    FACT_KEYS,
    Fact,
    Needs,
    PortalEvidence,
    check_tariff,
    known_plan_codes,
    minimal_plan,
    needs,
    plan_by_code,
    portal_tariff,
    tariff_table,
)


def _pipelines(count: int, robots: bool = False) -> Blueprint:
    robot = [{"type": "create_task", "task_title": "Call"}] if robots else []
    return Blueprint.model_validate(
        {
            "pipelines": [
                {"key": f"p{i}", "name": f"P{i}", "stages": [{"code": "NEW", "name": "New", "robots": robot}]}
                for i in range(count)
            ]
        }
    )


def test_every_plan_and_fact_cites_a_defined_source_and_certainty() -> None:
    table = tariff_table()
    assert len(table.plans) >= 10
    for plan in table.plans:
        assert plan.source and all(s in table.sources for s in plan.source), plan.code
        assert set(FACT_KEYS) <= plan.facts.keys(), plan.code
        for key, fact in plan.facts.items():
            assert fact.source and all(s in table.sources for s in fact.source), (plan.code, key)
            assert fact.certainty in ("verified", "seed", "unverified")
            # A fact with no value is not claimed by anyone: it may not be "verified".
            if fact.value is None:
                assert fact.certainty == "unverified", (plan.code, key)


def test_known_plan_codes_cover_old_and_current_plans() -> None:
    codes = set(known_plan_codes())
    assert {"free", "basic", "project", "crm_plus", "standard", "team", "professional", "company",
            "enterprise", "on_premise"} <= codes  # fmt: skip


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("crm_plus", "crm_plus"),
        ("CRM+", "crm_plus"),
        ("Команда", "team"),
        ("ru_crm", "crm_plus"),
        ("ru_team", "team"),
        ("de_ent250", "enterprise"),
        ("ru_ent10000", "enterprise"),
        ("de_pro100", "professional"),
        ("ru_std", "standard"),
        ("de_project", "free"),
        ("ru_selfhosted", "on_premise"),
        ("ru_company2", "company"),
        ("ru_demo", "demo"),
    ],
)
def test_plan_by_code_accepts_codes_names_and_licenses(code: str, expected: str) -> None:
    assert plan_by_code(code).code == expected


def test_unknown_plan_code_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown tariff 'gold'.*crm_plus"):
        plan_by_code("gold")


def test_robots_on_free_are_an_error_naming_the_minimal_plan() -> None:
    findings = check_tariff(_pipelines(1, robots=True), plan_by_code("free"))
    robots = next(f for f in findings if f.need == "robots")
    assert robots.severity == "error"
    assert robots.minimal_plan == "basic"
    assert "does not have automation rules" in robots.message and "Basic" in robots.message
    assert "seed" in robots.source or "02_" in robots.source or "002" in robots.source


def test_robots_on_the_old_project_plan_point_to_crm_plus() -> None:
    robots = next(
        f for f in check_tariff(_pipelines(1, robots=True), plan_by_code("project")) if f.need == "robots"
    )
    assert (robots.severity, robots.minimal_plan) == ("error", "crm_plus")


def test_robots_on_crm_plus_are_fine_and_on_basic_only_probably() -> None:
    bp = _pipelines(1, robots=True)
    assert check_tariff(bp, plan_by_code("crm_plus")) == []
    basic = check_tariff(bp, plan_by_code("basic"))
    assert [(f.need, f.severity) for f in basic] == [("robots", "warning")]
    assert "probably" in basic[0].message and "check your plan" in basic[0].message


def test_an_unverified_limit_is_a_warning_and_a_confirmed_one_an_error() -> None:
    base = plan_by_code("standard")
    unverified = base.model_copy(
        update={
            "facts": {
                **base.facts,
                "max_pipelines": Fact(value=3, certainty="unverified", source=("inferred",)),
            }
        }
    )
    verified = base.model_copy(
        update={
            "facts": {
                **base.facts,
                "max_pipelines": Fact(value=3, certainty="verified", source=("ref-limits",)),
            }
        }
    )
    five = _pipelines(5)
    [warning] = [f for f in check_tariff(five, unverified) if f.need == "pipelines"]
    assert warning.severity == "warning" and "probably" in warning.message
    [error] = [f for f in check_tariff(five, verified) if f.need == "pipelines"]
    assert error.severity == "error"
    assert check_tariff(_pipelines(3), verified) == []


def test_unknown_limits_are_information_only() -> None:
    [info] = check_tariff(_pipelines(4), plan_by_code("standard"))
    assert (info.need, info.severity) == ("pipelines", "info")
    assert "not known" in info.message


def test_needs_of_the_child_deals_blueprint() -> None:
    n = needs(Blueprint.model_validate(child_deals_doc()))
    assert (n.rest, n.robots, n.robot_count, n.pipelines, n.custom_fields) == (True, True, 6, 2, 2)
    assert n.robot_kinds == ("change_stage", "copy_deal", "create_task", "notify", "set_field")
    assert not n.business_processes  # every robot is a plain automation rule
    assert any("business processes" in note for note in n.notes)  # a two-way link would need them


@pytest.mark.parametrize(
    ("kwargs", "current", "legacy"),
    [
        ({"rest": True, "robots": False}, "basic", "crm_plus"),
        ({"rest": True, "robots": True}, "basic", "crm_plus"),
        ({"rest": True, "robots": True, "business_processes": True}, "standard", "team"),
    ],
)
def test_minimal_plan(kwargs: dict[str, Any], current: str, legacy: str) -> None:
    n = Needs(**kwargs)
    assert minimal_plan(n).code == current
    assert minimal_plan(n, "legacy").code == legacy


def test_portal_tariff_prefers_the_declaration_and_trusts_probes() -> None:
    assert portal_tariff(PortalEvidence()) is None
    declared = portal_tariff(PortalEvidence(license="ru_crm", declared="team"))
    assert declared is not None and declared.code == "team"
    probed = portal_tariff(
        PortalEvidence(license="ru_crm", methods={"bizproc.workflow.template.list": False})
    )
    assert probed is not None and probed.code == "crm_plus"
    assert probed.fact("business_processes").value is False
    assert probed.fact("business_processes").certainty == "verified"


def test_cli_tariff_exit_codes_and_json(tmp_path: Path) -> None:
    path = write_blueprint(tmp_path, child_deals_doc())  # tariff: crm_plus
    runner = CliRunner()
    ok = runner.invoke(app, ["tariff", str(path)])
    assert ok.exit_code == 0, ok.output
    assert "Minimal plan that fits: Basic" in ok.stdout
    free = runner.invoke(app, ["tariff", str(path), "--tariff", "free", "--format", "json"])
    assert free.exit_code == 1
    report = json.loads(free.stdout)
    assert report["format_version"] == 1 and report["plan"] == "free" and report["ok"] is False
    assert {f["need"]: f["severity"] for f in report["findings"]}["robots"] == "error"
    unknown = runner.invoke(app, ["tariff", str(path), "--tariff", "gold"])
    assert unknown.exit_code == 1 and "unknown tariff" in unknown.output


def test_smart_processes_are_a_need_whose_certainty_and_source_kind_are_said() -> None:
    from b24provision.tariff import compare_tariff, tariff_report

    n = Needs(rest=True, robots=False, smart_processes=3, smart_process_count=3)
    rows = {r.need: r for r in compare_tariff(n, plan_by_code("standard"))}
    # Only a third party says Standard has none: a warning that says so, not a refusal.
    assert rows["smart_processes"].plan_has == "no (unverified; third party)"
    assert (rows["smart_processes"].severity, rows["smart_processes"].status) == ("warning", "probably_not")
    assert "third party: web-truetech-lowcode" in rows["smart_processes"].message
    assert rows["smart_process_count"].severity == "info"  # how many: no source says for any plan
    verdict = tariff_report(n, plan_by_code("standard")).verdict()
    assert verdict is not None and "probably does not fit" in verdict
    # The core source settles on-premise: its option's default, 1000.
    on_premise = {r.need: r for r in compare_tariff(n, plan_by_code("on_premise"))}
    assert on_premise["smart_processes"].plan_has == "yes (verified; core source)"
    assert on_premise["smart_process_count"].plan_has == "at most 1000 (verified; core source)"
    many = Needs(rest=True, robots=False, smart_processes=1, smart_process_count=1001)
    over = {r.need: r for r in compare_tariff(many, plan_by_code("on_premise"))}["smart_process_count"]
    assert over.severity == "error" and "allows at most 1000 smart processes" in over.message


def test_an_unknown_fact_points_to_a_plan_only_above_the_portals() -> None:
    from b24provision.tariff import compare_tariff

    n = Needs(rest=True, robots=False, smart_processes=1, smart_process_robots=1)
    # Team is above CRM+ in the old lineup, and neither has a source on smart-process robots:
    # "the cheapest plan that fits is CRM+" would send a Team portal down to a plan no surer.
    team = {r.need: r for r in compare_tariff(n, plan_by_code("team"))}["smart_process_robots"]
    assert team.status == "unknown" and "cheapest plan" not in team.message
    # On Standard a third party says no smart processes: a plan above it is named.
    standard = {r.need: r for r in compare_tariff(n, plan_by_code("standard"))}["smart_processes"]
    assert "the cheapest plan that fits is" in standard.message


def test_a_plan_warning_names_its_sources_by_key_not_by_their_whole_citation() -> None:
    from b24provision.tariff import compare_tariff, source_text
    from b24provision.tariff.fit import plan_warnings

    n = Needs(rest=True, robots=False, smart_processes=1)
    findings = compare_tariff(n, plan_by_code("standard"))
    tariff = portal_tariff(PortalEvidence(license="ru_std"))
    (warning,) = [w for w in plan_warnings(findings, tariff) if "smart processes" in w]
    assert "web-truetech-lowcode" in warning
    assert source_text("web-truetech-lowcode") not in warning  # the paragraph is in `tariff`'s JSON
    assert "b24provision tariff --format json" in warning
