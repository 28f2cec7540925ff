"""Two applies at once never duplicate anything: the portal lock (portal/lock.py), force-unlock, and
the re-check of pipeline names right before they are created."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision import api
from b24provision.cli import app
from b24provision.emulator.testing import by_hand
from b24provision.errors import B24ProvisionError, LockError, PortalError, StalePlanError
from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import WebhookCredentials
from b24provision.portal.lock import LOCK_FIELD, LockHolder, portal_lock, read_lock
from b24provision.state.rest import read_after

runner = CliRunner()

BLUEPRINT = """
pipelines:
  - key: sales
    name: Sales
    default: true
    stages:
      - {code: NEW, name: New}
      - {code: PREPARATION, name: Preparation}
      - {code: PREPAYMENT_INVOICE, name: Prepayment invoice}
      - {code: EXECUTING, name: Executing}
      - {code: FINAL_INVOICE, name: Final invoice}
      - {code: WON, name: Won, semantics: success}
      - {code: LOSE, name: Lost, semantics: failure}
      - {code: APOLOGY, name: Analyze failure, semantics: failure}
%s
fields:
  - {code: SOURCE_NOTE, type: string, label: Source note}
"""
NEW_PIPELINE = """
  - key: p%d
    name: Pipeline %d
    stages:
      - {code: NEW, name: Open}
      - {code: WON, name: Done, semantics: success}
      - {code: LOSE, name: Dropped, semantics: failure}
"""


def lock(client: PortalClient) -> Any:
    """This test holding the portal's lock, as another run would."""
    return portal_lock(client, lambda first, last: read_after(client, first, last), wait=0, unlock_hint="-")


def write_blueprint(tmp_path: Path, pipelines: int = 3) -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(BLUEPRINT % "".join(NEW_PIPELINE % (n, n) for n in range(pipelines)), encoding="utf-8")
    return path


def pipeline_names(emulator: Any) -> Counter[str]:
    result = by_hand(emulator, "crm.category.list", {"entityTypeId": 2})
    return Counter(str(c["name"]) for c in result["categories"])


def field_names(emulator: Any) -> list[str]:
    return [str(f["FIELD_NAME"]) for f in by_hand(emulator, "crm.deal.userfield.list", {})]


def test_the_portal_refuses_a_second_lock_field_as_the_core_does(start_portal: Any) -> None:
    """The lock rests on this: CUserTypeEntity::Add refuses a second field of one name (reference §2.4)."""
    portal = start_portal("a")
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        fields = {"FIELD_NAME": LOCK_FIELD, "USER_TYPE_ID": "string"}
        assert client.call("crm.deal.userfield.add", {"fields": fields}).result
        with pytest.raises(PortalError) as refused:
            client.call("crm.deal.userfield.add", {"fields": fields})
    assert refused.value.code == "ERROR_CORE" and refused.value.status == 400
    assert f"The field {LOCK_FIELD} for entity CRM_DEAL already exists." in refused.value.message


@pytest.mark.parametrize("round_", range(3))
def test_two_applies_at_once_with_latency_leave_no_duplicate(
    round_: int, start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    portal.emulator.faults.latency = 0.1  # a real portal's slowness keeps both runs in the race window
    path = write_blueprint(tmp_path)
    start = threading.Barrier(2)
    outcomes: list[Any] = []
    waits: list[str] = []

    def run() -> None:
        start.wait()
        try:
            outcomes.append(
                api.plan_and_apply(
                    [path],
                    portal=portal.spec,
                    allow_delete=True,
                    confirm=lambda result: result.plan.has_changes,
                    lock_timeout=60,
                    say=waits.append,
                )
            )
        except B24ProvisionError as exc:  # pragma: no cover - reported by the assertion below
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    applied = [o for o in outcomes if o is not None]
    assert len(applied) == 1, "one run applied, the other found nothing left to do"
    assert applied[0].remaining is not None and not applied[0].remaining.has_changes
    names = pipeline_names(portal.emulator)
    assert [n for n, count in names.items() if count > 1] == []
    assert {f"Pipeline {n}" for n in range(3)} <= set(names)
    assert field_names(portal.emulator) == ["UF_CRM_SOURCE_NOTE"]  # and the lock is gone


def test_two_applies_of_one_saved_plan_apply_it_once(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    saved = tmp_path / "plan.json"
    made = runner.invoke(
        app,
        ["plan", str(write_blueprint(tmp_path)), "--portal", portal.spec, "--out", str(saved)],
    )
    assert made.exit_code == 0, made.output
    from b24provision.plan.planfile import load_plan

    plan = load_plan(saved).plan
    portal.emulator.faults.latency = 0.1
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def run() -> None:
        start.wait()
        try:
            outcomes.append(api.apply(plan, portal=portal.spec, allow_delete=True, lock_timeout=60))
        except B24ProvisionError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], StalePlanError), outcomes
    assert [n for n, count in pipeline_names(portal.emulator).items() if count > 1] == []


def test_a_second_apply_waits_for_the_lock_and_says_who_holds_it(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    path = write_blueprint(tmp_path, pipelines=1)
    waiting = threading.Event()
    messages: list[str] = []
    outcome: list[Any] = []

    def say(message: str) -> None:
        messages.append(message)
        waiting.set()

    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        with lock(client):
            thread = threading.Thread(
                target=lambda: outcome.append(
                    api.plan_and_apply(
                        [path], portal=portal.spec, confirm=lambda r: True, lock_timeout=60, say=say
                    )
                )
            )
            thread.start()
            assert waiting.wait(timeout=30), "the second run did not say it waits"
            assert pipeline_names(portal.emulator)["Pipeline 0"] == 0  # nothing written while it waits
        thread.join(timeout=60)
    assert "The portal is locked by" in messages[0] and f"pid {os.getpid()}" in messages[0]
    assert "since" in messages[0] and "waiting up to 60 s" in messages[0]
    assert outcome and outcome[0] is not None and not outcome[0].remaining.has_changes
    assert pipeline_names(portal.emulator)["Pipeline 0"] == 1


def test_a_lost_answer_to_the_lock_is_read_back_not_resent(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    portal.emulator.faults.script = {1: "lost_response"}  # the lock's batch runs; its answer is lost
    outcome = api.plan_and_apply(
        [write_blueprint(tmp_path, pipelines=1)], portal=portal.spec, confirm=lambda r: True, lock_timeout=0
    )
    assert outcome is not None and outcome.remaining is not None and not outcome.remaining.has_changes
    adds = [r for r in portal.emulator.request_log if r.method == "crm.deal.userfield.add" and r.executed]
    assert len(adds) == 2  # the lock once (never resent), then the blueprint's field
    assert LOCK_FIELD not in field_names(portal.emulator)


def test_a_pipeline_made_by_hand_meanwhile_is_not_created_twice(start_portal: Any, tmp_path: Path) -> None:
    """The lock keeps other b24provision runs out, not a person in the UI: names are read again."""
    portal = start_portal("a")

    def someone_adds_it(result: api.PlanResult) -> bool:
        by_hand(portal.emulator, "crm.category.add", {"entityTypeId": 2, "fields": {"name": "Pipeline 0"}})
        return True

    with pytest.raises(StalePlanError, match="'Pipeline 0' appeared on the portal since it was read"):
        api.plan_and_apply(
            [write_blueprint(tmp_path, pipelines=1)], portal=portal.spec, confirm=someone_adds_it
        )
    assert pipeline_names(portal.emulator)["Pipeline 0"] == 1
    assert LOCK_FIELD not in field_names(portal.emulator)


def test_a_lock_left_by_a_killed_run_is_reported_and_removed_by_force_unlock(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    portal.emulator.faults.latency = 0.3  # slow enough to kill the run while it holds the lock
    path = write_blueprint(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-m", "b24provision", "apply", str(path), "--portal", portal.spec, "--auto-approve"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    deadline = time.monotonic() + 60
    while LOCK_FIELD not in field_names(portal.emulator) and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    portal.emulator.faults.latency = 0.0
    assert LOCK_FIELD in field_names(portal.emulator)

    refused = runner.invoke(
        app, ["apply", str(path), "--portal", portal.spec, "--auto-approve", "--lock-timeout", "0"]
    )
    assert refused.exit_code == 1
    error = [line for line in refused.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1, refused.stderr
    assert "the portal is locked by" in error[0] and f"(pid {run.pid}, b24provision" in error[0]
    assert "since" in error[0] and f"b24provision force-unlock --portal {portal.spec}" in error[0]

    planned = runner.invoke(app, ["plan", str(path), "--portal", portal.spec, "--verbose"])
    assert planned.exit_code == 0, planned.output
    assert "the portal is locked by" in planned.stdout
    assert (
        "B24P_LOCK" not in planned.stdout.replace("UF_CRM_B24P_LOCK", "")
        and "unmanaged" not in planned.stdout
    )
    exported = runner.invoke(app, ["export", "--portal", portal.spec])
    assert exported.exit_code == 0 and "B24P" not in exported.stdout
    compared = runner.invoke(app, ["diff", "--from", portal.spec, "--to", str(path), "--format", "json"])
    assert compared.exit_code == 0 and "B24P" not in compared.stdout

    unlocked = runner.invoke(app, ["force-unlock", "--portal", portal.spec, "--yes"])
    assert unlocked.exit_code == 0, unlocked.output
    assert f"(pid {run.pid}, b24provision" in unlocked.stdout and "Lock removed." in unlocked.stdout
    assert LOCK_FIELD not in field_names(portal.emulator)
    again = runner.invoke(app, ["force-unlock", "--portal", portal.spec, "--yes"])
    assert again.exit_code == 0 and "The portal is not locked." in again.stdout

    applied = runner.invoke(app, ["apply", str(path), "--portal", portal.spec, "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    assert "verified: portal matches the blueprint" in applied.stdout
    assert [n for n, count in pipeline_names(portal.emulator).items() if count > 1] == []


def test_force_unlock_asks_and_keeps_the_lock_when_the_answer_is_no(start_portal: Any) -> None:
    portal = start_portal("a")
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        holder = LockHolder.for_this_run()
        client.call(
            "crm.deal.userfield.add",
            {"fields": {"FIELD_NAME": LOCK_FIELD, "USER_TYPE_ID": "string", "XML_ID": holder.encode()}},
        )
        outcome = api.force_unlock(confirm=lambda h: False, portal=portal.spec)
        assert outcome.holder is not None and outcome.holder.token == holder.token and not outcome.removed
        assert read_lock(client) is not None
    no_terminal = runner.invoke(app, ["force-unlock", "--portal", portal.spec])
    assert no_terminal.exit_code == 1 and "--yes" in no_terminal.stderr
    assert LOCK_FIELD in field_names(portal.emulator)


def test_plan_never_takes_the_lock(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    planned = runner.invoke(app, ["plan", str(write_blueprint(tmp_path)), "--portal", portal.spec])
    assert planned.exit_code == 0, planned.output
    assert not [r for r in portal.emulator.request_log if r.write]
    assert "locked" not in planned.stdout


def test_the_lock_error_names_the_holder(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        with lock(client) as held:
            with pytest.raises(LockError, match=rf"locked by .*\(pid {os.getpid()}, .*since .*force-unlock"):
                api.plan_and_apply(
                    [write_blueprint(tmp_path)], portal=portal.spec, confirm=lambda r: True, lock_timeout=0
                )
            assert held.holder.field_id is not None


def test_a_lock_the_portal_will_not_create_is_one_clear_error(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a", limits={"crm_user_field_limit": 0})  # no custom field left on the plan
    with pytest.raises(LockError) as refused:
        api.plan_and_apply([write_blueprint(tmp_path)], portal=portal.spec, confirm=lambda r: True)
    assert f"cannot take the portal lock (a deal field {LOCK_FIELD})" in refused.value.message
    assert "maximum number of custom fields" in refused.value.message
    assert not [r for r in portal.emulator.request_log if r.write and r.status == 200]


def test_a_ci_run_can_name_itself_in_the_lock(
    start_portal: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal = start_portal("a")
    monkeypatch.setenv("B24_LOCK_HOLDER", "github-actions run 42")
    seen: list[str] = []

    def look(result: api.PlanResult) -> bool:
        with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
            holder = read_lock(client)
        seen.append(holder.describe() if holder else "")
        return False

    assert api.plan_and_apply([write_blueprint(tmp_path)], portal=portal.spec, confirm=look) is None
    assert seen[0].startswith("github-actions run 42 (pid ")
    assert LOCK_FIELD not in field_names(portal.emulator)  # released though nothing was applied


def test_force_unlock_says_when_the_holder_still_runs_here(start_portal: Any) -> None:
    portal = start_portal("a")
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client, lock(client):
        shown = runner.invoke(app, ["force-unlock", "--portal", portal.spec, "--yes"])
    assert shown.exit_code == 0, shown.output
    assert f"Process {os.getpid()} is still running on this machine" in shown.stdout
