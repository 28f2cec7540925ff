"""Fault injection and the request limits, as a client over a real socket meets them."""

from __future__ import annotations

import httpx
import pytest

from b24provision.emulator import Emulator, PortalSettings

from .conftest import err, ok

LIST = {"entityTypeId": 2}


def pipelines(hook: httpx.Client) -> list[str]:
    return [c["name"] for c in ok(hook.post("crm.category.list", json=LIST))["categories"]]


def test_drop_closes_the_socket_without_an_answer(hook: httpx.Client, emulator: Emulator) -> None:
    emulator.faults.script = {2: "drop"}
    assert hook.post("crm.category.list", json=LIST).status_code == 200
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        hook.post("crm.category.add", json={"entityTypeId": 2, "fields": {"name": "Lost"}})
    assert pipelines(hook) == ["Общее"]  # a dropped request did nothing


def test_lost_response_commits_the_write(hook: httpx.Client, emulator: Emulator) -> None:
    emulator.faults.script = {1: "lost_response"}
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        hook.post("crm.category.add", json={"entityTypeId": 2, "fields": {"name": "Written"}})
    assert pipelines(hook) == ["Общее", "Written"]


def test_scripted_error_answers(hook: httpx.Client, emulator: Emulator) -> None:
    emulator.faults.script = {1: "500", 2: "503", 3: "429"}
    assert err(hook.post("crm.category.list", json=LIST), 500)[0] == "INTERNAL_SERVER_ERROR"
    assert err(hook.post("crm.category.list", json=LIST), 503) == (
        "QUERY_LIMIT_EXCEEDED",
        "Too many requests",
    )
    blocked = hook.post("crm.category.list", json=LIST)
    assert err(blocked, 429)[0] == "OPERATION_TIME_LIMIT"
    # Whether a 429 says until when is a quirk (reference §13.8).
    present = emulator.settings.quirks.operating_reset_at == "present"
    assert ("operating_reset_at" in blocked.json()) is present
    if present:
        assert blocked.json()["operating_reset_at"] > 0
    assert hook.post("crm.category.list", json=LIST).status_code == 200


def test_stop_after_drops_everything_from_then_on(hook: httpx.Client, emulator: Emulator) -> None:
    emulator.faults.stop_after = 2
    assert hook.post("server.time").status_code == 200
    for _ in range(2):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            hook.post("server.time")
    emulator.faults.stop_after = None
    assert hook.post("server.time").status_code == 200


def test_random_faults_repeat_with_the_same_seed(hook: httpx.Client, emulator: Emulator) -> None:
    def run() -> list[int]:
        emulator.faults.seed = 7
        emulator.faults.rate_503 = 0.5
        return [hook.post("server.time").status_code for _ in range(12)]

    first = run()
    assert 503 in first and 200 in first and run() == first


def test_operating_time_budget_blocks_only_that_method(hook: httpx.Client, emulator: Emulator) -> None:
    emulator.faults.operating_budget = 1.0
    emulator.faults.operating_cost = 0.6
    assert hook.post("server.time").status_code == 200
    assert hook.post("server.time").status_code == 200  # 1.2 s spent: over the budget from now on
    assert err(hook.post("server.time"), 429)[1] == "Method is blocked due to operation time limit."
    assert hook.post("profile").status_code == 200


def test_leaky_bucket_refuses_over_burst_and_batch_counts_once(
    hook: httpx.Client, emulator: Emulator
) -> None:
    emulator.settings.rate_limit = "3/0.001"
    assert hook.post("batch", json={"cmd": {f"k{i}": "server.time" for i in range(50)}}).status_code == 200
    assert [hook.post("server.time").status_code for _ in range(3)] == [200, 200, 503]
    assert emulator.request_log[-1].executed is False
    emulator.reset()  # empties the bucket
    assert hook.post("server.time").status_code == 200


def test_rate_presets() -> None:
    assert PortalSettings(rate_limit="standard").rate() == (50, 2.0)
    assert PortalSettings(rate_limit="enterprise").rate() == (250, 5.0)
    assert PortalSettings(rate_limit=None).rate() is None


@pytest.mark.parametrize("kind", ["truncated", "empty", "malformed", "no_result"])
def test_damaged_answer_is_a_200_after_the_work_is_done(
    hook: httpx.Client, emulator: Emulator, kind: str
) -> None:
    emulator.faults.script = {1: kind}
    response = hook.post("crm.category.add", json={"entityTypeId": 2, "fields": {"name": "Damaged"}})
    assert response.status_code == 200
    assert len(response.content) == int(response.headers["Content-Length"])  # the HTTP layer sees no fault
    if kind == "no_result":
        assert "result" not in response.json()
    else:
        with pytest.raises(ValueError):
            response.json()
    assert pipelines(hook) == ["Общее", "Damaged"]
