"""The portal's plan, detected over HTTP from the emulator, and what validate / plan / apply / tariff
do with it.

The emulator's licence, features and limits are settings that are not kept in its state file, so
each test serves its own emulator in a thread and points the CLI at it with ``--portal env:VAR`` (or
a portals.yaml profile naming that variable).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from b24provision.cli import app
from b24provision.emulator import Emulator, PortalSettings, RunningServer
from b24provision.emulator.testing import PortalPool

HOOK = "TARIFF_TEST_HOOK"  # not B24_*: conftest's clean_environ would drop it
Serve = Callable[[PortalSettings], Emulator]

ROBOTS = """\
pipelines:
  - key: sales
    name: Sales
    stages:
      - code: NEW
        name: New
        robots:
          - type: create_task
            title: Call the client
            task_title: Call the client
            responsible: responsible
      - {code: WON, name: Won, semantics: success}
      - {code: LOSE, name: Lost, semantics: failure}
"""

FOUR_PIPELINES = "pipelines:\n" + "".join(
    f"""\
  - key: p{n}
    name: Pipeline {n}
    stages:
      - {{code: NEW, name: New}}
      - {{code: WON, name: Won, semantics: success}}
      - {{code: LOSE, name: Lost, semantics: failure}}
"""
    for n in range(1, 4)
)  # three new pipelines + the portal's default one = 4


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch, portal_pool: PortalPool) -> Iterator[Serve]:
    """serve(settings) -> the running emulator, its webhook URL in $TARIFF_TEST_HOOK."""
    running: list[RunningServer] = []

    def start(settings: PortalSettings) -> Emulator:
        settings.rate_limit = None
        server = portal_pool.take(settings)
        running.append(server)
        monkeypatch.setenv(HOOK, server.webhook_url)
        return server.app

    yield start
    for server in running:
        portal_pool.release(server)


def write(tmp_path: Path, text: str, name: str = "blueprint.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def emulator_url() -> str:
    """The webhook URL of the emulator ``serve`` started last."""
    import os

    return os.environ[HOOK]


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def no_automation() -> PortalSettings:
    """The free plan with a Market subscription: REST answers (§9.3), automation is still off."""
    return PortalSettings(license="ru_project", features=set(), rest_access=True)


# ------------------------------------------------------------------------------------------ apply


def test_apply_refuses_robots_on_a_portal_without_automation_before_any_write(
    serve: Serve, tmp_path: Path, writes_besides_the_lock: Callable[[Emulator], list[object]]
) -> None:
    emulator = serve(no_automation())
    result = run("apply", str(write(tmp_path, ROBOTS)), "--portal", f"env:{HOOK}", "--auto-approve")
    assert result.exit_code == 1, result.output
    error = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1, result.stderr
    assert "robots (1 on stages) need Basic (Базовый) or higher (CRM+ among the old plans)" in error[0]
    assert "method.get bizproc.robot.add: does not exist" in error[0]
    assert "this portal is on Free (Бесплатный) (from app.info LICENSE ru_project)" in error[0]
    assert "--ignore-tariff" in error[0]
    assert writes_besides_the_lock(emulator) == []


def test_ignore_tariff_applies_the_rest(serve: Serve, tmp_path: Path) -> None:
    emulator = serve(no_automation())
    path = write(tmp_path, ROBOTS)
    result = run("apply", str(path), "--portal", f"env:{HOOK}", "--auto-approve", "--ignore-tariff")
    assert result.exit_code == 0, result.output
    assert "verified: portal matches the blueprint" in result.stdout
    assert emulator.write_count() > 0


def test_saved_plan_is_refused_too(
    serve: Serve, tmp_path: Path, writes_besides_the_lock: Callable[[Emulator], list[object]]
) -> None:
    emulator = serve(no_automation())
    saved = tmp_path / "plan.json"
    made = run("plan", str(write(tmp_path, ROBOTS)), "--portal", f"env:{HOOK}", "--out", str(saved))
    assert made.exit_code == 0, made.output
    result = run("apply", "--plan", str(saved), "--portal", f"env:{HOOK}", "--auto-approve")
    assert result.exit_code == 1
    assert "robots (1 on stages) need Basic" in result.stderr
    assert writes_besides_the_lock(emulator) == []


def test_pipelines_over_the_declared_limit_are_refused(
    serve: Serve, tmp_path: Path, writes_besides_the_lock: Callable[[Emulator], list[object]]
) -> None:
    emulator = serve(PortalSettings(limits={"crm_deal_category_limit": 3}))
    portals = write(tmp_path, f"small:\n  webhook_env: {HOOK}\n  limits: {{pipelines: 3}}\n", "portals.yaml")
    path = write(tmp_path, FOUR_PIPELINES)
    result = run("apply", str(path), "--portal", "small", "--portals", str(portals), "--auto-approve")
    assert result.exit_code == 1, result.output
    assert "4 deal pipelines (after this apply) need a plan that allows 4; it allows at most 3" in (
        result.stderr
    )
    assert "the profile's declaration" in result.stderr
    assert writes_besides_the_lock(emulator) == []


# ------------------------------------------------------------------------------- plan / tariff


def test_plan_warns_in_every_format(serve: Serve, tmp_path: Path) -> None:
    serve(no_automation())
    path = write(tmp_path, ROBOTS)
    doc = run("plan", str(path), "--portal", f"env:{HOOK}", "--format", "json")
    assert doc.exit_code == 0, doc.output
    warnings = json.loads(doc.stdout)["warnings"]
    assert any(w.startswith("tariff: Free (Бесплатный) does not have automation rules") for w in warnings)
    assert "Tariff: Free (Бесплатный) (from app.info LICENSE ru_project)" in doc.stderr
    markdown = run("plan", str(path), "--portal", f"env:{HOOK}", "--format", "markdown")
    assert "Warning: tariff: Free" in markdown.stdout
    text = run("plan", str(path), "--portal", f"env:{HOOK}")
    assert "method.get bizproc.robot.add: does not exist" in text.stdout


def test_no_tariff_warning_where_the_portal_has_it_all(serve: Serve, tmp_path: Path) -> None:
    serve(PortalSettings())  # ru_pro100, every feature
    doc = run("plan", str(write(tmp_path, ROBOTS)), "--portal", f"env:{HOOK}", "--format", "json")
    assert doc.exit_code == 0, doc.output
    assert not [w for w in json.loads(doc.stdout)["warnings"] if w.startswith("tariff:")]


def test_the_profiles_declared_tariff_wins_over_license(serve: Serve, tmp_path: Path) -> None:
    serve(PortalSettings(license="ru_pro100", features=set()))
    portals = write(tmp_path, f"staging:\n  webhook_env: {HOOK}\n  tariff: crm_plus\n", "portals.yaml")
    path = write(tmp_path, ROBOTS)
    result = run("tariff", str(path), "--portal", "staging", "--portals", str(portals))
    assert "Plan: CRM+ (from the profile's declaration (" in result.stdout
    assert "app.info LICENSE: ru_pro100 (the declaration wins)" in result.stdout
    # CRM+ has robots by the table, but this portal proves it has no automation: a need unmet.
    robots = "robots (automation rules): not available (method.get bizproc.robot.add: does not exist)"
    assert robots in result.stdout
    assert result.exit_code == 1


def test_tariff_portal_detects_the_license_and_fits(serve: Serve, tmp_path: Path) -> None:
    serve(PortalSettings(license="ru_std"))
    result = run("tariff", str(write(tmp_path, ROBOTS)), "--portal", f"env:{HOOK}", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["plan"] == "standard" and doc["ok"] is True
    assert doc["detected"]["decided_by"] == "app.info LICENSE ru_std"
    robots = next(f for f in doc["findings"] if f["need"] == "robots")
    assert robots["severity"] == "ok" and robots["source"] == "method.get bizproc.robot.add: exists"


def test_an_unknown_declared_tariff_in_a_profile_is_an_error_at_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOOK, "http://127.0.0.1:9/rest/1/never-called/")  # refused before any request
    portals = write(tmp_path, f"staging:\n  webhook_env: {HOOK}\n  tariff: gold\n", "portals.yaml")
    result = run("plan", str(write(tmp_path, ROBOTS)), "--portal", "staging", "--portals", str(portals))
    assert result.exit_code == 1
    assert f"Error: {portals}:" in result.stderr
    assert "profile 'staging': unknown tariff 'gold' — use one of free, basic" in result.stderr
    assert "never-called" not in result.output


# ----------------------------------------------------------------------------------- validate


def test_validate_unknown_tariff_code_is_an_error_at_its_value(tmp_path: Path) -> None:
    path = write(tmp_path, "tariff: gold\n" + ROBOTS)
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert f"{path}:1:9: tariff: unknown plan 'gold' — use one of free, basic, standard" in result.stdout


def test_validate_warns_what_the_declared_tariff_lacks(tmp_path: Path) -> None:
    path = write(tmp_path, "tariff: free\n" + ROBOTS)
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert f"{path}:1:9: warning: tariff: Free (Бесплатный) does not have automation rules" in result.stdout


# ------------------------------------------------------------------- the licence alone decides


def test_a_free_licence_alone_means_no_robot_methods(serve: Serve, tmp_path: Path) -> None:
    """`--license ru_project` without any feature setting: a portal without automation (§8.1)."""
    import httpx

    serve(PortalSettings(license="ru_project", rest_access=True))
    url = emulator_url()
    with httpx.Client(base_url=url) as hook:
        probe = hook.post("method.get", json={"name": "bizproc.robot.add"}).json()["result"]
        assert probe == {"isExisting": False, "isAvailable": False}
        refused = hook.post("bizproc.robot.list")
        assert refused.status_code == 404
        assert refused.json()["error"] == "ERROR_METHOD_NOT_FOUND"
        feature = hook.post("feature.get", json={"CODE": "crm_automation_deal"})
        assert feature.json()["result"] == {"value": "N"}
    result = run("apply", str(write(tmp_path, ROBOTS)), "--portal", f"env:{HOOK}", "--auto-approve")
    assert result.exit_code == 1, result.output
    assert "robots (1 on stages) need Basic (Базовый) or higher" in result.stderr
    with httpx.Client(base_url=url) as hook:  # no pipeline was made
        assert hook.post("crm.category.list", json={"entityTypeId": 2}).json()["total"] == 1


def test_tariff_report_on_a_free_portal_says_it_does_not_fit(serve: Serve, tmp_path: Path) -> None:
    serve(PortalSettings(license="ru_project", rest_access=True))
    result = run("tariff", str(write(tmp_path, ROBOTS)), "--portal", f"env:{HOOK}")
    assert result.exit_code == 1, result.output
    robots = next(line for line in result.stdout.splitlines() if line.startswith("│ robots"))
    assert "NOT MET" in robots
    assert "Verdict: Free (Бесплатный) does not fit this blueprint: robots not met" in result.stdout
    # The source's kind is said with it: only a third party says Basic has robots.
    minimal = "Minimal plan that fits: Basic (Базовый), probably: robots (third party: web-truetech)"
    assert minimal in result.stdout


def test_basic_licence_has_robots_but_no_business_processes(serve: Serve) -> None:
    import httpx

    serve(PortalSettings(license="ru_basic"))
    with httpx.Client(base_url=emulator_url()) as hook:
        exists = {
            name: hook.post("method.get", json={"name": name}).json()["result"]["isExisting"]
            for name in ("bizproc.robot.add", "bizproc.workflow.template.add")
        }
    assert exists == {"bizproc.robot.add": True, "bizproc.workflow.template.add": False}


def test_emulator_serve_with_a_free_licence_flag(tmp_path: Path) -> None:
    """The CLI flag alone, in a real process: method.get says the robot methods do not exist."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "b24provision", "emulator", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [
            *command,
            "--license",
            "ru_project",
            "--market-subscription",
            "--token",
            "freeTOKEN",
            "--no-rate-limit",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        url = f"http://127.0.0.1:{port}/rest/1/freeTOKEN/"
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.post(url + "method.get", json={"name": "bizproc.robot.add"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        assert answer.json()["result"]["isExisting"] is False
        assert httpx.post(url + "app.info").json()["result"]["LICENSE"] == "ru_project"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_smart_processes_over_the_declared_limit_are_refused_before_any_write(
    start_portal, tmp_path: Path, writes_besides_the_lock: Callable[[Emulator], list[object]]
) -> None:
    portal = start_portal("sp", limits={"crm_smart_processes_limit": 1})
    profile = f"small:\n  webhook_env: {portal.spec.removeprefix('env:')}\n  limits: {{smart_processes: 1}}\n"
    portals = write(tmp_path, profile, "portals.yaml")
    blueprint = Path(__file__).resolve().parents[1] / "blueprints" / "kitchen-smart-processes"  # four of them
    result = run("apply", str(blueprint), "--portal", "small", "--portals", str(portals), "--auto-approve")
    assert result.exit_code == 1, result.output
    refusal = "4 smart processes (after this apply) need a plan that allows 4; it allows at most 1"
    assert refusal in result.stderr and "the profile's declaration" in result.stderr
    assert writes_besides_the_lock(portal.emulator) == []
