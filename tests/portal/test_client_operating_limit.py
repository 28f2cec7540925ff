"""429 OPERATION_TIME_LIMIT blocks a method until its operating-time window frees (10 minutes on a
real portal, reference §3.2, §13.8): the client waits it out, with or without ``operating_reset_at``
in the answer, and says on stderr how long is left. The emulator's window is shortened to seconds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from b24provision.emulator import RunningServer
from b24provision.errors import PortalRateLimited
from b24provision.portal import PortalClient, WebhookCredentials

WINDOW = 3.0  # seconds (2-3: the end is a whole second); the old client gave up after ~1 s


@pytest.fixture(params=["present", "absent"])
def blocked_portal(request: pytest.FixtureRequest, start_portal: Callable[..., Any]) -> RunningServer:
    """A portal whose server.time is blocked after one call, for WINDOW seconds."""
    quirks = f"operating_reset_at={request.param}"
    portal = start_portal("blocked", quirks=quirks, token="opTOKEN", operating_window=WINDOW)
    portal.emulator.faults.operating_budget = 0.5
    portal.emulator.faults.operating_cost = 1.0  # one call spends the budget
    server: RunningServer = portal.server
    return server


def client_for(server: RunningServer, notices: list[str], **options: float) -> PortalClient:
    # The retry settings of the old give-up-after-the-retries behaviour: 5 retries, 0.2 s at most.
    return PortalClient(
        WebhookCredentials(server.webhook_url),
        rate=None,
        retries=5,
        backoff=0.05,
        max_wait=0.2,
        notify=notices.append,
        **options,
    )


def test_a_blocked_method_is_waited_out_not_given_up(blocked_portal: RunningServer) -> None:
    notices: list[str] = []
    with client_for(blocked_portal, notices) as client:
        assert client.call("server.time").result
        assert client.call("server.time").result  # blocked for the window, then answered
        assert client.call("profile").result  # other methods were never blocked
    assert notices and all(
        n.startswith("server.time: the portal blocks this method") or "left" in n for n in notices
    )
    assert "OPERATION_TIME_LIMIT" in notices[0] and "at most 11 min more" in notices[0]
    quirk = blocked_portal.app.settings.quirks.operating_reset_at
    if quirk == "present":
        assert "until the portal's operating_reset_at" in notices[0]
        assert client.request_count <= 5  # it slept until the reset, it did not poll
    else:
        assert "no operating_reset_at" in notices[0]


def test_the_wait_has_a_bound_and_is_shown_on_stderr(
    blocked_portal: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked_portal.app.settings.operating_window = 600.0
    with PortalClient(
        WebhookCredentials(blocked_portal.webhook_url), rate=None, backoff=0.05, operating_wait=0.3
    ) as client:
        client.call("server.time")
        with pytest.raises(PortalRateLimited) as info:
            client.call("server.time")
    message = str(info.value)
    assert message.startswith(
        "server.time: Method is blocked due to operation time limit. (OPERATION_TIME_LIMIT)"
    )
    assert "still blocked after waiting" in message and "10-minute window" in message
    err = capsys.readouterr().err
    assert "server.time: the portal blocks this method for its operating-time limit" in err
    assert "waiting " in err and "more)" in err and "opTOKEN" not in err + message
