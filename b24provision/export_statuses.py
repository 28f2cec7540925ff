"""Export of the lead's statuses and the portal's reference lists (``export.py`` writes the rest).

Written as a blueprint says them: ``entities: {lead: {statuses: [...]}}`` with each status's
code, name, semantics (only success and failure), colour (only where it is not the portal's
default for that code, ``entities/lists.py``) and sort (only where the order does not say it);
``lists:`` with every reference list the portal has, in the table's order, items by sort. So the
plan of an export shows no changes for them either.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision.blueprint.list_model import Lists
from b24provision.entities.lists import LEAD_STATUS_COLORS
from b24provision.export_robots import robot_yaml
from b24provision.state.entity_live import StatusesLive
from b24provision.state.live import LiveState


def lead_section(live: LiveState, flow: Any, sorts_to_write: Any) -> CommentedMap | None:
    """``entities: {lead: {statuses: [...]}}``, or None when the read has no lead statuses."""
    lead = live.entities.get("lead")
    statuses = lead.statuses if lead is not None else None
    if statuses is None or not statuses.stages:
        return None
    stages = sorted(statuses.stages, key=lambda s: s.sort or 0)
    needed = sorts_to_write([(s.code, s.sort or 0) for s in stages])
    rows = CommentedSeq()
    for s in stages:
        data: dict[str, Any] = {"code": s.code, "name": s.name}
        if s.semantics != "process":
            data["semantics"] = s.semantics
        if s.color and s.color.upper() != LEAD_STATUS_COLORS.get(s.code, "").upper():
            data["color"] = s.color
        if s.code in needed and s.sort is not None:
            data["sort"] = s.sort
        if s.robots:  # read from a configuration export: a block, one robot per line
            row = CommentedMap(data)
            row["robots"] = CommentedSeq(robot_yaml(r, flow) for r in s.robots)
            rows.append(row)
        else:
            rows.append(flow(data))
    out = CommentedMap()
    out["lead"] = CommentedMap(statuses=rows)
    return out


def lists_section(live: LiveState, flow: Any, sorts_to_write: Any) -> CommentedMap | None:
    """``lists: {source: [...], ...}`` of every reference list the portal has, or None."""
    out = CommentedMap()
    for name in Lists.model_fields:
        directory: StatusesLive | None = live.lists.get(name)
        if directory is None or not directory.items:
            continue
        items = sorted(directory.items, key=lambda i: i.sort or 0)
        needed = sorts_to_write([(i.code, i.sort or 0) for i in items])
        out[name] = CommentedSeq(
            flow({"code": i.code, "name": i.name, **({"sort": i.sort} if i.code in needed else {})})
            for i in items
        )
    return out or None
