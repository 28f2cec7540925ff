"""One blueprint with everything beyond deals but smart processes: lead statuses, fields on leads,
contacts and companies, and reference lists. It goes plan -> apply -> plan "No changes" on the
embedded portal, and the portal itself (not our reader) holds what it asks for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.testing import by_hand

BLUEPRINT = """
entities:
  lead:
    statuses:
      - {code: NEW, name: Новый лид}
      - {code: MEASURE_BOOKED, name: Замер назначен}
      - {code: CONVERTED, name: Качественный лид, semantics: success}
      - {code: JUNK, name: Некачественный лид, semantics: failure}
    fields:
      - {code: CAMPAIGN, type: string, label: Кампания}
  contact:
    fields:
      - {code: INN, type: string, label: ИНН}
  company:
    fields:
      - code: SEGMENT
        type: enumeration
        label: Сегмент
        items: [{xml_id: retail, value: Розница}, {xml_id: b2b, value: Опт}]
lists:
  source:
    - {code: SHOWROOM, name: Салон}
  deal_type:
    - {code: KITCHEN, name: Кухня на заказ}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_statuses_fields_of_every_entity_and_lists_converge_in_one_blueprint(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal()
    path = tmp_path / "bp.yaml"
    path.write_text(BLUEPRINT, encoding="utf-8")

    code, out = run("plan", str(path), "--portal", portal.spec, "--detailed-exitcode")
    assert code == 2, out
    for key in ("lead:MEASURE_BOOKED", "lead:field/CAMPAIGN", "contact:field/INN", "company:field/SEGMENT"):
        assert key in out, (key, out)

    code, out = run("apply", str(path), "--portal", portal.spec, "--auto-approve")
    assert code == 0, out
    assert "verified: portal matches the blueprint" in out

    code, out = run("plan", str(path), "--portal", portal.spec, "--detailed-exitcode")
    assert code == 0, out
    assert out.startswith("No changes."), out

    # Ground truth, in the portal's own answers.
    statuses = {
        r["STATUS_ID"]: r["NAME"]
        for r in by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": "STATUS"}})
    }
    assert statuses["MEASURE_BOOKED"] == "Замер назначен" and statuses["NEW"] == "Новый лид"
    sources = {
        r["STATUS_ID"]
        for r in by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": "SOURCE"}})
    }
    assert "SHOWROOM" in sources
    for method, name in (
        ("crm.lead.userfield.list", "UF_CRM_CAMPAIGN"),
        ("crm.contact.userfield.list", "UF_CRM_INN"),
        ("crm.company.userfield.list", "UF_CRM_SEGMENT"),
    ):
        names = [r["FIELD_NAME"] for r in by_hand(portal.emulator, method)]
        assert names.count(name) == 1, (method, names)
