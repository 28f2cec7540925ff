"""The field-type codec table against the reference's facts (bitrix24-rest.md §7.3, §7.4, §13.2, §13.3).

A field read with empty SETTINGS gets the defaults the REST proxy applies; what is written back is
what the proxy reads."""

from __future__ import annotations

from b24provision.blueprint.model import FIELD_TYPES
from b24provision.entities.fields import FIELD_CODECS, IMMUTABLE


def test_every_blueprint_field_type_has_a_codec() -> None:
    assert set(FIELD_CODECS) == set(FIELD_TYPES)


def test_empty_settings_read_as_the_proxy_defaults() -> None:
    # §7.3: string ROWS(1); double PRECISION(2); boolean DISPLAY CHECKBOX, DEFAULT 0; enumeration
    # DISPLAY LIST, LIST_HEIGHT 1; crm with no target flag binds to leads.
    assert FIELD_CODECS["string"].from_rest({}, []) == {"default": None, "rows": 1}
    assert FIELD_CODECS["double"].from_rest({}, [])["precision"] == 2
    assert FIELD_CODECS["boolean"].from_rest({}, []) == {"default": False, "display": "checkbox"}
    enum = FIELD_CODECS["enumeration"].from_rest({}, [])
    assert (enum["display"], enum["list_height"], enum["items"]) == ("list", 1, [])
    assert FIELD_CODECS["crm"].from_rest({}, []) == {"targets": ["lead"]}


def test_a_date_without_default_is_written_as_type_none() -> None:
    # §7.3: date/datetime DEFAULT_VALUE {VALUE, TYPE: NONE|NOW|FIXED}, default {VALUE:'', TYPE:'NONE'}.
    assert FIELD_CODECS["date"].to_rest({"default": None}) == {"DEFAULT_VALUE": {"TYPE": "NONE", "VALUE": ""}}
    assert FIELD_CODECS["datetime"].to_rest({"default": "now"})["DEFAULT_VALUE"]["TYPE"] == "NOW"


def test_a_fixed_date_in_the_site_format_reads_as_iso() -> None:
    # §13.3: a fixed default may come back as 31.01.2025.
    read = FIELD_CODECS["date"].from_rest({"DEFAULT_VALUE": {"TYPE": "FIXED", "VALUE": "31.01.2025"}}, [])
    assert read == {"default": "2025-01-31"}


def test_crm_targets_are_y_n_flags() -> None:
    # §7.3: crm SETTINGS LEAD, CONTACT, COMPANY, DEAL (Y/N).
    flags = FIELD_CODECS["crm"].to_rest({"targets": ["deal", "company"]})
    assert flags == {"DEAL": "Y", "CONTACT": "N", "COMPANY": "Y", "LEAD": "N"}


def test_add_cannot_set_the_filter_of_the_types_in_its_default_branch() -> None:
    # §13.2: add() has no case for money, url, address, file (SHOW_FILTER forced N, settings dropped);
    # update() has none for date (its default stays).
    for user_type in ("money", "url", "address", "file"):
        settable = FIELD_CODECS[user_type].settable
        assert "show_in_filter" not in settable.on_add and "show_in_filter" in settable.on_update
        assert "default" not in settable.on_add
    assert "default" in FIELD_CODECS["date"].settable.on_add
    assert "default" not in FIELD_CODECS["date"].settable.on_update


def test_name_type_and_multiple_cannot_change_after_creation() -> None:
    # §7.4: CUserTypeEntity::Update unsets ENTITY_ID, FIELD_NAME, USER_TYPE_ID, MULTIPLE.
    assert set(IMMUTABLE) == {"FIELD_NAME", "USER_TYPE_ID", "MULTIPLE"}
