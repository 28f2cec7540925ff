"""A portal read over REST, with the robots of its configuration export put on its stages
(``export --robots-from``): deal pipelines, lead statuses and smart-process pipelines alike.

REST reads the stages; only the export holds their robots (reference §8.3, §8.8). The live state
keeps the lead's statuses under ``entities`` and each smart process's pipelines in its own state,
so the export is read against a blueprint made of all three (``read_export`` matches smart
processes by title, pipelines by name) and the robots go back where the renderer finds them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from b24provision.blueprint.model import Blueprint, SmartProcess
from b24provision.robots.export_reader import read_export, robots_into
from b24provision.state.live import LiveState


def live_with_robots(live: LiveState, path: Path) -> tuple[LiveState, str, list[str]]:
    """``live`` with the robots of the export at ``path`` on its stages, the export's label, and a
    line for each robot a blueprint cannot say exactly (left out).

    Raises:
        ExportArchiveError: the file is damaged, hostile or not a configuration export.
    """
    view = _blueprint_of(live)
    export = read_export(path, view)
    with_robots, left_out = robots_into(view, export)
    out = replace(live, blueprint=live.blueprint.model_copy(update={"pipelines": with_robots.pipelines}))
    lead = live.entities.get("lead")
    if lead is not None and lead.statuses is not None and with_robots.entities.lead.statuses:
        statuses = replace(lead.statuses, stages=tuple(with_robots.entities.lead.statuses))
        out = replace(out, entities={**live.entities, "lead": replace(lead, statuses=statuses)})
    smart = {sp.key: sp for sp in with_robots.smart_processes}
    if smart:
        out = replace(
            out,
            smart_processes={
                key: replace(
                    sp,
                    state=replace(
                        sp.state,
                        blueprint=sp.state.blueprint.model_copy(update={"pipelines": smart[key].pipelines}),
                    ),
                )
                for key, sp in live.smart_processes.items()
            },
        )
    return out, export.label(), left_out


def _blueprint_of(live: LiveState) -> Blueprint:
    """The deal's pipelines, the lead's statuses and the smart processes of ``live`` as one blueprint."""
    lead = live.entities.get("lead")
    statuses = list(lead.statuses.stages) if lead is not None and lead.statuses is not None else []
    entities = live.blueprint.entities
    if statuses:
        entities = entities.model_copy(
            update={"lead": entities.lead.model_copy(update={"statuses": statuses})}
        )
    smart = [
        SmartProcess(key=key, title=sp.title, pipelines=list(sp.state.blueprint.pipelines))
        for key, sp in live.smart_processes.items()
    ]
    return live.blueprint.model_copy(update={"entities": entities, "smart_processes": smart})
