"""Leads in a lead status: what deleting (or replacing) the status would strand, counted on the portal.

One ``crm.lead.list`` per status with ``filter: {STATUS_ID: <code>}`` and ``select: ["ID"]``,
read from ``total`` (the entity table's list method, ``entities/types.py``), sent in the same
batch as the deal counts (``state/counts.py``). The portal refuses to delete a status that holds
leads ("There are active items in this status.", docs/reference-entities.md), so such an op is
blocked by data. A list item is not counted: deleting it removes no item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from b24provision.entities.lists import LEAD_STATUS_FILTER
from b24provision.entities.types import entity_type
from b24provision.portal.client import Command
from b24provision.state.entity_live import EntityLive, StatusesLive
from b24provision.state.live import LiveState


def to_count(live: LiveState, codes: frozenset[str]) -> list[str]:
    """The lead statuses among ``codes`` the portal has and that were not counted before."""
    lead = live.entities.get("lead")
    have = lead.statuses if lead is not None else None
    if have is None:
        return []
    return sorted(c for c in codes if c in have.ids and c not in have.counts)


def count_commands(codes: Sequence[str], first: int) -> list[Command]:
    """The count of each status, keyed ``c<first>``, ``c<first+1>``, ..."""
    lead = entity_type("lead")
    return [
        Command(
            f"c{first + n}",
            lead.list_method,
            {**lead.list_params, "filter": {LEAD_STATUS_FILTER: code}, "select": ["ID"]},
        )
        for n, code in enumerate(codes)
    ]


def with_counts(live: LiveState, codes: Sequence[str], totals: Sequence[int]) -> LiveState:
    """``live`` with the leads in each of ``codes``."""
    if not codes:
        return live
    lead = live.entities.get("lead", EntityLive())
    have = lead.statuses or StatusesLive(entity_id="STATUS")
    counts = {**have.counts, **dict(zip(codes, totals, strict=True))}
    statuses = replace(have, counts=counts)
    return replace(live, entities={**live.entities, "lead": replace(lead, statuses=statuses)})
