"""Stopped from outside: SIGTERM (a cancelled CI job, `kill`, a stopped container) and Ctrl-C end an
apply with one line saying what was done and what was not, and the shell's exit code (143 / 130)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINT = str(ROOT / "blueprints" / "kitchen-child-deals")


# SIGINT (Ctrl-C) takes the same path, as a KeyboardInterrupt ("Interrupted: done: ...", exit 130);
# one process is started here, for SIGTERM, to keep the suite fast.
def test_a_terminated_apply_says_what_was_done(tmp_path, start_portal) -> None:
    signum, code, words = signal.SIGTERM, 143, "Terminated (SIGTERM): done: "
    token = "hangingWEBHOOKcode42"
    portal = start_portal("hanging", token=token)
    emulator, server = portal.emulator, portal.server
    emulator.hold_first_write(1.0)  # the portal, stuck a while inside the first write of the apply
    process = subprocess.Popen(
        [sys.executable, "-m", "b24provision", "apply", BLUEPRINT, "--portal", "env:B24_HANGING"]
        + ["--auto-approve", "--allow-delete"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "B24_HANGING": server.webhook_url},
    )
    try:
        # The signal comes while apply waits for the answer to its first write batch.
        assert emulator.in_write.wait(timeout=60), process.communicate(timeout=5)
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, err
    stopped = [line for line in err.splitlines() if line.startswith(words.split(":")[0])]
    assert len(stopped) == 1 and stopped[0].startswith(words), err
    assert "; not done: create " in stopped[0] and "run `b24provision plan` to see what is left" in stopped[0]
    assert "Traceback" not in err and token not in err + out


def test_an_apply_whose_reader_goes_away_still_finishes_its_writes(tmp_path, start_portal) -> None:
    """`apply ... 2>&1 | head -3`: the pipe closes while apply writes; the writes go on to the end."""
    token = "pipedWEBHOOKcode42"
    portal = start_portal("piped", token=token)
    emulator, server = portal.emulator, portal.server
    emulator.faults.latency = 0.2  # a slow portal: the reader is gone long before the last batch
    env = {**os.environ, "PYTHONPATH": str(ROOT), "B24_PIPED": server.webhook_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "b24provision", "apply", BLUEPRINT, "--portal", "env:B24_PIPED"]
        + ["--auto-approve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    while (line := process.stdout.readline()) and not line.startswith("[1/"):
        pass  # the plan, then the first write's progress line — then the reader goes away
    process.stdout.close()
    process.wait(timeout=120)
    emulator.faults.latency = 0.0
    again = subprocess.run(
        [sys.executable, "-m", "b24provision", "plan", BLUEPRINT, "--portal", "env:B24_PIPED"]
        + ["--detailed-exitcode"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert first.startswith("Portal: ") and line.startswith("[1/")
    assert again.returncode == 0, again.stdout + again.stderr  # nothing left to do: apply finished


def test_sigterm_at_the_confirmation_prompt_writes_nothing_and_frees_the_lock(
    tmp_path, start_portal, writes_besides_the_lock
) -> None:
    """A CI job cancelled while apply waits for "yes": one line, exit 143, not Click's "Aborted!"."""
    import pty

    portal = start_portal("prompted")
    emulator, server = portal.emulator, portal.server
    terminal, user_side = pty.openpty()  # apply asks only on a terminal
    process = subprocess.Popen(
        [sys.executable, "-m", "b24provision", "apply", BLUEPRINT, "--portal", "env:B24_PROMPTED"],
        stdin=user_side,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "B24_PROMPTED": server.webhook_url},
    )
    os.close(user_side)
    try:
        assert process.stdout is not None
        shown = b""
        while b"Apply these changes?" not in shown:
            chunk = os.read(process.stdout.fileno(), 4096)
            assert chunk, process.communicate(timeout=30)
            shown += chunk
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        os.close(terminal)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143, err
    lines = err.decode().splitlines()
    assert "Terminated (SIGTERM): at the confirmation prompt; nothing was written" in lines, lines
    assert not any("Aborted" in line or "Traceback" in line for line in lines), lines
    assert writes_besides_the_lock(emulator) == []  # and the lock is gone
