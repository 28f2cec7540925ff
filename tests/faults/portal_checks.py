"""What a fault run must leave behind, checked on the portal itself (the emulator's SQLite), not
through our own reader: a bug in read.py must not be able to hide a duplicate it caused.

``check_portal`` asserts: no pipeline twice by name, no stage twice by STATUS_ID within a pipeline,
no field twice by FIELD_NAME, no enumeration item twice by XML_ID; every pipeline, stage and field
of the blueprint is there and nothing of the blueprint's pipelines is left over; every deal still
exists and sits in a stage that exists, in a pipeline that exists.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from b24provision.blueprint.model import Blueprint


@dataclass(frozen=True)
class Deal:
    id: int
    category_id: int
    stage_id: str


_HTTP = httpx.Client(timeout=10, verify=False)  # plain http to 127.0.0.1; one client, no CA bundle per call


def raw_call(webhook_url: str, method: str, params: dict[str, Any]) -> Any:
    """One REST call with plain httpx (no PortalClient): what a user's curl would do."""
    response = _HTTP.post(webhook_url + method, json=params)
    data = response.json()
    assert "error" not in data, (method, data)
    return data["result"]


def deals(db: sqlite3.Connection) -> list[Deal]:
    return [
        Deal(int(r[0]), int(r[1]), str(r[2]))
        for r in db.execute("SELECT id, category_id, stage_id FROM deal")
    ]


def pipeline_ids_by_name(db: sqlite3.Connection) -> dict[str, int]:
    return {str(name): int(i) for i, name in db.execute("SELECT id, name FROM category")}


def stage_codes(db: sqlite3.Connection, category_id: int) -> list[str]:
    entity = "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"
    rows = db.execute("SELECT status_id FROM status WHERE entity_id = ? ORDER BY sort, id", (entity,))
    return [str(r[0]).split(":", 1)[-1] for r in rows]


def check_portal(db: sqlite3.Connection, blueprint: Blueprint, deals_before: list[Deal]) -> None:
    """Assert the portal holds the blueprint exactly once and every deal is still placed."""
    # Pipelines: one per name.
    names = Counter(str(r[0]) for r in db.execute("SELECT name FROM category"))
    assert not [n for n, c in names.items() if c > 1], f"duplicate pipelines: {names}"
    by_name = pipeline_ids_by_name(db)

    # Stages: one per STATUS_ID within a pipeline, and every DEAL_STAGE_<n> belongs to a pipeline.
    for entity, status_id, count in db.execute(
        "SELECT entity_id, status_id, COUNT(*) FROM status WHERE entity_id LIKE 'DEAL_STAGE%' "
        "GROUP BY entity_id, status_id"
    ):
        assert count == 1, f"stage {status_id} exists {count} times in {entity}"
        if entity != "DEAL_STAGE":
            assert int(entity.rsplit("_", 1)[1]) in by_name.values(), (
                f"stages of a deleted pipeline: {entity}"
            )

    for pipeline in blueprint.pipelines:
        category = 0 if pipeline.default else by_name.get(pipeline.name)
        assert category is not None, f"pipeline {pipeline.name!r} is missing"
        have = stage_codes(db, category)
        assert sorted(have) == sorted(s.code for s in pipeline.stages), f"{pipeline.key}: stages {have}"

    # Fields: one per FIELD_NAME, and enumeration items one per XML_ID.
    fields = Counter(str(r[0]) for r in db.execute("SELECT field_name FROM userfield"))
    assert not [f for f, c in fields.items() if c > 1], f"duplicate fields: {fields}"
    assert set(fields) >= {f.field_name for f in blueprint.fields}
    for field_name, xml_id, count in db.execute(
        "SELECT u.field_name, e.xml_id, COUNT(*) FROM enum_item e JOIN userfield u ON u.id = e.field_id "
        "GROUP BY e.field_id, e.xml_id"
    ):
        assert count == 1, f"{field_name}: item {xml_id} exists {count} times"

    # Deals: none lost, each in an existing stage of an existing pipeline.
    after = {d.id: d for d in deals(db)}
    assert set(after) >= {d.id for d in deals_before}, "deals were lost"
    for deal in after.values():
        assert deal.category_id == 0 or deal.category_id in by_name.values(), f"deal {deal.id}: no pipeline"
        code = deal.stage_id.split(":", 1)[-1]
        assert code in stage_codes(db, deal.category_id), (
            f"deal {deal.id} sits in missing stage {deal.stage_id}"
        )
