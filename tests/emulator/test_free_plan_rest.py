"""The free plan has no REST API (reference §9.3): every call is refused, for a webhook and for an
OAuth application, before anything is read or written; a Market subscription opens it. The docs
and the core disagree on the answer's status and words (Quirks.rest_plan_refusal), so both are run;
the client and doctor give the portal's words, the method and what to do, and exit 1."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator import testing

from .conftest import APPS, app_token

READINGS = {
    "docs": (403, "REST API is available only on commercial plans"),
    "core": (401, "REST is available only on commercial plans."),
}
KITCHEN = Path(__file__).parents[2] / "blueprints" / "kitchen-child-deals"


@pytest.mark.parametrize("reading", sorted(READINGS))
def test_a_free_portal_refuses_every_call_before_any_work(start_portal, reading):
    portal = start_portal("free", quirks=reading, license="ru_project", oauth_clients=APPS)
    status, words = READINGS[reading]
    base = portal.server.webhook_url
    answers = [
        httpx.post(base + "profile"),
        httpx.post(base + "crm.category.add", json={"entityTypeId": 2, "fields": {"name": "Made"}}),
        httpx.post(base + "batch", json={"cmd": {"a": "crm.category.list?entityTypeId=2"}}),
        httpx.post(
            f"{portal.server.url}/rest/app.info", json={"auth": app_token(portal.server, portal.emulator)}
        ),
    ]
    for answer in answers:
        assert answer.status_code == status
        assert answer.json() == {"error": "ACCESS_DENIED", "error_description": words}
    assert testing.pipeline_names(portal.emulator) == []  # nothing was made
    assert all(not r.executed for r in portal.emulator.request_log)


def test_wrong_credentials_are_still_told_first(start_portal):
    portal = start_portal("free", license="ru_project")
    answer = httpx.post(portal.server.url + "/rest/1/wrongCODE1234/profile")
    assert answer.status_code == 401 and answer.json()["error"] == "INVALID_CREDENTIALS"


def test_a_market_subscription_opens_rest_on_the_free_plan(start_portal):
    portal = start_portal("free", license="ru_project", rest_access=True)
    answer = httpx.post(portal.server.webhook_url + "app.info")
    assert answer.status_code == 200 and answer.json()["result"]["LICENSE"] == "ru_project"


@pytest.mark.parametrize("reading", sorted(READINGS))
def test_plan_and_doctor_say_the_plan_has_no_rest_and_what_to_do(start_portal, reading):
    portal = start_portal("free", quirks=reading, license="ru_project")
    words = READINGS[reading][1]
    plan = CliRunner().invoke(app, ["plan", str(KITCHEN), "--portal", portal.spec])
    assert plan.exit_code == 1
    errors = [line for line in plan.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, plan.stderr
    assert f"batch: {words} (ACCESS_DENIED)" in errors[0]
    assert "this portal's plan has no REST API: move it to a paid plan or start its demo" in errors[0]
    assert portal.token not in plan.output
    doctor = CliRunner().invoke(app, ["doctor", "--portal", portal.spec])
    assert doctor.exit_code == 1
    problem = next(line for line in doctor.stdout.splitlines() if "PROBLEM" in line)
    assert problem.split()[1] == "plan" and words in problem
    assert "copy the webhook URL again" not in doctor.stdout
