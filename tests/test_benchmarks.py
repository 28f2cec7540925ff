"""The benchmark's own code (benchmarks/): its generated smart-process blueprints are what the table
says they are, and its two smart-process readers read the same configuration. No timing here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from b24provision.blueprint.model import Blueprint
from b24provision.emulator.testing import by_hand
from benchmarks.generate import SmartSize, smart_blueprint_doc, write_blueprint
from benchmarks.readers import read_smart_batch, read_smart_naive


def test_a_generated_smart_size_is_a_valid_blueprint_of_that_many_processes(tmp_path: Path) -> None:
    size = SmartSize(3)
    blueprint = Blueprint.model_validate(smart_blueprint_doc(size))
    assert len(blueprint.smart_processes) == 3
    for sp in blueprint.smart_processes:
        assert [len(p.stages) for p in sp.pipelines] == [5, 5]
        assert sum(p.default for p in sp.pipelines) == 1
        assert len(sp.fields) == 5
    assert len({sp.title for sp in blueprint.smart_processes}) == 3
    assert write_blueprint(size, tmp_path).read_text(encoding="utf-8").startswith("{")


def test_the_batch_and_the_naive_smart_readers_read_the_same_configuration(
    start_portal: Callable[..., Any],
) -> None:
    portal = start_portal("a")
    for n in range(3):
        kind = by_hand(portal.emulator, "crm.type.add", {"fields": {"title": f"Process {n}"}})["type"]
        field = {
            "entityId": f"CRM_{kind['id']}",
            "fieldName": f"UF_CRM_{kind['id']}_SIZE",
            "userTypeId": "string",
            "editFormLabel": {"en": "Size"},
        }
        by_hand(portal.emulator, "userfieldconfig.add", {"moduleId": "crm", "field": field})
    url = portal.server.webhook_url
    batch = read_smart_batch(url)
    naive = read_smart_naive(url, throttle=False)
    assert [t["title"] for t in batch["types"]] == ["Process 0", "Process 1", "Process 2"]
    assert batch["types"] == naive["types"]
    assert batch["pipelines"] == naive["pipelines"]
    assert batch["fields"] == naive["fields"]
    assert all(len(fields) == 1 for fields in batch["fields"].values())
    # The batch reader's one stage list holds every stage the naive one read pipeline by pipeline.
    naive_stages = [s for stages in naive["stages"].values() for s in stages]
    assert naive_stages and all(s in batch["stages"] for s in naive_stages)
