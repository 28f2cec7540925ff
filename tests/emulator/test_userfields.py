"""Deal custom fields: naming, immutability, settings, labels, enumeration LIST semantics."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from b24provision.emulator import PortalSettings

from .conftest import err, ok


def add_field(hook: httpx.Client, **fields: Any) -> int:
    return int(ok(hook.post("crm.deal.userfield.add", json={"fields": fields})))


def get_field(hook: httpx.Client, field_id: int) -> dict[str, Any]:
    return dict(ok(hook.post("crm.deal.userfield.get", json={"id": field_id})))


@pytest.mark.parametrize(
    ("given", "stored"),
    [("color", "UF_CRM_COLOR"), ("UF_COLOR", "UF_CRM_COLOR"), ("UF_CRM_COLOR", "UF_CRM_COLOR")],
)
def test_field_name_is_prefixed_and_upper_cased(hook: httpx.Client, given: str, stored: str) -> None:
    assert get_field(hook, add_field(hook, FIELD_NAME=given, USER_TYPE_ID="string"))["FIELD_NAME"] == stored


def test_field_name_rules_and_type_check(hook: httpx.Client) -> None:
    too_long = hook.post(
        "crm.deal.userfield.add", json={"fields": {"FIELD_NAME": "X" * 44, "USER_TYPE_ID": "string"}}
    )
    assert err(too_long) == ("ERROR_CORE", "Field name is too long (more than 50 characters).")
    assert add_field(hook, FIELD_NAME="X" * 43, USER_TYPE_ID="string")  # exactly 50 with the prefix
    bad = hook.post(
        "crm.deal.userfield.add", json={"fields": {"FIELD_NAME": "ЦВЕТ", "USER_TYPE_ID": "string"}}
    )
    assert err(bad)[1].startswith("Field name contains invalid characters")
    wrong_type = hook.post(
        "crm.deal.userfield.add", json={"fields": {"FIELD_NAME": "T", "USER_TYPE_ID": "nope"}}
    )
    assert err(wrong_type) == ("ERROR_CORE", "Incorrect custom type specified.")
    assert err(hook.post("crm.deal.userfield.add", json={"fields": {}})) == (
        "",
        "The 'USER_TYPE_ID' field is not found.\nThe 'FIELD_NAME' field is not found.",
    )
    add_field(hook, FIELD_NAME="DUP", USER_TYPE_ID="string")
    dup = hook.post(
        "crm.deal.userfield.add", json={"fields": {"FIELD_NAME": "DUP", "USER_TYPE_ID": "string"}}
    )
    assert err(dup)[0] == "ERROR_CORE"


def test_sixteen_builtin_types(hook: httpx.Client) -> None:
    types = ok(hook.post("crm.userfield.types"))
    assert len(types) == 16 and types[-1] == {"ID": "crm", "title": "Binding to CRM Entities"}


def test_defaults_show_filter_and_immutable_attributes(hook: httpx.Client) -> None:
    field_id = add_field(hook, FIELD_NAME="AMOUNT", USER_TYPE_ID="double", SHOW_FILTER="Y", LABEL="Amount")
    field = get_field(hook, field_id)
    assert (field["SHOW_FILTER"], field["SORT"], field["MULTIPLE"], field["EDIT_IN_LIST"]) == (
        "E",
        "100",
        "N",
        "Y",
    )
    assert field["SETTINGS"]["PRECISION"] == 2
    assert field["EDIT_FORM_LABEL"] == {"ru": "Amount", "en": "Amount"}
    assert (
        ok(
            hook.post(
                "crm.deal.userfield.update",
                json={
                    "id": field_id,
                    "fields": {
                        "FIELD_NAME": "UF_CRM_OTHER",
                        "USER_TYPE_ID": "string",
                        "MULTIPLE": "Y",
                        "MANDATORY": "Y",
                        "SETTINGS": {"DEFAULT_VALUE": 5},
                    },
                },
            )
        )
        is True
    )
    field = get_field(hook, field_id)
    assert (field["FIELD_NAME"], field["USER_TYPE_ID"], field["MULTIPLE"], field["MANDATORY"]) == (
        "UF_CRM_AMOUNT",
        "double",
        "N",
        "Y",
    )
    assert field["SETTINGS"]["PRECISION"] == 2 and field["SETTINGS"]["DEFAULT_VALUE"] == 5  # merged


def test_labels_maps_in_get_plain_strings_in_list_only_with_lang(hook: httpx.Client) -> None:
    field_id = add_field(hook, FIELD_NAME="NOTE", USER_TYPE_ID="string", EDIT_FORM_LABEL={"ru": "Заметка"})
    # Quirks() is the docs' reading, labels=as_sent: an unnamed language stays empty (the core fills
    # it with LABEL / the field code: quirk labels=fill, reference §13.4; probed in tests/doctor).
    assert get_field(hook, field_id)["EDIT_FORM_LABEL"] == {"ru": "Заметка", "en": ""}
    plain = ok(hook.post("crm.deal.userfield.list"))[0]
    assert "EDIT_FORM_LABEL" not in plain
    ru = ok(hook.post("crm.deal.userfield.list", json={"filter": {"LANG": "ru"}}))[0]
    assert ru["EDIT_FORM_LABEL"] == "Заметка"
    hook.post(
        "crm.deal.userfield.update", json={"id": field_id, "fields": {"EDIT_FORM_LABEL": {"en": "Note"}}}
    )
    assert get_field(hook, field_id)["EDIT_FORM_LABEL"] == {"ru": "", "en": "Note"}  # overwritten whole


def test_enumeration_list_editing_semantics(hook: httpx.Client) -> None:
    field_id = add_field(
        hook,
        FIELD_NAME="KIND",
        USER_TYPE_ID="enumeration",
        LIST=[
            {"VALUE": "One", "XML_ID": "one", "SORT": 10},
            {"VALUE": "Two", "SORT": 20},
            {"VALUE": "Three"},
            {"VALUE": ""},
        ],
    )
    items = get_field(hook, field_id)["LIST"]
    assert [i["VALUE"] for i in items] == ["One", "Two", "Three"]  # empty VALUE ignored on add
    assert items[1]["XML_ID"] == hashlib.md5(b"Two").hexdigest()
    one, two, three = (i["ID"] for i in items)
    hook.post(
        "crm.deal.userfield.update",
        json={
            "id": field_id,
            "fields": {
                "LIST": [
                    {"ID": one, "VALUE": "Uno"},  # changed without XML_ID: md5(VALUE)
                    {"ID": two},  # ID without VALUE: deleted (the source's gotcha)
                    {"VALUE": "Four", "XML_ID": "four"},
                ]
            },
        },
    )
    after = {i["VALUE"]: i for i in get_field(hook, field_id)["LIST"]}
    assert set(after) == {"Uno", "Three", "Four"}  # Three was not mentioned: untouched
    assert after["Uno"]["XML_ID"] == hashlib.md5(b"Uno").hexdigest() and after["Uno"]["ID"] == one
    hook.post(
        "crm.deal.userfield.update", json={"id": field_id, "fields": {"LIST": [{"ID": three, "DEL": "Y"}]}}
    )
    assert "Three" not in {i["VALUE"] for i in get_field(hook, field_id)["LIST"]}
    duplicate = hook.post(
        "crm.deal.userfield.update",
        json={"id": field_id, "fields": {"LIST": [{"VALUE": "Five", "XML_ID": "four"}]}},
    )
    assert err(duplicate)[0] == "ERROR_CORE"
    assert len(get_field(hook, field_id)["LIST"]) == 2  # the failed request changed nothing
    assert ok(hook.post("crm.deal.userfield.list"))[0]["LIST"]  # list carries LIST too (UNVERIFIED)


def test_unknown_field_id_and_delete(hook: httpx.Client) -> None:
    assert err(hook.post("crm.deal.userfield.get", json={"id": 9})) == (
        "ERROR_NOT_FOUND",
        "The entity with ID '9' is not found.",
    )
    field_id = add_field(hook, FIELD_NAME="GONE", USER_TYPE_ID="string")
    assert ok(hook.post("crm.deal.userfield.delete", json={"id": field_id})) is True
    assert ok(hook.post("crm.deal.userfield.list")) == []


def test_boolean_never_multiple_and_crm_defaults_to_lead(hook: httpx.Client) -> None:
    assert (
        get_field(hook, add_field(hook, FIELD_NAME="B", USER_TYPE_ID="boolean", MULTIPLE="Y"))["MULTIPLE"]
        == "N"
    )
    assert get_field(hook, add_field(hook, FIELD_NAME="LINK", USER_TYPE_ID="crm"))["SETTINGS"]["LEAD"] == "Y"


@pytest.mark.parametrize(
    "settings", [PortalSettings(token="test-token", rate_limit=None, limits={"crm_user_field_limit": 1})]
)
def test_field_limit_of_the_plan(hook: httpx.Client) -> None:
    add_field(hook, FIELD_NAME="ONE", USER_TYPE_ID="string")
    over = hook.post(
        "crm.deal.userfield.add", json={"fields": {"FIELD_NAME": "TWO", "USER_TYPE_ID": "string"}}
    )
    assert err(over)[0] == "ERROR_CORE"
