"""Deals, stage history and paging; batch semantics."""

from __future__ import annotations

import httpx

from b24provision.emulator import Emulator

from .conftest import err, ok


def add_deals(hook: httpx.Client, count: int, **fields: object) -> None:
    for start in range(0, count, 50):
        cmd = {
            f"d{i}": f"crm.deal.add?fields[TITLE]=Deal {i}&fields[OPPORTUNITY]={i}"
            for i in range(start, min(start + 50, count))
        }
        hook.post("batch", json={"cmd": cmd})


def test_deal_lands_in_first_stage_and_moves_are_recorded(hook: httpx.Client, emulator: Emulator) -> None:
    pipeline = ok(hook.post("crm.category.add", json={"entityTypeId": 2, "fields": {"name": "P"}}))[
        "category"
    ]["id"]
    deal_id = ok(
        hook.post(
            "crm.deal.add",
            json={"fields": {"TITLE": "Kitchen", "CATEGORY_ID": pipeline, "OPPORTUNITY": 1500}},
        )
    )
    deal = ok(hook.post("crm.deal.get", json={"id": deal_id}))
    assert (deal["STAGE_ID"], deal["CATEGORY_ID"], deal["OPPORTUNITY"]) == (
        f"C{pipeline}:NEW",
        str(pipeline),
        "1500.00",
    )
    ok(hook.post("crm.deal.update", json={"id": deal_id, "fields": {"STAGE_ID": f"C{pipeline}:WON"}}))
    assert ok(hook.post("crm.deal.get", json={"id": deal_id}))["CLOSED"] == "Y"
    history = ok(
        hook.post("crm.stagehistory.list", json={"entityTypeId": 2, "filter": {"OWNER_ID": deal_id}})
    )
    assert [(h["TYPE_ID"], h["STAGE_ID"]) for h in history["items"]] == [
        ("1", f"C{pipeline}:NEW"),
        ("2", f"C{pipeline}:WON"),
    ]
    assert (
        emulator.set_stage_history_time(deal_id, "2025-03-01T10:00:00+03:00", stage_id=f"C{pipeline}:WON")
        == 1
    )
    old = ok(
        hook.post(
            "crm.stagehistory.list",
            json={
                "entityTypeId": 2,
                "filter": {"<CREATED_TIME": "2026-01-01"},
                "select": ["ID", "CREATED_TIME"],
            },
        )
    )
    assert [h["CREATED_TIME"] for h in old["items"]] == ["2025-03-01T10:00:00+03:00"]
    assert err(hook.post("crm.deal.get", json={"id": 999})) == ("", "Not found")
    assert err(hook.post("crm.deal.add", json={"fields": {"STAGE_ID": "C77:NEW"}}))[0] == ""


def test_deal_list_pages_filters_and_selects(hook: httpx.Client) -> None:
    add_deals(hook, 120)
    first = hook.post("crm.deal.list", json={"order": {"ID": "ASC"}, "select": ["ID", "TITLE"]}).json()
    assert (len(first["result"]), first["next"], first["total"]) == (50, 50, 120)
    assert set(first["result"][0]) == {"ID", "TITLE"}
    last = hook.post("crm.deal.list", json={"start": 100}).json()
    assert len(last["result"]) == 20 and "next" not in last
    rich = ok(hook.post("crm.deal.list", json={"filter": {">=OPPORTUNITY": 100, "!ID": 101}}))
    assert [d["ID"] for d in rich] == [str(i) for i in range(102, 121)]
    assert len(ok(hook.post("crm.deal.list", json={"filter": {"@ID": [1, 2, 3]}}))) == 3
    no_count = hook.post("crm.deal.list", json={"start": -1}).json()
    assert len(no_count["result"]) == 50 and "next" not in no_count


def test_batch_of_51_commands_exceeds_per_key(hook: httpx.Client) -> None:
    cmd = {f"k{i}": "server.time" for i in range(51)}
    result = ok(hook.post("batch", json={"cmd": cmd}))
    assert len(result["result"]) == 50
    assert result["result_error"] == {
        "k50": {"error": "ERROR_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"}
    }


def test_batch_halt_result_references_and_php_quirks(hook: httpx.Client) -> None:
    result = ok(
        hook.post(
            "batch",
            json={
                "halt": 1,
                "cmd": {
                    "cat": "crm.category.add?entityTypeId=2&fields[name]=Ref",
                    "stages": "crm.status.list?filter[ENTITY_ID]=DEAL_STAGE_$result[cat][category][id]",
                    "first": "crm.status.get?id=$result[stages][0][ID]",
                    "bad": "crm.status.get?id=0",
                    "never": "server.time",
                },
            },
        )
    )
    assert result["result"]["first"]["STATUS_ID"] == "C1:NEW"
    assert result["result_total"] == {"stages": 8}
    assert result["result_next"] == []  # PHP's empty array
    assert set(result["result_error"]) == {"bad"} and "never" not in result["result"]
    assert set(result["result_time"]["cat"]) >= {"start", "finish", "duration", "operating"}


def test_batch_list_cmd_form_encoding_and_list_shaped_errors(hook: httpx.Client) -> None:
    answer = hook.post("batch", data={"cmd[0]": "crm.deal.get?id=1", "cmd[1]": "crm.deal.get?id=2"})
    result = ok(answer)
    assert result["result"] == [] and result["result_total"] == []
    assert result["result_error"] == [{"error": "", "error_description": "Not found"}] * 2


def test_batch_commands_are_independent_and_nested_batch_is_refused(hook: httpx.Client) -> None:
    result = ok(
        hook.post(
            "batch",
            json={
                "cmd": [
                    "crm.dealcategory.add?fields[NAME]=Kept",
                    "crm.dealcategory.add?fields[NAME]=",
                    "batch?cmd[0]=server.time",
                ]
            },
        )
    )
    assert result["result"] == [1]  # {0: 1} is a list in PHP's JSON
    assert result["result_error"]["2"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert [c["NAME"] for c in ok(hook.post("crm.dealcategory.list"))] == ["Kept"]
