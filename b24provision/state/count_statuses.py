"""What deleting a lead status or a list item would strand, counted on the portal.

Leads in a lead status: ``crm.lead.list`` with ``filter: {STATUS_ID: <code>}``. Records storing a
list item's code: one list per (entity, field) that stores it (``entities/lists.LIST_USERS``: the
deals' TYPE_ID for a deal type, SOURCE_ID of deals, leads and contacts for a source, ...), summed.
Each with ``select: ["ID"]``, read from ``total`` (the entity table's list method), sent in the
same batch as the deal counts (``state/counts.py``). The portal refuses to delete a status that
holds leads ("There are active items in this status.", docs/reference-entities.md), so such an op
is blocked by data; a list item in use is deleted anyway, and what stored it loses the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from b24provision.entities.lists import LEAD_STATUS_FILTER, LIST_USERS
from b24provision.entities.types import entity_type
from b24provision.portal.client import Command
from b24provision.state.entity_live import EntityLive, StatusesLive
from b24provision.state.live import DealCountQuery, LiveState

Wanted = tuple[str, str]
"""(directory, code): "lead" for a lead status, else the list's name."""


def _directory(live: LiveState, name: str) -> StatusesLive | None:
    if name != "lead":
        return live.lists.get(name)
    lead = live.entities.get("lead")
    return lead.statuses if lead is not None else None


def _users(name: str) -> tuple[tuple[str, str], ...]:
    """(entity, field) of what stores a code of the directory."""
    if name == "lead":
        return (("lead", LEAD_STATUS_FILTER),)
    return next((users for list_name, users in LIST_USERS.items() if list_name == name), ())


def to_count(live: LiveState, query: DealCountQuery) -> list[Wanted]:
    """The statuses and items of ``query`` the portal has and that were not counted before."""
    asked = [("lead", code) for code in query.lead_statuses] + list(query.list_items)
    found: list[Wanted] = []
    for name, code in sorted(set(asked)):
        directory = _directory(live, name)
        if directory is not None and code in directory.ids and code not in directory.counts:
            found.append((name, code))
    return found


def count_commands(wanted: Sequence[Wanted], first: int) -> list[Command]:
    """One count per (directory, code, storing field), keyed ``c<first>``, ``c<first+1>``, ..."""
    commands: list[Command] = []
    for name, code in wanted:
        for entity, field in _users(name):
            items = entity_type(entity)
            params = {**items.list_params, "filter": {field: code}, "select": ["ID"]}
            commands.append(Command(f"c{first + len(commands)}", items.list_method, params))
    return commands


def with_counts(live: LiveState, wanted: Sequence[Wanted], totals: Sequence[int]) -> LiveState:
    """``live`` with the counts of ``wanted`` (``totals`` in ``count_commands``' order, summed)."""
    rest = list(totals)
    for name, code in wanted:
        n = len(_users(name))
        total, rest = sum(rest[:n]), rest[n:]
        directory = _directory(live, name)
        if directory is None:
            continue
        counted = replace(directory, counts={**directory.counts, code: total})
        if name == "lead":
            lead = live.entities.get("lead", EntityLive())
            live = replace(live, entities={**live.entities, "lead": replace(lead, statuses=counted)})
        else:
            live = replace(live, lists={**live.lists, name: counted})
    return live
