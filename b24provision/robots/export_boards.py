"""The lead's statuses and the smart processes' pipelines in a configuration export (reference §8.8).

Besides the deal's stage directories the export's ``CRM_STATUS`` step writes every directory
``CCrmStatus::GetEntityTypes()`` lists (crm's ``Configuration\\Entity\\Status::export``):

- ``CRM_STATUS/STATUS.json``: the lead's statuses, plain STATUS_IDs (``NEW``), head
  ``{ID: "STATUS", NAME, ENTITY_TYPE_ID: 1}``; robots on a status have DOCUMENT_TYPE ``LEAD`` and the
  status id as it is as DOCUMENT_STATUS;
- ``CRM_STATUS/DYNAMIC_<t>_STAGE_<c>.json``: one smart-process pipeline, STATUS_IDs ``DT<t>_<c>:CODE``,
  head ``{ID, NAME, PREFIX: "DT<t>_<c>", ENTITY_TYPE_ID: <t>, CATEGORY_ID: <c>, ...}``
  (``CCrmStatus::getDynamicEntities``); robots have DOCUMENT_TYPE ``DYNAMIC_<t>``.

The export holds no smart-process types of their own (the vertical_crm export's crm steps are
statuses, fields, detail forms, settings, web forms): the type's title and the pipeline's name are
only in the head's NAME, the message CRM_STATUS_TYPE_STATUS_WITH_CATEGORY with ``#NAME#`` and
``#CATEGORY#``, whose wording is UNVERIFIED. So a type is matched to the blueprint's smart process
whose title (or a previous one) the NAMEs of all its pipelines hold — the longest such title — and
each pipeline to the pipeline whose name the rest of its NAME holds, as plan matches types by title
and pipelines by name. A pipeline no name matches takes the type's default pipeline when that is
still free and it is the type's first category (the core makes the default one with the type:
UNVERIFIED). Everything else is left aside with the reason, in ``ignored``. Pure; the archive is
bounded by ``archive.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from b24provision.blueprint.model import Blueprint, SmartProcess
from b24provision.entities.stages import LeadStatuses, dynamic_directory
from b24provision.entities.types import LEAD, is_smart_process_id, smart_process
from b24provision.keys import make_key
from b24provision.robots.boards import LEAD_BOARD_NAME

_LEAD = LeadStatuses()


@dataclass(frozen=True)
class Directory:
    """One ``CRM_STATUS/<ENTITY_ID>.json``: its head's NAME and its rows in board order."""

    entity_id: str
    name: str
    rows: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class BoardRead:
    """A board of the export: what the reader keys its robot templates by."""

    entity: str
    key: str
    name: str
    category_id: int
    default: bool
    document_type: str
    prefix: str
    stages: tuple[tuple[str, str], ...]


def directories(documents: Mapping[str, Any]) -> dict[str, Directory]:
    """Every stage directory of the export by its ENTITY_ID (rows sorted by SORT, then ID)."""
    out: dict[str, Directory] = {}
    for name, doc in documents.items():
        found = re.fullmatch(r"CRM_STATUS/([A-Z0-9_]+)\.json", name)
        if found is None or not isinstance(doc, Mapping):
            continue
        raw_entity, raw_items = doc.get("ENTITY"), doc.get("ITEMS")
        head: Mapping[str, Any] = raw_entity if isinstance(raw_entity, Mapping) else {}
        items = raw_items if isinstance(raw_items, list) else []
        rows = sorted(
            (i for i in items if isinstance(i, Mapping)),
            key=lambda r: (_int(r.get("SORT")), _int(r.get("ID"))),
        )
        out[found.group(1)] = Directory(found.group(1), str(head.get("NAME") or ""), tuple(rows))
    return out


def stages_of(directory: Directory, prefix: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of each row: STATUS_ID without ``prefix``."""
    return tuple(
        (str(r.get("STATUS_ID", "")).removeprefix(prefix), str(r.get("NAME") or "")) for r in directory.rows
    )


def lead_board(dirs: Mapping[str, Directory], blueprint: Blueprint | None) -> tuple[BoardRead | None, str]:
    """The lead's statuses as a board, or None and why they are left aside."""
    directory = dirs.get(_LEAD.entity_id())
    if directory is None:
        return None, "the export holds no lead statuses (CRM_STATUS/STATUS.json)"
    if blueprint is None or not blueprint.entities.lead.statuses:
        return None, "the blueprint has no lead statuses"
    board = BoardRead(
        entity="lead",
        key="",
        name=LEAD_BOARD_NAME,
        category_id=0,
        default=True,
        document_type=LEAD.document_type[2],
        prefix="",
        stages=stages_of(directory, ""),
    )
    return board, ""


def smart_boards(
    dirs: Mapping[str, Directory], blueprint: Blueprint | None
) -> tuple[list[BoardRead], dict[str, str]]:
    """The smart processes' pipelines matched to the blueprint's, and for each document type left
    aside (``DYNAMIC_<t>``) why."""
    by_type: dict[int, list[tuple[int, Directory]]] = {}
    for entity_id, directory in dirs.items():
        found = dynamic_directory(entity_id)
        if found is not None and is_smart_process_id(found[0]):  # an archive may name any number
            by_type.setdefault(found[0], []).append((found[1], directory))
    boards: list[BoardRead] = []
    aside: dict[str, str] = {}
    wanted = blueprint.smart_processes if blueprint is not None else []
    claimed: set[str] = set()
    for type_id in sorted(by_type):
        categories = sorted(by_type[type_id], key=lambda c: c[0])
        document_type = smart_process(type_id).document_type[2]
        sp, why = _matching_type([d.name for _, d in categories], wanted, claimed)
        if sp is None:
            aside[document_type] = why
            continue
        claimed.add(sp.key)
        boards += _pipelines_of(sp, type_id, categories, document_type)
    return boards, aside


def _matching_type(
    names: list[str], wanted: list[SmartProcess], claimed: set[str]
) -> tuple[SmartProcess | None, str]:
    shown = names[0] if names else "?"
    hits: dict[str, tuple[int, SmartProcess]] = {}
    for sp in wanted:
        for title in (sp.title, *sp.previous_titles):
            # Every pipeline's NAME holds the type's title: a title found in one only is a pipeline's name.
            if all(title in name for name in names):
                hits[sp.key] = max(hits.get(sp.key, (0, sp)), (len(title), sp), key=lambda h: h[0])
    if not hits:
        return None, f"its type ({shown!r}) is none of the blueprint's smart processes"
    best = max(length for length, _ in hits.values())
    top = [sp for length, sp in hits.values() if length == best]
    if len(top) > 1:
        keys = ", ".join(sp.key for sp in top)
        return None, f"its type ({shown!r}) could be any of the smart processes {keys}"
    if top[0].key in claimed:
        return None, f"its type ({shown!r}) is a second one titled as smart process {top[0].key}"
    return top[0], ""


def _pipelines_of(
    sp: SmartProcess, type_id: int, categories: list[tuple[int, Directory]], document_type: str
) -> list[BoardRead]:
    titles = sorted((sp.title, *sp.previous_titles), key=len, reverse=True)
    keys: dict[int, str] = {}
    for category, directory in categories:
        title = next((t for t in titles if t in directory.name), "")
        rest = directory.name.replace(title, "", 1) if title else directory.name
        named = [
            (len(n), p.key)
            for p in sp.pipelines
            for n in (p.name, *p.previous_names)
            if n in rest and p.key not in keys.values()
        ]
        if named:
            keys[category] = max(named)[1]
    default = next((p.key for p in sp.pipelines if p.default), None)
    first = categories[0][0] if categories else None
    if default is not None and default not in keys.values() and first is not None and first not in keys:
        keys[first] = default  # the type's first category is its default one (UNVERIFIED)
    stages = smart_process(type_id).stages
    assert stages is not None
    out: list[BoardRead] = []
    for category, directory in categories:
        key = keys.get(category) or make_key(f"pipeline {category}", taken=[p.key for p in sp.pipelines])
        pipeline = next((p for p in sp.pipelines if p.key == key), None)
        prefix = stages.status_prefix(category)
        out.append(
            BoardRead(
                entity=sp.key,
                key=key,
                name=f"{sp.title} / {pipeline.name if pipeline is not None else directory.name}",
                category_id=category,
                default=pipeline is not None and pipeline.default,
                document_type=document_type,
                prefix=prefix,
                stages=stages_of(directory, prefix),
            )
        )
    return out


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
