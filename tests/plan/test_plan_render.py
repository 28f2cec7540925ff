"""Rendering a plan as text, JSON and Markdown: whole strings compared (Alembic style)."""

from __future__ import annotations

import json

import pytest
from plan_samples import small_plan

from b24provision.errors import ConfigError
from b24provision.plan.digest import operations_digest
from b24provision.plan.ops import AnyOp, ManualRobotOp, NeedsAppContextOp, Plan
from b24provision.plan.render import render
from b24provision.plan.render_common import summary
from b24provision.plan.render_json import render_json
from b24provision.plan.render_markdown import render_markdown
from b24provision.plan.render_text import render_text


def test_text() -> None:
    assert (
        render_text(small_plan())
        == """\
Plan: 1 to add, 2 to change, 1 to delete, 0 to replace; 1 loses data (needs --allow-delete); \
1 blocked by data; 1 robot to set up by hand.

Pipeline "Sales" (sales)
  ~ pipeline deal:sales "Sales"
      name: "Old sales" -> "Sales"
  - stage deal:sales/OLD "Old"  BLOCKED BY DATA: holds 2 deals
  + stage deal:sales/PAID "Paid"

Fields
  ~ field deal:field/SIZE "Size"  DATA LOSS: 3 deals use item x
      items[x]: "Huge" -> (none)

Unmanaged (not in the blueprint, left alone): pipeline deal:general "General"

Robots to set up by hand (REST cannot read or write robots on stages):
  Sales -> Paid -> robot 1: Wait
      Wait for: 1 month
      Run: immediately
"""
    )


def test_text_in_colour_is_rich_markup_with_the_content_escaped() -> None:
    lines = render_text(small_plan(), color=True).splitlines()
    assert lines[0] == f"[bold]{summary(small_plan())}[/bold]"
    assert (
        lines[5]
        == '[red]  - stage deal:sales/OLD[/red] "Old"  [bold red]BLOCKED BY DATA: holds 2 deals[/bold red]'
    )
    assert '      items\\[x]: "Huge" -> (none)' in lines  # "[x]" is text, not a style


def test_verbose_text_lists_unchanged_objects() -> None:
    plan = small_plan().model_copy(
        update={"unchanged": (small_plan().unmanaged[0].model_copy(update={"key": "deal:x"}),)}
    )
    assert '  = pipeline deal:x "General"' in render_text(plan, verbose=True).splitlines()
    assert '  = pipeline deal:x "General"' not in render_text(plan).splitlines()


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("none", "No changes."),
        ("manual", "No changes. 1 robot to check by hand."),
        (
            "needs_app",
            "Plan: 0 to add, 0 to change, 0 to delete, 0 to replace; 1 needs an OAuth application.",
        ),
    ],
)
def test_summary_line(which: str, expected: str) -> None:
    chosen: dict[str, list[AnyOp]] = {
        "none": [],
        "manual": [op for op in small_plan().ops if isinstance(op, ManualRobotOp)],
        "needs_app": [NeedsAppContextOp(target="trigger", code="paid", wanted="present")],
    }
    assert summary(Plan(ops=tuple(chosen[which]))) == expected


def test_needs_an_application_is_said_before_any_change() -> None:
    plan = Plan(ops=(NeedsAppContextOp(target="app_robot", code="notify.me", wanted="removed"),))
    assert (
        render_text(plan)
        == """\
Plan: 0 to add, 0 to change, 0 to delete, 0 to replace; 1 needs an OAuth application.

Needs an OAuth application (a webhook cannot read or write these; apply refuses the plan):
  ! app_robot notify.me (in removed:)
"""
    )


def test_markdown() -> None:
    assert (
        render_markdown(small_plan())
        == """\
### b24provision plan for `example.bitrix24.com`

**Plan: 1 to add, 2 to change, 1 to delete, 0 to replace; 1 loses data (needs --allow-delete); \
1 blocked by data; 1 robot to set up by hand.**

> [!WARNING]
> 1 change loses data: `field deal:field/SIZE` (3 deals use item x). `apply` needs `--allow-delete`.
> `stage deal:sales/OLD` is blocked by data: holds 2 deals; `apply` refuses it.

| | Object | Change |
|---|---|---|
| `~` | field `deal:field/SIZE` | update "Size"<br>items[x]: "Huge" → (none)<br>\
**DATA LOSS: 3 deals use item x** |
| `~` | pipeline `deal:sales` | update "Sales"<br>name: "Old sales" → "Sales" |
| `-` | stage `deal:sales/OLD` | delete "Old"<br>**BLOCKED BY DATA: holds 2 deals** |
| `+` | stage `deal:sales/PAID` | create "Paid" |

Unmanaged (not in the blueprint, left alone): pipeline `deal:general`

<details><summary>1 robot to set up by hand</summary>

- **Sales -> Paid -> robot 1: Wait**
  - Wait for: 1 month
  - Run: immediately

</details>

<sub>Plan digest: `DIGEST`</sub>
""".replace("DIGEST", operations_digest(small_plan()))
    )


def test_json_is_versioned_and_lists_every_operation_in_plan_order() -> None:
    data = json.loads(render_json(small_plan()))
    assert (data["format_version"], data["portal"], data["live_fingerprint"]) == (
        3,
        "example.bitrix24.com",
        "0123456789abcdef",
    )
    assert data["summary"] == {
        "add": 1,
        "change": 2,
        "delete": 1,
        "replace": 0,
        "manual": 1,
        "needs_app": 0,
        "needs_allow_delete": 1,
        "blocked_by_data": 1,
        "has_changes": True,
        "text": summary(small_plan()),
    }
    assert [(o["action"], o["kind"], o["key"]) for o in data["operations"]] == [
        ("update", "field", "deal:field/SIZE"),
        ("update", "pipeline", "deal:sales"),
        ("delete", "stage", "deal:sales/OLD"),
        ("create", "stage", "deal:sales/PAID"),
        ("manual", "robot", "deal:sales/PAID/robot[wait:1 month]"),
    ]
    assert data["operations"][1] == {
        "action": "update",
        "kind": "pipeline",
        "entity": "deal",
        "key": "deal:sales",
        "before": {"name": "Old sales"},
        "after": {"name": "Sales"},
        "changes": [{"attribute": "name", "before": "Old sales", "after": "Sales"}],
        "destructive": False,
        "needs_allow_delete": False,
        "blocked_by_data": False,
        "deals": 0,
        "data_lost": None,
        "source": "deals.yaml:3:5",
        "note": None,
    }
    field, stage = data["operations"][0], data["operations"][2]
    assert (field["destructive"], field["needs_allow_delete"], field["blocked_by_data"]) == (
        True,
        True,
        False,
    )
    assert (field["deals"], field["data_lost"]) == (3, "3 deals use item x")
    assert (stage["destructive"], stage["needs_allow_delete"], stage["blocked_by_data"]) == (
        True,
        False,
        True,
    )
    assert (stage["deals"], stage["data_lost"]) == (2, "holds 2 deals")
    assert data["operations"][3]["after"] == {
        "code": "PAID",
        "name": "Paid",
        "semantics": "process",
        "sort": 20,
    }
    manual = data["operations"][4]["after"]
    assert (manual["activity"], manual["settings"]) == (
        "RobotDelayActivity",
        [["Wait for", "1 month"], ["Run", "immediately"]],
    )
    assert data["unmanaged"] == [{"kind": "pipeline", "key": "deal:general", "note": "General"}]


def test_json_is_deterministic_and_keeps_non_ascii() -> None:
    plan = Plan(ops=(NeedsAppContextOp(target="trigger", code="оплачено", wanted="present"),))
    assert render_json(plan) == render_json(plan)
    assert "оплачено" in render_json(plan)


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="unknown format 'yaml'; use one of: text, json, markdown"):
        render(small_plan(), "yaml")


def test_needs_app_has_one_name_in_text_markdown_and_json() -> None:
    plan = Plan(ops=(NeedsAppContextOp(target="trigger", code="paid", wanted="present"),))
    assert "1 needs an OAuth application" in render_text(plan).splitlines()[0]
    assert "> `trigger paid` needs an OAuth application; `apply` refuses it." in render_markdown(plan)
    data = json.loads(render_json(plan))
    assert (data["summary"]["needs_app"], data["summary"]["blocked_by_data"]) == (1, 0)
    assert data["operations"][0]["action"] == "needs_app" and "blocked" not in data["summary"]


def test_the_digest_follows_the_operations_not_the_portal_state_or_the_file() -> None:
    plan = small_plan()
    same_ops = plan.model_copy(update={"live_fingerprint": "another", "portal": "other.bitrix24.com"})
    assert operations_digest(same_ops) == operations_digest(plan)
    fewer = plan.model_copy(update={"ops": plan.ops[1:]})
    assert operations_digest(fewer) != operations_digest(plan)
    assert json.loads(render_json(plan))["operations_digest"] == operations_digest(plan)
