"""A fresh emulated portal per test, served over real HTTP, and a client pointed at it.

The emulator is the project's own Bitrix24 portal (b24provision.emulator); the client reaches it only
through its webhook URL, exactly as it reaches a real portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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


@pytest.fixture(scope="session")
def _shared_server() -> Iterator[Any]:
    # One server for the whole session (starting and stopping one costs ~0.5 s); each test resets it.
    from b24provision.emulator import Emulator, PortalSettings, serve_in_thread

    settings = PortalSettings(
        token=TOKEN, rate_limit=None, oauth_clients={CLIENT_ID: CLIENT_SECRET}, operating_window=0.05
    )
    with serve_in_thread(Emulator(state=":memory:", settings=settings)) as srv:
        yield srv


@pytest.fixture
def emulator(_shared_server: Any) -> Any:
    """A fresh portal: no state, no faults, no rate limit, one-hour access tokens."""
    emulator = _shared_server.app
    emulator.settings.rate_limit = None
    emulator.settings.access_token_ttl = 3600
    emulator.reset()
    return emulator


@pytest.fixture
def server(_shared_server: Any, emulator: Any) -> Any:
    """The running emulator: ``.url`` and ``.webhook_url``."""
    return _shared_server


@pytest.fixture
def client(server: Any) -> Iterator[PortalClient]:
    """No client throttle (the emulator's limit is off too) and tiny waits, to keep tests fast."""
    with PortalClient(
        WebhookCredentials(server.webhook_url), rate=None, retries=3, backoff=0.01, max_wait=0.05
    ) as portal_client:
        yield portal_client
