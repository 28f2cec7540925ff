"""What a fault run must leave behind, checked on the portal itself (emulator.testing's ground truth),
not through our own reader: a bug in read.py must not be able to hide a duplicate it caused.

``check_portal`` asserts: no pipeline twice by name, no stage twice by STATUS_ID within a pipeline,
no field twice by FIELD_NAME, no enumeration item twice by XML_ID; every pipeline, stage and field
of the blueprint is there and nothing of the blueprint's pipelines is left over; every deal still
exists and sits in a stage that exists, in a pipeline that exists.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from b24provision.blueprint.model import Blueprint
from b24provision.emulator import Emulator
from b24provision.emulator.testing import (
    Deal,
    deals,
    enum_items,
    field_names,
    pipeline_ids,
    pipeline_names,
    stage_codes,
    stage_ids,
)

__all__ = ["Deal", "check_portal", "raw_call"]


_HTTP = httpx.Client(timeout=10, verify=False)  # plain http to 127.0.0.1; one client, no CA bundle per call


def raw_call(webhook_url: str, method: str, params: dict[str, Any]) -> Any:
    """One REST call with plain httpx (no PortalClient): what a user's curl would do."""
    response = _HTTP.post(webhook_url + method, json=params)
    data = response.json()
    assert "error" not in data, (method, data)
    return data["result"]


def check_portal(emulator: Emulator, blueprint: Blueprint, deals_before: list[Deal]) -> None:
    """Assert the portal holds the blueprint exactly once and every deal is still placed."""
    # Pipelines: one per name.
    names = Counter(pipeline_names(emulator))
    assert not [n for n, c in names.items() if c > 1], f"duplicate pipelines: {names}"
    by_name = pipeline_ids(emulator)

    # Stages: one per STATUS_ID within a pipeline, and every pipeline's stages belong to a pipeline.
    for (category, status_id), count in Counter(stage_ids(emulator)).items():
        assert count == 1, f"stage {status_id} exists {count} times in pipeline {category}"
        if category != 0:
            assert category in by_name.values(), f"stages of a deleted pipeline: {category}"

    for pipeline in blueprint.pipelines:
        category = 0 if pipeline.default else by_name.get(pipeline.name)
        assert category is not None, f"pipeline {pipeline.name!r} is missing"
        have = stage_codes(emulator, category)
        assert sorted(have) == sorted(s.code for s in pipeline.stages), f"{pipeline.key}: stages {have}"

    # Fields: one per FIELD_NAME, and enumeration items one per XML_ID.
    fields = Counter(field_names(emulator))
    assert not [f for f, c in fields.items() if c > 1], f"duplicate fields: {fields}"
    assert set(fields) >= {f.field_name for f in blueprint.fields}
    for (field_name, xml_id), count in Counter(enum_items(emulator)).items():
        assert count == 1, f"{field_name}: item {xml_id} exists {count} times"

    # Deals: none lost, each in an existing stage of an existing pipeline.
    after = {d.id: d for d in deals(emulator)}
    assert set(after) >= {d.id for d in deals_before}, "deals were lost"
    for deal in after.values():
        assert deal.category_id == 0 or deal.category_id in by_name.values(), f"deal {deal.id}: no pipeline"
        code = deal.stage_id.split(":", 1)[-1]
        assert code in stage_codes(emulator, deal.category_id), (
            f"deal {deal.id} sits in missing stage {deal.stage_id}"
        )
