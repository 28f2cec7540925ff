"""Export writes the portal's smart processes as ``smart_processes:``; planning the export against
the same portal shows no changes, and a deal-only portal's export still takes one request."""

from __future__ import annotations

from pathlib import Path

from b24provision import api
from b24provision.emulator.testing import by_hand
from b24provision.export import export_portal, write_export


def test_an_export_with_smart_processes_round_trips(start_portal, tmp_path: Path):
    portal = start_portal("a")
    kind = by_hand(
        portal.emulator, "crm.type.add", {"fields": {"title": "Замер", "isAutomationEnabled": "Y"}}
    )["type"]
    by_hand(portal.emulator, "crm.type.add", {"fields": {"title": "Deal", "isCategoriesEnabled": "Y"}})
    by_hand(
        portal.emulator,
        "userfieldconfig.add",
        {
            "moduleId": "crm",
            "field": {
                "entityId": f"CRM_{kind['id']}",
                "fieldName": f"UF_CRM_{kind['id']}_WIDTH",
                "userTypeId": "string",
                "editFormLabel": {"en": "Width", "ru": "Ширина"},
            },
        },
    )
    exported = export_portal(portal.spec)
    assert exported.requests == 2  # the read with the type list, then one batch for both types
    assert "smart_processes:" in exported.text and "automation: true" in exported.text
    path = write_export(exported.text, tmp_path / "export.yaml")
    result = api.make_plan([path], portal=portal.spec)
    assert {sp.title for sp in result.blueprint.smart_processes} == {"Замер", "Deal"}
    assert "deal" not in {sp.key for sp in result.blueprint.smart_processes}
    assert not result.plan.has_changes, [op.key for op in result.plan.ops]


def test_a_portal_without_smart_processes_exports_in_one_request(start_portal):
    exported = export_portal(start_portal("a").spec)
    assert exported.requests == 1
    assert "smart_processes" not in exported.text
