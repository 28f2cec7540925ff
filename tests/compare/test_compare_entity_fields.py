"""`diff` of two portals covers the custom fields of contacts, companies and leads."""

from __future__ import annotations

from typing import Any

from b24provision.compare import compare_specs
from b24provision.emulator.testing import by_hand


def _field(portal: Any, entity: str, name: str, label: str) -> None:
    fields = {"FIELD_NAME": name, "USER_TYPE_ID": "string", "LABEL": label}
    by_hand(portal.emulator, f"crm.{entity}.userfield.add", {"fields": fields})


def test_a_contact_field_that_differs_and_a_company_field_only_in_one_portal(start_portal: Any) -> None:
    a, b = start_portal("a"), start_portal("b")
    _field(a, "contact", "INN", "Tax number")
    _field(b, "contact", "INN", "Taxpayer number")
    _field(a, "contact", "SAME", "Same")
    _field(b, "contact", "SAME", "Same")
    _field(b, "company", "STAFF", "Staff")
    comparison = compare_specs(a.spec, b.spec)
    assert sorted((op.action, op.key) for op in comparison.ops) == [
        ("create", "company:field/STAFF"),
        ("update", "contact:field/INN"),
    ]
    back = compare_specs(b.spec, a.spec)
    assert sorted((op.action, op.key) for op in back.ops) == [
        ("delete", "company:field/STAFF"),
        ("update", "contact:field/INN"),
    ]


def test_a_blueprint_against_a_portal_shows_the_contact_field_the_portal_lacks(
    start_portal: Any, tmp_path: Any
) -> None:
    portal = start_portal("a")
    _field(portal, "contact", "SAME", "Same")
    path = tmp_path / "bp.yaml"
    path.write_text(
        "version: 1\nentities:\n  contact:\n    fields:\n"
        "      - {code: SAME, type: string, label: Same}\n"
        "      - {code: INN, type: string, label: Tax number}\n",
        encoding="utf-8",
    )
    to_portal = compare_specs(str(path), f"portal:{portal.spec}")
    assert [(op.action, op.key) for op in to_portal.ops] == [("delete", "contact:field/INN")]
    to_blueprint = compare_specs(f"portal:{portal.spec}", str(path))
    assert [(op.action, op.key) for op in to_blueprint.ops] == [("create", "contact:field/INN")]
