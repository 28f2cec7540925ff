"""A release that deletes, replaces and manages application robot types and triggers, applied
through a fault at every request of its apply.

The portal holds release 1 and deals; release 2 deletes a pipeline, a stage, a field and an
enumeration item, replaces a field whose type changes, creates a pipeline, and creates, updates
and deletes application robot types and triggers (with an OAuth application's credentials: a
webhook may not manage them). Each scenario starts from release 1 again, puts one fault on request
n of release 2's apply (an answer lost before or after the write, a 5xx, a damaged 200), then runs
plan + apply again, as a user would, until the plan shows no changes. It fails when a fault leaves a
duplicate, loses a deal or the item a deal uses, or when the second apply does not finish the job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from b24provision.api import plan_against, with_app_robots_reregistered
from b24provision.apply import apply_plan
from b24provision.blueprint.model import Blueprint
from b24provision.emulator.testing import deals, enum_item_ids, pipeline_names
from b24provision.errors import B24ProvisionError
from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import OAuthCredentials

from .portal_checks import Deal, check_portal, raw_call

APP_ID, APP_SECRET = "local.faults.app", "appSECRETf4u1t"


def _robot(code: str, name: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "handler": f"https://app.example.com/robot/{code}",
        "properties": {"to": {"name": "To", "required": True}},
        "return_properties": {"status": {"name": "Status"}},
    }


RELEASE_1: dict[str, Any] = {
    "fields": [
        {"code": "LEVEL", "type": "enumeration", "label": "Level", "items": [
            {"xml_id": "a", "value": "A"}, {"xml_id": "b", "value": "B"}, {"xml_id": "c", "value": "C"},
        ]},
        {"code": "SIZE", "type": "string", "label": "Size"},
        {"code": "NOTE", "type": "string", "label": "Note"},
    ],
    "pipelines": [
        {"key": "sales", "name": "Sales", "default": True, "stages": [
            {"code": "NEW", "name": "New"},
            {"code": "WORK", "name": "In work"},
            {"code": "OLD", "name": "Old step"},
            {"code": "WON", "name": "Won", "semantics": "success"},
            {"code": "LOSE", "name": "Lost", "semantics": "failure"},
        ]},
        {"key": "legacy", "name": "Legacy", "stages": [
            {"code": "NEW", "name": "New"},
            {"code": "WON", "name": "Won", "semantics": "success"},
            {"code": "LOSE", "name": "Lost", "semantics": "failure"},
        ]},
    ],
    "app_robots": [_robot("sms_robot", "Send SMS"), _robot("fax_robot", "Send a fax")],
    "triggers": [{"code": "paid", "name": "Invoice paid"}, {"code": "called", "name": "Called back"}],
}  # fmt: skip

RELEASE_2: dict[str, Any] = {
    "fields": [
        {"code": "LEVEL", "type": "enumeration", "label": "Level", "items": [
            {"xml_id": "a", "value": "A"}, {"xml_id": "b", "value": "B"},
        ]},
        {"code": "SIZE", "type": "double", "label": "Size"},
        {"code": "CITY", "type": "string", "label": "City"},
    ],
    "pipelines": [
        {"key": "sales", "name": "Sales", "default": True, "stages": [
            {"code": "NEW", "name": "New"},
            {"code": "WORK", "name": "In work"},
            {"code": "WON", "name": "Won", "semantics": "success"},
            {"code": "LOSE", "name": "Lost", "semantics": "failure"},
        ]},
        {"key": "fresh", "name": "Fresh", "stages": [
            {"code": "NEW", "name": "New"},
            {"code": "CHECK", "name": "Check"},
            {"code": "WON", "name": "Won", "semantics": "success"},
            {"code": "LOSE", "name": "Lost", "semantics": "failure"},
        ]},
    ],
    "app_robots": [_robot("sms_robot", "Send an SMS"), _robot("mail_robot", "Send a letter")],
    "triggers": [{"code": "paid", "name": "Invoice paid in full"}, {"code": "shipped", "name": "Shipped"}],
    "removed": {
        "pipelines": ["Legacy"], "fields": ["NOTE"], "app_robots": ["fax_robot"], "triggers": ["called"],
    },
}  # fmt: skip

V1, V2 = Blueprint.model_validate(RELEASE_1), Blueprint.model_validate(RELEASE_2)
# "drop": lost before the portal saw it; "lost_response": lost after the write; then a 5xx, a 200
# whose body is no REST reply (written, but unreadable), and "killed": from request n on nothing
# gets through, as when the process dies.
KINDS = ["drop", "lost_response", "500", "truncated", "killed"]


class Portal:
    """The emulated portal with an OAuth application installed; each run is a new process."""

    def __init__(self, start_portal: Callable[..., Any]) -> None:
        self.portal = start_portal("faults", oauth_clients={APP_ID: APP_SECRET})
        self.emulator = self.portal.emulator
        self.url = self.portal.server.url

    def client(self) -> PortalClient:
        credentials = OAuthCredentials(
            client_endpoint=f"{self.url}/rest/",
            client_id=APP_ID,
            client_secret=APP_SECRET,
            refresh_token=self.emulator.issue_refresh_token(APP_ID),
            token_url=f"{self.url}/oauth/token/",
        )
        return PortalClient(credentials, rate=None, retries=4, backoff=0.001, max_wait=0.01, timeout=5.0)

    def run(self, blueprint: Blueprint, *, reregister: bool = False) -> str:
        """One `apply --auto-approve --allow-delete` (deleting a robot type needs it): "done" when
        the plan showed nothing to change. ``reregister``: with ``--reregister-app-robots`` (the
        only way to update a robot type: the portal lists no more than their codes)."""
        with self.client() as client:
            try:
                plan = plan_against(client, blueprint).plan
                if reregister:
                    plan = with_app_robots_reregistered(plan, blueprint)
                if not plan.has_changes:
                    return "done"
                apply_plan(plan, client, allow_delete=True)
                return "applied"
            except B24ProvisionError as exc:
                assert "\n" not in exc.message.strip(), exc.message
                return f"error: {exc.message}"

    def release_1_with_deals(self) -> tuple[list[Deal], int]:
        """Release 1 applied, deals in the stages both releases keep (one using item "a"): the
        deals, and the id of item "a"."""
        self.emulator.reset()
        self.emulator.faults.clear()
        assert self.run(V1) == "applied" and self.run(V1) == "done"
        item_a = self.item_ids("LEVEL")["A"]
        for code in ("NEW", "WORK"):
            fields = {"TITLE": code, "CATEGORY_ID": 0, "STAGE_ID": code, "UF_CRM_LEVEL": item_a}
            raw_call(self.portal.server.webhook_url, "crm.deal.add", {"fields": fields})
        return deals(self.emulator), item_a

    def item_ids(self, code: str) -> dict[str, int]:
        return enum_item_ids(self.emulator, f"UF_CRM_{code}")

    def requests_since(self, start: int) -> int:
        return sum(1 for r in self.emulator.request_log[start:] if not r.sub_call)


def assert_release_2(portal: Portal, before: list[Deal], item_a: int, story: str) -> None:
    check_portal(portal.emulator, V2, before)  # no duplicates, nothing of release 2 missing
    names = set(pipeline_names(portal.emulator))
    assert "Legacy" not in names, f"{story}: the deleted pipeline is still there"
    assert portal.item_ids("LEVEL") == {"A": item_a, "B": portal.item_ids("LEVEL")["B"]}, story
    rows = raw_call(portal.portal.server.webhook_url, "crm.deal.list", {"select": ["ID", "UF_CRM_LEVEL"]})
    values = {str(row.get("UF_CRM_LEVEL")) for row in rows}
    assert values == {str(item_a)}, f"{story}: the deals lost the item they use"
    with portal.client() as client:
        robots = client.call("bizproc.robot.list").result
        triggers = client.call("crm.automation.trigger.list").result
    assert sorted(robots) == ["mail_robot", "sms_robot"], f"{story}: robot types {robots}"
    assert sorted((t["CODE"], t["NAME"]) for t in triggers) == [
        ("paid", "Invoice paid in full"),
        ("shipped", "Shipped"),
    ], f"{story}: triggers {triggers}"
    assert portal.run(V2) == "done", f"{story}: plan still shows changes"


@pytest.fixture
def portal(start_portal: Callable[..., Any]) -> Portal:
    return Portal(start_portal)


def test_release_2_deletes_replaces_and_manages_app_robot_types(portal: Portal) -> None:
    """Without faults: the plan holds every kind of change the fault runs below go through."""
    portal.release_1_with_deals()
    with portal.client() as client:
        plan = with_app_robots_reregistered(plan_against(client, V2).plan, V2)
    changes = {(op.action, op.kind, op.key) for op in plan.ops}
    assert {
        ("delete", "pipeline", "deal:legacy"),
        ("delete", "stage", "deal:sales/OLD"),
        ("delete", "field", "deal:field/NOTE"),
        ("replace", "field", "deal:field/SIZE"),
        ("create", "pipeline", "deal:fresh"),
        ("create", "app_robot", "mail_robot"),
        ("update", "app_robot", "sms_robot"),
        ("delete", "app_robot", "fax_robot"),
        ("update", "trigger", "paid"),
        ("create", "trigger", "shipped"),
        ("delete", "trigger", "called"),
    } <= changes, changes
    level = next(op for op in plan.ops if op.kind == "field" and op.key == "deal:field/LEVEL")
    assert level.action == "update" and "c" in str(level.model_dump()), level  # item c goes


@pytest.mark.parametrize("kind", KINDS)
def test_a_fault_at_every_request_of_release_2s_apply(portal: Portal, kind: str) -> None:
    portal.release_1_with_deals()
    start = len(portal.emulator.request_log)
    assert portal.run(V2, reregister=True) == "applied"
    requests = portal.requests_since(start)
    assert requests >= 5
    for n in range(1, requests + 1):
        before, item_a = portal.release_1_with_deals()
        if kind == "killed":
            portal.emulator.faults.stop_after = n
        else:
            portal.emulator.faults.script = {n: kind}
        first = portal.run(V2, reregister=True)
        portal.emulator.faults.clear()
        second = portal.run(V2)
        story = f"{kind} at request {n}: {first}, then {second}"
        assert second in ("applied", "done"), story  # the second apply finishes the job
        assert_release_2(portal, before, item_a, story)
