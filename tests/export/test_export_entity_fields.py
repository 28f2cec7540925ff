"""Export writes the custom fields of leads, contacts and companies under ``entities:``, and
planning the export against the same portal shows no changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from b24provision import api
from b24provision.emulator.testing import by_hand
from b24provision.export import export_portal, write_export


def test_contact_company_and_lead_fields_made_by_hand_round_trip(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal()
    kinds = {"FIELD_NAME": "KIND", "USER_TYPE_ID": "enumeration", "LABEL": "Kind"}
    kinds["LIST"] = [{"VALUE": "Private", "SORT": 10}, {"VALUE": "Business", "SORT": 20}]  # type: ignore[assignment]
    by_hand(portal.emulator, "crm.contact.userfield.add", {"fields": kinds})
    by_hand(
        portal.emulator,
        "crm.company.userfield.add",
        {"fields": {"FIELD_NAME": "STAFF", "USER_TYPE_ID": "integer", "LABEL": "Staff"}},
    )
    by_hand(
        portal.emulator,
        "crm.lead.userfield.add",
        {
            "fields": {
                "FIELD_NAME": "CAMPAIGN",
                "USER_TYPE_ID": "string",
                "EDIT_FORM_LABEL": {"en": "Campaign"},
            }
        },
    )
    exported = export_portal(portal.spec)
    assert "entities:" in exported.text
    assert exported.requests == 1  # every entity's fields come in the export's one request
    result = api.make_plan([write_export(exported.text, tmp_path / "bp")], portal=portal.spec)
    assert not result.plan.has_changes, result.plan.ops
    unchanged = {r.key for r in result.plan.unchanged}
    assert {"contact:field/KIND", "company:field/STAFF", "lead:field/CAMPAIGN"} <= unchanged


def test_a_portal_without_fields_on_other_entities_exports_none_for_them(start_portal: Any) -> None:
    # The lead's statuses are exported from every portal (export_statuses.py); no entity gets fields.
    entities = yaml.safe_load(export_portal(start_portal().spec).text)["entities"]
    assert set(entities) == {"lead"} and set(entities["lead"]) == {"statuses"}, entities


def test_a_contact_field_of_an_application_type_is_kept_as_a_comment_and_left_alone(
    start_portal: Any, tmp_path: Path
) -> None:
    portal = start_portal(seed="handmade")  # its portal has an application's field type installed
    own = {"FIELD_NAME": "RATING", "USER_TYPE_ID": "rest_1_mytype", "LABEL": "Rating"}
    by_hand(portal.emulator, "crm.contact.userfield.add", {"fields": own})
    exported = export_portal(portal.spec)
    assert (
        "#  - code: RATING" in exported.text and "move it up into entities.contact.fields:" in exported.text
    )
    result = api.make_plan([write_export(exported.text, tmp_path / "bp")], portal=portal.spec)
    assert not result.plan.has_changes, result.plan.ops
    assert "contact:field/RATING" in [r.key for r in result.plan.unmanaged]
