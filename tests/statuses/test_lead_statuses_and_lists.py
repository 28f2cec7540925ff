"""Lead statuses and reference lists: plan -> apply -> plan converges, deletes are data-aware,
items the blueprint does not list are left alone, and a deal-only plan is not affected by them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision import api
from b24provision.blueprint import load_blueprint
from b24provision.cli import app
from b24provision.emulator.testing import by_hand
from b24provision.portal.connect import open_portal

BLUEPRINT = """
entities:
  lead:
    statuses:
      - {code: NEW, name: Fresh}
      - {code: IN_PROCESS, name: In progress}
      - {code: QUALIFYING, name: Qualifying, color: "#AABBCC"}
      - {code: CONVERTED, name: Good lead, semantics: success}
      - {code: JUNK, name: Junk lead, semantics: failure}
      - {code: SPAM, name: Spam, semantics: failure}
lists:
  source:
    - {code: CALL, name: Call}
    - {code: TRADE_FAIR, name: Trade fair}
  deal_type:
    - {code: SALE, name: Sales}
    - {code: KITCHEN, name: Kitchen order}
  industry:
    - {code: FURNITURE, name: Furniture}
"""


REMOVING = """
removed:
  lead: {statuses: [PROCESSED]}
  lists: {source: [EMAIL], industry: [IT], honorific: [HNR_RU_1]}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def directory(portal: Any, entity_id: str) -> dict[str, dict[str, Any]]:
    """The portal's own answer for one directory, by STATUS_ID (not through our reader)."""
    rows = by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": entity_id}})
    return {str(r["STATUS_ID"]): r for r in rows}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lead_statuses_and_lists_apply_and_then_plan_no_changes(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    path = write(tmp_path, BLUEPRINT)
    code, out, err = run("plan", str(path), "--portal", portal.spec)
    assert code == 0, err
    assert "+ status lead:SPAM" in out and "+ list_item list:deal_type/KITCHEN" in out
    # What the blueprint does not list is the portal's own: reported, never touched.
    assert "status lead:PROCESSED" in out.split("Unmanaged")[1]
    assert "list_item list:source/EMAIL" in out.split("Unmanaged")[1]
    code, out, err = run("apply", str(path), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    assert "verified: portal matches the blueprint" in out
    statuses = directory(portal, "STATUS")
    assert statuses["SPAM"]["SEMANTICS"] == "F" and statuses["NEW"]["NAME"] == "Fresh"
    assert statuses["QUALIFYING"]["COLOR"].upper() == "#AABBCC" and "PROCESSED" in statuses
    assert directory(portal, "DEAL_TYPE")["KITCHEN"]["NAME"] == "Kitchen order"
    assert directory(portal, "INDUSTRY")["FURNITURE"]["NAME"] == "Furniture"
    assert "EMAIL" in directory(portal, "SOURCE")
    code, out, err = run("plan", str(path), "--portal", portal.spec, "--detailed-exitcode")
    assert code == 0, out + err
    assert "No changes." in out


def test_the_plan_reads_statuses_and_lists_in_its_one_request(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    blueprint = load_blueprint([write(tmp_path, BLUEPRINT)])
    with open_portal(portal.spec) as client:
        assert api.plan_against(client, blueprint).requests == 1
    # Deletes add one batch that counts what each destroys: leads in a status, records storing an item.
    removing = load_blueprint([write(tmp_path, BLUEPRINT + REMOVING)])
    with open_portal(portal.spec) as client:
        result = api.plan_against(client, removing)
    assert result.requests == 2
    assert {op.key for op in result.plan.ops if op.action == "delete"} == {
        "lead:PROCESSED", "list:source/EMAIL", "list:industry/IT", "list:honorific/HNR_RU_1",
    }  # fmt: skip


def test_a_lead_status_holding_leads_is_refused_and_an_empty_one_is_deleted(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    by_hand(portal.emulator, "crm.lead.add", {"fields": {"TITLE": "Kitchen", "STATUS_ID": "IN_PROCESS"}})
    path = write(tmp_path, "removed:\n  lead: {statuses: [IN_PROCESS, PROCESSED]}\n")
    code, out, _ = run("plan", str(path), "--portal", portal.spec)
    assert code == 0
    assert "- status lead:IN_PROCESS" in out and "BLOCKED BY DATA: holds 1 lead" in out
    for extra in ([], ["--allow-delete"]):
        code, _, err = run("apply", str(path), "--portal", portal.spec, "--auto-approve", *extra)
        assert code == 1 and "status lead:IN_PROCESS holds 1 lead" in err
    assert {"IN_PROCESS", "PROCESSED"} <= set(directory(portal, "STATUS"))  # nothing changed

    path = write(tmp_path, "removed:\n  lead: {statuses: [PROCESSED]}\n")
    code, out, err = run("apply", str(path), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    assert "PROCESSED" not in directory(portal, "STATUS")


def test_a_system_item_is_deleted_only_as_named_and_the_plan_says_it_is_one(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    path = write(tmp_path, "removed:\n  lists:\n    source: [CALL, NO_SUCH]\n")
    code, out, _ = run("plan", str(path), "--portal", portal.spec)
    assert code == 0
    assert '- list_item list:source/CALL "' in out and "system item: deleted with FORCED=Y" in out
    assert "NO_SUCH" not in out  # not on the portal: nothing to do
    assert run("apply", str(path), "--portal", portal.spec, "--auto-approve")[0] == 0
    assert "CALL" not in directory(portal, "SOURCE") and "EMAIL" in directory(portal, "SOURCE")


def test_a_semantics_change_replaces_the_status(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    path = write(
        tmp_path,
        "entities:\n  lead:\n    statuses:\n      - {code: PROCESSED, name: Lost, semantics: failure}\n",
    )
    code, out, err = run("apply", str(path), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    assert directory(portal, "STATUS")["PROCESSED"]["SEMANTICS"] == "F"
    assert "No changes." in run("plan", str(path), "--portal", portal.spec)[1]


def test_a_deal_only_saved_plan_still_applies_after_a_lead_status_changed(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    path = write(tmp_path, "fields:\n  - {code: NOTE, type: string, label: Note}\n")
    saved = tmp_path / "plan.json"
    assert run("plan", str(path), "--portal", portal.spec, "--out", str(saved))[0] == 0
    status_id = directory(portal, "STATUS")["PROCESSED"]["ID"]
    by_hand(portal.emulator, "crm.status.update", {"id": status_id, "fields": {"NAME": "Done"}})
    code, _, err = run("apply", "--plan", str(saved), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err


def test_a_saved_plan_with_lists_is_refused_after_a_list_changed(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    path = write(tmp_path, "lists:\n  source:\n    - {code: FAIR, name: Fair}\n")
    saved = tmp_path / "plan.json"
    assert run("plan", str(path), "--portal", portal.spec, "--out", str(saved))[0] == 0
    by_hand(
        portal.emulator, "crm.status.add", {"fields": {"ENTITY_ID": "SOURCE", "STATUS_ID": "X", "NAME": "X"}}
    )
    code, _, err = run("apply", "--plan", str(saved), "--portal", portal.spec, "--auto-approve")
    assert code == 1 and "the portal changed since this plan was made" in err


def test_a_list_item_records_store_needs_allow_delete_and_says_how_many(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    by_hand(portal.emulator, "crm.company.add", {"fields": {"TITLE": "Kitchens Ltd", "INDUSTRY": "IT"}})
    for name in ("Wood & Co", "Steel & Co"):
        by_hand(portal.emulator, "crm.company.add", {"fields": {"TITLE": name, "COMPANY_TYPE": "SUPPLIER"}})
    path = write(tmp_path, "removed:\n  lists:\n    industry: [IT]\n    company_type: [SUPPLIER, OTHER]\n")
    code, out, _ = run("plan", str(path), "--portal", portal.spec)
    assert code == 0
    line = {key: next(t for t in out.splitlines() if key in t) for key in ("/IT", "/SUPPLIER", "/OTHER")}
    assert "DATA LOSS: 1 record stores it" in line["/IT"]
    assert "DATA LOSS: 2 records store it" in line["/SUPPLIER"]
    assert "DATA LOSS" not in line["/OTHER"]  # nothing stores it: an ordinary delete
    code, _, err = run("apply", str(path), "--portal", portal.spec, "--auto-approve")
    assert code == 1 and "--allow-delete" in err
    assert {"SUPPLIER", "OTHER"} <= set(directory(portal, "COMPANY_TYPE"))  # nothing changed
    code, _, err = run("apply", str(path), "--portal", portal.spec, "--auto-approve", "--allow-delete")
    assert code == 0, err
    assert not {"SUPPLIER", "OTHER"} & set(directory(portal, "COMPANY_TYPE"))
    assert "IT" not in directory(portal, "INDUSTRY")


def test_a_deal_type_deals_use_is_counted_by_their_type(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    for title in ("Kitchen", "Wardrobe"):
        by_hand(portal.emulator, "crm.deal.add", {"fields": {"TITLE": title, "TYPE_ID": "GOODS"}})
    path = write(tmp_path, "removed:\n  lists:\n    deal_type: [GOODS, SERVICES]\n")
    code, out, _ = run("plan", str(path), "--portal", portal.spec)
    assert code == 0
    goods, services = (next(t for t in out.splitlines() if key in t) for key in ("/GOODS", "/SERVICES"))
    assert "DATA LOSS: 2 records store it" in goods and "DATA LOSS" not in services


def test_a_source_is_counted_on_the_deals_and_leads_that_store_it(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    for title, source in (("Kitchen", "RECOMMENDATION"), ("Wardrobe", "RECOMMENDATION"), ("Desk", "WEB")):
        by_hand(portal.emulator, "crm.deal.add", {"fields": {"TITLE": title, "SOURCE_ID": source}})
    by_hand(portal.emulator, "crm.deal.add", {"fields": {"TITLE": "Shelf"}})  # no source
    by_hand(
        portal.emulator, "crm.lead.add", {"fields": {"TITLE": "Call back", "SOURCE_ID": "RECOMMENDATION"}}
    )
    [moved] = by_hand(portal.emulator, "crm.deal.list", {"filter": {"SOURCE_ID": "WEB"}, "select": ["ID"]})
    by_hand(portal.emulator, "crm.deal.update", {"id": moved["ID"], "fields": {"SOURCE_ID": "TRADE_SHOW"}})
    path = write(tmp_path, "removed:\n  lists:\n    source: [RECOMMENDATION, WEB, TRADE_SHOW]\n")
    code, out, _ = run("plan", str(path), "--portal", portal.spec)
    assert code == 0
    line = {
        key: next(t for t in out.splitlines() if key in t)
        for key in ("/RECOMMENDATION", "/WEB", "/TRADE_SHOW")
    }
    assert "DATA LOSS: 3 records store it" in line["/RECOMMENDATION"]  # two deals and a lead
    assert "DATA LOSS: 1 record stores it" in line["/TRADE_SHOW"]
    assert "DATA LOSS" not in line["/WEB"]  # its one deal moved to another source
