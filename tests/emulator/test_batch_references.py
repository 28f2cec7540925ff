"""Batch references by the core's names: ``$result``, ``$next``, ``$total``, ``$error``, ``$time``
(``CRestProvider::methodsBatch``, ``CRestUtil::processBatchElement``; reference §13.6)."""

from __future__ import annotations

import httpx

from b24provision.emulator import RunningServer
from b24provision.portal import Command, PortalClient, WebhookCredentials

from .conftest import ok


def test_next_total_error_and_time_references_resolve(hook: httpx.Client) -> None:
    for n in range(60):  # more than a page of deals, so the list has a next
        hook.post("crm.deal.add", json={"fields": {"TITLE": f"D{n}"}})
    result = ok(
        hook.post(
            "batch",
            json={
                "cmd": {
                    "page": "crm.deal.list?select[]=ID",
                    "bad": "crm.deal.get?id=999",
                    "next": "crm.deal.list?select[]=ID&start=$next[page]",
                    "echo": "crm.category.add?entityTypeId=2&fields[name]=total $total[page]",
                    "why": "crm.category.add?entityTypeId=2&fields[name]=$error[bad][error_description]",
                    "when": "crm.category.add?entityTypeId=2&fields[name]=t$time[page][duration]",
                }
            },
        )
    )
    assert len(result["result"]["next"]) == 10  # the second page: start=50 came from $next[page]
    assert result["result"]["echo"]["category"]["name"] == "total 60"
    assert result["result"]["why"]["category"]["name"] == "Not found"
    assert result["result"]["when"]["category"]["name"] != "t$time[page][duration]"


def test_result_total_is_not_a_reference_to_the_total(hook: httpx.Client) -> None:
    """The core matches ``$result`` first, so ``$result_total[k]`` is k's result, not its total."""
    result = ok(
        hook.post(
            "batch",
            json={
                "cmd": {
                    "cat": "crm.category.add?entityTypeId=2&fields[name]=Ref",
                    "stages": "crm.status.entity.items?entityId=DEAL_STAGE_1",
                    "n": "crm.category.add?entityTypeId=2&fields[name]=$result_total[stages][0][STATUS_ID]",
                }
            },
        )
    )
    assert result["result"]["n"]["category"]["name"] == "C1:NEW"


def test_client_keeps_every_reference_readable_and_checks_them_across_chunks(
    server: RunningServer,
) -> None:
    with PortalClient(WebhookCredentials(server.webhook_url), rate=None) as client:
        reply = client.batch(
            [
                Command("list", "crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE"}}),
                Command("cat", "crm.category.add", {"entityTypeId": 2, "fields": {"name": "n=$total[list]"}}),
            ]
        )
        assert reply.results["cat"]["category"]["name"] == "n=8"
        commands = [Command(f"k{i}", "server.time", {}) for i in range(50)]
        commands.append(Command("late", "crm.deal.list", {"start": "$next[k1]"}))
        try:
            client.batch_all(commands)
        except ValueError as exc:
            assert "'late' refers to command 'k1' outside its batch" in str(exc)
        else:
            raise AssertionError("a $next reference across batches was sent")
