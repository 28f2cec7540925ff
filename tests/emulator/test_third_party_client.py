"""A third-party Bitrix24 client works against the emulator unchanged, over plain http.

fast_bitrix24 is a widely used client with its own batching, paging and throttling: if it can read
and write the emulator as it does a real portal, so can other clients. (The official b24pysdk builds
``https://`` URLs itself, so it cannot talk to a plain-http server without TLS in front.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

fast_bitrix24 = pytest.importorskip("fast_bitrix24")


@pytest.fixture
def webhook_url(start_portal: Callable[..., Any]) -> str:
    portal = start_portal("third", token="thirdPartyToken1", rate_limit="standard")
    url: str = portal.server.webhook_url
    return url


def test_fast_bitrix24_reads_and_writes_like_on_a_real_portal(webhook_url: str) -> None:
    b = fast_bitrix24.Bitrix(webhook_url, verbose=False)

    category = b.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Замер"}}, raw=True)
    category_id = category["result"]["category"]["id"]
    stages = b.get_all("crm.status.list", {"filter": {"ENTITY_ID": f"DEAL_STAGE_{category_id}"}})
    assert [s["STATUS_ID"] for s in stages][:2] == [f"C{category_id}:NEW", f"C{category_id}:PREPARATION"]
    assert len(stages) == 8

    # 120 deals: its own batching for writes, and paging through `next` for the list.
    new_deals = [{"fields": {"TITLE": f"deal {n}", "CATEGORY_ID": category_id}} for n in range(120)]
    b.call("crm.deal.add", new_deals)
    deals = b.get_all("crm.deal.list", {"select": ["ID", "TITLE", "STAGE_ID"]})
    assert len(deals) == 120
    assert {d["STAGE_ID"] for d in deals} == {f"C{category_id}:NEW"}

    # get_by_ID sends one batch of crm.deal.get calls and keys the answers by id.
    by_id = b.get_by_ID("crm.deal.get", [d["ID"] for d in deals[:5]])
    assert {str(k) for k in by_id} == {str(d["ID"]) for d in deals[:5]}
    assert {v["TITLE"] for v in by_id.values()} == {d["TITLE"] for d in deals[:5]}


def test_fast_bitrix24_sees_the_portals_own_error(webhook_url: str) -> None:
    b = fast_bitrix24.Bitrix(webhook_url, verbose=False)
    with pytest.raises(Exception, match="STATUS_ID|required"):
        b.call("crm.status.add", {"fields": {"ENTITY_ID": "DEAL_STAGE", "NAME": "x"}})


def test_fast_bitrix24_drives_smart_processes_and_leads(webhook_url: str) -> None:
    b = fast_bitrix24.Bitrix(webhook_url, verbose=False)

    kind = b.call("crm.type.add", {"fields": {"title": "Замер", "isCategoriesEnabled": "Y"}}, raw=True)
    entity_type_id = kind["result"]["type"]["entityTypeId"]
    new_items = [{"entityTypeId": entity_type_id, "fields": {"title": f"замер {n}"}} for n in range(60)]
    b.call("crm.item.add", new_items)
    # crm.item.list answers {"items": [...]} page by page; the client unwraps and pages through it.
    items = b.get_all("crm.item.list", {"entityTypeId": entity_type_id, "select": ["id", "stageId"]})
    assert len(items) == 60
    assert len({i["stageId"] for i in items}) == 1 and items[0]["stageId"].startswith(f"DT{entity_type_id}_")

    b.call("crm.lead.add", [{"fields": {"TITLE": f"lead {n}", "STATUS_ID": "IN_PROCESS"}} for n in range(3)])
    leads = b.get_all("crm.lead.list", {"filter": {"STATUS_ID": "IN_PROCESS"}, "select": ["ID"]})
    assert len(leads) == 3
