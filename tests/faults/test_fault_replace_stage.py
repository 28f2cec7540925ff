"""A deal stage whose semantics change is replaced (crm.status.delete, then crm.status.add); the
server dying between the two leaves the stage deleted and not yet added. The apply reads the portal
again and must finish with the add alone: the stage it would delete is no longer there to delete."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from b24provision.api import plan_against
from b24provision.apply import apply_plan
from b24provision.blueprint.model import Blueprint
from b24provision.emulator.testing import EmulatorUnderTest, by_hand
from b24provision.errors import B24ProvisionError
from b24provision.plan.ops import ReplaceStageOp
from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import WebhookCredentials

# PREPARATION, an in-progress stage of every new portal's default pipeline, becomes a failure stage.
BLUEPRINT = Blueprint.model_validate(
    {
        "pipelines": [
            {
                "key": "sales",
                "name": "Sales",
                "default": True,
                "stages": [
                    {"code": "NEW", "name": "New"},
                    {"code": "EXECUTING", "name": "In work"},
                    {"code": "WON", "name": "Won", "semantics": "success"},
                    {"code": "LOSE", "name": "Lost", "semantics": "failure"},
                    {"code": "PREPARATION", "name": "Not ready", "semantics": "failure"},
                ],
            }
        ]
    }
)


def _client(url: str) -> PortalClient:
    return PortalClient(
        WebhookCredentials(url), rate=None, retries=4, backoff=0.001, max_wait=0.01, timeout=5.0
    )


def _apply_once(url: str) -> str:
    with _client(url) as client:
        try:
            plan = plan_against(client, BLUEPRINT).plan
            apply_plan(plan, client)
            return "applied"
        except B24ProvisionError as exc:
            return f"error: {exc.message}"


def _stages(emulator: Any) -> Counter[str]:
    rows = by_hand(emulator, "crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE"}})
    return Counter(str(r["STATUS_ID"]) for r in rows)


def _replace_add(emulator: EmulatorUnderTest, url: str) -> tuple[int, int]:
    """In a clean run (plan and apply): the write sub-call number of the replace's crm.status.add,
    and the number of the HTTP request (the batch) that carries it."""
    with _client(url) as client:
        plan = plan_against(client, BLUEPRINT).plan
    assert any(isinstance(op, ReplaceStageOp) and op.stage.code == "PREPARATION" for op in plan.ops)
    start = len(emulator.request_log)
    assert _apply_once(url) == "applied"
    writes: list[str] = []
    requests = 0
    for entry in emulator.request_log[start:]:  # a batch's sub-calls are logged before the batch itself
        if not entry.sub_call:
            requests += 1
            if "crm.status.add" in writes:
                break
        elif entry.write and entry.executed:
            writes.append(entry.method)
    # The replace is the plan's one stage add, right after its delete (the blueprint creates no stage).
    assert writes.count("crm.status.add") == 1, writes
    add = writes.index("crm.status.add")
    assert writes[add - 1] == "crm.status.delete", writes
    return add + 1, requests  # write sub-calls count from 1


def test_the_server_dying_between_a_stage_replace_delete_and_add_converges(start_portal: Any) -> None:
    portal = start_portal()
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    n, _ = _replace_add(emulator, url)
    emulator.reset()
    emulator.crash_at_write(n)
    outcome = _apply_once(url)
    assert emulator.write_sub_calls >= n  # the crash did happen
    emulator.crash_at_write(None)
    assert outcome == "applied"  # the apply itself re-read the portal and finished
    stages = _stages(emulator)
    assert stages["PREPARATION"] == 1 and all(c == 1 for c in stages.values()), stages
    with _client(url) as client:
        assert not plan_against(client, BLUEPRINT).plan.has_changes


def test_a_process_killed_right_after_a_stage_replace_delete_is_finished_by_the_next_run(
    start_portal: Any,
) -> None:
    """The server dies between the delete and the add, and the process with it (nothing gets through
    after that batch): the next run plans the stage as missing and adds it."""
    portal = start_portal()
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    n, request = _replace_add(emulator, url)
    emulator.reset()
    emulator.crash_at_write(n)
    emulator.faults.stop_after = request + 1
    outcome = _apply_once(url)
    assert outcome.startswith("error: "), outcome  # the killed run says so, in one line
    assert _stages(emulator)["PREPARATION"] == 0  # deleted, not yet added
    emulator.faults.clear()
    emulator.crash_at_write(None)
    assert _apply_once(url) == "applied"
    assert all(c == 1 for c in _stages(emulator).values()) and _stages(emulator)["PREPARATION"] == 1
    with _client(url) as client:
        assert not plan_against(client, BLUEPRINT).plan.has_changes


@pytest.mark.parametrize("kind", ["lost_response", "500", "truncated"])
def test_a_fault_at_every_request_of_a_stage_replace_converges(start_portal: Any, kind: str) -> None:
    portal = start_portal()
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    start = len(emulator.request_log)
    assert _apply_once(url) == "applied"
    requests = sum(1 for r in emulator.request_log[start:] if not r.sub_call)
    for n in range(1, requests + 1):
        emulator.reset()
        emulator.faults.script = {n: kind}
        outcome = _apply_once(url)
        emulator.faults.clear()
        story = f"{kind} at request {n}: {outcome}"
        assert outcome == "applied", story
        assert all(c == 1 for c in _stages(emulator).values()), story
        with _client(url) as client:
            assert not plan_against(client, BLUEPRINT).plan.has_changes, story
