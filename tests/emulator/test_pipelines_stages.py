"""Pipelines (crm.category / crm.dealcategory) and stages (crm.status): the portal's invariants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from b24provision.emulator import PortalSettings

from .conftest import err, ok

DEFAULT_CODES = [
    "NEW",
    "PREPARATION",
    "PREPAYMENT_INVOICE",
    "EXECUTING",
    "FINAL_INVOICE",
    "WON",
    "LOSE",
    "APOLOGY",
]


def add_pipeline(hook: httpx.Client, name: str, sort: int = 500) -> int:
    return int(
        ok(hook.post("crm.category.add", json={"entityTypeId": 2, "fields": {"name": name, "sort": sort}}))[
            "category"
        ]["id"]
    )


def stages(hook: httpx.Client, entity: str) -> list[dict[str, Any]]:
    return list(ok(hook.post("crm.status.list", json={"filter": {"ENTITY_ID": entity}})))


def test_fresh_portal_has_default_pipeline_with_eight_stages(hook: httpx.Client) -> None:
    default = ok(hook.post("crm.category.get", json={"entityTypeId": 2, "id": 0}))["category"]
    assert default == {"id": 0, "name": "Общее", "sort": 0, "entityTypeId": 2, "isDefault": "Y"}
    rows = stages(hook, "DEAL_STAGE")
    assert [r["STATUS_ID"] for r in rows] == DEFAULT_CODES
    assert [r["SORT"] for r in rows] == [str(s) for s in range(10, 90, 10)]
    assert [r["STATUS_ID"] for r in rows if r["SYSTEM"] == "Y"] == ["NEW", "WON", "LOSE"]
    assert rows[0]["COLOR"] == "#39A8EF" and rows[0]["NAME"] == "Новая" and rows[0]["CATEGORY_ID"] is None
    assert [r["SEMANTICS"] for r in rows[5:]] == ["S", "F", "F"]
    assert rows[7]["EXTRA"] == {"SEMANTICS": "apology", "COLOR": rows[7]["COLOR"]}


def test_english_first_language_names_defaults_in_english(start_portal: Callable[..., Any]) -> None:
    portal = start_portal("en", token="t", languages=("en", "ru"))
    with httpx.Client(base_url=portal.server.webhook_url) as hook:
        assert ok(hook.post("crm.dealcategory.default.get"))["NAME"] == "General"
        assert stages(hook, "DEAL_STAGE")[5]["NAME"] == "Deal won"


def test_new_pipeline_gets_prefixed_default_stages_and_ids_increment(hook: httpx.Client) -> None:
    assert [add_pipeline(hook, "A"), add_pipeline(hook, "B")] == [1, 2]
    rows = stages(hook, "DEAL_STAGE_2")
    assert [r["STATUS_ID"] for r in rows] == [f"C2:{c}" for c in DEFAULT_CODES]
    assert {r["CATEGORY_ID"] for r in rows} == {"2"}
    assert ok(hook.post("crm.category.delete", json={"entityTypeId": 2, "id": 2})) is None
    assert stages(hook, "DEAL_STAGE_2") == []
    assert add_pipeline(hook, "C") == 3  # ids are never reused


def test_list_is_ordered_by_sort_and_only_the_default_lacks_origin(hook: httpx.Client) -> None:
    add_pipeline(hook, "Late", 900)
    add_pipeline(hook, "Early", 10)
    cats = ok(hook.post("crm.category.list", json={"entityTypeId": 2}))["categories"]
    assert [c["name"] for c in cats] == ["Общее", "Early", "Late"]  # the default's sort is 0
    assert [("originId" in c) for c in cats] == [False, True, True]


def test_d7_errors_carry_controller_codes(hook: httpx.Client) -> None:
    assert err(hook.post("crm.category.get", json={"entityTypeId": 2, "id": 99}))[0] == "NOT_FOUND"
    assert err(hook.post("crm.category.delete", json={"entityTypeId": 2, "id": 0})) == (
        0,
        "Default deal category cannot be deleted",
    )
    assert err(hook.post("crm.category.list", json={"entityTypeId": 1}))[0] == "ENTITY_TYPE_NOT_SUPPORTED"


def test_pipeline_and_stage_holding_deals_cannot_be_deleted(hook: httpx.Client) -> None:
    pipeline = add_pipeline(hook, "Busy")
    ok(hook.post("crm.deal.add", json={"fields": {"TITLE": "d", "CATEGORY_ID": pipeline}}))
    assert err(hook.post("crm.category.delete", json={"entityTypeId": 2, "id": pipeline})) == (
        0,
        "Deals related to the funnel Busy found",
    )
    new_stage = stages(hook, f"DEAL_STAGE_{pipeline}")[0]
    assert err(hook.post("crm.status.delete", json={"id": new_stage["ID"], "params": {"FORCED": "Y"}})) == (
        "",
        "There are active items in this status.",
    )


def test_status_add_prefixes_forces_system_n_and_guards_the_final_stage(hook: httpx.Client) -> None:
    pipeline = add_pipeline(hook, "P")
    new_id = ok(
        hook.post(
            "crm.status.add",
            json={
                "fields": {
                    "ENTITY_ID": f"DEAL_STAGE_{pipeline}",
                    "STATUS_ID": "DECISION",
                    "NAME": "Decision",
                    "SORT": 45,
                    "SYSTEM": "Y",
                    "EXTRA": {"COLOR": "#123456"},
                }
            },
        )
    )
    row = ok(hook.post("crm.status.get", json={"id": new_id}))
    assert (row["STATUS_ID"], row["SYSTEM"], row["COLOR"], row["SORT"], row["ID"]) == (
        f"C{pipeline}:DECISION",
        "N",
        "#123456",
        "45",
        str(new_id),
    )
    code, text = err(
        hook.post(
            "crm.status.add",
            json={"fields": {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "LATE", "NAME": "Late", "SORT": 65}},
        )
    )
    assert text.startswith("Cannot create more stages after the final stage")
    assert ok(
        hook.post(
            "crm.status.add",
            json={
                "fields": {
                    "ENTITY_ID": "DEAL_STAGE",
                    "STATUS_ID": "LOST2",
                    "NAME": "Lost 2",
                    "SORT": 90,
                    "SEMANTICS": "F",
                }
            },
        )
    )
    assert err(
        hook.post(
            "crm.status.add",
            json={"fields": {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "LOST2", "NAME": "Again"}},
        )
    ) == ("", "The specified status ID already exists.")
    assert (
        err(
            hook.post(
                "crm.status.add",
                json={"fields": {"ENTITY_ID": "DEAL_STAGE_77", "STATUS_ID": "X", "NAME": "x"}},
            )
        )[1]
        == "Specified entity type is not supported."
    )


def test_system_stage_renames_freely_but_deletes_only_when_forced(hook: httpx.Client) -> None:
    new = stages(hook, "DEAL_STAGE")[0]
    assert ok(
        hook.post(
            "crm.status.update", json={"id": new["ID"], "fields": {"NAME": "Incoming", "STATUS_ID": "X"}}
        )
    )
    row = ok(hook.post("crm.status.get", json={"id": new["ID"]}))
    assert (row["NAME"], row["STATUS_ID"], row["NAME_INIT"]) == ("Incoming", "NEW", "Новая")
    assert "FORCED" in err(hook.post("crm.status.delete", json={"id": new["ID"]}))[1]
    assert ok(hook.post("crm.status.delete", json={"id": new["ID"], "params": {"FORCED": "Y"}})) is True
    assert err(hook.post("crm.status.get", json={"id": new["ID"]}))[1] == "CRM Status is not found."


def test_other_directories_and_entity_types(hook: httpx.Client) -> None:
    add_pipeline(hook, "Second")
    types = {t["ID"]: t for t in ok(hook.post("crm.status.entity.types"))}
    assert {"STATUS", "SOURCE", "DEAL_TYPE", "DEAL_STAGE", "DEAL_STAGE_1"} <= set(types)
    assert types["DEAL_STAGE_1"]["SEMANTIC_INFO"]["FINAL_SUCCESS_FIELD"] == "C1:WON"
    assert types["DEAL_STAGE_1"]["PREFIX"] == "C1" and types["DEAL_STAGE_1"]["CATEGORY_ID"] == "1"
    assert [s["STATUS_ID"] for s in stages(hook, "SOURCE")][:2] == ["CALL", "EMAIL"]
    assert "EXTRA" not in stages(hook, "SOURCE")[0]
    assert err(hook.post("crm.status.list", json={"filter": {"ENTITY_ID": ["A"]}}))[1] == (
        "Filter by ENTITY_ID must be a string"
    )


def test_legacy_dealcategory_methods(hook: httpx.Client) -> None:
    new_id = ok(hook.post("crm.dealcategory.add", json={"fields": {"NAME": "Legacy", "SORT": 300}}))
    row = ok(hook.post("crm.dealcategory.get", json={"id": new_id}))
    assert (row["ID"], row["NAME"], row["SORT"], row["IS_LOCKED"]) == (str(new_id), "Legacy", "300", "N")
    assert ok(hook.post("crm.dealcategory.status", json={"id": new_id})) == f"DEAL_STAGE_{new_id}"
    assert ok(hook.post("crm.dealcategory.status", json={"id": 0})) == "DEAL_STAGE"
    assert ok(hook.post("crm.dealcategory.stage.list", json={"id": new_id}))[0] == {
        "NAME": "Новая",
        "SORT": 10,
        "STATUS_ID": f"C{new_id}:NEW",
    }
    assert ok(hook.post("crm.dealcategory.default.set", json={"name": "Main"})) is True
    assert ok(hook.post("crm.dealcategory.default.get")) == {"ID": 0, "NAME": "Main"}
    assert [c["NAME"] for c in ok(hook.post("crm.dealcategory.list"))] == ["Legacy"]
    assert err(hook.post("crm.dealcategory.get", json={"id": 42})) == ("", "Not found")


@pytest.mark.parametrize(
    "settings", [PortalSettings(token="test-token", rate_limit=None, limits={"crm_deal_category_limit": 2})]
)
def test_pipeline_limit_of_the_plan(hook: httpx.Client) -> None:
    add_pipeline(hook, "Second")  # the default plus this one make two
    code, text = err(hook.post("crm.category.add", json={"entityTypeId": 2, "fields": {"name": "Third"}}))
    assert code == "ADDING_DISABLED" and "(2)" in text
