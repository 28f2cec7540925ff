"""Reading smart processes: what the portal holds comes back in the blueprint's language, and a
portal with 20 of them is planned in 3 requests."""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint
from b24provision.emulator.testing import by_hand
from b24provision.portal.connect import open_portal
from b24provision.state.rest import read_portal
from b24provision.state.rest_smart import with_smart_processes

SP = {"key": "measurement", "title": "Measurement", "pipelines": [], "fields": []}


def _make_type(emulator, title: str, **switches: str) -> dict:
    return by_hand(emulator, "crm.type.add", {"fields": {"title": title, **switches}})["type"]


def test_a_type_with_its_default_pipeline_stages_and_fields_is_read(start_portal):
    portal = start_portal("a")
    kind = _make_type(portal.emulator, "Measurement", isAutomationEnabled="Y")
    by_hand(
        portal.emulator,
        "userfieldconfig.add",
        {
            "moduleId": "crm",
            "field": {
                "entityId": f"CRM_{kind['id']}",
                "fieldName": f"UF_CRM_{kind['id']}_SIZE",
                "userTypeId": "double",
                "editFormLabel": {"en": "Size"},
            },
        },
    )
    with open_portal(portal.spec) as client:
        live = with_smart_processes(client, read_portal(client))
    sp = live.smart_processes["measurement"]
    assert sp.title == "Measurement"
    assert sp.switches["isAutomationEnabled"] and not sp.switches["isClientEnabled"]
    (pipeline,) = sp.state.blueprint.pipelines
    assert pipeline.default
    assert [s.code for s in pipeline.stages] == ["NEW", "PREPARATION", "CLIENT", "SUCCESS", "FAIL"]
    assert [(f.code, f.type) for f in sp.state.blueprint.fields] == [("SIZE", "double")]


def test_a_plan_of_a_portal_with_20_smart_processes_takes_three_requests(start_portal):
    from b24provision.api.plans import plan_against

    portal = start_portal("a")
    for n in range(20):
        _make_type(portal.emulator, f"Department {n}")
    blueprint = Blueprint.model_validate({"smart_processes": [{**SP, "title": "Department 3"}]})
    with open_portal(portal.spec) as client:
        result = plan_against(client, blueprint)
    assert result.requests == 3
    assert len(result.live.smart_processes) == 20


def test_a_deal_only_plan_reads_no_smart_processes(start_portal):
    from b24provision.api.plans import plan_against

    portal = start_portal("a")
    _make_type(portal.emulator, "Department")
    with open_portal(portal.spec) as client:
        result = plan_against(client, Blueprint())
    assert result.requests == 1
    assert not result.live.smart_processes


def _problems(tmp_path, text: str) -> str:
    from b24provision.blueprint.loader import validate

    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    report = validate([path])
    assert not report.ok
    return "\n".join(str(p) for p in report.errors)


def test_a_smart_process_key_may_not_be_a_built_in_entity_name(tmp_path):
    text = _problems(tmp_path, "smart_processes:\n  - {key: deal, title: Orders}\n")
    assert "b.yaml:2:" in text and "'deal' is a built-in entity's name" in text


def test_smart_process_keys_and_titles_are_unique(tmp_path):
    text = _problems(
        tmp_path,
        "smart_processes:\n  - {key: orders, title: Orders}\n  - {key: orders, title: Other}\n"
        "  - {key: more, title: Orders}\n",
    )
    assert "b.yaml:3:" in text and "key 'orders' is used twice" in text
    assert "b.yaml:4:" in text and "title 'Orders' is also smart process 'orders''s" in text


def test_two_portal_types_of_one_title_are_refused_in_one_line(start_portal):
    import pytest

    from b24provision.api.plans import plan_against
    from b24provision.errors import PlanError

    portal = start_portal("a")
    _make_type(portal.emulator, "Orders")
    _make_type(portal.emulator, "Orders")
    blueprint = Blueprint.model_validate({"smart_processes": [{**SP, "title": "Orders"}]})
    with open_portal(portal.spec) as client, pytest.raises(PlanError) as caught:
        plan_against(client, blueprint)
    assert "the portal has 2 smart processes titled 'Orders'" in str(caught.value)
    assert "\n" not in str(caught.value)
