"""What a delete inside a smart process destroys is counted per stage, pipeline, field and
enumeration item (crm.item.list filters read from ``total``): a field or enumeration-item delete that
loses items' data needs --allow-delete and the plan says how many items; one that loses nothing needs
no flag; a stage or pipeline holding items is refused even with the flag, as a deal's is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from b24provision import api
from b24provision.doctor.checks import apply_budget
from b24provision.emulator.testing import by_hand
from b24provision.errors import DestructiveChangeError, PlanError
from b24provision.plan.ops import data_lost

BLUEPRINT = """\
version: 1
smart_processes:
  - key: measurement
    title: Measurement
    categories: true
    pipelines:
      - key: main
        name: Measurements
        default: true
        stages:
          - {code: NEW, name: Booked}
          - {code: ON_SITE, name: On site}
          - {code: SUCCESS, name: Measured, semantics: success}
          - {code: FAIL, name: Cancelled, semantics: failure}
    fields:
      - {code: SIZE, type: double, label: Size}
      - code: KIND
        type: enumeration
        label: Kind
        items: [{xml_id: wall, value: Wall}, {xml_id: floor, value: Floor}]
      - code: TAGS
        type: enumeration
        label: Tags
        multiple: true
        items: [{xml_id: urgent, value: Urgent}, {xml_id: vip, value: VIP}]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _type(emulator: Any) -> dict[str, Any]:
    return next(t for t in by_hand(emulator, "crm.type.list")["types"] if t["title"] == "Measurement")


def _item_ids(emulator: Any, kind: dict[str, Any], code: str) -> dict[str, int]:
    flt = {"entityId": f"CRM_{kind['id']}"}
    fields = by_hand(emulator, "userfieldconfig.list", {"moduleId": "crm", "filter": flt})["fields"]
    field = next(f for f in fields if f["fieldName"].endswith(f"_{code}"))
    field = by_hand(emulator, "userfieldconfig.get", {"moduleId": "crm", "id": field["id"]})["field"]
    return {str(i["value"]).lower(): int(i["id"]) for i in field["enum"]}  # core: no XML_ID kept


def _add_item(emulator: Any, kind: dict[str, Any], **fields: Any) -> None:
    named = {
        (k if k in ("title", "stageId", "categoryId") else f"UF_CRM_{kind['id']}_{k}"): v
        for k, v in fields.items()
    }
    params = {"entityTypeId": kind["entityTypeId"], "useOriginalUfNames": "Y", "fields": named}
    by_hand(emulator, "crm.item.add", params)


def _stage(kind: dict[str, Any], emulator: Any, code: str) -> str:
    [category] = by_hand(emulator, "crm.category.list", {"entityTypeId": kind["entityTypeId"]})["categories"]
    return f"DT{kind['entityTypeId']}_{category['id']}:{code}"


@pytest.fixture(params=["docs", "core"])
def portal(request: pytest.FixtureRequest, start_portal: Any, tmp_path: Path) -> Any:
    portal = start_portal("a", quirks=request.param)
    api.apply(api.make_plan([_write(tmp_path, BLUEPRINT)], portal=portal.spec), portal=portal.spec)
    return portal


def _plan(portal: Any, tmp_path: Path, text: str) -> api.PlanResult:
    return api.make_plan([_write(tmp_path, text)], portal=portal.spec)


def _op(result: api.PlanResult, key: str) -> Any:
    return next(op for op in result.plan.ops if op.key == key)


def test_a_stage_holding_items_is_refused_even_with_allow_delete_and_says_how_many(
    portal: Any, tmp_path: Path
) -> None:
    kind = _type(portal.emulator)
    for title in ("a", "b"):
        _add_item(portal.emulator, kind, title=title, stageId=_stage(kind, portal.emulator, "ON_SITE"))
    _add_item(portal.emulator, kind, title="c")  # in NEW: not lost by the delete
    text = BLUEPRINT.replace("          - {code: ON_SITE, name: On site}\n", "").replace(
        "{code: SIZE, type: double, label: Size}", "{code: SIZE, type: string, label: Size}"
    )
    result = _plan(portal, tmp_path, text)  # the stage, and a field replace that would go first
    op = _op(result, "measurement:main/ON_SITE")
    assert data_lost(op) == "holds 2 items"
    assert result.plan.blocked_by_data_ops() == [op]
    before = by_hand(portal.emulator, "userfieldconfig.list", {"moduleId": "crm"})
    for allow_delete in (False, True):
        with pytest.raises(PlanError) as caught:
            api.apply(result, portal=portal.spec, allow_delete=allow_delete)
        assert str(caught.value) == (
            "refusing to delete what still holds items: stage measurement:main/ON_SITE holds 2 items — "
            "move or delete its 2 items in the portal first, then plan again"
        )
    stages = [r["STATUS_ID"] for r in by_hand(portal.emulator, "crm.status.list")]
    assert _stage(kind, portal.emulator, "ON_SITE") in stages
    assert by_hand(portal.emulator, "userfieldconfig.list", {"moduleId": "crm"}) == before  # nothing written


def test_an_empty_stage_is_deleted_without_the_flag_though_the_type_holds_items(
    portal: Any, tmp_path: Path
) -> None:
    kind = _type(portal.emulator)
    _add_item(portal.emulator, kind, title="in NEW")
    dropped = BLUEPRINT.replace("          - {code: ON_SITE, name: On site}\n", "")
    result = _plan(portal, tmp_path, dropped)
    assert not result.plan.destructive_ops()
    api.apply(result, portal=portal.spec)
    stages = [r["STATUS_ID"] for r in by_hand(portal.emulator, "crm.status.list")]
    assert _stage(kind, portal.emulator, "ON_SITE") not in stages
    assert not _plan(portal, tmp_path, dropped).plan.has_changes


def test_a_replaced_field_with_values_on_two_items_reports_two(portal: Any, tmp_path: Path) -> None:
    kind = _type(portal.emulator)
    _add_item(portal.emulator, kind, title="a", SIZE=2.5)
    _add_item(portal.emulator, kind, title="b", SIZE=3)
    _add_item(portal.emulator, kind, title="c")
    changed = BLUEPRINT.replace(
        "{code: SIZE, type: double, label: Size}", "{code: SIZE, type: string, label: Size}"
    )
    result = _plan(portal, tmp_path, changed)
    op = _op(result, "measurement:field/SIZE")
    assert (op.action, data_lost(op)) == ("replace", "2 items hold a value")
    with pytest.raises(DestructiveChangeError):
        api.apply(result, portal=portal.spec)
    api.apply(result, portal=portal.spec, allow_delete=True)
    assert not _plan(portal, tmp_path, changed).plan.has_changes


def test_an_enumeration_item_used_by_one_item_needs_the_flag(portal: Any, tmp_path: Path) -> None:
    kind = _type(portal.emulator)
    ids = _item_ids(portal.emulator, kind, "KIND")
    _add_item(portal.emulator, kind, title="a", KIND=ids["floor"])
    _add_item(portal.emulator, kind, title="b", KIND=ids["wall"])
    without_floor = BLUEPRINT.replace(", {xml_id: floor, value: Floor}", "")
    result = _plan(portal, tmp_path, without_floor)
    # The item's key: its XML_ID (docs), or the one the core made up for it (the core preset).
    assert data_lost(_op(result, "measurement:field/KIND")).startswith("1 item uses item ")
    with pytest.raises(DestructiveChangeError):
        api.apply(result, portal=portal.spec)
    api.apply(result, portal=portal.spec, allow_delete=True)
    assert set(_item_ids(portal.emulator, kind, "KIND")) == {"wall"}


def test_an_unused_enumeration_item_goes_without_the_flag(portal: Any, tmp_path: Path) -> None:
    kind = _type(portal.emulator)
    _add_item(portal.emulator, kind, title="a", KIND=_item_ids(portal.emulator, kind, "KIND")["wall"])
    result = _plan(portal, tmp_path, BLUEPRINT.replace(", {xml_id: floor, value: Floor}", ""))
    assert not result.plan.destructive_ops()
    api.apply(result, portal=portal.spec)
    assert set(_item_ids(portal.emulator, kind, "KIND")) == {"wall"}


def test_an_item_of_a_multiple_field_cannot_be_counted_and_counts_as_used(
    portal: Any, tmp_path: Path
) -> None:
    kind = _type(portal.emulator)
    result = _plan(portal, tmp_path, BLUEPRINT.replace(", {xml_id: vip, value: VIP}", ""))
    lost = data_lost(_op(result, "measurement:field/TAGS"))
    assert lost.startswith("items may use item ") and lost.endswith(" (it could not be counted)")
    with pytest.raises(DestructiveChangeError):
        api.apply(result, portal=portal.spec)
    api.apply(result, portal=portal.spec, allow_delete=True)
    assert set(_item_ids(portal.emulator, kind, "TAGS")) == {"urgent"}


def test_the_counts_ride_in_one_batch_after_the_read(portal: Any, tmp_path: Path) -> None:
    kind = _type(portal.emulator)
    _add_item(portal.emulator, kind, title="a", SIZE=1, stageId=_stage(kind, portal.emulator, "ON_SITE"))
    unchanged = _plan(portal, tmp_path, BLUEPRINT)
    text = BLUEPRINT.replace("          - {code: ON_SITE, name: On site}\n", "").replace(
        "{code: SIZE, type: double, label: Size}", "{code: SIZE, type: string, label: Size}"
    )
    text = text.replace(", {xml_id: floor, value: Floor}", "")
    counted = _plan(portal, tmp_path, text)
    assert counted.requests == unchanged.requests + 1  # the stage, the field and the item: one batch
    assert sorted(data_lost(op) for op in counted.plan.destructive_ops()) == [
        "1 item holds a value",
        "holds 1 item",
    ]


def test_a_saved_plan_whose_count_was_edited_is_refused(portal: Any, tmp_path: Path) -> None:
    kind = _type(portal.emulator)
    _add_item(portal.emulator, kind, title="a", stageId=_stage(kind, portal.emulator, "ON_SITE"))
    result = _plan(portal, tmp_path, BLUEPRINT.replace("          - {code: ON_SITE, name: On site}\n", ""))
    edited = result.plan.model_copy(
        update={
            "ops": tuple(
                op.model_copy(update={"blocked_by_deals": 0}) if op.key == "measurement:main/ON_SITE" else op
                for op in result.plan.ops
            )
        }
    )
    with pytest.raises(PlanError) as caught:  # a Plan, as a saved plan file is loaded
        api.apply(edited, portal=portal.spec, allow_delete=True)
    assert "the plan does not match what the portal holds" in str(caught.value)


SECOND_PIPELINE = """\
      - key: visits
        name: Visits
        stages:
          - {code: NEW, name: Planned}
          - {code: DONE, name: Done, semantics: success}
          - {code: FAIL, name: Failed, semantics: failure}
"""


def test_a_removed_pipeline_holding_items_says_how_many_and_an_empty_one_goes(
    portal: Any, tmp_path: Path
) -> None:
    with_visits = BLUEPRINT.replace("    fields:\n", SECOND_PIPELINE + "    fields:\n", 1)
    api.apply(_plan(portal, tmp_path, with_visits), portal=portal.spec)
    kind = _type(portal.emulator)
    removing = BLUEPRINT + "    removed:\n      pipelines: [Visits]\n"
    assert not _plan(portal, tmp_path, removing).plan.destructive_ops()  # empty: no flag
    visits = next(
        c
        for c in by_hand(portal.emulator, "crm.category.list", {"entityTypeId": kind["entityTypeId"]})[
            "categories"
        ]
        if c["name"] == "Visits"
    )
    for title in ("a", "b", "c"):
        stage = f"DT{kind['entityTypeId']}_{visits['id']}:DONE"
        _add_item(portal.emulator, kind, title=title, categoryId=visits["id"], stageId=stage)
    _add_item(portal.emulator, kind, title="elsewhere")
    result = _plan(portal, tmp_path, removing)
    op = _op(result, "measurement:visits")
    assert (op.action, data_lost(op)) == ("delete", "holds 3 items")
    with pytest.raises(PlanError) as refused:  # refused up front, even with the flag
        api.apply(result, portal=portal.spec, allow_delete=True)
    assert str(refused.value) == (
        "refusing to delete what still holds items: pipeline measurement:visits holds 3 items — "
        "move or delete its 3 items in the portal first, then plan again"
    )
    categories = by_hand(portal.emulator, "crm.category.list", {"entityTypeId": kind["entityTypeId"]})
    assert "Visits" in [c["name"] for c in categories["categories"]]


def test_a_removed_field_with_values_on_two_items_reports_two_and_goes_with_the_flag(
    portal: Any, tmp_path: Path
) -> None:
    kind = _type(portal.emulator)
    for title in ("a", "b"):
        _add_item(portal.emulator, kind, title=title, SIZE=1.5)
    _add_item(portal.emulator, kind, title="c")
    without = BLUEPRINT.replace("      - {code: SIZE, type: double, label: Size}\n", "")
    removing = without + "    removed:\n      fields: [SIZE]\n"
    result = _plan(portal, tmp_path, removing)
    op = _op(result, "measurement:field/SIZE")
    assert (op.action, data_lost(op)) == ("delete", "2 items hold a value")
    with pytest.raises(DestructiveChangeError):
        api.apply(result, portal=portal.spec)
    api.apply(result, portal=portal.spec, allow_delete=True)
    assert not _plan(portal, tmp_path, removing).plan.has_changes


def test_doctors_apply_estimate_counts_a_delete_inside_a_smart_process(portal: Any, tmp_path: Path) -> None:
    """Deleting a stage costs the count batch that renaming it does not: doctor's estimate says so."""
    dropped = _plan(portal, tmp_path, BLUEPRINT.replace("          - {code: ON_SITE, name: On site}\n", ""))
    renamed = _plan(portal, tmp_path, BLUEPRINT.replace("name: On site}", "name: At the site}"))
    assert [op.action for op in dropped.plan.ops] == ["delete"]
    assert [op.action for op in renamed.plan.ops] == ["update"]
    assert apply_budget(dropped.plan, dropped.live) == apply_budget(renamed.plan, renamed.live) + 1
