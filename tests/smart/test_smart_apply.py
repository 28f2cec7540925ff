"""A blueprint with smart processes goes plan -> apply -> plan "No changes" on the emulated portal."""

from __future__ import annotations

from pathlib import Path

from b24provision import api
from b24provision.emulator.testing import by_hand

TWO_TYPES = """\
version: 1
smart_processes:
  - key: measurement
    title: Measurement
    automation: true
    client: true
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
  - key: delivery
    title: Delivery
    categories: true
    parents: [deal, measurement]
    pipelines:
      - key: main
        name: Deliveries
        default: true
        stages:
          - {code: NEW, name: Planned}
          - {code: SUCCESS, name: Delivered, semantics: success}
          - {code: FAIL, name: Failed, semantics: failure}
      - key: returns
        name: Returns
        stages:
          - {code: NEW, name: Requested}
          - {code: DONE, name: Returned, semantics: success}
          - {code: REFUSED, name: Refused, semantics: failure}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _types(emulator) -> dict[str, dict]:
    return {t["title"]: t for t in by_hand(emulator, "crm.type.list")["types"]}


def test_two_smart_processes_are_created_and_the_next_plan_has_no_changes(start_portal, tmp_path):
    portal = start_portal("a")
    path = _write(tmp_path, TWO_TYPES)
    result = api.make_plan([path], portal=portal.spec)
    keys = [op.key for op in result.plan.ops]
    assert "smart_process:measurement" in keys and "measurement:main/ON_SITE" in keys
    assert "measurement:field/SIZE" in keys and "delivery:returns" in keys

    api.apply(result, portal=portal.spec)

    types = _types(portal.emulator)
    measurement = types["Measurement"]
    assert measurement["isAutomationEnabled"] == "Y" and measurement["isClientEnabled"] == "Y"
    entity_type_id = measurement["entityTypeId"]
    (default,) = by_hand(portal.emulator, "crm.category.list", {"entityTypeId": entity_type_id})["categories"]
    assert default["name"] == "Measurements"
    directory = f"DYNAMIC_{entity_type_id}_STAGE_{default['id']}"
    rows = by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": directory}})
    prefix = f"DT{entity_type_id}_{default['id']}:"
    assert [r["STATUS_ID"] for r in sorted(rows, key=lambda r: int(r["SORT"]))] == [
        f"{prefix}{code}" for code in ("NEW", "ON_SITE", "SUCCESS", "FAIL")
    ]
    fields = by_hand(portal.emulator, "userfieldconfig.list", {"moduleId": "crm"})["fields"]
    assert f"UF_CRM_{measurement['id']}_SIZE" in [f["fieldName"] for f in fields]
    parents = {r["entityTypeId"] for r in types["Delivery"]["relations"]["parent"]}
    assert parents == {2, entity_type_id}  # the deal, and the measurement made in the same apply
    names = {
        c["name"]
        for c in by_hand(
            portal.emulator, "crm.category.list", {"entityTypeId": types["Delivery"]["entityTypeId"]}
        )["categories"]
    }
    assert names == {"Deliveries", "Returns"}
    again = api.make_plan([path], portal=portal.spec)
    assert not again.plan.has_changes, [op.key for op in again.plan.ops]


def test_a_changed_title_switch_and_stage_are_updates(start_portal, tmp_path):
    portal = start_portal("a")
    api.apply(api.make_plan([_write(tmp_path, TWO_TYPES)], portal=portal.spec), portal=portal.spec)
    changed = TWO_TYPES.replace("title: Measurement", "title: Survey\n    previous_titles: [Measurement]")
    changed = changed.replace("client: true", "client: false").replace("name: On site", "name: At the client")
    result = api.make_plan([_write(tmp_path, changed)], portal=portal.spec)
    assert sorted(f"{op.action} {op.key}" for op in result.plan.ops) == [
        "update measurement:main/ON_SITE",
        "update smart_process:measurement",
    ]
    api.apply(result, portal=portal.spec)
    assert _types(portal.emulator)["Survey"]["isClientEnabled"] == "N"
    assert not api.make_plan([_write(tmp_path, changed)], portal=portal.spec).plan.has_changes


def test_a_plan_on_a_portal_whose_plan_has_no_smart_processes_warns(start_portal, tmp_path):
    portal = start_portal("a", license="ru_project", features=set(), rest_access=True)
    result = api.make_plan([_write(tmp_path, TWO_TYPES)], portal=portal.spec)
    assert any(
        # The plan's facts come from a third party only: "probably lacks", marked unverified.
        w.startswith("tariff: ") and "probably lacks smart processes" in w and "unverified" in w
        for w in result.plan.warnings
    ), result.plan.warnings


def test_the_plan_shows_each_smart_process_and_its_pipelines_apart(start_portal, tmp_path):
    from b24provision.plan.render_text import render_text

    portal = start_portal("a")
    text = render_text(api.make_plan([_write(tmp_path, TWO_TYPES)], portal=portal.spec).plan)
    assert 'Pipeline "Measurements" (measurement:main)' in text
    assert 'Pipeline "Deliveries" (delivery:main)' in text
    assert '+ smart_process smart_process:delivery "Delivery"' in text


def test_a_stage_dropped_from_a_smart_process_without_items_is_deleted(start_portal, tmp_path):
    portal = start_portal("a")
    api.apply(api.make_plan([_write(tmp_path, TWO_TYPES)], portal=portal.spec), portal=portal.spec)
    dropped = TWO_TYPES.replace("          - {code: ON_SITE, name: On site}\n", "")
    result = api.make_plan([_write(tmp_path, dropped)], portal=portal.spec)
    assert [op.key for op in result.plan.ops] == ["measurement:main/ON_SITE"]
    api.apply(result, portal=portal.spec)
    codes = [r["STATUS_ID"] for r in by_hand(portal.emulator, "crm.status.list")]
    assert not any(code.endswith(":ON_SITE") for code in codes)
    assert not api.make_plan([_write(tmp_path, dropped)], portal=portal.spec).plan.has_changes


def test_a_removed_smart_process_holding_items_needs_allow_delete_and_the_portal_refuses_it(
    start_portal, tmp_path
):
    import pytest

    from b24provision.errors import ApplyError, DestructiveChangeError

    portal = start_portal("a")
    api.apply(api.make_plan([_write(tmp_path, TWO_TYPES)], portal=portal.spec), portal=portal.spec)
    delivery = _types(portal.emulator)["Delivery"]
    by_hand(
        portal.emulator,
        "crm.item.add",
        {"entityTypeId": delivery["entityTypeId"], "fields": {"title": "Kitchen"}},
    )
    without = TWO_TYPES[: TWO_TYPES.index("  - key: delivery")] + "removed:\n  smart_processes: [Delivery]\n"
    result = api.make_plan([_write(tmp_path, without)], portal=portal.spec)
    (delete,) = [op for op in result.plan.ops if op.action == "delete"]
    assert delete.key == "smart_process:delivery" and delete.items == 1
    with pytest.raises(DestructiveChangeError):
        api.apply(result, portal=portal.spec)
    # Allowed, the portal itself refuses while the type has items: said in its own words.
    with pytest.raises(ApplyError) as caught:
        api.apply(result, portal=portal.spec, allow_delete=True)
    assert "You cannot delete an entity type that has elements" in str(caught.value)
    assert "Delivery" in _types(portal.emulator)


def test_a_removed_empty_smart_process_is_deleted(start_portal, tmp_path):
    portal = start_portal("a")
    api.apply(api.make_plan([_write(tmp_path, TWO_TYPES)], portal=portal.spec), portal=portal.spec)
    without = TWO_TYPES[: TWO_TYPES.index("  - key: delivery")] + "removed:\n  smart_processes: [Delivery]\n"
    result = api.make_plan([_write(tmp_path, without)], portal=portal.spec)
    assert [op.key for op in result.plan.ops if op.action == "delete"] == ["smart_process:delivery"]
    assert not result.plan.destructive_ops()
    api.apply(result, portal=portal.spec)
    assert "Delivery" not in _types(portal.emulator)
    assert not api.make_plan([_write(tmp_path, without)], portal=portal.spec).plan.has_changes
