"""PHP-bracket encoding of batch sub-commands: what the portal's parse_str will read back."""

from __future__ import annotations

import pytest

from b24provision.portal.encoding import decode_query, encode_query


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"id": 5}, "id=5"),
        ({"fields": {"NAME": "New stage", "SORT": 10}}, "fields[NAME]=New+stage&fields[SORT]=10"),
        ({"select": ["ID", "NAME"]}, "select[0]=ID&select[1]=NAME"),
        ({"filter": {">=PRICE": 15}}, "filter[%3E%3DPRICE]=15"),
        ({"order": {}, "select": []}, "order[]=&select[]="),
        ({"fields": {"TITLE": "a&b=c"}}, "fields[TITLE]=a%26b%3Dc"),
        (
            {"fields": {"PHONE": [{"VALUE": "112233", "VALUE_TYPE": "WORK"}]}},
            "fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK",
        ),
        ({"params": {"FORCED": True, "SKIP": False}, "x": None}, "params[FORCED]=1&params[SKIP]=0&x="),
        ({"fields": {"NAME": "Этап"}}, "fields[NAME]=%D0%AD%D1%82%D0%B0%D0%BF"),
        (None, ""),
    ],
)
def test_encode_query(params, expected):
    assert encode_query(params) == expected


def test_batch_references_stay_readable():
    query = encode_query({"fields": {"ENTITY_ID": "DEAL_STAGE_$result[cat][ID]", "NAME": "$ 5 [x]"}})
    assert query == "fields[ENTITY_ID]=DEAL_STAGE_$result[cat][ID]&fields[NAME]=%24+5+%5Bx%5D"


@pytest.mark.parametrize(
    "params",
    [
        {"fields": {"NAME": "Won & done", "SORT": "10", "SEMANTICS": "S"}},
        {"filter": {"ENTITY_ID": "DEAL_STAGE_3", "!=STATUS_ID": "C3:NEW"}, "order": {"SORT": "ASC"}},
        {"fields": {"LIST": {"0": {"VALUE": "a", "XML_ID": "x"}, "1": {"VALUE": "b=c", "DEL": "Y"}}}},
        {"id": "$result[add][0][ID]", "fields": {"ENTITY_ID": "DEAL_STAGE_$result[cat][ID]"}},
        {"fields": {"EDIT_FORM_LABEL": {"en": "Child deals", "ru": "Дочерние сделки"}}, "start": "100"},
    ],
)
def test_round_trip_through_php_parsing(params):
    assert decode_query(encode_query(params)) == params


def test_lists_come_back_as_indexed_maps_like_php_arrays():
    assert decode_query(encode_query({"select": ["ID", "NAME"], "empty": []})) == {
        "select": {"0": "ID", "1": "NAME"},
        "empty": [],
    }
