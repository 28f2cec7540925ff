"""What a plan's deletes would destroy, counted on the portal: deals in a stage or pipeline, deals
with a value in a field, deals using an enumeration item. One batch (more past 50), only when the plan
deletes something; what was counted before is not asked again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from b24provision.entities.types import DEAL
from b24provision.portal.client import BatchReply, Command, PortalClient
from b24provision.portal.mapping import stage_prefix
from b24provision.state import count_statuses as directories
from b24provision.state.counts_entities import other_entity_filters, with_entity_counts
from b24provision.state.counts_smart import asked, smart_counts, with_smart_totals
from b24provision.state.live import DealCountQuery, LiveState
from b24provision.state.rest_fields import count_in


def count_deals(client: PortalClient, live: LiveState, stages: Iterable[tuple[str, str]]) -> LiveState:
    """``live`` with the number of deals in each of ``stages`` ((pipeline key, stage code) pairs)."""
    return count_losses(client, live, DealCountQuery(stages=frozenset(stages)))


def count_losses(client: PortalClient, live: LiveState, query: DealCountQuery) -> LiveState:
    """``live`` with what the deletes in ``query`` would destroy, counted in one batch (more past 50).

    Each count is ``crm.deal.list`` with a filter and ``select: ["ID"]``, read from ``total``:
    ``STAGE_ID`` for the deals in a stage; ``!<FIELD_NAME>: ""`` for the deals holding a value in a
    field (the core's "is not empty", CAllSQLWhere in main/classes/general/sqlwhere.php: NULL is
    empty, and for integer, double, boolean, enumeration and file fields 0 is too, so a "No" or a 0
    is not counted); ``=<FIELD_NAME>: <item id>`` for the deals using an enumeration item (of a
    multiple field: among its values, CUserTypeSQL joins b_utm_*). What was counted before is not
    asked again. The core drops a filter on a field it does not know (CCrmRestProxyBase::
    internalizeFilterFields) and would count every deal, so only fields the read found are asked.

    Stages whose pipeline is not on the portal (any more) are not counted: a saved plan naming them
    was made against another state, and its fingerprint will say so. A smart process's counts ride
    in the same batch (``state/counts_smart.py``, keyed ``s<n>``).
    """
    stages = sorted(k for k in query.stages - set(live.deal_counts) if k[0] in live.pipeline_ids)
    fields = sorted(query.fields - set(live.field_value_counts))
    items = sorted(k for k in query.items - set(live.item_use_counts) if k in live.enum_item_ids)
    filters: list[dict[str, Any]] = [
        {"STAGE_ID": f"{stage_prefix(live.pipeline_ids[pipeline])}{code}"} for pipeline, code in stages
    ]
    filters += [{f"!{DEAL.field_name(code)}": ""} for code in fields]
    filters += [{f"={DEAL.field_name(code)}": live.enum_item_ids[(code, item)]} for code, item in items]
    statuses = directories.to_count(live, query)
    others = other_entity_filters(live, query)
    smart = smart_counts(live, query)
    if not filters and not statuses and not others and not asked(smart):
        return with_smart_totals(live, smart, BatchReply()) if smart else live
    commands = [
        Command(f"c{n}", DEAL.list_method, {**DEAL.list_params, "filter": f, "select": ["ID"]})
        for n, f in enumerate(filters)
    ]
    commands += directories.count_commands(statuses, len(commands))
    counted = len(commands)  # the deal's and the directories' counts: c0, c1, ...
    commands += [c.command(f"e{n}") for n, c in enumerate(others)]
    commands += [c.command(f"s{n}") for n, c in enumerate(asked(smart))]
    reply = client.batch_all(commands)
    totals: list[int] = []
    for n in range(counted):
        totals.append(count_in(reply, f"c{n}"))
    live = with_smart_totals(with_entity_counts(live, others, reply), smart, reply)
    deal_counts, value_counts, item_counts = (
        dict(live.deal_counts),
        dict(live.field_value_counts),
        dict(live.item_use_counts),
    )
    deal_counts.update(zip(stages, totals[: len(stages)], strict=True))
    value_counts.update(zip(fields, totals[len(stages) : len(stages) + len(fields)], strict=True))
    item_counts.update(zip(items, totals[len(stages) + len(fields) : len(filters)], strict=True))
    live = directories.with_counts(live, statuses, totals[len(filters) :])
    return replace(
        live, deal_counts=deal_counts, field_value_counts=value_counts, item_use_counts=item_counts
    )


__all__ = ["count_deals", "count_losses"]
