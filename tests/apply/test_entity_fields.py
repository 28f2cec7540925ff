"""Custom fields of leads, contacts and companies: the deal's field language under ``entities:``.

They are read, planned, applied and deleted through the same code as the deal's fields, named
``contact:field/INN`` in plans; only the entity types a blueprint names are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision import api
from b24provision.blueprint import load_blueprint
from b24provision.cli import app
from b24provision.emulator.testing import by_hand
from b24provision.portal.connect import open_portal
from b24provision.tariff.fit import Declaration

BLUEPRINT = """
version: 1
entities:
  lead:
    fields:
      - {code: CAMPAIGN, type: string, label: Campaign}
      - code: INTEREST
        type: enumeration
        label: Interest
        items:
          - {xml_id: KITCHEN, value: Kitchen}
          - {xml_id: WARDROBE, value: Wardrobe}
  contact:
    fields:
      - {code: INN, type: string, label: {en: Tax number, ru: ИНН}}
      - {code: BIRTHDAY, type: date, label: Birthday}
  company:
    fields:
      - {code: EMPLOYEES, type: integer, label: Employees}
      - {code: SITE_OK, type: boolean, label: Site checked}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "bp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def names(emulator: Any, entity: str) -> list[str]:
    """FIELD_NAME of the entity's fields as the portal lists them (as a person in the UI sees them)."""
    return [str(r["FIELD_NAME"]) for r in by_hand(emulator, f"crm.{entity}.userfield.list")]


def test_lead_contact_and_company_fields_go_plan_apply_plan_no_changes(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    bp = write(tmp_path, BLUEPRINT)
    code, out, err = run("plan", str(bp), "--portal", portal.spec)
    assert code == 0, err
    for key in ("lead:field/CAMPAIGN", "lead:field/INTEREST", "contact:field/INN", "company:field/EMPLOYEES"):
        assert key in out
    code, out, err = run("apply", str(bp), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    assert "verified: portal matches the blueprint" in out
    assert names(portal.emulator, "lead") == ["UF_CRM_CAMPAIGN", "UF_CRM_INTEREST"]
    assert names(portal.emulator, "contact") == ["UF_CRM_INN", "UF_CRM_BIRTHDAY"]
    assert names(portal.emulator, "company") == ["UF_CRM_EMPLOYEES", "UF_CRM_SITE_OK"]
    assert not [n for n in names(portal.emulator, "deal") if "INN" in n or "CAMPAIGN" in n]
    code, out, err = run("plan", str(bp), "--portal", portal.spec)
    assert code == 0, err
    assert "No changes" in out


def test_a_changed_contact_field_label_is_an_update_of_that_field_only(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    bp = write(tmp_path, BLUEPRINT)
    assert run("apply", str(bp), "--portal", portal.spec, "--auto-approve")[0] == 0
    changed = write(tmp_path, BLUEPRINT.replace("Tax number", "Taxpayer number"), "changed.yaml")
    code, out, err = run("plan", str(changed), "--portal", portal.spec)
    assert code == 0, err
    assert "contact:field/INN" in out and "Taxpayer number" in out
    assert "lead:field/" not in out and "company:field/" not in out
    code, out, err = run("apply", str(changed), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    assert "verified: portal matches the blueprint" in out


def test_unmanaged_contact_fields_are_reported_and_left_alone(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal()
    passport = {"FIELD_NAME": "PASSPORT", "USER_TYPE_ID": "string", "LABEL": "Passport"}
    by_hand(portal.emulator, "crm.contact.userfield.add", {"fields": passport})
    bp = write(tmp_path, BLUEPRINT)
    code, out, err = run("apply", str(bp), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    code, out, err = run("plan", str(bp), "--portal", portal.spec)
    assert code == 0, err
    assert "No changes" in out
    assert "contact:field/PASSPORT" in out  # reported as unmanaged
    assert "UF_CRM_PASSPORT" in names(portal.emulator, "contact")


def test_deleting_a_contact_field_that_holds_values_needs_allow_delete(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    bp = write(tmp_path, BLUEPRINT)
    assert run("apply", str(bp), "--portal", portal.spec, "--auto-approve")[0] == 0
    by_hand(portal.emulator, "crm.contact.add", {"fields": {"NAME": "Ann", "UF_CRM_INN": "7701"}})
    without = BLUEPRINT.replace("      - {code: INN, type: string, label: {en: Tax number, ru: ИНН}}\n", "")
    removed = write(tmp_path, without + "removed:\n  contact:\n    fields: [INN]\n", "removed.yaml")
    code, out, err = run("plan", str(removed), "--portal", portal.spec)
    assert code == 0, err
    assert "contact:field/INN" in out and "1 contact holds a value" in out
    code, out, err = run("apply", str(removed), "--portal", portal.spec, "--auto-approve")
    assert code == 1
    assert "--allow-delete" in err and "contact:field/INN" in err
    assert "UF_CRM_INN" in names(portal.emulator, "contact")
    code, out, err = run("apply", str(removed), "--portal", portal.spec, "--auto-approve", "--allow-delete")
    assert code == 0, err
    assert "UF_CRM_INN" not in names(portal.emulator, "contact")


def test_deleting_an_empty_company_field_needs_no_allow_delete(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal()
    bp = write(tmp_path, BLUEPRINT)
    assert run("apply", str(bp), "--portal", portal.spec, "--auto-approve")[0] == 0
    by_hand(portal.emulator, "crm.company.add", {"fields": {"TITLE": "Oak Ltd"}})
    without = BLUEPRINT.replace("      - {code: SITE_OK, type: boolean, label: Site checked}\n", "")
    removed = write(tmp_path, without + "removed:\n  company:\n    fields: [SITE_OK]\n", "removed.yaml")
    code, out, err = run("apply", str(removed), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    assert "UF_CRM_SITE_OK" not in names(portal.emulator, "company")


def test_the_plan_reads_every_named_entity_in_one_request(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal()
    bp = write(tmp_path, BLUEPRINT)
    assert api.make_plan([bp], portal=portal.spec).requests == 1
    assert run("apply", str(bp), "--portal", portal.spec, "--auto-approve")[0] == 0
    again = api.make_plan([bp], portal=portal.spec)
    assert again.requests == 1 and not again.plan.has_changes


def test_removing_a_lead_list_item_that_leads_use_needs_allow_delete(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    bp = write(tmp_path, BLUEPRINT)
    assert run("apply", str(bp), "--portal", portal.spec, "--auto-approve")[0] == 0
    field = next(
        r for r in by_hand(portal.emulator, "crm.lead.userfield.list") if r["FIELD_NAME"] == "UF_CRM_INTEREST"
    )
    item = next(i for i in field["LIST"] if i["VALUE"] == "Wardrobe")
    by_hand(portal.emulator, "crm.lead.add", {"fields": {"TITLE": "Oak", "UF_CRM_INTEREST": item["ID"]}})
    fewer = write(
        tmp_path, BLUEPRINT.replace("          - {xml_id: WARDROBE, value: Wardrobe}\n", ""), "f.yaml"
    )
    code, out, err = run("plan", str(fewer), "--portal", portal.spec)
    assert code == 0, err
    assert "1 lead uses item" in out
    code, out, err = run("apply", str(fewer), "--portal", portal.spec, "--auto-approve")
    assert code == 1 and "--allow-delete" in err
    code, out, err = run("apply", str(fewer), "--portal", portal.spec, "--auto-approve", "--allow-delete")
    assert code == 0, err


def test_a_declared_custom_field_limit_counts_each_entity_type_apart(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    blueprint = load_blueprint([write(tmp_path, BLUEPRINT)])
    declaration = Declaration(tariff=None, limits={"custom_fields": 1})
    with open_portal(portal.spec) as client:
        plan = api.plan_against(client, blueprint, declaration=declaration).plan
    tariff = [w for w in plan.warnings if w.startswith("tariff:")]
    # Two fields on each of leads, contacts and companies: each type over the limit of 1, no deal fields.
    assert len(tariff) == 3, plan.warnings
    assert any("2 custom fields on contacts" in w for w in tariff)
    assert not any("deal" in w for w in tariff)


def test_a_saved_plan_of_contact_fields_applies_against_the_same_read(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    bp = write(tmp_path, BLUEPRINT)
    assert run("apply", str(bp), "--portal", portal.spec, "--auto-approve")[0] == 0
    changed = write(tmp_path, BLUEPRINT.replace("Site checked", "Website checked"), "changed.yaml")
    saved = tmp_path / "plan.json"
    code, out, err = run("plan", str(changed), "--portal", portal.spec, "--out", str(saved))
    assert code == 0, err
    code, out, err = run("apply", "--plan", str(saved), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    assert "company:field/SITE_OK" in out and "verified: portal matches the blueprint" in out
    by_hand(
        portal.emulator,
        "crm.contact.userfield.add",
        {"fields": {"FIELD_NAME": "LATE", "USER_TYPE_ID": "string"}},
    )
    again = write(tmp_path, BLUEPRINT.replace("Employees", "Staff count"), "again.yaml")
    second = tmp_path / "second.json"
    code, out, err = run("plan", str(again), "--portal", portal.spec, "--out", str(second))
    assert code == 0, err
    by_hand(
        portal.emulator,
        "crm.contact.userfield.add",
        {"fields": {"FIELD_NAME": "LATER", "USER_TYPE_ID": "string"}},
    )
    code, out, err = run("apply", "--plan", str(second), "--portal", portal.spec, "--auto-approve")
    assert code == 1 and "changed since this plan was made" in err  # a contact field made meanwhile


def test_a_company_field_setting_rest_cannot_set_is_a_manual_step_named_by_entity(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal(quirks="core")
    money = '      - {type: money, code: BUDGET, label: Budget, default: "100|RUB"}\n'
    bp = write(tmp_path, BLUEPRINT.replace("      - {code: EMPLOYEES,", money + "      - {code: EMPLOYEES,"))
    code, out, err = run("apply", str(bp), "--portal", portal.spec, "--auto-approve")
    assert code == 0, err
    code, out, err = run("plan", str(bp), "--portal", portal.spec)
    assert code == 0, err
    assert "No changes" in out and "? field company:field/BUDGET:" in out


def test_many_contact_fields_take_a_second_request_for_their_labels_and_converge(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    fields = "".join(
        f"      - {{code: F{n}, type: string, label: {{en: Field {n}, ru: Поле {n}}}}}\n" for n in range(20)
    )
    bp = write(tmp_path, f"version: 1\nentities:\n  contact:\n    fields:\n{fields}")
    assert run("apply", str(bp), "--portal", portal.spec, "--auto-approve")[0] == 0
    again = api.make_plan([bp], portal=portal.spec)
    assert not again.plan.has_changes, again.plan.ops
    assert again.requests == 2  # more fields than full records in the first request: labels by language
    relabelled = write(
        tmp_path,
        f"version: 1\nentities:\n  contact:\n    fields:\n{fields}".replace("Поле 19", "П19"),
        "r.yaml",
    )
    [op] = api.make_plan([relabelled], portal=portal.spec).plan.ops
    assert op.key == "contact:field/F19" and ("label[ru]", "Поле 19", "П19") in op.changes
