"""The handmade seed, reset, and state kept in a file across restarts."""

from __future__ import annotations

from pathlib import Path

import httpx

from b24provision.emulator import Emulator, PortalSettings, serve_in_thread

from .conftest import HTTP, err, ok


def test_handmade_seed_looks_like_a_portal_people_built(hook: httpx.Client, emulator: Emulator) -> None:
    emulator.reset("handmade")
    names = [c["name"] for c in ok(hook.post("crm.category.list", json={"entityTypeId": 2}))["categories"]]
    assert names == ["Общее", "Монтаж", "Сервис"]
    default = {
        s["STATUS_ID"]: s
        for s in ok(hook.post("crm.status.list", json={"filter": {"ENTITY_ID": "DEAL_STAGE"}}))
    }
    assert "UC_LAFJPE" in default and default["NEW"]["NAME"] != default["NEW"]["NAME_INIT"]
    fields = {
        f["FIELD_NAME"]: f for f in ok(hook.post("crm.deal.userfield.list", json={"filter": {"LANG": "en"}}))
    }
    types = {f["USER_TYPE_ID"] for f in fields.values()}
    assert {"enumeration", "crm", "rest_1_mytype"} <= types
    assert fields["UF_CRM_1712345678901"]["EDIT_FORM_LABEL"] == "Order source"
    deals = ok(hook.post("crm.deal.list", json={"select": ["STAGE_ID"]}))
    assert "UC_LAFJPE" in {d["STAGE_ID"] for d in deals}
    lafjpe = default["UC_LAFJPE"]["ID"]
    assert (
        err(hook.post("crm.status.delete", json={"id": lafjpe}))[1]
        == "There are active items in this status."
    )


def test_reset_brings_back_a_fresh_portal(hook: httpx.Client, emulator: Emulator) -> None:
    emulator.seed("handmade")
    hook.post("server.time")
    emulator.reset()
    assert emulator.request_log == []
    assert ok(hook.post("crm.deal.userfield.list")) == []


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "portal.sqlite"
    settings = PortalSettings(token="t", rate_limit=None)
    first = Emulator(state, settings)
    with serve_in_thread(first) as server:
        ok(HTTP.post(server.webhook_url + "crm.dealcategory.add", json={"fields": {"NAME": "Kept"}}))
    first.close()
    second = Emulator(state, settings)
    with serve_in_thread(second) as server:
        assert [c["NAME"] for c in ok(HTTP.post(server.webhook_url + "crm.dealcategory.list"))] == ["Kept"]
    second.close()


def test_handmade_seed_has_lead_statuses_a_contact_field_and_a_smart_process(
    hook: httpx.Client, emulator: Emulator
) -> None:
    emulator.reset("handmade")
    lead = {
        s["STATUS_ID"]: s for s in ok(hook.post("crm.status.list", json={"filter": {"ENTITY_ID": "STATUS"}}))
    }
    assert "UC_7HD2KQ" in lead and lead["IN_PROCESS"]["NAME"] != lead["IN_PROCESS"]["NAME_INIT"]
    assert [f["FIELD_NAME"] for f in ok(hook.post("crm.contact.userfield.list"))] == ["UF_CRM_1712345681234"]
    [kind] = ok(hook.post("crm.type.list"))["types"]
    assert kind["title"] == "Замеры" and kind["isCategoriesEnabled"] == "Y"
    pipelines = ok(hook.post("crm.category.list", json={"entityTypeId": kind["entityTypeId"]}))["categories"]
    assert [p["isDefault"] for p in pipelines] == ["Y", "N"]
    fields = ok(
        hook.post(
            "userfieldconfig.list", json={"moduleId": "crm", "filter": {"entityId": f"CRM_{kind['id']}"}}
        )
    )
    assert [f["userTypeId"] for f in fields["fields"]] == ["date"]
    [item] = ok(hook.post("crm.item.list", json={"entityTypeId": kind["entityTypeId"]}))["items"]
    assert item["stageId"].endswith(":UC_M3ZR8P")
