"""Bad input gets one clear line, a next step, exit code 1, no traceback, and no write.

See cases.py for the corpus. What "one clear line" means here: stderr holds exactly one line that
starts with ``Error:``, and it carries the case's fragments (file:line:col, or the portal's words
and method, and what to do); the rest of stderr is at most the informational lines (INFO).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from b24provision.cli import app
from b24provision.emulator import Emulator, RunningServer

from .cases import CASES, Case

runner = CliRunner()
INFO = ("Portal: ", "Tariff: ", "Applying the plan saved in ", "Retry ")
"""The lines stderr may hold besides the error: which portal, its plan, which saved plan, retries."""


def invoke(args: list[str], stdin: str | None = None) -> Result:
    return runner.invoke(app, args, input=stdin, catch_exceptions=True)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gives_one_clear_line_and_writes_nothing(
    case: Case,
    emulator: Emulator,
    server: RunningServer,
    monkeypatch: pytest.MonkeyPatch,
    writes_besides_the_lock: Callable[[Emulator], list[Any]],
) -> None:
    for name, text in case.files.items():
        Path(name).write_text(text, encoding="utf-8", errors="surrogateescape")
    for var, value in case.env.items():
        monkeypatch.setenv(var, value.replace("{url}", server.url))
    if case.setup is not None:
        case.setup(emulator, invoke)
    emulator.request_log.clear()

    result = invoke(case.args, case.stdin)

    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 1, (result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    others = [line for line in result.stderr.splitlines() if line and not line.startswith(("Error", *INFO))]
    assert len(errors) == 1, result.stderr
    assert not others, result.stderr
    line = errors[0]
    for fragment in case.expect:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    assert "internal error" not in line

    writes = writes_besides_the_lock(emulator)
    if case.refused_write is None:
        assert not writes, f"writes reached the portal: {writes}"
    else:  # the portal's refusal is the point: one write went out, and the portal refused it
        assert [(r.method, r.status) for r in writes] == [(case.refused_write, 400)], writes


def test_the_corpus_is_broad() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "name", ["unclosed-flow-list", "env-var-missing", "webhook-wrong-token", "saved-plan-not-json"]
)
def test_a_real_process_prints_the_same_single_line(
    name: str, emulator: Emulator, server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installed entry point, in its own process: no traceback, no colour codes, exit 1."""
    case = next(c for c in CASES if c.name == name)
    for file, text in case.files.items():
        Path(file).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("B24_DEBUG")}
    env.update({k: v.replace("{url}", server.url) for k, v in case.env.items()})
    done = subprocess.run(
        [sys.executable, "-m", "b24provision", *case.args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and all(f in errors[0] for f in case.expect), done.stderr
    assert "Traceback" not in done.stderr and "\x1b[" not in done.stderr
    assert not [r for r in emulator.request_log if r.write]
