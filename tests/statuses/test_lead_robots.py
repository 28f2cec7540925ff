"""Robots on lead statuses: checked, tariff-checked, turned into manual steps, drawn, written up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.blueprint import load_blueprint, validate
from b24provision.cli import app
from b24provision.robots.graph import to_mermaid
from b24provision.robots.runbook import render_runbook
from b24provision.tariff import check_tariff, plan_by_code

LEADS = """
entities:
  lead:
    statuses:
      - code: NEW
        name: Fresh
        robots:
          - {type: create_task, task_title: Call the lead back}
          - {type: change_stage, stage: JUNK, delay: 3 days, title: Give up}
      - {code: CONVERTED, name: Good lead, semantics: success}
      - {code: JUNK, name: Junk lead, semantics: failure}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_robot_that_does_not_exist_for_leads_and_an_unknown_status_are_errors(tmp_path: Path) -> None:
    text = LEADS.replace("stage: JUNK", "stage: LOST") + "      - {code: JUNK, name: Again}\n"
    text = text.replace(
        "          - {type: create_task",
        "          - {type: copy_deal, to_pipeline: sales}\n          - {type: create_task",
    )
    report = validate([write(tmp_path, text)])
    messages = [p.message for p in report.problems]
    assert any("'copy_deal' (CrmCopyDealActivity) exists for deal only" in m for m in messages), messages
    assert any("the lead has no status 'LOST'" in m for m in messages), messages
    assert any("lead status 'JUNK' is listed twice" in m for m in messages), messages
    assert all(str(p).startswith(str(tmp_path)) and p.line for p in report.problems)  # file:line:col


def test_lead_robots_are_manual_steps_of_the_plan(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    result = CliRunner().invoke(app, ["plan", str(write(tmp_path, LEADS)), "--portal", portal.spec])
    assert result.exit_code == 0, result.stderr
    assert "Leads -> Fresh -> robot 1: Create task" in result.stdout
    assert "Leads -> Fresh -> robot 2: Change stage" in result.stdout and "Give up" in result.stdout
    assert "2 robots to set up by hand" in result.stdout


def test_lead_robots_need_robots_on_leads_from_the_tariff(tmp_path: Path) -> None:
    bp = load_blueprint([write(tmp_path, LEADS)])
    free = [f for f in check_tariff(bp, plan_by_code("free")) if f.need == "lead_robots"]
    assert [f.severity for f in free] == ["error"] and "robots) on lead statuses" in free[0].message
    assert not [f for f in check_tariff(bp, plan_by_code("on_premise")) if f.need == "lead_robots"]
    deal_only = load_blueprint([write(tmp_path, "fields: [{code: NOTE, type: string, label: Note}]\n")])
    assert not [f for f in check_tariff(deal_only, plan_by_code("free")) if f.need == "lead_robots"]


def test_lead_robots_are_drawn_and_written_up_as_deal_robots_are(tmp_path: Path) -> None:
    bp = load_blueprint([write(tmp_path, LEADS)])
    graph = to_mermaid(bp)
    assert 'subgraph p_lead["Leads"]' in graph
    assert "s_lead__NEW -.- s_lead__NEW__r1" in graph  # the task: a side node
    assert 's_lead__NEW -.->|"Give up · wait 3 days"| s_lead__JUNK' in graph  # the move to JUNK
    book = render_runbook(bp, "markdown", "en")
    assert "## Leads" in book and "### Lead status 'Fresh' (NEW)" in book
    assert "CRM → Leads → Automation rules → status 'Fresh' → Add (Create) → 'Create task'" in book
    assert "Move a test lead to status 'Fresh'." in book
    assert "Лиды" in render_runbook(bp, "markdown", "ru")


def test_a_status_or_item_both_listed_and_removed_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = (
        "entities:\n  lead:\n    statuses:\n      - {code: NEW, name: New}\n"
        "lists:\n  source:\n    - {code: CALL, name: Call}\n"
        "removed:\n  lead: {statuses: [NEW]}\n  lists:\n    source: [CALL, WEB]\n"
    )
    problems = validate([write(tmp_path, text)]).problems
    assert [(p.line, p.message) for p in problems] == [
        (9, "lead status 'NEW' is both listed and removed — keep one of the two"),
        (11, "source item 'CALL' is both listed and removed — keep one of the two"),
    ]
