"""Lead statuses and list items through a fault at every request of their apply: an unknown
outcome is re-read, never blindly resent, and a second apply finishes the job with no duplicate."""

from __future__ import annotations

from typing import Any

import pytest

from b24provision.api import plan_against
from b24provision.apply import apply_plan
from b24provision.blueprint.model import Blueprint
from b24provision.emulator.testing import by_hand
from b24provision.errors import B24ProvisionError
from b24provision.portal.connect import open_portal

WANTED: dict[str, Any] = {
    "entities": {"lead": {"statuses": [
        {"code": "NEW", "name": "Fresh"},
        {"code": "IN_PROCESS", "name": "In progress", "semantics": "failure"},  # a replace
        {"code": "BOOKED", "name": "Booked"},
        {"code": "CONVERTED", "name": "Good lead", "semantics": "success"},
        {"code": "JUNK", "name": "Junk lead", "semantics": "failure"},
    ]}},
    "lists": {"source": [{"code": "SHOWROOM", "name": "Showroom"}]},
    "removed": {"lead": {"statuses": ["PROCESSED"]}, "lists": {"deal_type": ["SERVICE"]}},
}  # fmt: skip
BLUEPRINT = Blueprint.model_validate(WANTED)


def run(spec: str) -> str:
    with open_portal(spec) as client:
        try:
            plan = plan_against(client, BLUEPRINT).plan
            if not plan.has_changes:
                return "done"
            apply_plan(plan, client)
            return "applied"
        except B24ProvisionError as exc:
            return f"error: {exc.message}"


def codes(portal: Any, entity_id: str) -> list[str]:
    rows = by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": entity_id}})
    return [str(r["STATUS_ID"]) for r in rows]


@pytest.mark.parametrize("kind", ["drop", "lost_response", "500", "truncated"])
def test_a_fault_at_every_request_of_the_apply(start_portal: Any, kind: str) -> None:
    portal = start_portal("a")
    start = len(portal.emulator.request_log)
    assert run(portal.spec) == "applied"
    requests = sum(1 for r in portal.emulator.request_log[start:] if not r.sub_call)
    assert requests >= 2
    for n in range(1, requests + 1):
        portal.emulator.reset()
        portal.emulator.faults.clear()
        portal.emulator.faults.script = {n: kind}
        first = run(portal.spec)
        portal.emulator.faults.clear()
        second = run(portal.spec)
        story = f"{kind} at request {n}: {first}, then {second}"
        assert second in ("applied", "done"), story
        assert run(portal.spec) == "done", story
        statuses = codes(portal, "STATUS")
        assert sorted(statuses) == sorted(set(statuses)), story  # no duplicate
        assert "BOOKED" in statuses and "PROCESSED" not in statuses, story
        assert codes(portal, "SOURCE").count("SHOWROOM") == 1 and "SERVICE" not in codes(portal, "DEAL_TYPE")


def test_a_crash_at_every_write_of_the_batch(start_portal: Any) -> None:
    """The portal dies half-way through a batch: what ran stays (a replace may be deleted and not
    added yet), the rest did not; the next apply finishes the job from what it reads."""
    portal = start_portal("a")
    start = len(portal.emulator.request_log)
    assert run(portal.spec) == "applied"
    writes = sum(1 for r in portal.emulator.request_log[start:] if r.sub_call and r.write)
    assert writes >= 4
    for n in range(1, writes + 1):
        portal.emulator.reset()
        portal.emulator.crash_at_write(n + 1)  # the portal lock's add is the first write
        first = run(portal.spec)
        portal.emulator.crash_at_write(None)
        second = run(portal.spec)
        story = f"crash at write {n}: {first}, then {second}"
        assert second in ("applied", "done") and run(portal.spec) == "done", story
        statuses = by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": "STATUS"}})
        semantics = {r["STATUS_ID"]: r["SEMANTICS"] for r in statuses}
        assert semantics.get("IN_PROCESS") == "F" and "BOOKED" in semantics, story
