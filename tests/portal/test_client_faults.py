"""Limits and failures over real HTTP: what is retried, what never is, and what the user is told.

The rule under test: a request is repeated only when repeating it cannot do harm. The emulator's
request log shows what reached the portal and whether its handler ran.
"""

from __future__ import annotations

import time

import pytest

from b24provision.errors import OutcomeUnknown, PortalRateLimited
from b24provision.portal import Command, PortalClient, WebhookCredentials


def _category_names(client):
    return [c["name"] for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]]


def _handled(emulator, method):
    return [r for r in emulator.request_log if r.method == method and r.executed]


@pytest.mark.parametrize("fault", ["503", "429"])
def test_refused_write_is_retried_and_done_once(client, emulator, fault):
    emulator.faults.script = {1: fault}
    reply = client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Measurement"}})
    assert reply.result
    assert client.request_count == 2
    assert _category_names(client).count("Measurement") == 1


def test_still_refused_after_every_retry_is_rate_limited(client, emulator, token):
    emulator.faults.script = {n: "503" for n in range(1, 10)}
    with pytest.raises(PortalRateLimited) as info:
        client.call("crm.category.list", {"entityTypeId": 2})
    assert client.request_count == client.retries + 1
    assert "crm.category.list: Too many requests (QUERY_LIMIT_EXCEEDED)" in str(info.value)
    assert token not in str(info.value)


@pytest.mark.parametrize("fault", ["drop", "lost_response", "500"])
def test_read_is_retried_after_a_failure(client, emulator, fault):
    emulator.faults.script = {1: fault}
    assert client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]
    assert client.request_count == 2


def test_batch_of_reads_is_retried_after_a_drop(client, emulator):
    emulator.faults.script = {1: "drop"}
    reply = client.batch(
        [Command("a", "crm.category.list", {"entityTypeId": 2}), Command("b", "profile", {})]
    )
    assert set(reply.results) == {"a", "b"}
    assert client.request_count == 2


@pytest.mark.parametrize(("fault", "happened"), [("drop", 0), ("lost_response", 1), ("500", 0)])
def test_write_with_unknown_outcome_is_never_resent(client, emulator, token, fault, happened):
    emulator.faults.script = {1: fault}
    with pytest.raises(OutcomeUnknown) as info:
        client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Delivery"}})
    message = str(info.value)
    assert message.startswith("crm.category.add: ")
    assert "may or may not have happened" in message and "re-read the portal" in message
    assert token not in message and info.value.__cause__ is None
    assert client.request_count == 1
    assert emulator.write_count() == happened
    assert _category_names(client).count("Delivery") == happened


def test_batch_with_a_write_is_never_resent(client, emulator):
    emulator.faults.script = {1: "lost_response"}
    commands = [
        Command("list", "crm.category.list", {"entityTypeId": 2}),
        Command("add", "crm.dealcategory.add", {"fields": {"NAME": "Assembly"}}),
    ]
    with pytest.raises(OutcomeUnknown):
        client.batch(commands)
    assert client.request_count == 1
    assert _category_names(client).count("Assembly") == 1


def test_timeout_on_a_write_is_an_unknown_outcome_and_the_write_happens_once(server, emulator):
    emulator.faults.latency = 0.2
    with PortalClient(WebhookCredentials(server.webhook_url), rate=None, timeout=0.05) as client:
        with pytest.raises(OutcomeUnknown):
            client.call("crm.dealcategory.add", {"fields": {"NAME": "Slow"}})
        assert client.request_count == 1
        # The portal finishes the write after the client gave up; wait for it (and keep it out of
        # the next test), then check it happened exactly once.
        deadline = time.monotonic() + 5
        while not _handled(emulator, "crm.dealcategory.add") and time.monotonic() < deadline:
            time.sleep(0.02)
        emulator.faults.latency = 0.0
        assert _category_names(client).count("Slow") == 1
