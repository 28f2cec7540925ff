"""Lead statuses and reference lists in `export` (round trip) and in `diff` of two portals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from b24provision import api
from b24provision.compare import compare_specs, render_comparison
from b24provision.emulator.testing import by_hand
from b24provision.export import export_portal, write_export


def _changed_by_hand(portal: Any) -> None:
    """A consultant's work in the portal's UI: a new lead status, a renamed one, a new source."""
    emulator = portal.emulator
    by_hand(
        emulator,
        "crm.status.add",
        {
            "fields": {
                "ENTITY_ID": "STATUS",
                "STATUS_ID": "MEETING",
                "NAME": "Meeting",
                "SORT": 25,
                "COLOR": "#123456",
            }
        },
    )
    by_hand(
        emulator,
        "crm.status.add",
        {"fields": {"ENTITY_ID": "SOURCE", "STATUS_ID": "FAIR", "NAME": "Fair", "SORT": 85}},
    )
    [row] = by_hand(emulator, "crm.status.list", {"filter": {"ENTITY_ID": "INDUSTRY", "STATUS_ID": "IT"}})
    by_hand(emulator, "crm.status.update", {"id": row["ID"], "fields": {"NAME": "Software"}})


def test_export_writes_lead_statuses_and_lists_and_round_trips(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    _changed_by_hand(portal)
    exported = export_portal(portal.spec)
    lines = exported.text.splitlines()
    assert "entities:" in lines and "lists:" in lines
    assert '      - {code: MEETING, name: Meeting, color: "#123456"}' in lines
    assert "      - {code: CONVERTED, name: Качественный лид, semantics: success}" in lines
    assert "    - {code: IT, name: Software}" in lines and "    - {code: FAIR, name: Fair}" in lines, (
        exported.text
    )
    assert exported.requests == 1
    result = api.make_plan([write_export(exported.text, tmp_path / "exported")], portal=portal.spec)
    assert not result.plan.has_changes, result.plan.ops
    assert not [r for r in result.plan.unmanaged if r.kind in ("status", "list_item")]


def test_diff_of_two_portals_shows_their_lead_statuses_and_lists(start_portal: Any) -> None:
    a, b = start_portal("a"), start_portal("b")
    _changed_by_hand(b)
    comparison = compare_specs(a.spec, b.spec)
    keys = {(op.action, op.key) for op in comparison.plan.ops}
    assert ("create", "lead:MEETING") in keys and ("create", "list:source/FAIR") in keys
    assert ("update", "list:industry/IT") in keys
    text = render_comparison(comparison)
    assert "Lead statuses" in text and '~ list_item list:industry/IT "Software"' in text
    assert not compare_specs(a.spec, a.spec).plan.ops  # a portal equals itself
    back = {(op.action, op.key) for op in compare_specs(b.spec, a.spec).plan.ops}
    assert ("delete", "lead:MEETING") in back and ("delete", "list:source/FAIR") in back


def test_diff_of_a_portal_and_its_export_shows_no_status_or_list_difference(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal("a")
    _changed_by_hand(portal)
    exported = write_export(export_portal(portal.spec).text, tmp_path / "exported")
    for a, b in ((str(exported), portal.spec), (portal.spec, str(exported))):
        ops = compare_specs(a, b).plan.ops
        assert not [op for op in ops if op.kind in ("status", "list_item")], ops
    # A blueprint that names one list is compared on that list only.
    named = tmp_path / "named.yaml"
    named.write_text("lists:\n  industry:\n    - {code: IT, name: Software}\n", encoding="utf-8")
    ops = compare_specs(portal.spec, str(named)).plan.ops
    assert {op.key for op in ops if op.kind == "list_item"} == {
        f"list:industry/{code}"
        for code in ("TELECOM", "MANUFACTURING", "BANKING", "CONSULTING", "FINANCE", "GOVERNMENT",
                     "DELIVERY", "ENTERTAINMENT", "NOTPROFIT", "OTHER")
    }  # fmt: skip
