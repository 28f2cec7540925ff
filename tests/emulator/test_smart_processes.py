"""Smart processes over real HTTP: crm.type.*, their pipelines, stages, items and fields."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from b24provision.emulator import Emulator, PortalSettings, serve_in_thread

from .conftest import err, ok


def add_type(hook: httpx.Client, title: str, **switches: Any) -> dict[str, Any]:
    kind: dict[str, Any] = ok(hook.post("crm.type.add", json={"fields": {"title": title, **switches}}))[
        "type"
    ]
    return kind


def categories(hook: httpx.Client, entity_type_id: int) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok(hook.post("crm.category.list", json={"entityTypeId": entity_type_id}))[
        "categories"
    ]
    return result


def stages(hook: httpx.Client, entity: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok(hook.post("crm.status.list", json={"filter": {"ENTITY_ID": entity}}))
    return result


def test_a_new_type_gets_an_even_entity_type_id_a_default_pipeline_and_five_stages(
    hook: httpx.Client,
) -> None:
    kind = add_type(hook, "Замер", isCategoriesEnabled="Y", isAutomationEnabled="Y",
                    relations={"parent": [{"entityTypeId": 2, "isChildrenListEnabled": "true"}]})  # fmt: skip
    assert (kind["id"], kind["entityTypeId"], kind["title"]) == (1, 1030, "Замер")
    assert (kind["isCategoriesEnabled"], kind["isStagesEnabled"], kind["isSetOpenPermissions"]) == (
        "Y",
        "N",
        "Y",
    )
    assert kind["relations"]["parent"] == [
        {"entityTypeId": 2, "isChildrenListEnabled": "Y", "isPredefined": "N"}
    ]
    assert add_type(hook, "Производство")["entityTypeId"] == 1032
    [default] = categories(hook, 1030)
    assert default["isDefault"] == "Y" and default["entityTypeId"] == 1030
    entity = f"DYNAMIC_1030_STAGE_{default['id']}"
    got = stages(hook, entity)
    prefix = f"DT1030_{default['id']}:"
    assert [s["STATUS_ID"] for s in got] == [
        prefix + c for c in ("NEW", "PREPARATION", "CLIENT", "SUCCESS", "FAIL")
    ]
    assert [s["SEMANTICS"] for s in got][-2:] == ["S", "F"]
    assert [s["SYSTEM"] for s in got] == ["Y", "N", "N", "Y", "Y"]
    types = {t["ID"]: t for t in ok(hook.post("crm.status.entity.types"))}
    assert types[entity]["ENTITY_TYPE_ID"] == 1030 and types[entity]["PREFIX"] == prefix.rstrip(":")
    assert (types[entity]["NAME"], types[entity]["IS_DEFAULT_CATEGORY"]) == (
        f"Замер ({default['name']})",
        True,
    )
    listed = hook.post("crm.type.list").json()
    assert listed["total"] == 2 and [t["title"] for t in listed["result"]["types"]] == [
        "Замер",
        "Производство",
    ]
    assert ok(hook.post("crm.type.getByEntityTypeId", json={"entityTypeId": 1032}))["type"]["id"] == 2


def test_entity_type_id_ranges_and_uniqueness(hook: httpx.Client) -> None:
    assert add_type(hook, "Old range", entityTypeId=130)["entityTypeId"] == 130
    assert err(hook.post("crm.type.add", json={"fields": {"title": "Odd", "entityTypeId": 1031}}))[0] == 0
    assert err(hook.post("crm.type.add", json={"fields": {"title": "Again", "entityTypeId": 130}}))[0] == 0


def test_pipelines_and_stages_of_a_smart_process(hook: httpx.Client) -> None:
    plain = add_type(hook, "Без воронок")["entityTypeId"]
    assert err(hook.post("crm.category.add", json={"entityTypeId": plain, "fields": {"name": "x"}}))[0] == (
        "CATEGORIES_DISABLED"
    )
    kind = add_type(hook, "Доставка", isCategoriesEnabled="Y")["entityTypeId"]
    new = ok(
        hook.post("crm.category.add", json={"entityTypeId": kind, "fields": {"name": "Регионы", "sort": 200}})
    )
    category = new["category"]
    assert (category["name"], category["isDefault"], category["entityTypeId"]) == ("Регионы", "N", kind)
    entity = f"DYNAMIC_{kind}_STAGE_{category['id']}"
    assert len(stages(hook, entity)) == 5
    stage = {"ENTITY_ID": entity, "STATUS_ID": "LOADED", "NAME": "Погружено", "SORT": 25}
    stage_id = ok(hook.post("crm.status.add", json={"fields": stage}))
    assert (
        ok(hook.post("crm.status.get", json={"id": stage_id}))["STATUS_ID"]
        == f"DT{kind}_{category['id']}:LOADED"
    )
    default = next(c for c in categories(hook, kind) if c["isDefault"] == "Y")
    refusal = err(hook.post("crm.category.delete", json={"entityTypeId": kind, "id": default["id"]}))
    assert refusal[0] == 0
    assert ok(hook.post("crm.category.delete", json={"entityTypeId": kind, "id": category["id"]})) is None
    assert stages(hook, entity) == []


def test_items_count_by_stage_pipeline_and_field_and_hold_what_they_use(hook: httpx.Client) -> None:
    kind = add_type(hook, "Монтаж", isCategoriesEnabled="Y")
    type_id, entity_type_id = kind["id"], kind["entityTypeId"]
    field = {"entityId": f"CRM_{type_id}", "fieldName": f"UF_CRM_{type_id}_ADDRESS", "userTypeId": "string",
             "editFormLabel": {"ru": "Адрес", "en": "Address"}}  # fmt: skip
    made = ok(hook.post("userfieldconfig.add", json={"moduleId": "crm", "field": field}))["field"]
    assert (made["entityId"], made["fieldName"], made["userTypeId"]) == (
        f"CRM_{type_id}",
        f"UF_CRM_{type_id}_ADDRESS",
        "string",
    )
    assert made["editFormLabel"]["ru"] == "Адрес" and isinstance(made["id"], str)
    camel = f"ufCrm{type_id}Address"
    [default] = categories(hook, entity_type_id)
    first = f"DT{entity_type_id}_{default['id']}:NEW"
    item = ok(
        hook.post(
            "crm.item.add",
            json={"entityTypeId": entity_type_id, "fields": {"title": "Кухня", camel: "Ленина 1"}},
        )
    )["item"]
    assert (item["stageId"], item["categoryId"], item[camel]) == (first, default["id"], "Ленина 1")
    ok(hook.post("crm.item.add", json={"entityTypeId": entity_type_id, "fields": {"title": "Шкаф"}}))

    def count(flt: dict[str, Any]) -> int:
        body = hook.post(
            "crm.item.list", json={"entityTypeId": entity_type_id, "filter": flt, "select": ["id"]}
        ).json()
        assert all(set(i) == {"id"} for i in body["result"]["items"])
        return int(body["total"])

    assert count({"stageId": first}) == 2
    assert count({"=categoryId": default["id"]}) == 2
    assert count({f"!{camel}": ""}) == 1
    stage = next(
        s for s in stages(hook, f"DYNAMIC_{entity_type_id}_STAGE_{default['id']}") if s["STATUS_ID"] == first
    )
    refusal = err(hook.post("crm.status.delete", json={"id": stage["ID"], "params": {"FORCED": "Y"}}))
    assert refusal[1] == "There are active items in this status."
    assert err(hook.post("crm.type.delete", json={"id": type_id})) == (
        "BX_ERROR", "You cannot delete an entity type that has elements",
    )  # fmt: skip
    for listed in ok(hook.post("crm.item.list", json={"entityTypeId": entity_type_id}))["items"]:
        assert (
            ok(hook.post("crm.item.delete", json={"entityTypeId": entity_type_id, "id": listed["id"]})) == []
        )
    assert ok(hook.post("crm.type.delete", json={"id": type_id})) == []
    assert err(hook.post("crm.type.get", json={"id": type_id})) == (0, "Smart process not found")
    assert (
        ok(
            hook.post(
                "userfieldconfig.list", json={"moduleId": "crm", "filter": {"entityId": f"CRM_{type_id}"}}
            )
        )["fields"]
        == []
    )


@pytest.mark.quirks("core")
def test_core_reading_refuses_a_smart_process_field_without_its_prefix(hook: httpx.Client) -> None:
    type_id = add_type(hook, "Замер")["id"]
    field = {"entityId": f"CRM_{type_id}", "fieldName": "UF_CRM_ADDRESS", "userTypeId": "string"}
    assert err(hook.post("userfieldconfig.add", json={"moduleId": "crm", "field": field}))[0] == "ERROR_CORE"


@pytest.mark.quirks("docs")
def test_docs_reading_puts_the_smart_process_prefix_in_front(hook: httpx.Client) -> None:
    type_id = add_type(hook, "Замер")["id"]
    field = {"entityId": f"CRM_{type_id}", "fieldName": "ADDRESS", "userTypeId": "enumeration",
             "enum": [{"value": "Да", "def": "Y"}, {"value": "Нет"}]}  # fmt: skip
    made = ok(hook.post("userfieldconfig.add", json={"moduleId": "crm", "field": field}))["field"]
    assert made["fieldName"] == f"UF_CRM_{type_id}_ADDRESS"
    assert [(i["value"], i["def"]) for i in made["enum"]] == [("Да", "Y"), ("Нет", "N")]
    updated = ok(
        hook.post(
            "userfieldconfig.update", json={"moduleId": "crm", "id": made["id"], "field": {"mandatory": "Y"}}
        )
    )
    assert updated["field"]["mandatory"] == "Y"
    assert err(hook.post("userfieldconfig.get", json={"moduleId": "main", "id": made["id"]}))[0] == 0


def test_a_user_without_crm_settings_rights_cannot_add_a_smart_process() -> None:
    settings = PortalSettings(token="t0ken", rate_limit=None, crm_settings_rights=False)
    with (
        serve_in_thread(Emulator(settings=settings)) as server,
        httpx.Client(base_url=server.webhook_url) as hook,
    ):
        assert err(hook.post("crm.type.add", json={"fields": {"title": "x"}})) == (
            "ACCESS_DENIED",
            "Access denied.",
        )
        assert ok(hook.post("crm.type.list"))["types"] == []


def test_one_batch_reads_every_smart_process_with_its_pipelines_stages_and_fields(hook: httpx.Client) -> None:
    kinds = [add_type(hook, f"Отдел {n}", isCategoriesEnabled="Y") for n in range(3)]
    cmd = {"types": "crm.type.list", "fields": "userfieldconfig.list?moduleId=crm"}
    for kind in kinds:
        cmd[f"c{kind['entityTypeId']}"] = f"crm.category.list?entityTypeId={kind['entityTypeId']}"
    cmd["stages"] = "crm.status.list?filter[ENTITY_ID]=DYNAMIC_1030_STAGE_1"
    result = ok(hook.post("batch", json={"cmd": cmd}))
    assert [t["entityTypeId"] for t in result["result"]["types"]["types"]] == [1030, 1032, 1034]
    assert result["result_total"]["types"] == 3
    assert result["result"]["c1034"]["categories"][0]["entityTypeId"] == 1034
    assert len(result["result"]["stages"]) == 5 and result["result"]["fields"] == {"fields": []}


def test_the_plans_smart_process_limit_is_enforced() -> None:
    settings = PortalSettings(token="t0ken", rate_limit=None, limits={"crm_smart_processes_limit": 1})
    with (
        serve_in_thread(Emulator(settings=settings)) as server,
        httpx.Client(base_url=server.webhook_url) as hook,
    ):
        kind = add_type(hook, "Один")
        refused = err(hook.post("crm.type.add", json={"fields": {"title": "Два"}}))
        assert refused[0] == "CREATE_DYNAMIC_TYPE_RESTRICTED"
        settings.limits["crm_smart_processes_limit"] = 0  # a plan without smart processes
        new_item = {"entityTypeId": kind["entityTypeId"], "fields": {"title": "x"}}
        assert err(hook.post("crm.item.add", json=new_item))[0] == "CREATE_DYNAMIC_ITEM_RESTRICTED"
        update = {"id": kind["id"], "fields": {"title": "y"}}
        assert err(hook.post("crm.type.update", json=update))[0] == "UPDATE_DYNAMIC_TYPE_RESTRICTED"


def test_an_unknown_smart_process_is_not_found_by_items_and_pipelines(hook: httpx.Client) -> None:
    missing = "Smart process not found"
    assert err(hook.post("crm.item.list", json={"entityTypeId": 1030})) == ("NOT_FOUND", missing)
    assert err(hook.post("crm.category.list", json={"entityTypeId": 1030})) == ("NOT_FOUND", missing)
    kind = add_type(hook, "Замер")["entityTypeId"]
    assert err(hook.post("crm.item.get", json={"entityTypeId": kind, "id": 5})) == (
        "NOT_FOUND",
        "Item not found",
    )


def test_items_with_original_field_names(hook: httpx.Client) -> None:
    kind = add_type(hook, "Сборка")
    name = f"UF_CRM_{kind['id']}_1712345690000"
    field = {"entityId": f"CRM_{kind['id']}", "fieldName": name, "userTypeId": "string"}
    ok(hook.post("userfieldconfig.add", json={"moduleId": "crm", "field": field}))
    fields = {"title": "x", f"ufCrm{kind['id']}_1712345690000": "a"}
    ok(hook.post("crm.item.add", json={"entityTypeId": kind["entityTypeId"], "fields": fields}))
    query = {"entityTypeId": kind["entityTypeId"], "useOriginalUfNames": "Y", "filter": {name: "a"}}
    [item] = ok(hook.post("crm.item.list", json=query))["items"]
    assert item[name] == "a" and f"ufCrm{kind['id']}_1712345690000" not in item
