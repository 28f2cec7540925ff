"""What a plan's deletes destroy in smart processes, counted in the plan's count batch
(``state/counts.py``): the items in a stage or a pipeline, holding a value in a field, using an
enumeration item, and all the items of a type to be deleted.

Each is one ``crm.item.list`` with the type's CRM type id and a filter (``entities/item_counts.py``
says which), read from ``total``. The counts go into the type's own state
(``SmartProcessLive.state``: ``deal_counts``, ``pipeline_counts``, ``field_value_counts``,
``item_use_counts``, keyed as the deal's) and a type's item total into
``SmartProcessLive.item_count``; what was counted before is not asked again.

An enumeration item of a multiple field cannot be counted for sure (``entities/item_counts.py``):
it is not asked and is written down as UNCOUNTED, which the plan shows as "may use". A type whose
total the portal refused to give stays uncounted (None), which counts as holding items; any other
refusal is raised, as the deal's counts do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from b24provision.entities.item_counts import (
    count_params,
    enum_item_filter,
    pipeline_filter,
    stage_filter,
    value_filter,
)
from b24provision.portal.client import BatchReply, Command
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import DealCountQuery, LiveState
from b24provision.state.rest_fields import count_in
from b24provision.state.rest_smart import smart_descriptor

UNCOUNTED = -1
"""A count that could not be taken (the plan's ``op_base.UNCOUNTED``): counts as in use."""

What = Literal["type", "stage", "pipeline", "field", "item"]


@dataclass(frozen=True)
class SmartCount:
    """One count of a smart process's items; ``params`` None: not asked (UNCOUNTED)."""

    sp: str
    """The live key of the smart process."""
    what: What
    key: tuple[str, ...]
    """(pipeline key, stage code), (pipeline key,), (field code,), (field code, item key) or ()."""
    params: dict[str, Any] | None
    method: str
    """The type's item list (its descriptor's ``list_method``: crm.item.list)."""

    def command(self, key: str) -> Command:
        assert self.params is not None
        return Command(key, self.method, self.params)


def smart_counts(live: LiveState, query: DealCountQuery) -> list[SmartCount]:
    """The counts ``query`` asks of the smart processes, those counted before left out."""
    out: list[SmartCount] = []
    for sp_key in sorted(query.smart_types):
        sp = live.smart_processes.get(sp_key)
        if sp is not None and sp.item_count is None:
            e = smart_descriptor(sp)
            out.append(SmartCount(sp_key, "type", (), count_params(e), e.list_method))
    for sp_key, sub in query.smart:
        sp = live.smart_processes.get(sp_key)
        if sp is not None:
            out += _of_type(sp_key, sp, sub)
    return out


def _of_type(sp_key: str, sp: SmartProcessLive, sub: DealCountQuery) -> list[SmartCount]:
    e, state = smart_descriptor(sp), sp.state
    ids = state.pipeline_ids
    out = [
        SmartCount(sp_key, "stage", (p, code), count_params(e, stage_filter(e, ids[p], code)), e.list_method)
        for p, code in sorted(sub.stages)
        if p in ids and (p, code) not in state.deal_counts
    ]
    out += [
        SmartCount(sp_key, "pipeline", (p,), count_params(e, pipeline_filter(ids[p])), e.list_method)
        for p in sorted(sub.pipelines)
        if p in ids and p not in state.pipeline_counts
    ]
    out += [
        SmartCount(sp_key, "field", (code,), count_params(e, value_filter(e, code)), e.list_method)
        for code in sorted(sub.fields)
        if code not in state.field_value_counts
    ]
    multiple = {f.code for f in state.blueprint.fields if f.multiple}
    for code, item in sorted(sub.items):
        if (code, item) in state.item_use_counts or (code, item) not in state.enum_item_ids:
            continue
        flt = enum_item_filter(e, code, state.enum_item_ids[(code, item)])
        params = None if code in multiple else count_params(e, flt)  # a multiple field's: not asked
        out.append(SmartCount(sp_key, "item", (code, item), params, e.list_method))
    return out


def asked(counts: list[SmartCount]) -> list[SmartCount]:
    """The counts that are sent (in this order, keyed ``s0``, ``s1``, ...)."""
    return [c for c in counts if c.params is not None]


def with_smart_totals(live: LiveState, counts: list[SmartCount], reply: BatchReply) -> LiveState:
    """``live`` with the totals of ``counts`` (the asked ones sent as ``s<n>``) on each type."""
    if not counts:
        return live
    sent = {id(c): f"s{n}" for n, c in enumerate(asked(counts))}
    types: dict[str, SmartProcessLive] = dict(live.smart_processes)
    for count in counts:
        key = sent.get(id(count))
        value = UNCOUNTED if key is None else _total(reply, key, count.what == "type")
        sp = types[count.sp]
        types[count.sp] = _with(sp, count, value)
    return replace(live, smart_processes=types)


def _total(reply: BatchReply, key: str, may_fail: bool) -> int | None:
    if may_fail and key in reply.errors:
        return None  # a type that could not be counted counts as holding items
    return count_in(reply, key, "items")


def _with(sp: SmartProcessLive, count: SmartCount, value: int | None) -> SmartProcessLive:
    if count.what == "type":
        return replace(sp, item_count=value)
    assert value is not None
    s = sp.state
    match count.what:
        case "stage":
            stage = (count.key[0], count.key[1])
            s = replace(s, deal_counts={**s.deal_counts, stage: value})
        case "pipeline":
            s = replace(s, pipeline_counts={**s.pipeline_counts, count.key[0]: value})
        case "field":
            s = replace(s, field_value_counts={**s.field_value_counts, count.key[0]: value})
        case "item":
            item = (count.key[0], count.key[1])
            s = replace(s, item_use_counts={**s.item_use_counts, item: value})
    return replace(sp, state=s)


__all__ = ["UNCOUNTED", "SmartCount", "asked", "smart_counts", "with_smart_totals"]
