"""A client pointed at a fresh emulated portal (tests/conftest.py's ``server``) over real HTTP.

The emulator is the project's own Bitrix24 portal (b24provision.emulator); the client reaches it only
through its webhook URL, exactly as it reaches a real portal.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from b24provision.emulator import PortalSettings, RunningServer
from b24provision.portal import PortalClient, WebhookCredentials

TOKEN = "tok3nSECRETq8w7"
CLIENT_ID = "local.app123"
CLIENT_SECRET = "clientSECRETz9y8"


@pytest.fixture
def token() -> str:
    """The emulator's webhook code: a distinctive string that must never show in output."""
    return TOKEN


@pytest.fixture
def oauth_app() -> tuple[str, str]:
    """(client_id, client_secret) of the application registered on the emulator."""
    return CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def settings() -> PortalSettings:
    """The portal of tests/conftest.py's ``server``/``emulator`` fixtures: no rate limit, one-hour
    access tokens, an OAuth app, and a short operating-time window (a 429 blocks a method 50 ms)."""
    return PortalSettings(
        token=TOKEN, rate_limit=None, oauth_clients={CLIENT_ID: CLIENT_SECRET}, operating_window=0.05
    )


@pytest.fixture
def client(server: RunningServer) -> Iterator[PortalClient]:
    """No client throttle (the emulator's limit is off too) and tiny waits, to keep tests fast."""
    with PortalClient(
        WebhookCredentials(server.webhook_url), rate=None, retries=3, backoff=0.01, max_wait=0.05
    ) as portal_client:
        yield portal_client
