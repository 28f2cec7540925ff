"""Bad input through the real command line, against an emulated portal served over HTTP.

Every case runs `b24provision ...` in-process (typer's CliRunner, stderr kept apart) in an empty
working directory, with ``--portal env:B24_TEST_HOOK`` naming the emulator's webhook URL. The
emulator's request log then shows whether any write reached the portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from b24provision.emulator import Emulator, PortalSettings, serve_in_thread
from b24provision.portal.client import PortalClient

TOKEN = "badINPUTtok3n77"
HOOK_VAR = "B24_TEST_HOOK"


@pytest.fixture(scope="session")
def _badinput_server() -> Iterator[Any]:
    with serve_in_thread(Emulator(":memory:", PortalSettings(token=TOKEN, rate_limit=None))) as server:
        yield server


@pytest.fixture
def emulator(_badinput_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A fresh portal, its webhook URL in $B24_TEST_HOOK, and an empty working directory."""
    app: Emulator = _badinput_server.app
    app.reset()
    app.settings.limits = {}
    app.settings.license = "ru_pro100"
    monkeypatch.setenv(HOOK_VAR, _badinput_server.webhook_url)
    monkeypatch.chdir(tmp_path)
    return app


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's client as it is, but waiting milliseconds between retries (an unreachable portal is
    tried 5 times; with the real backoff that is ~10 s of sleeping per case)."""
    defaults = dict(PortalClient.__init__.__kwdefaults__ or {})
    monkeypatch.setattr(
        PortalClient.__init__, "__kwdefaults__", {**defaults, "backoff": 0.001, "max_wait": 0.01}
    )
