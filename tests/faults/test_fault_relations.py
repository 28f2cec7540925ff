"""A smart process's relations (``parents:``) are set by a crm.type.update after the types exist. A
fault at that write (the answer lost before or after it, a 500, a damaged 200, the server dying
between two of its commands) leaves it done or not: the apply reads the types back and sends only
the relations the portal does not show, so the apply itself ends converged (the next plan shows no
changes) with every type once. A killed process leaves it to the next run, which finishes it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from b24provision.api import plan_against
from b24provision.apply import apply_plan
from b24provision.blueprint.model import Blueprint
from b24provision.emulator.testing import EmulatorUnderTest, by_hand
from b24provision.errors import B24ProvisionError
from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import WebhookCredentials


def _type(key: str, title: str, parents: list[str]) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "parents": parents,
        "pipelines": [
            {
                "key": "main",
                "name": title,
                "default": True,
                "stages": [
                    {"code": "NEW", "name": "New"},
                    {"code": "SUCCESS", "name": "Done", "semantics": "success"},
                    {"code": "FAIL", "name": "Failed", "semantics": "failure"},
                ],
            }
        ],
    }


# Delivery hangs under the deal and under a type made in the same apply.
BLUEPRINT = Blueprint.model_validate(
    {
        "smart_processes": [
            _type("measurement", "Measurement", ["deal"]),
            _type("delivery", "Delivery", ["deal", "measurement"]),
        ]
    }
)
QUIRKS = ["core", "docs"]


def _client(url: str) -> PortalClient:
    return PortalClient(
        WebhookCredentials(url), rate=None, retries=4, backoff=0.001, max_wait=0.01, timeout=5.0
    )


def _run(url: str) -> str:
    """One run of `apply --auto-approve`: "done" when nothing was left to change."""
    with _client(url) as client:
        try:
            plan = plan_against(client, BLUEPRINT).plan
            if not plan.has_changes:
                return "done"
            apply_plan(plan, client)
            return "applied"
        except B24ProvisionError as exc:
            return f"error: {exc.message}"


def _types(emulator: Any) -> dict[str, dict[str, Any]]:
    rows = by_hand(emulator, "crm.type.list")["types"]
    titles = Counter(str(t["title"]) for t in rows)
    assert titles == {"Measurement": 1, "Delivery": 1}, titles
    return {str(t["title"]): t for t in rows}


def _assert_converged(emulator: EmulatorUnderTest, url: str, story: str) -> None:
    emulator.faults.clear()
    emulator.crash_at_write(None)
    types = _types(emulator)
    parents = {
        title: sorted(int(r["entityTypeId"]) for r in t["relations"]["parent"]) for title, t in types.items()
    }
    measurement = int(types["Measurement"]["entityTypeId"])
    assert parents == {"Measurement": [2], "Delivery": sorted([2, measurement])}, story
    statuses = Counter((r["ENTITY_ID"], r["STATUS_ID"]) for r in by_hand(emulator, "crm.status.list"))
    assert all(count == 1 for count in statuses.values()), story  # no stage twice
    assert _run(url) == "done", f"{story}: the next plan still shows changes"


def _relation_write(emulator: EmulatorUnderTest, url: str) -> tuple[int, int]:
    """In a clean run: the HTTP request that sets the relations (1-based, counted over the run) and
    the write sub-call of its first crm.type.update."""
    start = len(emulator.request_log)
    assert _run(url) == "applied"
    log = emulator.request_log[start:]
    requests = writes = 0
    first_write = 0
    for entry in log:  # a batch's sub-calls are logged before the batch itself
        if entry.sub_call:
            if entry.write and entry.executed:
                writes += 1
                if entry.method == "crm.type.update" and not first_write:
                    first_write = writes
            continue
        requests += 1
        if first_write:
            return requests, first_write
    raise AssertionError("the apply set no relations")


@pytest.mark.parametrize("quirks", QUIRKS)
@pytest.mark.parametrize("kind", ["drop", "lost_response", "500", "truncated", "empty", "no_result"])
def test_a_fault_at_the_relation_write_is_read_back_and_finished(
    start_portal: Any, quirks: str, kind: str
) -> None:
    portal = start_portal(quirks=quirks)
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    request, _ = _relation_write(emulator, url)
    emulator.reset()
    emulator.faults.script = {request: kind}
    outcome = _run(url)
    story = f"{quirks}: {kind} at the relation write (request {request}): {outcome}"
    assert outcome == "applied", story  # the apply itself recovered and finished
    _assert_converged(emulator, url, story)


@pytest.mark.parametrize("quirks", QUIRKS)
@pytest.mark.parametrize("at", [0, 1])
def test_the_server_dying_in_the_relation_write_is_read_back_and_finished(
    start_portal: Any, quirks: str, at: int
) -> None:
    """HTTP 500 at the first relation command (nothing set) and at the second (one set, one not)."""
    portal = start_portal(quirks=quirks)
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    _, first = _relation_write(emulator, url)
    emulator.reset()
    emulator.crash_at_write(first + at)
    outcome = _run(url)
    story = f"{quirks}: 500 at relation command {at + 1}: {outcome}"
    assert emulator.write_sub_calls >= first + at, story  # the crash did happen
    assert outcome == "applied", story
    _assert_converged(emulator, url, story)


@pytest.mark.parametrize("quirks", QUIRKS)
def test_a_process_killed_at_the_relation_write_is_finished_by_the_next_run(
    start_portal: Any, quirks: str
) -> None:
    portal = start_portal(quirks=quirks)
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    request, _ = _relation_write(emulator, url)
    emulator.reset()
    emulator.faults.stop_after = request
    outcome = _run(url)
    assert outcome.startswith("error: "), outcome  # the killed run says so, in one line
    emulator.faults.clear()
    story = f"{quirks}: killed at the relation write: {outcome}"
    assert _run(url) == "applied", story
    _assert_converged(emulator, url, story)
