"""The boards robots sit on, in every entity type a blueprint has: one list of stages each.

A deal pipeline is a board, the lead's statuses are one (no pipeline: its key is ""), and each
pipeline of a smart process is one. ``robots check``, the configuration export's reader and the
exported blueprint walk robots board by board, so deal, lead and smart-process robots are read,
compared and named alike. How a board's stage is named in messages: ``sales/NEW`` for a deal
pipeline (as before there were other boards), ``lead:NEW``, ``measurement:main/NEW``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from b24provision.blueprint.model import Blueprint, Stage
from b24provision.robots.lead_board import LEADS

DEAL = "deal"
LEAD = "lead"
LEAD_BOARD_NAME = LEADS["en"]
"""The lead's board in messages, as the portal's UI names it (robots/lead_board.py)."""


@dataclass(frozen=True)
class Board:
    entity: str
    """"deal", "lead" or the smart process's key."""
    key: str
    """The pipeline's key ("" for the lead's statuses)."""
    name: str
    """As messages show it: the pipeline's name, "Leads", "<smart process> / <pipeline>"."""
    stages: Sequence[Stage]


def stage_where(entity: str, pipeline_key: str, code: str) -> str:
    """``sales/NEW`` (a deal's), ``lead:NEW``, ``measurement:main/NEW``: a board's stage in messages."""
    if entity == DEAL:
        return f"{pipeline_key}/{code}"
    if not pipeline_key:
        return f"{entity}:{code}"
    return f"{entity}:{pipeline_key}/{code}"


def blueprint_boards(blueprint: Blueprint) -> list[Board]:
    """Every board of ``blueprint``: deal pipelines, then the lead's statuses (when it has any), then
    each smart process's pipelines."""
    boards = [Board(DEAL, p.key, p.name, p.stages) for p in blueprint.pipelines]
    if blueprint.entities.lead.statuses:
        boards.append(Board(LEAD, "", LEAD_BOARD_NAME, blueprint.entities.lead.statuses))
    for sp in blueprint.smart_processes:
        boards += [Board(sp.key, p.key, f"{sp.title} / {p.name}", p.stages) for p in sp.pipelines]
    return boards
