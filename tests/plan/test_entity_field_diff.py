"""The field comparer names fields by the entity it diffs for: a section diff (a smart process's
blueprint and state in the deal's shape, ``entity`` set) gets its own keys, and the other entity
types' fields come from ``entities:`` and ``LiveState.entities``."""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint, StringField
from b24provision.plan.diff import diff
from b24provision.plan.diff.fields import FieldComparer
from b24provision.state.entity_live import EntityLive, FieldsLive
from b24provision.state.live import LiveState


def test_a_section_diff_names_its_fields_by_its_own_entity() -> None:
    class Section(FieldComparer):
        entity = "contact"

    want = Blueprint(fields=[StringField(type="string", code="INN", label="Tax number")])
    have = LiveState(
        blueprint=Blueprint(fields=[StringField(type="string", code="OLD", label="Old")]),
        field_ids={"OLD": 7},
    )
    d = Section(want, have)
    d.fields()
    assert [op.key for op in d.ops] == ["contact:field/INN"]
    assert [r.key for r in d.unmanaged] == ["contact:field/OLD"]


def test_a_contact_field_on_the_portal_only_is_unmanaged_and_a_declared_one_created() -> None:
    bp = Blueprint.model_validate(
        {"entities": {"contact": {"fields": [{"code": "INN", "type": "string", "label": "Tax number"}]}}}
    )
    live = LiveState(
        blueprint=Blueprint(),
        entities={
            "contact": EntityLive(
                fields=FieldsLive(
                    fields=(StringField(type="string", code="PASSPORT", label="Passport"),),
                    field_ids={"PASSPORT": 3},
                )
            )
        },
    )
    plan = diff(bp, live)
    assert [(op.action, op.key, op.entity) for op in plan.ops] == [("create", "contact:field/INN", "contact")]
    assert [r.key for r in plan.unmanaged] == ["contact:field/PASSPORT"]
