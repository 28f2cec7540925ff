"""Export of the handmade portal beyond deals: its lead statuses, contact field and smart process.

The handmade seed (emulator/seeds.py) has, besides its deals, a renamed and an added lead status
holding a lead, a contact enumeration field, and a smart process "Замеры" with a stage added in its
default pipeline, a renamed stage, a second pipeline, a date field and an item, all made as by hand.
``export`` of that portal must write them and plan back as "No changes".

Lanes b-leads, b-fields and b-smart each make export write one of these; until the export writes a
section at all, its test is an expected failure that says which lane it waits for (once the
section is written, every check below holds or the test fails).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from b24provision import api
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.export import export_portal, write_export


def _exported_round_trip(start_portal: Any, tmp_path: Path) -> Blueprint:
    """The handmade portal's export, loaded; its plan on the same portal is "No changes"."""
    portal = start_portal("a", seed="handmade")
    file = write_export(export_portal(portal.spec).text, tmp_path / "exported")
    result = api.make_plan([file], portal=portal.spec)
    assert not result.plan.has_changes, result.plan.ops
    # Only the field of an application's type is left alone; nothing else the portal has is unmanaged.
    assert [r.key for r in result.plan.unmanaged] == ["deal:field/1712345680123"]
    return load_blueprint([file])


def test_handmade_export_writes_the_lead_statuses_and_round_trips(start_portal: Any, tmp_path: Path) -> None:
    bp = _exported_round_trip(start_portal, tmp_path)
    statuses = {s.code: s.name for s in bp.entities.lead.statuses}
    assert statuses["UC_7HD2KQ"] == "Ждёт замера" and statuses["IN_PROCESS"] == "Связались"


def test_handmade_export_writes_the_contact_field_and_round_trips(start_portal: Any, tmp_path: Path) -> None:
    bp = _exported_round_trip(start_portal, tmp_path)
    assert [f.code for f in bp.entities.contact.fields] == ["1712345681234"]


def test_handmade_export_writes_the_smart_process_and_round_trips(start_portal: Any, tmp_path: Path) -> None:
    bp = _exported_round_trip(start_portal, tmp_path)
    [kind] = bp.smart_processes
    assert kind.title == "Замеры"
    [default] = [p for p in kind.pipelines if p.default]
    stages = {s.code: s.name for s in default.stages}
    assert stages["UC_M3ZR8P"] == "Замерщик выехал" and stages["CLIENT"] == "Замер сделан"
    assert len(kind.pipelines) == 2 and len(kind.fields) == 1
