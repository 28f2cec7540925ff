"""`plan --explain` with smart processes: every request apply sends after its read, in order, the
smart processes' own batches (types, relations, each type's fields, pipelines and stages, deletes)
and the reads between them, with natural keys; the requests apply then really sends, as the
emulator logs them, are the ones shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.testing import by_hand

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
RECONCILE = {"crm.status.add", "crm.status.update", "crm.status.delete"}
Request = tuple[str, list[str]]
"""A top-level request: its method ("batch" or a read), and the write commands a batch carries."""


def explain(portal: Any, blueprint: Path) -> Any:
    result = CliRunner().invoke(
        app, ["plan", str(blueprint), "--portal", portal.spec, "--explain", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert portal.token not in result.output
    return json.loads(result.stdout)


def explained(document: Any) -> list[tuple[Request, bool]]:
    """Each request explained, and whether it reconciles a new pipeline's default stages (whose
    deletes and updates apply only learns when the portal has made them)."""
    batches = {b["number"]: b for b in document["batches"]}
    out: list[tuple[Request, bool]] = []
    for request in document["requests"]:
        if "read" in request:
            out.append(((request["read"], []), False))
            continue
        commands = [c for s in batches[request["batch"]]["steps"] for c in s["commands"]]
        methods = [c["method"] for c in commands if not c["key"].endswith("_stages")]
        out.append((("batch", methods), any(c["key"].startswith("rec") for c in commands)))
    return out


def applied(portal: Any, blueprint: Path) -> list[Request]:
    """Apply; every top-level request after the one that takes the lock (and reads the portal) up
    to the one that releases it."""
    start = len(portal.emulator.request_log)
    result = CliRunner().invoke(app, ["apply", str(blueprint), "--portal", portal.spec, "--auto-approve"])
    assert result.exit_code == 0, result.output
    requests: list[Request] = []
    writes: list[str] = []
    for entry in portal.emulator.request_log[start:]:  # a batch's sub-calls are logged before it
        if entry.sub_call:
            if entry.write and entry.executed:
                writes.append(entry.method)
            continue
        requests.append((entry.method, writes))
        writes = []
    # The lock's field is added in the first (read) batch and deleted in the read after the writes.
    assert requests[0][1] == ["crm.deal.userfield.add"]
    release = next(n for n, r in enumerate(requests) if r[1][-1:] == ["crm.deal.userfield.delete"])
    return requests[1:release]


def assert_sent_as_explained(explanation: list[tuple[Request, bool]], sent: list[Request]) -> None:
    """``sent`` ends with the explained requests; what comes before them (the apply's own reads:
    item counts, the smart processes) writes nothing."""
    assert len(explanation) <= len(sent), "more requests explained than apply sent"
    before, sent = sent[: len(sent) - len(explanation)], sent[len(sent) - len(explanation) :]
    assert not [r for r in before if r[1]], f"writes apply sent that are not explained: {before}"
    assert [r[0] for r, _ in explanation] == [r[0] for r in sent], "not the requests apply sent"
    for (shown, reconciles), real in zip(explanation, sent, strict=True):
        if reconciles:  # the adds are shown; deletes and updates of the defaults come on top
            assert set(real[1]) <= RECONCILE and shown[1].count("crm.status.add") >= 1, (shown, real)
        else:
            assert shown == real


def test_explain_lists_every_request_apply_sends_for_new_smart_processes(
    start_portal: Callable[..., Any],
) -> None:
    portal = start_portal()
    blueprint = BLUEPRINTS / "kitchen-smart-processes"
    document = explain(portal, blueprint)
    assert not [r for r in portal.emulator.request_log if r.write], "plan --explain wrote to the portal"
    phases = [(b["phase"], b["entity"]) for b in document["batches"]]
    keys = ["measurement", "production", "delivery", "assembly"]
    assert phases == [
        ("A", ""),
        ("B", ""),
        ("types", ""),
        ("relations", ""),
        *[(phase, key) for key in keys for phase in ("A", "B")],
    ]
    by_op = {op: step for b in document["batches"] for step in b["steps"] for op in step["operations"]}
    # A type made in this apply: its ids come from the read of the types, named by its key.
    assert by_op["create smart_process smart_process:measurement"]["commands"] == [
        {"key": "op0", "method": "crm.type.add", "target": "title 'Замеры'"}
    ]
    assert [c["target"] for c in by_op["create field measurement:field/ROOM_SIZES"]["commands"]] == [
        "UF_CRM_<measurement id>_ROOM_SIZES"
    ]
    relation = by_op["set relations of smart_process:delivery (parents: deal)"]["commands"]
    assert relation == [{"key": "rel2", "method": "crm.type.update", "target": "id <delivery id>"}]
    reads = [r for r in document["requests"] if "read" in r]
    assert [r["read"] for r in reads] == ["crm.type.list", "batch"]
    assert "9000" not in json.dumps(document)  # no stand-in number shows
    assert_sent_as_explained(explained(document), applied(portal, blueprint))


TYPES_V1 = """\
version: 1
smart_processes:
  - key: measurement
    title: Measurement
    pipelines:
      - key: main
        name: Measurements
        default: true
        stages:
          - {code: NEW, name: Booked}
          - {code: SUCCESS, name: Measured, semantics: success}
          - {code: FAIL, name: Cancelled, semantics: failure}
  - key: delivery
    title: Delivery
    parents: [deal]
    pipelines:
      - key: main
        name: Deliveries
        default: true
        stages:
          - {code: NEW, name: Planned}
          - {code: SUCCESS, name: Delivered, semantics: success}
          - {code: FAIL, name: Failed, semantics: failure}
"""
# Release 2: the existing measurement gets pipelines (a switch), a second pipeline and a field;
# delivery hangs under it too.
TYPES_V2 = """\
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
          - {code: SUCCESS, name: Measured, semantics: success}
          - {code: FAIL, name: Cancelled, semantics: failure}
      - key: repeat
        name: Repeat visits
        stages:
          - {code: NEW, name: Asked}
          - {code: DONE, name: Visited, semantics: success}
          - {code: NO, name: Refused, semantics: failure}
    fields:
      - {code: SIZE, type: double, label: Size}
  - key: delivery
    title: Delivery
    parents: [deal, measurement]
    pipelines:
      - key: main
        name: Deliveries
        default: true
        stages:
          - {code: NEW, name: Planned}
          - {code: SUCCESS, name: Delivered, semantics: success}
          - {code: FAIL, name: Failed, semantics: failure}
"""


def test_explain_of_existing_smart_processes_shows_their_ids_and_what_apply_sends(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal()
    path = tmp_path / "blueprint.yaml"
    path.write_text(TYPES_V1, encoding="utf-8")
    applied(portal, path)
    types = {t["title"]: t for t in by_hand(portal.emulator, "crm.type.list")["types"]}
    path.write_text(TYPES_V2, encoding="utf-8")
    document = explain(portal, path)
    by_op = {op: step for b in document["batches"] for step in b["steps"] for op in step["operations"]}
    measurement, delivery = types["Measurement"], types["Delivery"]
    field = by_op["create field measurement:field/SIZE"]["commands"][0]
    assert field["target"] == f"UF_CRM_{measurement['id']}_SIZE"
    relation = by_op["set relations of smart_process:delivery (parents: deal, measurement)"]
    assert relation["commands"][0]["target"] == f"id {delivery['id']}"
    # The new pipeline's stages are referred to by the command that makes it.
    create = by_op["create pipeline measurement:repeat"]["commands"][0]
    stages = [c["target"] for c in by_op["create stage measurement:repeat/NEW"]["commands"]]
    etid = measurement["entityTypeId"]
    assert any(
        t.endswith(f"in DYNAMIC_{etid}_STAGE_$result[{create['key']}][category][id]") for t in stages
    ), stages
    assert [r.get("read") for r in document["requests"]][:3] == [None, "crm.type.list", "batch"]
    assert_sent_as_explained(explained(document), applied(portal, path))


def test_explain_as_text_shows_the_reads_and_names_a_new_type_by_its_key(
    start_portal: Callable[..., Any],
) -> None:
    portal = start_portal()
    result = CliRunner().invoke(
        app, ["plan", str(BLUEPRINTS / "kitchen-smart-processes"), "--portal", portal.spec, "--explain"]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Batch 3 (smart process types: crm.type.add / update), 4 command(s)" in text
    assert "\nRead (2 request(s): crm.type.list, batch): the types again" in text
    assert "Batch 5 (smart process measurement, phase A:" in text
    assert "    op3: crm.category.update  id <measurement:main id>\n" in text
    assert "<key id>, <key entityTypeId>, <key:pipeline id>: the ids of a smart process" in text


def test_explain_of_a_deal_blueprint_lists_its_reads_too(start_portal: Callable[..., Any]) -> None:
    """The pipeline list, read again right before the batch that creates pipelines, is a request."""
    portal = start_portal()
    blueprint = BLUEPRINTS / "recurring-deals"
    document = explain(portal, blueprint)
    assert document["requests"][0] == {
        "read": "crm.category.list",
        "why": "the pipeline list again: pipeline names are not unique",
    }
    assert_sent_as_explained(explained(document), applied(portal, blueprint))
