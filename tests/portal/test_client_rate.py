"""The client-side throttle against the emulator's rate limit, over real HTTP.

No assertion here depends on how fast the machine is. The throttled client counts time on a clock
that moves only by what it sleeps: each request is sent after the answer to the one before, so the
portal sees at least that much time between two requests, drains its bucket at least as far as the
client assumes, and can never be fuller than the client's copy. The portal's own answers (no 503
QUERY_LIMIT_EXCEEDED) are the proof. The unthrottled burst meets a bucket that hardly drains at all.
"""

from __future__ import annotations

import time

import pytest

from b24provision.errors import PortalRateLimited
from b24provision.portal import PortalClient, RateLimit, WebhookCredentials
from b24provision.portal.throttle import LeakyBucket


class SleptTime:
    """A clock that moves only when the throttle sleeps (and then really sleeps that long)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
        self.slept.append(seconds)
        self.now += seconds


def test_throttle_keeps_a_burst_under_the_portals_limit(server, emulator):
    emulator.settings.rate_limit = "4/20"  # a small, fast bucket keeps the test short
    clock = SleptTime()
    bucket = LeakyBucket(RateLimit(burst=4, per_second=20.0), clock=clock, sleep=clock.sleep)
    with PortalClient(WebhookCredentials(server.webhook_url), rate=bucket, retries=0) as client:
        for _ in range(12):
            client.call("profile")
    assert client.request_count == 12
    assert [r.status for r in emulator.request_log] == [200] * 12
    # Three went at once (one below the portal's burst of 4), the other nine each waited a slot.
    assert clock.slept == pytest.approx([0.05] * 9)


def test_without_the_throttle_the_same_burst_meets_the_limit(server, emulator):
    emulator.settings.rate_limit = "4/0.01"  # drains one request in 100 s: no machine is that slow
    with PortalClient(WebhookCredentials(server.webhook_url), rate=None, retries=0) as client:
        with pytest.raises(PortalRateLimited):
            for _ in range(12):
                client.call("profile")
    assert [r.status for r in emulator.request_log] == [200] * 4 + [503]
