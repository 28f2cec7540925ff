"""Lead, contact and company fields through faults: a write whose outcome is unknown is never
resent blindly (the re-read covers the entity types the plan touches), so no field is made twice
and the portal converges to the blueprint."""

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

BLUEPRINT = Blueprint.model_validate(
    {
        "fields": [{"code": "NOTE", "type": "string", "label": "Note"}],
        "entities": {
            "lead": {"fields": [{"code": "CAMPAIGN", "type": "string", "label": "Campaign"}]},
            "contact": {
                "fields": [
                    {"code": "INN", "type": "string", "label": "Tax number"},
                    {
                        "code": "KIND",
                        "type": "enumeration",
                        "label": "Kind",
                        "items": [{"xml_id": "P", "value": "Private"}, {"xml_id": "B", "value": "Business"}],
                    },
                ]
            },
            "company": {"fields": [{"code": "STAFF", "type": "integer", "label": "Staff"}]},
        },
    }
)
ENTITIES = ("deal", "lead", "contact", "company")


def _client(url: str) -> PortalClient:
    return PortalClient(
        WebhookCredentials(url), rate=None, retries=4, backoff=0.001, max_wait=0.01, timeout=5.0
    )


def _run_until_done(url: str) -> list[str]:
    outcomes: list[str] = []
    for _ in range(6):
        with _client(url) as client:
            try:
                result = plan_against(client, BLUEPRINT)
                if not result.plan.has_changes:
                    outcomes.append("done")
                    return outcomes
                apply_plan(result.plan, client)
                outcomes.append("applied")
            except B24ProvisionError as exc:
                outcomes.append(f"error: {exc.message}")
    return outcomes


def _duplicates(emulator: Any) -> dict[str, list[str]]:
    out = {}
    for entity in ENTITIES:
        names = Counter(str(r["FIELD_NAME"]) for r in by_hand(emulator, f"crm.{entity}.userfield.list"))
        out[entity] = [n for n, c in names.items() if c > 1]
    return out


@pytest.mark.parametrize("kind", ["lost_response", "500", "truncated"])
def test_one_fault_at_every_request_of_the_apply(start_portal: Any, kind: str) -> None:
    portal = start_portal()
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    start = len(emulator.request_log)
    assert _run_until_done(url)[-1] == "done"
    requests = sum(1 for r in emulator.request_log[start:] if not r.sub_call)
    for n in range(1, requests + 1):
        emulator.reset()
        emulator.faults.script = {n: kind}
        outcomes = _run_until_done(url)
        emulator.faults.clear()
        story = f"{kind} at request {n}: {outcomes}"
        assert outcomes[0] == "applied", story  # one fault: the run itself recovers and finishes
        assert outcomes[-1] == "done", story
        assert _duplicates(emulator) == {e: [] for e in ENTITIES}, story
        with _client(url) as client:
            assert not plan_against(client, BLUEPRINT).plan.has_changes, story


def test_the_server_dying_at_every_write_leaves_no_field_twice(start_portal: Any) -> None:
    portal = start_portal()
    emulator: EmulatorUnderTest = portal.emulator
    url = portal.server.webhook_url
    for n in range(1, 8):
        emulator.reset()
        emulator.crash_at_write(n)
        outcomes = _run_until_done(url)
        emulator.crash_at_write(None)
        story = f"500 at write {n}: {outcomes}"
        assert outcomes[-1] == "done", story
        assert _duplicates(emulator) == {e: [] for e in ENTITIES}, story
