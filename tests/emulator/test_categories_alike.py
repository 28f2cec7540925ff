"""crm.category.* answers deals (entityTypeId 2) and a smart process alike: the same fields, the same
envelopes and error codes for a missing pipeline or a bad name, updates that show in get and list."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import err, ok


@pytest.fixture
def hook(start_portal: Any) -> httpx.Client:
    portal = start_portal("a")
    return httpx.Client(base_url=portal.server.webhook_url, timeout=10)


def entity_types(hook: httpx.Client) -> list[int]:
    """Deals, and a new smart process that takes pipelines."""
    kind = ok(hook.post("crm.type.add", json={"fields": {"title": "Замер", "isCategoriesEnabled": "Y"}}))
    return [2, int(kind["type"]["entityTypeId"])]


def test_both_describe_the_same_fields(hook: httpx.Client) -> None:
    deal, smart = (ok(hook.post("crm.category.fields", json={"entityTypeId": t})) for t in entity_types(hook))
    assert deal == smart
    assert deal["fields"]["name"]["upperName"] == "NAME" and deal["fields"]["id"]["isReadOnly"] is True


def test_both_add_update_and_get_a_pipeline_the_same_way(hook: httpx.Client) -> None:
    for entity_type_id in entity_types(hook):
        body = {"entityTypeId": entity_type_id, "fields": {"name": "Регионы", "sort": -5}}
        added = ok(hook.post("crm.category.add", json=body))["category"]
        assert (added["name"], added["sort"], added["isDefault"]) == ("Регионы", 0, "N")
        update = {"entityTypeId": entity_type_id, "id": added["id"], "fields": {"name": "Юг", "sort": 700}}
        updated = ok(hook.post("crm.category.update", json=update))["category"]
        got = ok(hook.post("crm.category.get", json={"entityTypeId": entity_type_id, "id": added["id"]}))
        assert updated == got["category"]
        assert (updated["name"], updated["sort"], updated["entityTypeId"]) == ("Юг", 700, entity_type_id)
        listed = ok(hook.post("crm.category.list", json={"entityTypeId": entity_type_id}))["categories"]
        assert listed[-1] == updated  # the highest sort comes last


def test_both_refuse_alike(hook: httpx.Client) -> None:
    for entity_type_id in entity_types(hook):
        missing = {"entityTypeId": entity_type_id, "id": 999}
        assert err(hook.post("crm.category.get", json=missing)) == ("NOT_FOUND", "Element not found")
        assert err(hook.post("crm.category.update", json={**missing, "fields": {"name": "x"}})) == (
            "NOT_FOUND",
            "Element not found",
        )
        assert err(hook.post("crm.category.delete", json=missing)) == ("NOT_FOUND", "Element not found")
        blank = {"entityTypeId": entity_type_id, "fields": {"name": "  "}}
        assert err(hook.post("crm.category.add", json=blank)) == (0, "Field 'NAME' is required")
