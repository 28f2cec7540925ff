"""The diagram: lanes of stages, robot flows between pipelines, labelled with delays and fields."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.blueprint.model import Blueprint
from b24provision.cli import app
from b24provision.errors import B24ProvisionError
from b24provision.robots.graph import render_svg, to_dot, to_mermaid

from .conftest import child_deals_doc, write_blueprint


def test_mermaid_draws_lanes_and_the_child_deal_flow(child_deals: Blueprint) -> None:
    text = to_mermaid(child_deals)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '    subgraph p_sales["Sales"]' in lines
    # Quotes in names become entities, brackets stay inside the quoted label.
    assert '    subgraph p_measurement["Measurement #quot;Zamer#quot; [dept]"]' in lines
    assert "    s_sales__NEW --- s_sales__MEASURE" in lines  # stages in order within the lane
    assert '    s_sales__MEASURE ==>|"Copy deal · → Child deals"| s_measurement__TODO' in lines
    assert '    s_sales__WON ==>|"Copy deal · wait 1 month"| s_sales__NEW' in lines
    assert (
        '    s_measurement__TODO -.->|"Change stage · wait 2 weeks · '
        'if Amount (OPPORTUNITY) is greater than 0"| s_measurement__DONE' in lines
    )
    # Task robots hang off their stage as side nodes; the stage's own colour wins over semantics.
    assert '        s_measurement__TODO__r1[/"Task: Measure the kitchen (deadline 3 days)"/]' in lines
    assert "    class s_sales__WON success" in lines
    assert "    style s_sales__WON fill:#00FF00" in lines
    assert "    class s_sales__LOSE failure" in lines
    assert "        s_sales__MEASURE__r2>\"set 'Order status' (UF_CRM_ORDER_STATUS) = measuring\"]" in lines


def test_dot_draws_the_same_edges(child_deals: Blueprint) -> None:
    text = to_dot(child_deals)
    assert text.startswith("digraph blueprint {\n    rankdir=LR;")
    assert '    subgraph "cluster_sales" {' in text
    assert 'label="Measurement \\"Zamer\\" [dept]"' in text
    assert (
        '"s_sales__MEASURE" -> "s_measurement__TODO" [label="Copy deal · → Child deals", penwidth=2' in text
    )
    assert '"s_sales__WON" -> "s_sales__NEW" [label="Copy deal · wait 1 month", penwidth=2' in text
    assert (
        '"s_sales__WON" [label="Deal won (WON)", shape=box, style="rounded,filled", fillcolor="#00FF00"];'
        in text
    )
    assert (
        '"s_sales__LOSE" [label="Deal lost (LOSE)", shape=box, style="rounded,filled", fillcolor="#FFCDD2"];'
        in text
    )


def test_a_pause_before_the_robot_shows_on_its_arrow_in_russian(recurring: Blueprint) -> None:
    lines = to_mermaid(recurring, "ru").splitlines()
    assert '    s_main__WON ==>|"Создать элемент CRM · через 1 месяц"| s_repeat__NEW' in lines


def test_output_is_deterministic(child_deals: Blueprint) -> None:
    assert to_mermaid(child_deals) == to_mermaid(Blueprint.model_validate(child_deals_doc()))
    assert to_dot(child_deals) == to_dot(Blueprint.model_validate(child_deals_doc()))


def test_svg_without_graphviz_says_what_to_do(
    child_deals: Blueprint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    with pytest.raises(B24ProvisionError, match="install Graphviz"):
        render_svg(to_dot(child_deals), tmp_path / "graph.svg")


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz is not installed (apt-get install graphviz)"
)
def test_svg_with_graphviz_draws_every_pipeline(child_deals: Blueprint, tmp_path: Path) -> None:
    out = tmp_path / "graph.svg"
    render_svg(to_dot(child_deals), out)
    svg = html.unescape(out.read_text(encoding="utf-8"))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for pipeline in child_deals.pipelines:
        assert pipeline.name in svg


def test_cli_graph_prints_mermaid_and_writes_dot(tmp_path: Path) -> None:
    path = write_blueprint(tmp_path, child_deals_doc())
    runner = CliRunner()
    shown = runner.invoke(app, ["graph", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "flowchart LR" in shown.stdout
    out = tmp_path / "graph.dot"
    written = runner.invoke(app, ["graph", str(path), "--format", "dot", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8").startswith("digraph blueprint {")
    bad = runner.invoke(app, ["graph", str(path), "--format", "png"])
    assert bad.exit_code == 1
