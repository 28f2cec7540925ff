"""Bad input through the real command line, against an emulated portal served over HTTP.

Every case runs `b24provision ...` in-process (typer's CliRunner, stderr kept apart) in an empty
working directory, with ``--portal env:B24_TEST_HOOK`` naming the emulator's webhook URL. The
emulator's request log then shows whether any write reached the portal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from b24provision.emulator import PortalSettings, RunningServer
from b24provision.portal.client import PortalClient

TOKEN = "badINPUTtok3n77"
HOOK_VAR = "B24_TEST_HOOK"


@pytest.fixture
def settings() -> PortalSettings:
    """The portal of tests/conftest.py's ``server``/``emulator`` fixtures (a fresh one per case)."""
    return PortalSettings(token=TOKEN, rate_limit=None)


@pytest.fixture(autouse=True)
def in_an_empty_directory(server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case: the portal's webhook URL in $B24_TEST_HOOK, and an empty working directory."""
    monkeypatch.setenv(HOOK_VAR, server.webhook_url)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's client as it is, but waiting milliseconds between retries (an unreachable portal is
    tried 5 times; with the real backoff that is ~10 s of sleeping per case)."""
    defaults = dict(PortalClient.__init__.__kwdefaults__ or {})
    monkeypatch.setattr(
        PortalClient.__init__, "__kwdefaults__", {**defaults, "backoff": 0.001, "max_wait": 0.01}
    )
