"""`b24provision --help` starts fast: it imports none of the heavy modules a command needs.

Each command imports what it uses inside its body (cli/), so asking for help loads typer and
errors.py, not httpx, pydantic, ruamel.yaml, deepdiff or the emulator. Measured with Python's own
``-X importtime`` in a fresh process, which lists every module the process imported.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("httpx", "httpcore", "pydantic", "ruamel", "deepdiff", "rich", "b24provision.emulator")


def imported_modules(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "b24provision", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage:" in done.stdout
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def heavy_in(modules: set[str], heavy: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


def test_top_level_help_imports_nothing_heavy() -> None:
    modules = imported_modules("--help")
    assert "b24provision.cli" in modules  # the measurement saw our imports at all
    assert heavy_in(modules, HEAVY) == []


@pytest.mark.parametrize("command", ["plan", "apply", "export", "emulator"])
def test_command_help_imports_nothing_of_ours_that_is_heavy(command: str) -> None:
    """Typer itself (0.29) validates parameters with pydantic once a command is parsed, so pydantic
    may load here; what must not is the network, YAML, diff and emulator machinery."""
    modules = imported_modules(command, "--help")
    assert heavy_in(modules, ("httpx", "httpcore", "ruamel", "deepdiff", "b24provision.emulator")) == []
