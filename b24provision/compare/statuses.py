"""Lead statuses and reference lists in ``diff``: compared item by item, by code, like the plan does.

A portal states every directory it has; a blueprint only those it names (``entities.lead.statuses``,
``lists.<name>``), and what it leaves unsaid is no difference. So a directory is compared when both
sides state it. A's items become the live side of the plan's diff, B's the desired side; A's items
that B lacks become ``removed:`` entries of B (shown as deletes, never hidden as unmanaged). Where
A is a blueprint and says nothing of an item's colour or sort, B's is not compared either (the
order is, as in a plan).
"""

from __future__ import annotations

from dataclasses import replace

from b24provision.blueprint.model import Blueprint, ListItem, Stage
from b24provision.compare.sides import Side
from b24provision.entities.lists import LEAD_STATUS, REFERENCE_LISTS
from b24provision.state.entity_live import EntityLive, StatusesLive
from b24provision.state.live import LiveState


def _stated(side: Side) -> tuple[list[Stage] | None, dict[str, list[ListItem]]]:
    """The lead statuses (None: not stated) and the reference lists a side states."""
    if side.live is None:
        named = side.blueprint.lists.named()
        return side.blueprint.entities.lead.statuses or None, {k: list(v) for k, v in named.items()}
    lead = side.live.entities.get("lead")
    statuses = list(lead.statuses.stages) if lead is not None and lead.statuses is not None else None
    return statuses or None, {k: list(d.items) for k, d in side.live.lists.items() if d.items}


def with_directories(a: Side, b: Side, desired: Blueprint, live: LiveState) -> tuple[Blueprint, LiveState]:
    """``desired`` (B) and ``live`` (A) with the directories both sides state, ready for the diff."""
    a_statuses, a_lists = _stated(a)
    b_statuses, b_lists = _stated(b)
    from_blueprint = a.live is None
    entities, lists = dict(live.entities), dict(live.lists)
    removed: dict[str, object] = {}
    update: dict[str, object] = {}
    if a_statuses is not None and b_statuses is not None:
        a_by_code = {s.code: s for s in a_statuses}
        want = [_unsaid(s, a_by_code.get(s.code)) if from_blueprint else s for s in b_statuses]
        update["entities"] = desired.entities.model_copy(
            update={"lead": desired.entities.lead.model_copy(update={"statuses": want})}
        )
        gone = [s.code for s in a_statuses if s.code not in {w.code for w in want}]
        removed["lead"] = desired.removed.lead.model_copy(update={"statuses": gone})
        if from_blueprint:
            entities["lead"] = EntityLive(statuses=_live_statuses(a_statuses))
    elif "lead" in entities:
        entities["lead"] = replace(entities["lead"], statuses=None)  # its fields stay compared
    wanted_lists: dict[str, list[ListItem]] = {}
    removed_lists: dict[str, list[str]] = {}
    for name in sorted(set(a_lists) & set(b_lists)):
        a_items = {i.code: i for i in a_lists[name]}
        items = [
            i.model_copy(update={"sort": None})
            if from_blueprint and a_items.get(i.code, i).sort is None
            else i
            for i in b_lists[name]
        ]
        wanted_lists[name] = items
        gone = [code for code in a_items if code not in {i.code for i in items}]
        if gone:
            removed_lists[name] = gone
        if from_blueprint:
            lists[name] = _live_items(REFERENCE_LISTS[name], a_lists[name])  # type: ignore[index]
    lists = {k: v for k, v in lists.items() if k in wanted_lists}
    update["lists"] = desired.lists.model_copy(update=wanted_lists)
    removed["lists"] = removed_lists
    update["removed"] = desired.removed.model_copy(update=removed)
    return desired.model_copy(update=update), replace(live, entities=entities, lists=lists)


def _unsaid(want: Stage, have: Stage | None) -> Stage:
    """B's status without what blueprint A leaves unsaid (its colour, its sort)."""
    if have is None:
        return want
    return want.model_copy(
        update={
            "color": want.color if have.color is not None else None,
            "sort": want.sort if have.sort is not None else None,
        }
    )


def _positions(sorts: list[int | None]) -> list[int]:
    return [s if s is not None else (i + 1) * 10 for i, s in enumerate(sorts)]


def _live_statuses(stages: list[Stage]) -> StatusesLive:
    sorts = _positions([s.sort for s in stages])
    placed = tuple(s.model_copy(update={"sort": n, "robots": []}) for s, n in zip(stages, sorts, strict=True))
    return StatusesLive(entity_id=LEAD_STATUS, stages=placed, ids={s.code: 0 for s in stages})


def _live_items(entity_id: str, items: list[ListItem]) -> StatusesLive:
    sorts = _positions([i.sort for i in items])
    placed = tuple(i.model_copy(update={"sort": n}) for i, n in zip(items, sorts, strict=True))
    return StatusesLive(entity_id=entity_id, items=placed, ids={i.code: 0 for i in items})
