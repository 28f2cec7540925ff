"""The client-side throttle against the emulator's rate limit, over real HTTP."""

from __future__ import annotations

import pytest

from b24provision.errors import PortalRateLimited
from b24provision.portal import PortalClient, RateLimit, WebhookCredentials


def test_throttle_keeps_a_burst_under_the_portals_limit(server, emulator):
    emulator.settings.rate_limit = "4/20"  # a small, fast bucket keeps the test short
    with PortalClient(
        WebhookCredentials(server.webhook_url), rate=RateLimit(burst=4, per_second=20.0), retries=0
    ) as client:
        for _ in range(12):
            client.call("profile")
    assert client.request_count == 12
    assert [r.status for r in emulator.request_log] == [200] * 12


def test_without_the_throttle_the_same_burst_meets_the_limit(server, emulator):
    emulator.settings.rate_limit = "4/20"
    with PortalClient(WebhookCredentials(server.webhook_url), rate=None, retries=0) as client:
        with pytest.raises(PortalRateLimited):
            for _ in range(12):
                client.call("profile")
    assert 503 in [r.status for r in emulator.request_log]
