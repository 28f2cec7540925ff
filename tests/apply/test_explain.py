"""`plan --explain`: every request apply would send after its read, shown before anything is sent.

What it shows must be what apply then does: the write commands, in order, batch by batch, as the
emulator logs them when the same plan is applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.cli import app

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"


def explain(portal: Any, blueprint: str, *args: str) -> Any:
    result = CliRunner().invoke(
        app, ["plan", str(BLUEPRINTS / blueprint), "--portal", portal.spec, "--explain", *args]
    )
    assert result.exit_code == 0, result.output
    assert portal.token not in result.output  # the webhook's secret is never shown
    return result.stdout


def applied_writes(portal: Any, blueprint: str) -> list[list[str]]:
    """Apply the blueprint; the write commands of each write batch it sent, less the portal lock."""
    start = len(portal.emulator.request_log)
    result = CliRunner().invoke(
        app, ["apply", str(BLUEPRINTS / blueprint), "--portal", portal.spec, "--auto-approve"]
    )
    assert result.exit_code == 0, result.output
    batches: list[list[str]] = []
    current: list[str] = []
    for entry in portal.emulator.request_log[start:]:  # a batch's sub-calls are logged before it
        if entry.sub_call:
            if entry.write and entry.executed:
                current.append(entry.method)
        elif current:
            batches.append(current)
            current = []
    # The lock is added in the first (read) batch and deleted by the last write of the apply.
    assert batches[0][0] == "crm.deal.userfield.add" and batches[-1] == ["crm.deal.userfield.delete"]
    first = batches[0][1:]
    return ([first] if first else []) + batches[1:-1]


def explained_writes(document: Any) -> list[list[str]]:
    return [
        [c["method"] for step in batch["steps"] for c in step["commands"] if not c["key"].endswith("_stages")]
        for batch in document["batches"]
    ]


def test_explain_shows_the_batches_apply_then_sends_and_writes_nothing(
    start_portal: Callable[..., Any],
) -> None:
    portal = start_portal()
    document = json.loads(explain(portal, "kitchen-subtasks", "--format", "json"))
    assert not [r for r in portal.emulator.request_log if r.write], "plan --explain wrote to the portal"
    first = document["batches"][0]["steps"][0]
    assert first["operations"] == ["create field deal:field/ORDER_STATUS"]
    assert first["commands"] == [
        {"key": "op0", "method": "crm.deal.userfield.add", "target": "UF_CRM_ORDER_STATUS"}
    ]
    assert explained_writes(document) == applied_writes(portal, "kitchen-subtasks")


def test_a_new_pipeline_is_referred_to_by_the_command_that_creates_it(
    start_portal: Callable[..., Any],
) -> None:
    portal = start_portal()
    document = json.loads(explain(portal, "recurring-deals", "--format", "json"))
    steps = {
        op: step for batch in document["batches"] for step in batch["steps"] for op in step["operations"]
    }
    create = steps["create pipeline deal:repeat"]["commands"][0]
    assert create["method"] == "crm.category.add"
    assert document["batches"][0]["rereads_pipelines"]
    reference = f"$result[{create['key']}][category][id]"
    stage_targets = [c["target"] for c in steps["create stage deal:repeat/NEW"]["commands"]]
    assert any(t.endswith(f"in DEAL_STAGE_{reference}") for t in stage_targets), stage_targets
    # What is known before anything exists is sent as shown: the first write batch.
    assert explained_writes(document)[0] == applied_writes(portal, "recurring-deals")[0]


def test_explain_as_text_names_ops_by_key_and_methods(start_portal: Callable[..., Any]) -> None:
    portal = start_portal()
    text = explain(portal, "recurring-deals")
    assert "Batch 1 (phase A:" in text
    assert "  create pipeline deal:repeat\n    op1: crm.category.add  name " in text
    assert "$result[opN][category][id]: the id of the pipeline" in text
    assert "default stages" in text
    assert not [r for r in portal.emulator.request_log if r.write]
