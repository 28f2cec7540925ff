"""Shared fixtures: a clean environment (no stray B24_* variables, as httpx's clean_environ), and
emulated portals served over real HTTP, each reachable as ``env:VAR`` (a webhook URL in a variable)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from b24provision.emulator import RunningServer
    from b24provision.emulator.testing import EmulatorUnderTest, PortalPool


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--quirks",
        default=None,
        help="Run every emulated portal with these quirks: a preset (core, docs) or NAME=VALUE,...",
    )


def pytest_configure(config: pytest.Config) -> None:
    """``--quirks core``: the whole suite against the core's reading (emulator.settings.QUIRKS_VARIABLE)."""
    spec = config.getoption("--quirks")
    if spec:
        from b24provision.emulator.settings import QUIRKS_VARIABLE, default_quirks

        os.environ[QUIRKS_VARIABLE] = spec
        default_quirks()  # a wrong spec fails here, once, not in every test


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
    emulator: EmulatorUnderTest
    """The portal itself: request_log, faults, settings; emulator.testing reads its ground truth."""
    server: RunningServer
    spec: str
    """The --portal spec: env:VAR, VAR holding the webhook URL."""
    token: str


@pytest.fixture(scope="session")
def portal_pool() -> Iterator[PortalPool]:
    """The session's running emulator servers (b24provision.emulator.testing.PortalPool): every
    portal fixture below takes a fresh portal from it, so no test pays for starting a server."""
    from b24provision.emulator.testing import PortalPool

    pool = PortalPool()
    yield pool
    pool.close()


def _quirks(quirks: str | None, request: pytest.FixtureRequest) -> dict[str, Any]:
    """``quirks`` or ``@pytest.mark.quirks("docs")`` pins a portal to one reading; otherwise
    ``B24P_TEST_QUIRKS=core`` (or ``--quirks core``) makes "core" the default of every portal a test
    does not pin, so that the client's whole suite runs against the core's reading as well as the docs'."""
    from b24provision.emulator import Quirks

    marker = request.node.get_closest_marker("quirks")
    spec = quirks or (marker.args[0] if marker else None) or os.environ.get("B24P_TEST_QUIRKS")
    return {} if spec is None else {"quirks": Quirks.parse(spec)}


@pytest.fixture
def start_portal(
    monkeypatch: pytest.MonkeyPatch, portal_pool: PortalPool, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Portal]]:
    """Start an emulated portal: ``start_portal("a", seed="handmade", quirks="core")``; its webhook
    URL is in $B24_TEST_PORTAL_A, ``.spec`` says so to --portal. Portals of different names are
    different portals."""
    from b24provision.emulator import PortalSettings

    servers: list[Any] = []

    def start(name: str = "a", seed: str | None = None, quirks: str | None = None, **settings: Any) -> Portal:
        """``quirks``: a preset of emulator.Quirks ("core", "docs"); ``settings``: other PortalSettings."""
        settings = {"token": f"secret{name.upper()}webhookCODE", "rate_limit": None, **settings}
        settings.update(_quirks(quirks, request))
        server = portal_pool.take(PortalSettings(**settings), seed=seed)
        servers.append(server)
        variable = f"B24_TEST_PORTAL_{name.upper()}"
        monkeypatch.setenv(variable, server.webhook_url)
        return Portal(server.app, server, f"env:{variable}", settings["token"])

    yield start
    for server in servers:
        portal_pool.release(server)


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> Any:
    """The PortalSettings of the ``server`` fixture's portal. A directory's or module's tests that need
    another portal override this fixture (or parametrize it), nothing else."""
    from b24provision.emulator import PortalSettings

    return PortalSettings(token="test-token", rate_limit=None, **_quirks(None, request))


@pytest.fixture
def server(portal_pool: PortalPool, settings: Any) -> Iterator[RunningServer]:
    """A fresh emulated portal served over HTTP: ``.url``, ``.webhook_url``, ``.app`` (the emulator);
    ``@pytest.mark.quirks("docs")`` pins it to one reading."""
    running = portal_pool.take(settings)
    yield running
    portal_pool.release(running)


@pytest.fixture
def emulator(server: RunningServer) -> EmulatorUnderTest:
    """The ``server`` fixture's portal itself (b24provision.emulator.testing.EmulatorUnderTest)."""
    app: EmulatorUnderTest = server.app  # type: ignore[assignment]
    return app


@pytest.fixture
def hook(server: RunningServer) -> Iterator[httpx.Client]:
    """A client on the ``server`` fixture's webhook URL: hook.post("crm.status.list", json=...)."""
    with httpx.Client(base_url=server.webhook_url) as client:
        yield client


def _apply(paths: list[Path], portal: Portal) -> None:
    values = [p / "values" / "staging.yaml" for p in paths if (p / "values" / "staging.yaml").is_file()]
    from b24provision import api

    result = api.make_plan(paths, portal=portal.spec, values_files=values)
    # No --allow-delete: a blueprint applied to a fresh portal deletes only empty default stages.
    outcome = api.apply(result, portal=portal.spec)
    assert outcome.remaining is not None and not outcome.remaining.has_changes


def writes_besides_the_lock(emulator: Any) -> list[Any]:
    """The write calls in ``emulator``'s log, less the portal lock apply takes and releases.

    The lock (a deal field UF_CRM_B24P_LOCK, b24provision/portal/lock.py) is added by the first write
    of an apply (in its read batch) and deleted by its last one; it leaves nothing behind, which is
    checked here: the portal holds no lock field afterwards.
    """
    from b24provision.emulator.testing import field_names

    writes = [r for r in emulator.request_log if r.write]
    assert "UF_CRM_B24P_LOCK" not in field_names(emulator), "the portal lock was left behind"
    if writes and (writes[0].method, writes[0].status) == ("crm.deal.userfield.add", 200):
        writes = writes[1:]
        if writes and (writes[-1].method, writes[-1].status) == ("crm.deal.userfield.delete", 200):
            writes = writes[:-1]
    return writes


@pytest.fixture(name="writes_besides_the_lock")
def _writes_besides_the_lock() -> Callable[[Any], list[Any]]:
    """:func:`writes_besides_the_lock`, as a fixture."""
    return writes_besides_the_lock


@pytest.fixture
def apply_blueprint() -> Callable[[list[Path], Portal], None]:
    """Make a portal hold the blueprint at the paths (staging values when the blueprint has them)."""
    return _apply
