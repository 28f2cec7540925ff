"""crm.item.list counts as a provisioner asks them before a delete (entities/item_counts.py): with
original UF names, ``=stageId``, ``=categoryId``, ``!UF_…: ""`` and ``=UF_…: <item id>``; a condition
on a multiple field follows the quirk ``item_multiple_filter`` (UNVERIFIED: its values, or one
serialized column)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import err, ok
from .test_smart_processes import add_type, categories


def _fields(hook: httpx.Client, kind: dict[str, Any]) -> dict[str, dict[str, Any]]:
    for code, multiple in (("KIND", "N"), ("TAGS", "Y")):
        field = {
            "entityId": f"CRM_{kind['id']}",
            "fieldName": f"UF_CRM_{kind['id']}_{code}",
            "userTypeId": "enumeration",
            "multiple": multiple,
            "enum": [{"value": "One", "xmlId": "one"}, {"value": "Two", "xmlId": "two"}],
        }
        ok(hook.post("userfieldconfig.add", json={"moduleId": "crm", "field": field}))
    flt = {"entityId": f"CRM_{kind['id']}"}
    listed = ok(hook.post("userfieldconfig.list", json={"moduleId": "crm", "filter": flt}))["fields"]
    return {
        f["fieldName"]: ok(hook.post("userfieldconfig.get", json={"moduleId": "crm", "id": f["id"]}))["field"]
        for f in listed
    }


def _setup(hook: httpx.Client) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    kind = add_type(hook, "Замер")
    fields = _fields(hook, kind)
    ids = {name: {str(i["value"]): int(i["id"]) for i in f["enum"]} for name, f in fields.items()}
    kind_name, tags_name = (f"UF_CRM_{kind['id']}_{code}" for code in ("KIND", "TAGS"))
    for values in ({kind_name: ids[kind_name]["One"], tags_name: [ids[tags_name]["Two"]]}, {kind_name: ""}):
        params = {
            "entityTypeId": kind["entityTypeId"],
            "useOriginalUfNames": "Y",
            "fields": {"title": "x", **values},
        }
        ok(hook.post("crm.item.add", json=params))
    return kind, ids


def _count(hook: httpx.Client, kind: dict[str, Any], flt: dict[str, Any]) -> int:
    params = {
        "entityTypeId": kind["entityTypeId"],
        "useOriginalUfNames": "Y",
        "select": ["id"],
        "filter": flt,
    }
    return int(hook.post("crm.item.list", json=params).json()["total"])


def test_stage_pipeline_value_and_item_counts(hook: httpx.Client) -> None:
    kind, ids = _setup(hook)
    [default] = categories(hook, kind["entityTypeId"])
    name = f"UF_CRM_{kind['id']}_KIND"
    assert _count(hook, kind, {"=stageId": f"DT{kind['entityTypeId']}_{default['id']}:NEW"}) == 2
    assert _count(hook, kind, {"=stageId": f"DT{kind['entityTypeId']}_{default['id']}:PREPARATION"}) == 0
    assert _count(hook, kind, {"=categoryId": default["id"]}) == 2
    assert _count(hook, kind, {f"!{name}": ""}) == 1
    assert _count(hook, kind, {f"={name}": ids[name]["One"]}) == 1
    assert _count(hook, kind, {f"={name}": ids[name]["Two"]}) == 0


@pytest.mark.quirks("docs")
def test_a_multiple_field_is_filtered_by_its_values_on_the_docs_reading(hook: httpx.Client) -> None:
    kind, ids = _setup(hook)
    name = f"UF_CRM_{kind['id']}_TAGS"
    assert _count(hook, kind, {f"!{name}": ""}) == 1
    assert _count(hook, kind, {f"={name}": ids[name]["Two"]}) == 1


@pytest.mark.quirks("core")
def test_a_multiple_field_is_one_serialized_column_on_the_core_reading(hook: httpx.Client) -> None:
    kind, ids = _setup(hook)
    name = f"UF_CRM_{kind['id']}_TAGS"
    assert _count(hook, kind, {f"!{name}": ""}) == 1  # holding values: still seen
    assert _count(hook, kind, {f"={name}": ids[name]["Two"]}) == 0  # which value: not
    [item] = ok(
        hook.post(
            "crm.item.list",
            json={"entityTypeId": kind["entityTypeId"], "filter": {f"!ufCrm{kind['id']}Tags": ""}},
        )
    )["items"]
    assert item[f"ufCrm{kind['id']}Tags"] == [ids[name]["Two"]]  # the answer holds the values as they are


def _list(hook: httpx.Client, kind: dict[str, Any], **params: Any) -> httpx.Response:
    return hook.post("crm.item.list", json={"entityTypeId": kind["entityTypeId"], **params})


def test_a_filter_key_naming_no_field_is_refused_as_the_core_refuses_it(hook: httpx.Client) -> None:
    kind, _ = _setup(hook)
    # crm/lib/controller/validator/filter.php; the docs' crm-item-list.md gives the same words.
    assert err(_list(hook, kind, filter={"=stageId": "x", "!noSuchField": ""})) == (
        "INVALID_ARG_VALUE",
        "Invalid filter: field '!NO_SUCH_FIELD' is not allowed in filter",
    )
    original = {"useOriginalUfNames": "Y", "filter": {"=UF_CRM_999_KIND": 1}}  # another type's field
    assert err(_list(hook, kind, **original)) == (
        "INVALID_ARG_VALUE",
        "Invalid filter: field '=UF_CRM_999_KIND' is not allowed in filter",
    )
    nested = {"0": {"logic": "OR", "0": {"=title": "x"}, "1": {"=nope": "y"}}}
    assert (
        err(_list(hook, kind, filter=nested))[1] == "Invalid filter: field '=NOPE' is not allowed in filter"
    )
    assert (
        err(_list(hook, kind, filter={">id": [1, 2]}))[1] == "Invalid filter: field '>ID' has invalid value"
    )
    assert err(_list(hook, kind, order={"noSuchField": "ASC"}))[1] == (
        "Invalid order: field 'NO_SUCH_FIELD' is not allowed in order"
    )


def test_the_item_fields_and_the_types_own_fields_filter(hook: httpx.Client) -> None:
    kind, ids = _setup(hook)
    name = f"ufCrm{kind['id']}Kind"
    listed = _list(
        hook,
        kind,
        filter={"=createdBy": 1, "@id": [1, 2, 3], f"={name}": ids[f"UF_CRM_{kind['id']}_KIND"]["One"]},
    )
    assert listed.status_code == 200, listed.text
    either = {"0": {"logic": "OR", "0": {"=title": "x"}, "1": {"=title": "y"}}}
    assert int(_list(hook, kind, filter=either, order={"id": "DESC"}).json()["total"]) == 2


def test_nested_conditions_and_logic_or_filter_as_the_orm_takes_them(hook: httpx.Client) -> None:
    """crm/lib/controller/item.php hands the filter to getList as it is (keys upper-cased), and
    CSQLWhere::GetQueryEx reads it: nested arrays, their conditions ANDed unless ``logic`` is ``OR``
    (the docs' crm-item-list.md too), or ``NOT``."""
    kind, ids = _setup(hook)
    name = f"UF_CRM_{kind['id']}_KIND"
    one, two = ids[name]["One"], ids[name]["Two"]
    assert _count(hook, kind, {"0": {"logic": "OR", "0": {f"={name}": two}, "1": {f"!{name}": ""}}}) == 1
    assert _count(hook, kind, {"0": {"logic": "OR", "0": {f"={name}": two}, "1": {"=title": "y"}}}) == 0
    assert _count(hook, kind, {"logic": "OR", f"={name}": one, f"!{name}": ""}) == 1  # at the top too
    assert _count(hook, kind, {"0": {f"={name}": one, "=title": "x"}, "=title": "x"}) == 1  # AND
    inner = {"logic": "OR", "0": {"=title": "y"}, "1": {"0": {"=title": "x", f"={name}": two}}}
    assert _count(hook, kind, {"0": inner}) == 0  # a group in a group: (x AND Two) is no item
    assert _count(hook, kind, {"0": {"logic": "OR"}}) == 2  # an empty group filters nothing
    assert _count(hook, kind, {"logic": "OR", "0": {}, f"={name}": two}) == 0  # it is left out of an OR
    assert _count(hook, kind, {"0": {"logic": "NOT", f"={name}": one}}) == 1  # NOT (...): CSQLWhere
    assert _count(hook, kind, {"logic": "or", f"={name}": one, "=title": "y"}) == 0  # only "OR" is OR
