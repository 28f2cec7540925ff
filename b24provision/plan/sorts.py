"""The sort a blueprint asks for, when it says only the order.

A stage (or an enumeration item) without ``sort:`` means "in this position", not "sort 10 times
the position": a blueprint that lists the stages in the portal's order asks for no change, whatever
numbers the portal uses (the UI leaves gaps: 10, 25, 30, ...). So a stage without ``sort:`` keeps
its live sort when that keeps the order; only a stage that is new or out of order gets a new
number: 10 times its position if that fits between its neighbours, else one that fits where there
is room, so one moved stage is one update, not a renumbering of all that follow. An explicit
``sort:`` always wins. Without a live object (a new pipeline) this is 10, 20, 30, ...

``export`` uses the same function to leave ``sort:`` out wherever the order already says it.
Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["STEP", "effective_sorts"]

STEP = 10


def effective_sorts(order: Sequence[tuple[str, int | None]], live: Mapping[str, int]) -> dict[str, int]:
    """The sort of each key of ``order`` (key, explicit sort or None), given the ``live`` sorts."""
    result: dict[str, int] = {}
    previous = 0
    for i, (key, explicit) in enumerate(order):
        if explicit is not None:
            sort = explicit
        elif key in live and live[key] > previous:
            sort = live[key]
        else:
            sort = _between(previous, _next_bound(order[i + 1 :], live, previous), (i + 1) * STEP)
        result[key] = sort
        previous = sort
    return result


def _next_bound(rest: Sequence[tuple[str, int | None]], live: Mapping[str, int], previous: int) -> int | None:
    """The sort the next object will keep (its explicit or live one), if above ``previous``."""
    if not rest:
        return None
    key, explicit = rest[0]
    bound = explicit if explicit is not None else live.get(key)
    return bound if bound is not None and bound > previous else None


def _between(low: int, high: int | None, position: int) -> int:
    """A sort above ``low`` and below ``high``: 10 times the position if it fits (as without a live
    object), else ``low`` + 10, else halfway."""
    if low < position and (high is None or position < high):
        return position
    if high is None or low + STEP < high:
        return low + STEP
    if high - low > 1:
        return (low + high) // 2
    return low + STEP  # no room: the next one moves up too
