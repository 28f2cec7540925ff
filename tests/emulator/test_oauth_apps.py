"""OAuth token refresh and expiry, app-context-only methods, feature gating, plan discovery."""

from __future__ import annotations

import time

import httpx
import pytest

from b24provision.emulator import Emulator, PortalSettings, RunningServer

from .conftest import APPS, HTTP, app_token, err, ok


def refresh(server: RunningServer, client_id: str, token: str, secret: str | None = None) -> httpx.Response:
    return HTTP.post(
        f"{server.url}/oauth/token/",
        data={
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": secret or APPS[client_id],
            "refresh_token": token,
        },
    )


def test_refresh_gives_tokens_pointing_back_at_the_emulator(
    server: RunningServer, emulator: Emulator
) -> None:
    answer = refresh(server, "app.one", emulator.issue_refresh_token("app.one"))
    body = answer.json()
    assert body["client_endpoint"] == f"{server.url}/rest/"
    assert body["expires_in"] == 3600 and body["refresh_token"] and body["member_id"]
    again = refresh(server, "app.one", body["refresh_token"])
    assert again.status_code == 200
    assert refresh(server, "app.one", body["refresh_token"]).json()["error"] == "invalid_grant"  # rotated


def test_token_endpoint_errors(server: RunningServer, emulator: Emulator) -> None:
    token = emulator.issue_refresh_token("app.one")
    assert refresh(server, "app.one", token, secret="wrong").json()["error"] == "invalid_client"
    assert refresh(server, "app.two", token).json()["error"] == "invalid_grant"  # another app's token
    with pytest.raises(ValueError):
        emulator.issue_refresh_token("app.unknown")


@pytest.mark.parametrize(
    "settings", [PortalSettings(token="test-token", rate_limit=None, oauth_clients=APPS, access_token_ttl=0)]
)
def test_access_token_expires(server: RunningServer, emulator: Emulator) -> None:
    token = app_token(server, emulator)
    time.sleep(0.01)
    answer = HTTP.get(f"{server.url}/rest/profile", params={"auth": token})
    assert err(answer, 401) == ("expired_token", "The access token provided has expired")


def test_app_info_webhook_sees_scope_and_license_app_sees_all(
    server: RunningServer, emulator: Emulator, hook: httpx.Client
) -> None:
    assert set(ok(hook.post("app.info"))) == {"SCOPE", "LICENSE"}
    info = ok(HTTP.get(f"{server.url}/rest/app.info", params={"auth": app_token(server, emulator)}))
    assert (info["LICENSE"], info["LICENSE_TYPE"], info["LICENSE_FAMILY"]) == ("ru_pro100", "pro100", "pro")


def test_robots_and_triggers_need_an_app_and_are_kept_per_app(
    server: RunningServer, emulator: Emulator, hook: httpx.Client
) -> None:
    assert err(hook.post("bizproc.robot.list"), 403) == (
        "ACCESS_DENIED",
        "Access denied! Application context required",
    )
    assert err(hook.post("crm.automation.trigger.list"), 403)[0] == "ACCESS_DENIED"
    one, two = app_token(server, emulator, "app.one"), app_token(server, emulator, "app.two")
    robot = {
        "CODE": "make_task",
        "HANDLER": "https://app.example/robot",
        "NAME": {"ru": "Задача"},
        "PROPERTIES": {"due": {"Name": "Due", "Type": "date"}},
    }
    assert ok(HTTP.post(f"{server.url}/rest/bizproc.robot.add", json={"auth": one, **robot})) is True
    again = HTTP.post(f"{server.url}/rest/bizproc.robot.add", json={"auth": one, **robot})
    assert err(again)[0] == "ERROR_ACTIVITY_ALREADY_INSTALLED"
    assert ok(HTTP.post(f"{server.url}/rest/bizproc.robot.list", json={"auth": one})) == ["make_task"]
    assert ok(HTTP.post(f"{server.url}/rest/bizproc.robot.list", json={"auth": two})) == []
    ok(
        HTTP.post(
            f"{server.url}/rest/crm.automation.trigger.add",
            json={"auth": one, "CODE": "paid", "NAME": "Paid"},
        )
    )
    ok(
        HTTP.post(
            f"{server.url}/rest/crm.automation.trigger.add", json={"auth": one, "CODE": "paid", "NAME": "Got"}
        )
    )
    assert ok(HTTP.post(f"{server.url}/rest/crm.automation.trigger.list", json={"auth": one})) == [
        {"NAME": "Got", "CODE": "paid"}
    ]
    assert ok(
        HTTP.post(f"{server.url}/rest/crm.automation.trigger.delete", json={"auth": one, "CODE": "paid"})
    )


def test_method_get_and_feature_get(hook: httpx.Client) -> None:
    assert ok(hook.post("method.get", json={"name": "bizproc.workflow.template.add"})) == {
        "isExisting": True,
        "isAvailable": True,
    }
    assert ok(hook.post("feature.get", json={"CODE": "crm_automation_deal"})) == {"value": "Y"}
    assert err(hook.post("feature.get")) == ("CODE_EMPTY", "CODE can't be empty")
    assert "crm.category.add" in ok(hook.post("methods", json={"full": True}))
    assert ok(hook.post("scope"))


@pytest.mark.parametrize(
    "settings",
    [
        PortalSettings(
            token="test-token", rate_limit=None, license="ru_basic", features={"crm_automation_deal"}
        )
    ],
)
def test_feature_gating_hides_bizproc_methods(hook: httpx.Client) -> None:
    assert ok(hook.post("method.get", json={"name": "bizproc.workflow.template.list"}))["isExisting"] is False
    assert ok(hook.post("method.get", json={"name": "bizproc.robot.add"}))["isExisting"] is True
    assert err(hook.post("bizproc.workflow.template.list"), 404)[0] == "ERROR_METHOD_NOT_FOUND"
    assert ok(hook.post("app.info"))["LICENSE"] == "ru_basic"


@pytest.mark.parametrize("settings", [PortalSettings(token="test-token", rate_limit=None, features=set())])
def test_no_automation_feature_no_robot_methods(hook: httpx.Client) -> None:
    assert err(hook.post("bizproc.robot.list"), 404)[0] == "ERROR_METHOD_NOT_FOUND"


def test_workflow_templates_belong_to_their_app(
    server: RunningServer, emulator: Emulator, hook: httpx.Client
) -> None:
    one = app_token(server, emulator, "app.one")
    template = {
        "auth": one,
        "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"],
        "NAME": "Repeat",
        "TEMPLATE_DATA": "data",
        "AUTO_EXECUTE": 0,
    }
    template_id = ok(HTTP.post(f"{server.url}/rest/bizproc.workflow.template.add", json=template))
    robot = dict(template, AUTO_EXECUTE=8)
    assert err(HTTP.post(f"{server.url}/rest/bizproc.workflow.template.add", json=robot))[1] == (
        "Incorrect field AUTO_EXECUTE!"
    )
    listed = ok(hook.post("bizproc.workflow.template.list", json={"select": ["ID", "NAME", "SYSTEM_CODE"]}))
    assert listed == [{"ID": str(template_id), "NAME": "Repeat", "SYSTEM_CODE": "rest_app_1"}]
    two = app_token(server, emulator, "app.two")
    foreign = HTTP.post(
        f"{server.url}/rest/bizproc.workflow.template.delete", json={"auth": two, "ID": template_id}
    )
    assert err(foreign)[0] == "ERROR_TEMPLATE_NOT_OWNER"
