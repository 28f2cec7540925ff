"""Pipelines, stages and robot flows as one diagram (Mermaid or Graphviz dot).

The seeds' complaints are about what cannot be seen: which department pipeline a main deal
spawns child deals into, when a repeat deal will appear ("wait 1 month"), which field keeps the
link. The diagram draws each pipeline as a lane of its stages in order, coloured by semantics
(or by the stage's own colour), and every robot as what it does:

- copy_deal / create_deal: an arrow from the stage to the target pipeline's stage, labelled with
  the robot, its delay ("wait 1 month", including pauses before it in the chain) and the field
  that receives the new deal's ID ("→ 'Child deals'");
- change_stage: a dashed arrow inside the lane;
- create_task, set_field, notify: side nodes hanging off the stage.

``build_graph`` makes one format-free structure; ``to_mermaid`` and ``to_dot`` only print it, in
blueprint order, so the output is deterministic and diffs well in a pull request.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from b24provision.blueprint.entity_fields import own_fields
from b24provision.blueprint.model import Blueprint, Pipeline, Robot, Stage
from b24provision.blueprint.smart_section import section_blueprint
from b24provision.errors import B24ProvisionError
from b24provision.robots.describe import effective_delays
from b24provision.robots.kinds import kind_of, new_deal, robot_kind_name
from b24provision.robots.lead_board import lead_board, smart_boards
from b24provision.robots.words import Entity, condition_text, describe_duration, label_text

NodeKind = Literal["stage", "task", "note", "missing"]
EdgeKind = Literal["order", "flow", "move", "side"]

# Fill colours by stage semantics, when the stage has no colour of its own.
SEMANTIC_COLORS: dict[str, str] = {"process": "#DCEBFA", "success": "#C8E6C9", "failure": "#FFCDD2"}
_SIDE_COLORS: dict[str, str] = {"task": "#FFF3C4", "note": "#F1F1F1", "missing": "#FFFFFF"}

_WORDS: dict[str, tuple[str, str]] = {
    "wait": ("wait {}", "через {}"),
    "if": ("if {}", "если {}"),
    "missing": ("unknown pipeline '{}'", "неизвестная воронка «{}»"),
}


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: NodeKind
    color: str
    semantics: str = "process"


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    kind: EdgeKind
    label: str = ""


@dataclass
class Lane:
    key: str
    title: str
    nodes: list[Node] = field(default_factory=list)


@dataclass
class Graph:
    """The diagram before it is printed: lanes of stage nodes, side nodes, and edges, in order."""

    lanes: list[Lane] = field(default_factory=list)
    outside: list[Node] = field(default_factory=list)
    """Nodes outside any lane (targets in pipelines the blueprint does not declare)."""
    edges: list[Edge] = field(default_factory=list)


def _w(key: str, lang: str) -> str:
    en, ru = _WORDS[key]
    return ru if lang == "ru" else en


def stage_id(pipeline_key: str, code: str) -> str:
    # Keys are [a-z0-9_] and codes [A-Z0-9_], so the id needs no quoting in either format.
    return f"s_{pipeline_key}__{code}"


def _target(blueprint: Blueprint, key: str, code: str | None, graph: Graph, lang: str) -> str:
    pipeline = blueprint.pipelines_by_key().get(key)
    if pipeline is None:
        node_id = f"m_{key}"
        if all(n.id != node_id for n in graph.outside):
            graph.outside.append(
                Node(node_id, _w("missing", lang).format(key), "missing", _SIDE_COLORS["missing"])
            )
        return node_id
    return stage_id(key, code or pipeline.stages[0].code)


def _flow_label(
    robot: Robot, delays: list[str], blueprint: Blueprint, lang: str, entity: Entity, key: str, own: Blueprint
) -> str:
    """``entity`` is what the robot works on, ``key`` that entity's key ("deal", "lead" or a smart
    process's) and ``own`` where its fields are declared."""
    parts = [robot.title or robot_kind_name(robot.type, lang)]
    if delays:
        parts.append(_w("wait", lang).format(" + ".join(describe_duration(d, lang) for d in delays)))
    if robot.condition is not None:
        parts.append(_w("if", lang).format(condition_text(robot.condition, own, lang, entity)))
    store = getattr(robot, "store_id_in", None)
    if store:
        descriptor, fields = own_fields(blueprint, key)  # the id is stored in a field of the robot's entity
        declared = fields.get(store)
        # An undeclared field by its name; a smart process's by its code (its type id is not known).
        plain = store if descriptor.field_prefix_read else descriptor.field_name(store)
        name = label_text(declared.label, lang, declared.name_in(descriptor)) if declared else plain
        parts.append(f"→ {name}")
    return " · ".join(parts)


def build_graph(blueprint: Blueprint, lang: str = "en") -> Graph:
    """The diagram of ``blueprint``: one lane per pipeline, robots as edges and side nodes."""
    graph = Graph()
    board = lead_board(blueprint, lang)  # the lead's statuses, drawn as one more lane
    # Smart processes' pipelines are lanes too (robots/lead_board.py).
    boards = smart_boards(blueprint)
    lanes = [*blueprint.pipelines, *([board] if board is not None else []), *boards]
    # What each lane's robots work on, and where their fields are declared: their words follow it.
    about: dict[str, tuple[Entity, str, Blueprint]] = {
        p.key: ("deal", "deal", blueprint) for p in blueprint.pipelines
    }
    if board is not None:
        about[board.key] = ("lead", "lead", blueprint)
    smart_lanes = iter(boards)  # smart_boards: each smart process's pipelines, in order
    for index, sp in enumerate(blueprint.smart_processes):
        view = section_blueprint(blueprint, index)
        about.update({next(smart_lanes).key: ("smart", sp.key, view) for _ in sp.pipelines})
    for pipeline in lanes:
        lane = Lane(pipeline.key, pipeline.name)
        graph.lanes.append(lane)
        for stage in pipeline.stages:
            color = stage.color or SEMANTIC_COLORS[stage.semantics]
            lane.nodes.append(
                Node(
                    stage_id(pipeline.key, stage.code),
                    f"{stage.name} ({stage.code})",
                    "stage",
                    color,
                    stage.semantics,
                )
            )
        for before, after in zip(pipeline.stages, pipeline.stages[1:], strict=False):
            graph.edges.append(
                Edge(stage_id(pipeline.key, before.code), stage_id(pipeline.key, after.code), "order")
            )
    for pipeline in lanes:
        for stage in pipeline.stages:
            _stage_robots(blueprint, pipeline, stage, graph, lang, *about[pipeline.key])
    return graph


def _stage_robots(
    blueprint: Blueprint,
    pipeline: Pipeline,
    stage: Stage,
    graph: Graph,
    lang: str,
    entity: Entity,
    key: str,
    own: Blueprint,
) -> None:
    """The robots of ``stage`` as edges and side nodes; ``entity`` is what they work on and ``own``
    where their fields are declared (a smart process's own view, blueprint/smart_section.py); ``key``
    the entity's key in the blueprint ("deal", "lead" or the smart process's)."""
    here = stage_id(pipeline.key, stage.code)
    lane = next(lane for lane in graph.lanes if lane.key == pipeline.key)
    for index, (robot, delays) in enumerate(zip(stage.robots, effective_delays(stage), strict=True)):
        kind = kind_of(robot)
        label = _flow_label(robot, delays, blueprint, lang, entity, key, own)
        deal = new_deal(robot)
        if deal is not None:
            dst = _target(blueprint, deal.pipeline, deal.stage, graph, lang)
            graph.edges.append(Edge(here, dst, "flow", label))
        elif kind.moves_to is not None:
            graph.edges.append(Edge(here, stage_id(pipeline.key, kind.moves_to(robot)), "move", label))
        elif kind.sketch is not None:
            side_id = f"{here}__r{index + 1}"
            side, text = kind.sketch(robot, own, lang, entity)
            lane.nodes.append(Node(side_id, text, side, _SIDE_COLORS[side]))
            graph.edges.append(Edge(here, side_id, "side", _side_label(label, robot, lang)))
        # A wait robot has no node of its own: its pause shows on the robots that run after it.


def _side_label(label: str, robot: Robot, lang: str) -> str:
    """A side node's edge only carries the timing and condition; the node already says what."""
    kind = robot.title or robot_kind_name(robot.type, lang)
    return label.removeprefix(kind).removeprefix(" · ")


# ------------------------------------------------------------------------------------ mermaid


def _mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: entity codes for what Mermaid would parse."""
    text = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return text.replace("`", "'").replace("\n", " ")


_MERMAID_SHAPES: dict[NodeKind, tuple[str, str]] = {
    "stage": ('["', '"]'),
    "task": ('[/"', '"/]'),
    "note": ('>"', '"]'),
    "missing": ('{{"', '"}}'),
}


def _mermaid_node(node: Node) -> str:
    left, right = _MERMAID_SHAPES[node.kind]
    return f"{node.id}{left}{_mermaid_text(node.label)}{right}"


def to_mermaid(blueprint: Blueprint, lang: str = "en") -> str:
    """The diagram as a Mermaid flowchart (renders in GitHub and GitLab Markdown)."""
    graph = build_graph(blueprint, lang)
    lines = ["flowchart LR"]
    for name, color in SEMANTIC_COLORS.items():
        lines.append(f"    classDef {name} fill:{color},stroke:#607D8B")
    lines.append(f"    classDef side fill:{_SIDE_COLORS['task']},stroke:#B0A060")
    for lane in graph.lanes:
        lines.append(f'    subgraph p_{lane.key}["{_mermaid_text(lane.title)}"]')
        lines.append("        direction LR")
        lines += [f"        {_mermaid_node(node)}" for node in lane.nodes]
        lines.append("    end")
    lines += [f"    {_mermaid_node(node)}" for node in graph.outside]
    arrows = {"order": "---", "flow": "==>", "move": "-.->", "side": "-.-"}
    for edge in graph.edges:
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.src} {arrows[edge.kind]}{label} {edge.dst}")
    for lane in graph.lanes:
        for node in lane.nodes:
            if node.kind == "stage":
                lines.append(f"    class {node.id} {node.semantics}")
                if node.color != SEMANTIC_COLORS[node.semantics]:
                    lines.append(f"    style {node.id} fill:{node.color}")
            else:
                lines.append(f"    class {node.id} side")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------- dot


def _dot_text(text: str) -> str:
    """Text for a double-quoted Graphviz string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


_DOT_SHAPES: dict[NodeKind, str] = {
    "stage": "box",
    "task": "parallelogram",
    "note": "note",
    "missing": "hexagon",
}
_DOT_EDGES: dict[EdgeKind, str] = {
    "order": 'arrowhead=none, color="#B0BEC5"',
    "flow": 'penwidth=2, color="#1565C0"',
    "move": 'style=dashed, color="#6A1B9A"',
    "side": 'style=dotted, arrowhead=none, color="#8D6E63"',
}


def _dot_node(node: Node) -> str:
    style = '"rounded,filled"' if node.kind == "stage" else "filled"
    return (
        f'"{node.id}" [label="{_dot_text(node.label)}", shape={_DOT_SHAPES[node.kind]}, '
        f'style={style}, fillcolor="{node.color}"];'
    )


def to_dot(blueprint: Blueprint, lang: str = "en") -> str:
    """The diagram as Graphviz dot (``dot -Tsvg`` renders it)."""
    graph = build_graph(blueprint, lang)
    lines = [
        "digraph blueprint {",
        "    rankdir=LR;",
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for lane in graph.lanes:
        lines.append(f'    subgraph "cluster_{lane.key}" {{')
        lines.append(f'        label="{_dot_text(lane.title)}"; style=rounded; color="#90A4AE";')
        lines += [f"        {_dot_node(node)}" for node in lane.nodes]
        lines.append("    }")
    lines += [f"    {_dot_node(node)}" for node in graph.outside]
    for edge in graph.edges:
        label = f'label="{_dot_text(edge.label)}", ' if edge.label else ""
        lines.append(f'    "{edge.src}" -> "{edge.dst}" [{label}{_DOT_EDGES[edge.kind]}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_source: str, out: Path, *, force: bool = False) -> None:
    """Render dot text to an SVG file with Graphviz's ``dot`` (written as :mod:`b24provision.output` does).

    Raises:
        B24ProvisionError: ``dot`` is not installed, or failed.
        OutputError: ``out`` exists and ``force`` is not set, or it cannot be written.
    """
    from b24provision.output import check_writable, write_output

    check_writable(out, force=force)
    dot = shutil.which("dot")
    if dot is None:
        raise B24ProvisionError(
            "Graphviz's `dot` is not on PATH, so no SVG can be drawn: install Graphviz "
            "(e.g. apt install graphviz), or write the source with --format dot --out graph.dot"
        )
    done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True)
    if done.returncode != 0:
        words = done.stderr.decode("utf-8", "replace").strip()[:500]
        raise B24ProvisionError(f"dot failed ({done.returncode}): {words}")
    write_output(out, done.stdout, force=force)
