"""Limits and failures over real HTTP: what is retried, what never is, and what the user is told.

The rule under test: a request is repeated only when repeating it cannot do harm. The emulator's
request log shows what reached the portal and whether its handler ran.
"""

from __future__ import annotations

import time

import pytest

from b24provision.errors import OutcomeUnknown, PortalError, PortalRateLimited
from b24provision.portal import Command, PortalClient, WebhookCredentials


def _category_names(client):
    return [c["name"] for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]]


def _handled(emulator, method):
    return [r for r in emulator.request_log if r.method == method and r.executed]


def _wait_until_handled(emulator, method, count):
    deadline = time.monotonic() + 5
    while len(_handled(emulator, method)) < count and time.monotonic() < deadline:
        time.sleep(0.02)


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


DAMAGED = ["truncated", "empty", "malformed", "no_result"]


@pytest.mark.parametrize("fault", DAMAGED)
def test_damaged_200_to_a_write_is_an_unknown_outcome(client, emulator, token, fault):
    """The portal made the pipeline, then its answer came back cut short, empty or without a result."""
    emulator.faults.script = {1: fault}
    with pytest.raises(OutcomeUnknown) as info:
        client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Delivery"}})
    message = str(info.value)
    assert message.startswith("crm.category.add: ") and "may or may not have happened" in message
    assert "not a Bitrix24 REST reply" not in message and token not in message
    assert client.request_count == 1  # never resent
    assert _category_names(client).count("Delivery") == 1


@pytest.mark.parametrize("fault", DAMAGED)
def test_damaged_200_to_a_write_batch_is_an_unknown_outcome(client, emulator, fault):
    emulator.faults.script = {1: fault}
    with pytest.raises(OutcomeUnknown):
        client.batch([Command("add", "crm.dealcategory.add", {"fields": {"NAME": "Assembly"}})], halt=True)
    assert client.request_count == 1
    assert _category_names(client).count("Assembly") == 1


@pytest.mark.parametrize("fault", DAMAGED)
def test_damaged_200_to_a_read_is_retried(client, emulator, fault):
    emulator.faults.script = {1: fault}
    assert client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]
    assert client.request_count == 2


def test_damaged_reads_after_every_retry_say_what_came_back(client, emulator, token):
    emulator.faults.script = {n: "empty" for n in range(1, 10)}
    with pytest.raises(PortalError) as info:
        client.call("crm.category.list", {"entityTypeId": 2})
    assert "HTTP 200 with an empty body, not a Bitrix24 REST reply" in str(info.value)
    assert client.request_count == client.retries + 1 and token not in str(info.value)


def test_each_retry_is_announced(server, emulator, token):
    emulator.faults.script = {1: "503", 2: "drop"}
    lines: list[str] = []
    credentials = WebhookCredentials(server.webhook_url)
    with PortalClient(credentials, rate=None, backoff=0.01, max_wait=0.02, notify=lines.append) as client:
        client.call("crm.category.list", {"entityTypeId": 2})
    assert len(lines) == 2
    assert lines[0] == "Retry 1 of 5 in 0.0 s: crm.category.list: QUERY_LIMIT_EXCEEDED"
    assert lines[1].startswith("Retry 2 of 5 in 0.0 s: crm.category.list: no answer (RemoteProtocolError")
    assert not any(token in line for line in lines)


def test_a_slow_portal_is_not_silent(server, emulator, capsys):
    """Slower than the timeout: each retry is told on stderr (the default notify)."""
    emulator.faults.latency = 0.2
    credentials = WebhookCredentials(server.webhook_url)
    with PortalClient(credentials, rate=None, timeout=0.05, retries=1, backoff=0.01) as client:
        with pytest.raises(PortalError, match="no answer from"):
            client.call("server.time")
    emulator.faults.latency = 0.0
    _wait_until_handled(emulator, "server.time", 2)  # keep the late requests out of the next test
    err = capsys.readouterr().err
    assert "Retry 1 of 1 in 0.0 s: server.time: no answer (ReadTimeout" in err


def test_an_answer_over_the_size_limit_is_one_clear_error(server, emulator, client):
    for n in range(30):
        client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": f"Pipeline {n:02}"}})
    credentials = WebhookCredentials(server.webhook_url)
    with PortalClient(credentials, rate=None, max_response_bytes=2000, notify=None) as small:
        with pytest.raises(PortalError) as info:
            small.call("crm.category.list", {"entityTypeId": 2})
        assert small.request_count == 1  # not retried: the same answer would come again
        with pytest.raises(OutcomeUnknown, match="the answer is over 2000 bytes"):
            small.batch(
                [
                    Command("list", "crm.category.list", {"entityTypeId": 2}),
                    Command("add", "crm.dealcategory.add", {"fields": {"NAME": "Large"}}),
                ]
            )
    message = str(info.value)
    assert message.startswith("crm.category.list: the answer from 127.0.0.1:")
    assert "is over 2000 bytes, the most b24provision reads from one answer, so it was not read" in message
