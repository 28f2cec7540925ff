"""The lead's statuses seen as one board, so robots on them are drawn and written up as deal robots.

The lead has no pipelines: its statuses are one list (ENTITY_ID ``STATUS``). The graph and the
runbook walk pipelines of stages, so they get the lead's statuses as a pipeline-shaped view named
as the portal's UI names the board ("Leads"), under a key no deal pipeline of the blueprint uses.
Never sent to a portal, never part of a plan.
"""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint, Pipeline

LEADS = {"en": "Leads", "ru": "Лиды"}
"""What the portal's UI calls the lead's board."""


def lead_board(blueprint: Blueprint, lang: str = "en") -> Pipeline | None:
    """The lead's statuses as a board, or None when the blueprint declares none."""
    statuses = blueprint.entities.lead.statuses
    if not statuses:
        return None
    taken = blueprint.pipelines_by_key()
    key = next(k for k in ("lead", "lead_statuses", "lead_board_") if k not in taken)
    return Pipeline(key=key, name=LEADS.get(lang, LEADS["en"]), stages=list(statuses))


def smart_boards(blueprint: Blueprint) -> list[Pipeline]:
    """Each smart process's pipelines as boards of their own, named "<title>: <pipeline>" under keys
    no deal pipeline uses, so their robots are drawn as the deal's are."""
    taken = set(blueprint.pipelines_by_key()) | {"lead", "lead_statuses", "lead_board_"}
    boards: list[Pipeline] = []
    for sp in blueprint.smart_processes:
        for p in sp.pipelines:
            key = f"{sp.key}_{p.key}"
            while key in taken:
                key += "_"
            taken.add(key)
            boards.append(p.model_copy(update={"key": key, "name": f"{sp.title}: {p.name}"}))
    return boards


def lead_robot_count(blueprint: Blueprint) -> int:
    return sum(len(s.robots) for s in blueprint.entities.lead.statuses)
