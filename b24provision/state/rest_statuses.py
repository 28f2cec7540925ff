"""Lead statuses and reference lists from the portal read: no request of their own.

The read's first batch already asks ``crm.status.list`` without a filter, which returns every
directory at once, unpaged (reference §3.3): the deal stages, and beside them the lead statuses
(ENTITY_ID ``STATUS``) and every reference list (``SOURCE``, ``DEAL_TYPE``, ...;
``entities/lists.py``). This module sorts those rows into ``StatusesLive`` values, so a plan with
lead statuses and lists costs exactly the requests a deal-only plan does. What a plan fingerprints
of them is only what its blueprint names (``LiveState.fingerprint``'s scope).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from b24provision.blueprint.model import ListItem, Stage
from b24provision.entities.lists import LEAD_STATUS, list_of_entity
from b24provision.errors import PlanError
from b24provision.portal.mapping import stage_from_rest
from b24provision.state.entity_live import EntityLive, StatusesLive
from b24provision.state.live import LiveState


def with_directories(live: LiveState, rows: Iterable[Any]) -> LiveState:
    """``live`` with the lead's statuses and the portal's reference lists from ``rows`` (the read's
    crm.status.list answer)."""
    by_entity: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if isinstance(row, Mapping):
            by_entity.setdefault(str(row.get("ENTITY_ID", "")), []).append(row)
    lists: dict[str, StatusesLive] = {
        name: _directory(entity_id, found, items=True)
        for entity_id, found in by_entity.items()
        if (name := list_of_entity(entity_id)) is not None
    }
    entities = dict(live.entities)
    lead = entities.get("lead", EntityLive())
    entities["lead"] = replace(
        lead, statuses=_directory(LEAD_STATUS, by_entity.get(LEAD_STATUS, []), items=False)
    )
    return replace(live, entities=entities, lists={**live.lists, **lists})


def _ordered(rows: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(rows, key=lambda r: (int(r.get("SORT") or 0), int(r.get("ID") or 0)))


def _directory(entity_id: str, rows: list[Mapping[str, Any]], *, items: bool) -> StatusesLive:
    stages: list[Stage] = []
    found: list[ListItem] = []
    ids: dict[str, int] = {}
    system: set[str] = set()
    for row in _ordered(rows):
        try:
            if items:
                item = ListItem(
                    code=str(row["STATUS_ID"]),
                    name=str(row.get("NAME") or row["STATUS_ID"]),
                    sort=int(row.get("SORT") or 0),
                )
                code = item.code
                found.append(item)
            else:
                stage = stage_from_rest(row)
                code = stage.code
                stages.append(stage)
        except ValidationError:
            raise PlanError(
                f"{entity_id}: item {row.get('STATUS_ID')!r} ({row.get('NAME')!r}) has a code b24provision "
                "cannot manage (it uses A-Z, 0-9 and _) — rename it in the portal, then plan again"
            ) from None
        ids[code] = int(row["ID"])
        if str(row.get("SYSTEM")) == "Y":
            system.add(code)
    return StatusesLive(
        entity_id=entity_id, stages=tuple(stages), items=tuple(found), ids=ids, system=frozenset(system)
    )


__all__ = ["with_directories"]
