"""The deal's part of an export: its pipelines with their stages (and robots) and its fields.

Ordering is stable (the default pipeline first, then by sort; stages by sort; enumeration items by
sort) and only what differs from the blueprint's defaults is written: ``sort:`` only where the order
does not say it already, ``semantics:`` only for success and failure, ``color:`` only where it is
not the portal's default for that stage code (export.py's docstring says why). Smart processes and
the other entities reuse ``pipeline`` and ``field`` (export_smart.py, export_entities.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision.blueprint.model import EnumerationField, FieldBase, Pipeline, Stage
from b24provision.export_robots import robot_yaml
from b24provision.export_yaml import flow, flow_seq
from b24provision.plan.sorts import effective_sorts

# Field attributes written first, in this order; the rest follow in model order.
_FIELD_HEAD = ("code", "type", "label")

# The colours a portal gives the stages of a new pipeline (the core's GetDefaultDealStages,
# reference §13 item 11). A stage with its code's default colour gets no ``color:`` line.
DEFAULT_STAGE_COLORS = {
    "NEW": "#39A8EF",
    "PREPARATION": "#2FC6F6",
    "PREPAYMENT_INVOICE": "#55D0E0",
    "EXECUTING": "#47E4C2",
    "FINAL_INVOICE": "#FFA900",
    "WON": "#7BD500",
    "LOSE": "#FF5752",
    "APOLOGY": "#FF5752",
}


def ordered_pipelines(pipelines: Sequence[Pipeline]) -> list[Pipeline]:
    # sorted() is stable: pipelines with one sort keep the reader's order (by portal id).
    return sorted(pipelines, key=lambda p: (not p.default, p.sort or 0))


def pipeline(p: Pipeline) -> CommentedMap:
    out = CommentedMap()
    out["key"] = p.key
    out["name"] = p.name
    if p.default:
        out["default"] = True
    elif p.sort is not None:
        # The default pipeline's sort is left alone: it is always shown first.
        out["sort"] = p.sort
    stages = sorted(p.stages, key=lambda s: s.sort or 0)
    needed = sorts_to_write([(s.code, s.sort or 0) for s in stages])
    out["stages"] = CommentedSeq(stage(s, s.code in needed) for s in stages)
    return out


def sorts_to_write(ordered: list[tuple[str, int]]) -> set[str]:
    """The keys whose sort the order alone would not give back (plan/sorts.py): ties, mostly.

    Starts with no sort written and adds the ones that come out wrong until none does.
    """
    live = dict(ordered)
    written: set[str] = set()
    while True:
        wanted = effective_sorts([(k, live[k] if k in written else None) for k, _ in ordered], live)
        wrong = {k for k, sort in ordered if wanted[k] != sort} - written
        if not wrong:
            return written
        written |= wrong


def stage(s: Stage, write_sort: bool) -> CommentedMap:
    data: dict[str, Any] = {"code": s.code, "name": s.name}
    if s.semantics != "process":
        data["semantics"] = s.semantics
    if s.color and s.color.upper() != DEFAULT_STAGE_COLORS.get(s.code, "").upper():
        data["color"] = s.color
    if write_sort and s.sort is not None:
        data["sort"] = s.sort
    if not s.robots:
        return flow(data)
    out = CommentedMap(data)  # a stage with robots: a block, one robot per line
    out["robots"] = CommentedSeq(robot_yaml(r, flow) for r in s.robots)
    return out


def field(f: FieldBase) -> CommentedMap:
    data = f.model_dump(mode="json", exclude_defaults=True, exclude={"items"})
    out = CommentedMap()
    out["code"] = f.code
    out["type"] = data["type"]
    if f.label is not None:
        out["label"] = f.label if isinstance(f.label, str) else flow(dict(sorted(f.label.items())))
    for attr, value in data.items():
        if attr not in _FIELD_HEAD:
            out[attr] = flow_seq(value) if isinstance(value, list) else value
    if isinstance(f, EnumerationField):
        items = sorted(f.items, key=lambda it: it.sort or 0)
        needed = sorts_to_write([(it.xml_id, it.sort or 0) for it in items])
        out["items"] = CommentedSeq(
            flow(
                {
                    "xml_id": it.xml_id,
                    "value": it.value,
                    **({"sort": it.sort} if it.xml_id in needed else {}),
                    **({"default": True} if it.default else {}),
                }
            )
            for it in items
        )
    return out
