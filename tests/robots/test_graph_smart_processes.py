"""Robots on smart-process stages are drawn as deal robots are: each pipeline of a smart process is a
lane of the diagram, named by the smart process and the pipeline."""

from __future__ import annotations

from pathlib import Path

from b24provision.blueprint import load_blueprint
from b24provision.robots.graph import to_mermaid

SHIPPED = Path(__file__).resolve().parents[2] / "blueprints" / "kitchen-smart-processes"


def test_each_smart_process_pipeline_is_a_lane_with_its_robots() -> None:
    blueprint = load_blueprint([SHIPPED], values_files=[SHIPPED / "values" / "staging.yaml"])
    text = to_mermaid(blueprint, "ru")
    for sp in blueprint.smart_processes:
        for pipeline in sp.pipelines:
            assert f'subgraph p_{sp.key}_{pipeline.key}["{sp.title}: {pipeline.name}"]' in text
            for stage in pipeline.stages:
                assert f"s_{sp.key}_{pipeline.key}__{stage.code}[" in text
                for n, _ in enumerate(stage.robots, start=1):
                    assert f"s_{sp.key}_{pipeline.key}__{stage.code}__r{n}" in text, (sp.key, stage.code)
