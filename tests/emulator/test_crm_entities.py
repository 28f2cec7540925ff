"""Leads, contacts, companies and the reference lists, over real HTTP, as the core has them."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import err, ok


def statuses(hook: httpx.Client, entity: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok(hook.post("crm.status.list", json={"filter": {"ENTITY_ID": entity}}))
    return result


def test_a_fresh_portal_has_the_cores_default_lead_statuses_and_lists(hook: httpx.Client) -> None:
    lead = {s["STATUS_ID"]: s for s in statuses(hook, "STATUS")}
    assert list(lead) == ["NEW", "IN_PROCESS", "PROCESSED", "CONVERTED", "JUNK"]
    assert {code for code, s in lead.items() if s["SYSTEM"] == "Y"} == {"NEW", "CONVERTED", "JUNK"}
    assert (lead["CONVERTED"]["SEMANTICS"], lead["JUNK"]["SEMANTICS"]) == ("S", "F")
    assert lead["JUNK"]["EXTRA"] == {"SEMANTICS": "failure", "COLOR": "#FF5752"}
    sources = {s["STATUS_ID"]: s["SYSTEM"] for s in statuses(hook, "SOURCE")}
    assert sources["CALL"] == "Y" and sources["WEB"] == "N" and len(sources) == 12
    assert [s["STATUS_ID"] for s in statuses(hook, "COMPANY_TYPE")] == [
        "CUSTOMER", "SUPPLIER", "COMPETITOR", "PARTNER", "OTHER",
    ]  # fmt: skip
    assert [s["STATUS_ID"] for s in statuses(hook, "EMPLOYEES")][0] == "EMPLOYEES_1"
    listed = ok(hook.post("crm.status.entity.types"))
    assert listed[0]["ID"] == "STATUS" and listed[0]["ENTITY_TYPE_ID"] == 1
    assert listed[0]["SEMANTIC_INFO"]["FINAL_SUCCESS_FIELD"] == "CONVERTED"
    types = {t["ID"] for t in listed}
    assert {
        "STATUS",
        "SOURCE",
        "DEAL_TYPE",
        "CONTACT_TYPE",
        "COMPANY_TYPE",
        "INDUSTRY",
        "EMPLOYEES",
        "HONORIFIC",
    } <= types


def test_a_lead_status_holding_leads_is_not_deleted(hook: httpx.Client) -> None:
    new = ok(
        hook.post(
            "crm.status.add",
            json={
                "fields": {"ENTITY_ID": "STATUS", "STATUS_ID": "CALLBACK", "NAME": "Перезвонить", "SORT": 25}
            },
        )
    )
    assert ok(hook.post("crm.status.get", json={"id": new}))["SEMANTICS"] in (None, "P")  # in progress
    lead = ok(hook.post("crm.lead.add", json={"fields": {"TITLE": "Кухня", "STATUS_ID": "CALLBACK"}}))
    assert (
        err(hook.post("crm.status.delete", json={"id": new}))[1] == "There are active items in this status."
    )
    assert ok(hook.post("crm.lead.delete", json={"id": lead})) is True
    assert ok(hook.post("crm.status.delete", json={"id": new})) is True
    junk = next(s for s in statuses(hook, "STATUS") if s["STATUS_ID"] == "JUNK")
    assert "FORCED" in err(hook.post("crm.status.delete", json={"id": junk["ID"]}))[1]


def test_a_lead_starts_in_the_first_status_and_an_unknown_one_is_refused(hook: httpx.Client) -> None:
    lead = ok(hook.post("crm.lead.add", json={"fields": {"TITLE": "Шкаф"}}))
    got = ok(hook.post("crm.lead.get", json={"id": lead}))
    assert (got["ID"], got["STATUS_ID"], got["STATUS_SEMANTIC_ID"]) == (str(lead), "NEW", "P")
    assert err(hook.post("crm.lead.add", json={"fields": {"STATUS_ID": "NOPE"}}))[0] == ""


def test_lead_contact_and_company_fields_are_separate_per_entity(hook: httpx.Client) -> None:
    for entity in ("lead", "contact", "company"):
        field = {"FIELD_NAME": "SIZE", "USER_TYPE_ID": "string", "LABEL": "Размер"}
        field_id = ok(hook.post(f"crm.{entity}.userfield.add", json={"fields": field}))
        got = ok(hook.post(f"crm.{entity}.userfield.get", json={"id": field_id}))
        assert (got["ENTITY_ID"], got["FIELD_NAME"]) == (f"CRM_{entity.upper()}", "UF_CRM_SIZE")
    assert ok(hook.post("crm.deal.userfield.list")) == []  # a lead's field is not the deal's
    assert err(hook.post("crm.contact.userfield.add", json={"fields": field}))[1] == (
        "The field UF_CRM_SIZE for entity CRM_CONTACT already exists."
    )
    lead_fields = ok(hook.post("crm.lead.userfield.list"))
    assert [f["FIELD_NAME"] for f in lead_fields] == ["UF_CRM_SIZE"]
    other = ok(hook.post("crm.company.userfield.list"))[0]["ID"]
    error = err(hook.post("crm.lead.userfield.get", json={"id": other}))
    assert error == ("ERROR_NOT_FOUND", f"The entity with ID '{other}' is not found.")


def test_lists_count_what_a_status_or_field_holds(hook: httpx.Client) -> None:
    field = {"FIELD_NAME": "ROOM", "USER_TYPE_ID": "string"}
    ok(hook.post("crm.contact.userfield.add", json={"fields": field}))
    for n in range(3):
        ok(
            hook.post(
                "crm.contact.add",
                json={"fields": {"NAME": f"c{n}", "TYPE_ID": "CLIENT", "UF_CRM_ROOM": "кухня" if n else ""}},
            )
        )
    ok(hook.post("crm.lead.add", json={"fields": {"TITLE": "x", "STATUS_ID": "IN_PROCESS"}}))

    def count(method: str, flt: dict[str, Any]) -> int:
        answer = hook.post(method, json={"filter": flt, "select": ["ID"]})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert all(set(item) == {"ID"} for item in body["result"])
        return int(body["total"])

    assert count("crm.lead.list", {"STATUS_ID": "IN_PROCESS"}) == 1
    assert count("crm.lead.list", {"STATUS_ID": "NEW"}) == 0
    assert count("crm.contact.list", {"TYPE_ID": "CLIENT"}) == 3
    assert count("crm.contact.list", {"!UF_CRM_ROOM": ""}) == 2
    assert count("crm.contact.list", {"=UF_CRM_ROOM": "кухня"}) == 2
    assert count("crm.company.list", {}) == 0


def test_deals_keep_their_type_so_a_deal_type_in_use_can_be_counted(hook: httpx.Client) -> None:
    ok(hook.post("crm.deal.add", json={"fields": {"TITLE": "a", "TYPE_ID": "COMPLEX"}}))
    other = ok(hook.post("crm.deal.add", json={"fields": {"TITLE": "b"}}))
    assert ok(hook.post("crm.deal.get", json={"id": other}))["TYPE_ID"] == "SALE"
    body = hook.post("crm.deal.list", json={"filter": {"TYPE_ID": "COMPLEX"}, "select": ["ID"]}).json()
    assert body["total"] == 1
