"""`diff` of two portals covers the custom fields of contacts, companies and leads."""

from __future__ import annotations

from typing import Any

from b24provision.compare import compare_specs
from b24provision.emulator.testing import by_hand


def _field(portal: Any, entity: str, name: str, label: str) -> None:
    fields = {"FIELD_NAME": name, "USER_TYPE_ID": "string", "EDIT_FORM_LABEL": {"en": label, "ru": label}}
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
