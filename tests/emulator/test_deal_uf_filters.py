"""crm.deal.list filters on custom fields, as the core's SQL builder reads them (emulator/uf_filter.py).

These are the filters a plan counts with: ``!UF_X: ""`` (holds a value) and ``=UF_X: <item id>``
(uses an enumeration item); a filter on a field the portal does not have filters nothing.
"""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import ok


def _field(hook: httpx.Client, name: str, kind: str, **more: Any) -> dict[str, Any]:
    field_id = ok(
        hook.post(
            "crm.deal.userfield.add", json={"fields": {"FIELD_NAME": name, "USER_TYPE_ID": kind, **more}}
        )
    )
    return dict(ok(hook.post("crm.deal.userfield.get", json={"id": field_id})))


def _deal(hook: httpx.Client, **values: Any) -> None:
    ok(hook.post("crm.deal.add", json={"fields": {"TITLE": "d", **values}}))


def _count(hook: httpx.Client, condition: dict[str, Any]) -> int:
    reply = hook.post("crm.deal.list", json={"filter": condition, "select": ["ID"]}).json()
    return int(reply["total"])


def test_not_empty_counts_the_deals_holding_a_value(hook: httpx.Client) -> None:
    _field(hook, "NOTE", "string")
    _field(hook, "SCORE", "integer")
    _field(hook, "VIP", "boolean")
    _deal(hook, UF_CRM_NOTE="kept", UF_CRM_SCORE=5, UF_CRM_VIP="Y")
    _deal(hook, UF_CRM_NOTE="", UF_CRM_SCORE=0, UF_CRM_VIP="N")
    _deal(hook)
    assert _count(hook, {"!UF_CRM_NOTE": ""}) == 1
    # the core's "empty" for a number or a yes/no: NULL or 0 ("IS NOT NULL AND <> 0")
    assert _count(hook, {"!UF_CRM_SCORE": ""}) == 1
    assert _count(hook, {"!UF_CRM_VIP": ""}) == 1
    assert _count(hook, {"UF_CRM_SCORE": ""}) == 2  # "IS NULL OR = 0"
    assert _count(hook, {"UF_CRM_NOTE": ""}) == 2  # "IS NULL"


def test_an_item_filter_finds_the_deals_using_it_among_multiple_values(hook: httpx.Client) -> None:
    field = _field(hook, "SIZE", "enumeration", MULTIPLE="Y", LIST=[{"VALUE": "Small"}, {"VALUE": "Large"}])
    small, large = (int(item["ID"]) for item in field["LIST"])
    _deal(hook, UF_CRM_SIZE=[small, large])
    _deal(hook, UF_CRM_SIZE=[small])
    _deal(hook)
    assert _count(hook, {"=UF_CRM_SIZE": small}) == 2
    assert _count(hook, {"UF_CRM_SIZE": str(large)}) == 1  # values arrive as text over a query string too
    assert _count(hook, {"!UF_CRM_SIZE": ""}) == 2


def test_a_filter_on_a_field_the_portal_lacks_filters_nothing(hook: httpx.Client) -> None:
    _deal(hook)
    _deal(hook)
    assert _count(hook, {"!UF_CRM_GONE": ""}) == 2  # dropped, as internalizeFilterFields drops it
    assert _count(hook, {"NO_SUCH_FIELD": "x"}) == 2
