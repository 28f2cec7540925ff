"""The webhook's secret code never leaves the environment variable that holds it.

Every command that exists is run against an emulator whose webhook code is a distinctive string,
given as ``--portal env:B24_SECRET_HOOK``, on success and on failure paths (a wrong code, a dropped
connection, a refused write). The code must appear nowhere: not on stdout or stderr, not in any log
record (httpx and httpcore at DEBUG included), not in any file the command wrote under the working
directory (plans, exports, diagrams, the tool's own state).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator import PortalSettings, Quirks, RunningServer
from b24provision.portal.client import PortalClient

SECRET = "SECRETtoken9f3k2"
ROOT = Path(__file__).resolve().parents[1]
BLUEPRINT = str(ROOT / "blueprints" / "kitchen-child-deals")
HOOK = "env:B24_SECRET_HOOK"
runner = CliRunner()

# (id, arguments, exit codes that are fine). Every command of the CLI but `emulator serve`, which
# prints the local emulator's own made-up code on purpose (see cli/emulator_commands.py).
COMMANDS: list[tuple[str, list[str], set[int]]] = [
    ("validate", ["validate", BLUEPRINT], {0}),
    ("schema", ["schema", "--out", "schema.json"], {0}),
    ("plan-text", ["plan", BLUEPRINT, "--portal", HOOK], {0}),
    ("plan-json", ["plan", BLUEPRINT, "--portal", HOOK, "--format", "json"], {0}),
    ("plan-markdown", ["plan", BLUEPRINT, "--portal", HOOK, "--format", "markdown", "--verbose"], {0}),
    (
        "plan-out",
        ["plan", BLUEPRINT, "--portal", HOOK, "--out", "saved-plan.json", "--detailed-exitcode"],
        {2},
    ),
    ("apply", ["apply", BLUEPRINT, "--portal", HOOK, "--auto-approve", "--allow-delete"], {0}),
    (
        "apply-plan",
        ["apply", "--plan", "saved-plan.json", "--portal", HOOK, "--auto-approve", "--allow-delete"],
        {0},
    ),
    ("export", ["export", "--portal", HOOK, "--out", "exported"], {0}),
    ("force-unlock", ["force-unlock", "--portal", HOOK, "--yes"], {0}),
    ("export-json", ["export", "--portal", HOOK, "--format", "json"], {0}),
    (
        "apply-json",
        ["apply", BLUEPRINT, "--portal", HOOK, "--auto-approve", "--allow-delete", "--format", "json"],
        {0},
    ),
    ("show", ["show", "saved-plan.json", "--format", "markdown"], {0}),
    ("fmt", ["fmt", "--diff", BLUEPRINT], {0}),
    ("diff-portal-blueprint", ["diff", "--from", HOOK, "--to", BLUEPRINT], {0, 2}),
    ("diff-json", ["diff", "--from", BLUEPRINT, "--to", HOOK, "--format", "json"], {0, 2}),
    ("diff-markdown", ["diff", "--from", HOOK, "--to", HOOK, "--format", "markdown"], {0}),
    ("tariff", ["tariff", BLUEPRINT, "--portal", HOOK], {0, 1}),
    ("tariff-json", ["tariff", BLUEPRINT, "--portal", HOOK, "--format", "json"], {0, 1}),
    ("doctor", ["doctor", BLUEPRINT, "--portal", HOOK], {0}),
    (
        "doctor-probe",
        ["doctor", BLUEPRINT, "--portal", HOOK, "--probe", "--auto-approve", "--format", "json"],
        {0},
    ),
    ("graph", ["graph", BLUEPRINT, "--out", "graph.mmd"], {0}),
    ("runbook", ["runbook", BLUEPRINT, "--out", "runbook.md"], {0}),
    (
        "forecast",
        ["forecast", str(ROOT / "blueprints" / "recurring-deals"), "--portal", HOOK, "--verbose"],
        {0},
    ),
]


@pytest.fixture
def settings() -> PortalSettings:
    """The portal of tests/conftest.py's ``server`` fixture: its webhook code is SECRET."""
    return PortalSettings(token=SECRET, rate_limit=None)


@pytest.fixture
def portal(server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh portal, its webhook in $B24_SECRET_HOOK, an empty working directory, B24_DEBUG unset."""
    monkeypatch.setenv("B24_SECRET_HOOK", server.webhook_url)
    monkeypatch.delenv("B24_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    defaults = dict(PortalClient.__init__.__kwdefaults__ or {})
    monkeypatch.setattr(
        PortalClient.__init__, "__kwdefaults__", {**defaults, "backoff": 0.001, "max_wait": 0.01}
    )
    return server


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in ("", "httpx", "httpcore", "b24provision"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def leaks(where: Path, *texts: str) -> list[str]:
    """Where the secret shows: in the given texts, or in any file under ``where``."""
    found = [f"output #{i}" for i, text in enumerate(texts) if SECRET in text]
    for path in where.rglob("*"):
        if path.is_file() and SECRET.encode() in path.read_bytes():
            found.append(str(path.relative_to(where)))
    return found


def run(args: list[str]) -> Any:
    return runner.invoke(app, args, catch_exceptions=True)


def test_every_command_is_covered() -> None:
    """A new command must be added here (or explained in this module's docstring)."""
    listed = {args[0] for _, args, _ in COMMANDS} | {"emulator"}
    assert listed == {c.name or c.callback.__name__ for c in app.registered_commands} | {"emulator"}  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "args", "ok"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_no_command_shows_the_webhook_secret(
    name: str,
    args: list[str],
    ok: set[int],
    portal: Any,
    tmp_path: Path,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    if name in ("apply-plan", "show"):
        assert run(["plan", BLUEPRINT, "--portal", HOOK, "--out", "saved-plan.json"]).exit_code == 0
    result = run(args)
    assert result.exit_code in ok, (result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in debug_logs.records)
    assert not leaks(tmp_path, result.stdout, result.stderr, logs)
    if "--portal" in args or HOOK in args:
        assert portal.app.request_log, "the command did not reach the portal"


FAILURES = [
    ("wrong-code", ["plan", BLUEPRINT, "--portal", HOOK]),
    ("wrong-code-apply", ["apply", BLUEPRINT, "--portal", HOOK, "--auto-approve"]),
    ("wrong-code-export", ["export", "--portal", HOOK, "--out", "exported"]),
    ("wrong-code-diff", ["diff", "--from", HOOK, "--to", BLUEPRINT]),
    ("wrong-code-tariff", ["tariff", BLUEPRINT, "--portal", HOOK]),
    ("wrong-code-forecast", ["forecast", BLUEPRINT, "--portal", HOOK]),
]


@pytest.mark.parametrize(("name", "args"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_wrong_code_is_not_echoed(
    name: str,
    args: list[str],
    portal: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    """The portal has another code; the one in the variable (the secret) is refused, not repeated."""
    portal.app.settings.token = "theRealOne000"
    try:
        result = run(args)
    finally:
        portal.app.settings.token = SECRET
    assert result.exit_code == 1
    assert "INVALID_CREDENTIALS" in result.stderr
    logs = "\n".join(f"{r.name} {r.getMessage()}" for r in debug_logs.records)
    assert not leaks(tmp_path, result.stdout, result.stderr, logs)


@pytest.mark.parametrize("fault", ["drop", "lost_response", "500"])
def test_network_faults_do_not_show_the_secret(
    fault: str, portal: Any, tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    """Every request fails the same way: reads are retried, then the apply stops with one line."""
    portal.app.faults.script = {n: fault for n in range(1, 40)}
    result = run(["apply", BLUEPRINT, "--portal", HOOK, "--auto-approve", "--allow-delete"])
    portal.app.faults.clear()
    assert result.exit_code == 1, result.stdout
    assert "127.0.0.1" in result.stderr  # the host is named, the code is not
    logs = "\n".join(f"{r.name} {r.getMessage()}" for r in debug_logs.records)
    assert not leaks(tmp_path, result.stdout, result.stderr, logs)


def test_a_refused_write_does_not_show_the_secret(
    portal: Any, tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    portal.app.settings.limits = {"crm_deal_category_limit": 1}
    try:
        result = run(["apply", BLUEPRINT, "--portal", HOOK, "--auto-approve", "--allow-delete"])
    finally:
        portal.app.settings.limits = {}
    assert result.exit_code == 1 and "ADDING_DISABLED" in result.stderr
    logs = "\n".join(f"{r.name} {r.getMessage()}" for r in debug_logs.records)
    assert not leaks(tmp_path, result.stdout, result.stderr, logs)


@pytest.mark.parametrize("debug", ["", "1"])
def test_a_real_process_with_or_without_b24_debug(debug: str, portal: Any, tmp_path: Path) -> None:
    """In its own process, with httpx logging at DEBUG to stderr; B24_DEBUG=1 shows a traceback, but
    the secret is not in it."""
    portal.app.settings.token = "theRealOne000"
    env = {k: v for k, v in os.environ.items() if not k.startswith("B24_DEBUG")}
    if debug:
        env["B24_DEBUG"] = debug
    script = (
        "import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
        "from b24provision.cli import main; sys.argv = ['b24provision'] + sys.argv[1:]; main()"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, "plan", BLUEPRINT, "--portal", HOOK],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        portal.app.settings.token = SECRET
    assert done.returncode == 1
    assert ("Traceback" in done.stderr) == bool(debug)
    assert "httpx" in done.stderr or "httpcore" in done.stderr  # the DEBUG logging did run
    assert not leaks(tmp_path, done.stdout, done.stderr)


def test_the_secret_is_hidden_by_value_where_no_pattern_finds_it(
    portal: Any, tmp_path: Path, debug_logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portal repeats a value it was sent (here: the code, as an item's XML_ID) in its error; the
    code shows in no URL shape there, so only hiding it by value keeps it out of the message."""
    from b24provision.errors import PortalError
    from b24provision.portal.connect import open_portal

    # The docs' reading, where the portal keeps (and so checks) the XML_ID it is sent (reference §13.1).
    monkeypatch.setattr(portal.app.settings, "quirks", Quirks())
    items = [{"VALUE": "a", "XML_ID": SECRET}, {"VALUE": "b", "XML_ID": SECRET}]
    with open_portal(HOOK) as client:
        with pytest.raises(PortalError) as info:
            client.call(
                "crm.deal.userfield.add",
                {"fields": {"FIELD_NAME": "ECHO", "USER_TYPE_ID": "enumeration", "LIST": items}},
            )
    assert "List item with value XML_ID=*** already exists" in info.value.message
    assert not leaks(tmp_path, info.value.message, str(info.value), repr(info.value))


def test_oauth_secrets_are_hidden_by_value() -> None:
    from b24provision.errors import B24ProvisionError, redact
    from b24provision.portal.credentials import OAuthCredentials

    credentials = OAuthCredentials(
        "https://acme.bitrix24.ru/rest/", "local.app1", "clientSECRETvalue77", "refreshTOKENvalue88"
    )
    credentials.update_tokens("accessTOKENvalue99", "rotatedREFRESHvalue00")
    for secret in (
        "clientSECRETvalue77",
        "refreshTOKENvalue88",
        "accessTOKENvalue99",
        "rotatedREFRESHvalue00",
    ):
        assert secret not in B24ProvisionError(f"the portal said: {secret!r} is wrong").message
        assert secret not in redact(f"progress: sent {secret}") and secret not in repr(credentials)
    assert redact("local.app1 is fine") == "local.app1 is fine"  # the client id is not a secret


def test_an_internal_error_traceback_does_not_show_the_secret(portal: Any, tmp_path: Path) -> None:
    """With B24_DEBUG=1 a bug's traceback is shown: the registered secret is hidden in it too."""
    script = (
        "import sys; from b24provision.portal import credentials; "
        "orig = credentials.WebhookCredentials.__init__\n"
        "def broken(self, url):\n"
        "    orig(self, url); raise RuntimeError('bug while holding ' + url)\n"
        "credentials.WebhookCredentials.__init__ = broken\n"
        "from b24provision.cli import main; sys.argv = ['b24provision'] + sys.argv[1:]; main()"
    )
    env = {**os.environ, "B24_DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script, "plan", BLUEPRINT, "--portal", HOOK],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1 and "RuntimeError: bug while holding" in done.stderr, done.stderr
    assert "Traceback" in done.stderr
    assert not leaks(tmp_path, done.stdout, done.stderr)
