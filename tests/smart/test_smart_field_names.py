"""A smart-process field with no label goes by its code, not by the deal's ``UF_CRM_<code>``: its
real name carries the type id (``UF_CRM_<type id>_<code>``), which differs per portal."""

from __future__ import annotations

from pathlib import Path

from b24provision import api
from b24provision.blueprint import load_blueprint
from b24provision.emulator.testing import by_hand
from b24provision.robots.graph import to_mermaid

MEASUREMENT = """\
version: 1
smart_processes:
  - key: measurement
    title: Measurement
    automation: true
    pipelines:
      - key: main
        name: Measurements
        default: true
        stages:
          - {code: NEW, name: Booked}
          - code: ON_SITE
            name: On site
            robots:
              - type: create_task
                task_title: Measure the kitchen
                responsible: responsible
                store_id_in: TASK_ID
          - {code: SUCCESS, name: Measured, semantics: success}
          - {code: FAIL, name: Cancelled, semantics: failure}
    fields:
      - {code: TASK_ID, type: integer%s}
"""


def _write(tmp_path: Path, label: str) -> Path:
    path = tmp_path / "blueprint.yaml"
    path.write_text(MEASUREMENT % label, encoding="utf-8")
    return path


def _labels(emulator: object) -> set[str]:
    fields = by_hand(emulator, "userfieldconfig.list", {"moduleId": "crm"})["fields"]
    (field,) = [f for f in fields if str(f["fieldName"]).endswith("_TASK_ID")]
    return set(field["editFormLabel"].values())


def _field_ops(result: api.PlanResult) -> list:
    # Only the field's: the create_task robot storing its id re-plans on its own (not this test's).
    return [op for op in result.plan.ops if "field/" in op.key]


def test_dropping_a_smart_process_field_label_plans_and_writes_its_code(start_portal, tmp_path):
    portal = start_portal("a")
    api.apply(api.make_plan([_write(tmp_path, ", label: Task")], portal=portal.spec), portal=portal.spec)

    result = api.make_plan([_write(tmp_path, "")], portal=portal.spec)
    (op,) = _field_ops(result)
    assert op.key == "measurement:field/TASK_ID" and op.changes == (("label", "Task", "TASK_ID"),)
    api.apply(result, portal=portal.spec)

    assert _labels(portal.emulator) == {"TASK_ID"}
    assert _field_ops(api.make_plan([_write(tmp_path, "")], portal=portal.spec)) == []


def test_the_diagram_names_an_unlabelled_smart_process_field_by_its_code(tmp_path):
    text = to_mermaid(load_blueprint([_write(tmp_path, "")]), "en")
    assert "→ TASK_ID" in text and "UF_CRM_TASK_ID" not in text
