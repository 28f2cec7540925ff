"""Helpers for the emulator's contract tests. The portal itself (``server``, ``emulator``, ``hook``)
is tests/conftest.py's; its ``settings`` here register two OAuth apps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from b24provision.emulator import Emulator, PortalSettings, Quirks, RunningServer

APPS = {"app.one": "secret-one", "app.two": "secret-two"}
# One client for ad-hoc URLs: a new httpx.Client per call costs an SSL context each time.
HTTP = httpx.Client()


@pytest.fixture(scope="session", autouse=True)
def _close_http() -> Iterator[None]:
    yield
    HTTP.close()


@pytest.fixture
def settings(request: pytest.FixtureRequest) -> PortalSettings:
    """The contract tests' portal (tests/conftest.py serves it), with two registered OAuth apps;
    ``@pytest.mark.quirks("docs")`` pins a test to one reading (whatever ``--quirks`` the suite runs
    under), for a test of what that reading does."""
    marker = request.node.get_closest_marker("quirks")
    extra = {"quirks": Quirks.parse(marker.args[0])} if marker else {}
    return PortalSettings(token="test-token", rate_limit=None, oauth_clients=dict(APPS), **extra)


def ok(response: httpx.Response) -> Any:
    """The ``result`` of a successful answer (asserting it was one)."""
    assert response.status_code == 200, response.text
    return response.json()["result"]


def err(response: httpx.Response, status: int = 400) -> tuple[Any, str]:
    """(error, error_description) of an error answer with ``status``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert "time" not in body
    return body["error"], body["error_description"]


def app_token(server: RunningServer, emulator: Emulator, client_id: str = "app.one") -> str:
    """An OAuth access token for a registered app, obtained through the token endpoint."""
    refresh = emulator.issue_refresh_token(client_id)
    answer = HTTP.get(
        f"{server.url}/oauth/token/",
        params={
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": APPS[client_id],
            "refresh_token": refresh,
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])
