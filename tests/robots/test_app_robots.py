"""Application robot types (bizproc.robot.*) and triggers (crm.automation.trigger.*).

With an OAuth application's credentials plan and apply manage them fully; with a webhook the tool
says, before writing anything, that they need an application context.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.api import plan_against, with_app_robots_reregistered
from b24provision.apply import apply_plan
from b24provision.blueprint.model import Blueprint
from b24provision.cli import app
from b24provision.emulator import Emulator, PortalSettings
from b24provision.emulator.testing import app_robot
from b24provision.errors import DestructiveChangeError, PlanError
from b24provision.plan.ops import (
    DeleteAppRobotOp,
    DeleteTriggerOp,
    NeedsAppContextOp,
    UpdateAppRobotOp,
    UpdateTriggerOp,
)
from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import OAuthCredentials, WebhookCredentials
from b24provision.state.rest import read_portal

from .conftest import write_blueprint

APP_ID, APP_SECRET = "local.forecast.app", "appSECRETk2j3"
TOKEN = "hookSECRETm4n5"


def doc(**changes: Any) -> dict[str, Any]:
    """A repeat-sales pipeline, an SMS robot type and a "paid" trigger."""
    base: dict[str, Any] = {
        "pipelines": [
            {"key": "repeat", "name": "Repeat sales", "stages": [
                {"code": "NEW", "name": "New"},
                {"code": "WON", "name": "Won", "semantics": "success"},
                {"code": "LOSE", "name": "Lost", "semantics": "failure"},
            ]},
        ],
        "app_robots": [
            {"code": "sms_robot", "name": {"en": "Send SMS", "ru": "Отправить SMS"},
             "handler": "https://app.example.com/robot/sms",
             "properties": {"phone": {"name": "Phone", "required": True}},
             "return_properties": {"status": {"name": "Delivery status"}}},
        ],
        "triggers": [{"code": "paid", "name": "Invoice paid"}],
    }  # fmt: skip
    base.update(changes)
    return base


@pytest.fixture
def settings() -> PortalSettings:
    """The portal of tests/conftest.py's ``server``/``emulator`` fixtures: the app registered."""
    return PortalSettings(token=TOKEN, rate_limit=None, oauth_clients={APP_ID: APP_SECRET})


def oauth_client(server: Any, emulator: Emulator) -> PortalClient:
    credentials = OAuthCredentials(
        client_endpoint=f"{server.url}/rest/",
        client_id=APP_ID,
        client_secret=APP_SECRET,
        refresh_token=emulator.issue_refresh_token(APP_ID),
        token_url=f"{server.url}/oauth/token/",
    )
    return PortalClient(credentials, rate=None)


def writes(emulator: Emulator) -> list[str]:
    return [r.method for r in emulator.request_log if r.write and r.executed]


# ------------------------------------------------------------------------------------- OAuth


def test_oauth_round_trip_plan_apply_plan(server: Any, emulator: Emulator) -> None:
    blueprint = Blueprint.model_validate(doc())
    with oauth_client(server, emulator) as client:
        first = plan_against(client, blueprint).plan
        assert [(type(op).__name__, op.key) for op in first.ops if op.kind in ("app_robot", "trigger")] == [
            ("CreateAppRobotOp", "sms_robot"),
            ("CreateTriggerOp", "paid"),
        ]
        apply_plan(first, client)
        assert {"bizproc.robot.add", "crm.automation.trigger.add"} <= set(writes(emulator))

        again = plan_against(client, blueprint).plan
        live = read_portal(client)
    assert not again.has_changes
    assert {(r.kind, r.key) for r in again.unchanged} >= {("app_robot", "sms_robot"), ("trigger", "paid")}
    assert live.app_robot_codes == frozenset({"sms_robot"})
    assert [(t.code, t.name) for t in live.triggers or ()] == [("paid", "Invoice paid")]
    # What the plan cannot see is said, with the way out.
    assert again.warnings == (
        "application robot types are compared by code only (sms_robot): the portal lists their codes, "
        "not their settings (bizproc.robot.list), so a changed handler or property does not show here — "
        "`b24provision apply --reregister-app-robots` sends every declared type's settings again",
    )


def test_renamed_trigger_and_removed_robot_and_trigger(server: Any, emulator: Emulator) -> None:
    with oauth_client(server, emulator) as client:
        apply_plan(plan_against(client, Blueprint.model_validate(doc())).plan, client)

        renamed = Blueprint.model_validate(doc(triggers=[{"code": "paid", "name": "Invoice paid in full"}]))
        plan = plan_against(client, renamed).plan
        assert [(type(op), op.changes) for op in plan.ops if op.kind == "trigger"] == [
            (UpdateTriggerOp, (("name", "Invoice paid", "Invoice paid in full"),))
        ]
        apply_plan(plan, client)
        assert not plan_against(client, renamed).plan.has_changes

        gone = Blueprint.model_validate(
            doc(app_robots=[], triggers=[], removed={"app_robots": ["sms_robot"], "triggers": ["paid"]})
        )
        plan = plan_against(client, gone).plan
        assert [type(op) for op in plan.ops if op.kind in ("app_robot", "trigger")] == [
            DeleteAppRobotOp,
            DeleteTriggerOp,
        ]
        with pytest.raises(DestructiveChangeError, match="delete app_robot sms_robot"):
            apply_plan(plan, client)  # robots of that type placed on stages would stop working
        apply_plan(plan, client, allow_delete=True)
        live = read_portal(client)
        assert live.app_robot_codes == frozenset() and live.triggers == ()
        assert not plan_against(client, gone).plan.has_changes


def test_reregistering_sends_every_declared_robot_type_again(server: Any, emulator: Emulator) -> None:
    with oauth_client(server, emulator) as client:
        apply_plan(plan_against(client, Blueprint.model_validate(doc())).plan, client)
        changed = doc()
        changed["app_robots"][0]["handler"] = "https://app.example.com/robot/sms-v2"
        blueprint = Blueprint.model_validate(changed)
        plan = plan_against(client, blueprint).plan
        assert not plan.has_changes  # the portal cannot tell: codes only

        plan = with_app_robots_reregistered(plan, blueprint)
        assert [(type(op), op.key) for op in plan.ops if op.kind == "app_robot"] == [
            (UpdateAppRobotOp, "sms_robot")
        ]
        apply_plan(plan, client)
    assert writes(emulator)[-1] == "bizproc.robot.update"
    assert app_robot(emulator, "sms_robot")["HANDLER"] == "https://app.example.com/robot/sms-v2"


# ------------------------------------------------------------------------------------ webhook


def test_webhook_is_refused_before_any_write(
    server: Any, emulator: Emulator, writes_besides_the_lock: Callable[[Emulator], list[Any]]
) -> None:
    blueprint = Blueprint.model_validate(doc(removed={"triggers": ["old_trigger"]}))
    with PortalClient(WebhookCredentials(server.webhook_url), rate=None) as client:
        plan = plan_against(client, blueprint).plan
        blocked = [(op.target, op.code, op.wanted) for op in plan.ops if isinstance(op, NeedsAppContextOp)]
        assert blocked == [
            ("app_robot", "sms_robot", "present"),
            ("trigger", "paid", "present"),
            ("trigger", "old_trigger", "removed"),
        ]
        with pytest.raises(PlanError) as info:
            apply_plan(plan, client, allow_delete=True)
    message = str(info.value)
    assert "app_robot sms_robot, trigger paid, trigger old_trigger" in message
    assert "bizproc.robot.* and crm.automation.trigger.* refuse webhooks" in message
    # The pipeline the plan would create was not created either: nothing was written at all.
    assert writes_besides_the_lock(emulator) == []


def test_webhook_cli_says_why_and_writes_nothing(
    server: Any,
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    writes_besides_the_lock: Callable[[Emulator], list[Any]],
) -> None:
    monkeypatch.setenv("B24_TEST_WEBHOOK", server.webhook_url)
    path = write_blueprint(tmp_path, doc())
    runner = CliRunner()
    planned = runner.invoke(app, ["plan", str(path), "--portal", "env:B24_TEST_WEBHOOK"])
    assert planned.exit_code == 0, planned.output
    assert (
        "Needs an OAuth application (a webhook cannot read or write these; apply refuses the plan):\n"
        "  ! app_robot sms_robot (declared)\n"
        "  ! trigger paid (declared)\n"
    ) in planned.stdout
    applied = runner.invoke(app, ["apply", str(path), "--portal", "env:B24_TEST_WEBHOOK", "--auto-approve"])
    assert applied.exit_code == 1
    assert "can only be managed with an OAuth application's credentials" in applied.output
    assert TOKEN not in applied.output + planned.output
    assert writes_besides_the_lock(emulator) == []


# ------------------------------------------------------------------------ CLI, OAuth profile


def test_cli_with_an_oauth_profile(
    server: Any, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the profile keeps its rotated refresh token under ./.b24provision
    monkeypatch.setenv("B24_TEST_APP_ID", APP_ID)
    monkeypatch.setenv("B24_TEST_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("B24_TEST_REFRESH", emulator.issue_refresh_token(APP_ID))
    portals = Path("portals.yaml")
    portals.write_text(
        "app:\n"
        "  oauth:\n"
        "    client_id_env: B24_TEST_APP_ID\n"
        "    client_secret_env: B24_TEST_APP_SECRET\n"
        "    refresh_token_env: B24_TEST_REFRESH\n"
        f"    endpoint: {server.url}/rest/\n"
        f"    token_url: {server.url}/oauth/token/\n",
        encoding="utf-8",
    )
    blueprint_dir = tmp_path / "bp"
    blueprint_dir.mkdir()
    path = write_blueprint(blueprint_dir, doc())
    common = ["--portal", "app", "--portals", str(portals)]
    runner = CliRunner()

    applied = runner.invoke(app, ["apply", str(path), *common, "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    assert "verified: portal matches the blueprint" in applied.stdout
    planned = runner.invoke(app, ["plan", str(path), *common, "--detailed-exitcode"])
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith("No changes.")
    assert "--reregister-app-robots" in planned.stdout  # the warning names the way out

    updates_before = writes(emulator).count("bizproc.robot.update")
    again = runner.invoke(app, ["apply", str(path), *common, "--auto-approve", "--reregister-app-robots"])
    assert again.exit_code == 0, again.output
    assert "~ app_robot sms_robot" in again.stdout
    assert writes(emulator).count("bizproc.robot.update") == updates_before + 1

    refused = runner.invoke(app, ["apply", "--plan", "x.json", *common, "--reregister-app-robots"])
    assert refused.exit_code == 1 and "cannot change a saved one" in refused.output
