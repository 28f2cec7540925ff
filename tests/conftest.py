"""Shared fixtures: a clean environment (no stray B24_* variables, as httpx's clean_environ), and
emulated portals served over real HTTP, each reachable as ``env:VAR`` (a webhook URL in a variable)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("B24_") or name == "NO_COLOR":
            monkeypatch.delenv(name, raising=False)
    yield


REPO = Path(__file__).resolve().parents[1]
BLUEPRINTS = (
    sorted(p for p in (REPO / "blueprints").iterdir() if p.is_dir()) if (REPO / "blueprints").is_dir() else []
)


@dataclass
class Portal:
    emulator: Any
    server: Any
    spec: str
    """The --portal spec: env:VAR, VAR holding the webhook URL."""
    token: str


@pytest.fixture
def start_portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Portal]]:
    """Start an emulated portal: ``start_portal("a", seed="handmade", quirks="core")``.

    ``B24P_TEST_QUIRKS=core`` makes "core" the default of every portal a test does not pin, so that
    the client's whole suite runs against the core's reading as well as the docs'."""
    from b24provision.emulator import Emulator, PortalSettings, Quirks, serve_in_thread

    servers: list[Any] = []

    def start(name: str = "a", seed: str | None = None, quirks: str | None = None, **settings: Any) -> Portal:
        """``quirks``: a preset of emulator.Quirks ("core", "docs"); ``settings``: other PortalSettings."""
        token = f"secret{name.upper()}webhookCODE"
        quirks = quirks or os.environ.get("B24P_TEST_QUIRKS")  # the whole suite under another reading
        if quirks is not None:
            settings["quirks"] = Quirks.parse(quirks)
        emulator = Emulator(":memory:", PortalSettings(token=token, rate_limit=None, **settings))
        if seed:
            emulator.seed(seed)
        server = serve_in_thread(emulator)
        servers.append(server)
        variable = f"B24_TEST_PORTAL_{name.upper()}"
        monkeypatch.setenv(variable, server.webhook_url)
        return Portal(emulator, server, f"env:{variable}", token)

    yield start
    for server in servers:
        server.shutdown()


def _apply(paths: list[Path], portal: Portal) -> None:
    values = [p / "values" / "staging.yaml" for p in paths if (p / "values" / "staging.yaml").is_file()]
    from b24provision import api

    result = api.make_plan(paths, portal=portal.spec, values_files=values)
    outcome = api.apply(result, portal=portal.spec, allow_delete=True)
    assert outcome.remaining is not None and not outcome.remaining.has_changes


@pytest.fixture
def apply_blueprint() -> Callable[[list[Path], Portal], None]:
    """Make a portal hold the blueprint at the paths (staging values when the blueprint has them)."""
    return _apply
