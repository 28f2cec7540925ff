"""Stopped from outside: SIGTERM (a cancelled CI job, `kill`, a stopped container) and Ctrl-C end an
apply with one line saying what was done and what was not, and the shell's exit code (143 / 130)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINT = str(ROOT / "blueprints" / "kitchen-child-deals")


@pytest.mark.parametrize(
    ("signum", "code", "words"),
    [(signal.SIGTERM, 143, "Terminated (SIGTERM): done: "), (signal.SIGINT, 130, "Interrupted: done: ")],
    ids=["sigterm", "sigint"],
)
def test_a_stopped_apply_says_what_was_done(start_portal, tmp_path, signum, code, words) -> None:
    portal = start_portal("a")
    emulator = portal.emulator
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "b24provision",
            "apply",
            BLUEPRINT,
            "--portal",
            portal.spec,
            "--auto-approve",
            "--allow-delete",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not any(r.write and r.executed for r in emulator.request_log):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.01)
        emulator.faults.latency = 2.0  # the next write batch hangs: the signal finds apply waiting on it
        time.sleep(0.3)
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        emulator.faults.latency = 0.0
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, err
    stopped = [line for line in err.splitlines() if line.startswith(words.split(":")[0])]
    assert len(stopped) == 1 and stopped[0].startswith(words), err
    assert "; not done: " in stopped[0] and "run `b24provision plan` to see what is left" in stopped[0]
    assert "Traceback" not in err and portal.token not in err + out
