"""Each object named at most once under ``removed:``.

Every name under ``removed:`` becomes one delete op, so an object named twice (twice in one list,
in two files of one blueprint, or once in ``removed.lead_statuses`` and once in
``removed.lead.statuses``, which the model folds into one list) would be deleted twice: the second
delete fails on the portal part-way through apply. It is an error at the second place it is written,
naming the first.

Names are compared as written: the plan matches them so (a pipeline or a smart process by its exact
name on the portal), so two spellings of a name are two objects there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from b24provision.blueprint.check_common import Loc, finding
from b24provision.blueprint.model import Blueprint
from b24provision.blueprint.removed_model import DEPRECATED_LEAD_STATUSES, LEAD_STATUSES
from b24provision.errors import Problem


def check_removed_twice(bp: Blueprint) -> Iterator[Problem]:
    """An error for every name that ``removed:`` already holds in the same list."""
    r = bp.removed
    named: list[tuple[Loc, Sequence[str], str]] = [
        (("removed", "pipelines"), r.pipelines, "pipeline"),
        (("removed", "fields"), r.fields, "field"),
        (LEAD_STATUSES, r.lead.statuses, "lead status"),
        (("removed", "app_robots"), r.app_robots, "application robot"),
        (("removed", "triggers"), r.triggers, "trigger"),
        (("removed", "smart_processes"), r.smart_processes, "smart process"),
    ]
    named += [(("removed", key, "fields"), s.fields, f"{key} field") for key, s in r.others().items()]
    named += [(("removed", "lists", name), codes, f"{name} item") for name, codes in r.lists.items()]
    for where, names, what in named:
        yield from _twice(bp, where, names, what)


def _twice(bp: Blueprint, where: Loc, names: Sequence[str], what: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i in _written_order(bp, where, len(names)):
        name = names[i]
        if name not in seen:
            seen[name] = i
            continue
        yield finding(
            bp, (*where, i), f"removed: {what} '{name}' is named twice (first at "
            f"{_first_at(bp, (*where, seen[name]), (*where, i))}) — it can be deleted only once; "
            "remove one of the two", "check/removed-twice",
        )  # fmt: skip


def _written_order(bp: Blueprint, where: Loc, count: int) -> list[int]:
    """The indexes of a list in the order its entries are written: by file (in the order the list
    first meets them), then line and column. Only the lead's statuses need it: the codes of the
    deprecated ``removed.lead_statuses`` come after ``removed.lead.statuses`` in the model, though
    they are often written above it."""
    places = [bp.locate(*where, i) for i in range(count)]
    files: dict[str, int] = {}
    for place in places:
        if place is not None:
            files.setdefault(place.path, len(files))

    def key(i: int) -> tuple[int, int, int, int]:
        place = places[i]
        return (-1, 0, 0, i) if place is None else (files[place.path], place.line, place.col, i)

    return sorted(range(count), key=key)


def _first_at(bp: Blueprint, first: Loc, second: Loc) -> str:
    """Where the first is, as seen from the second: its line in the same file, else file:line:col;
    and the spelling it is written in when that is the other of the lead's two."""
    here, there = bp.locate(*second), bp.locate(*first)
    if there is None or not there.line:
        return "above"
    place = f"line {there.line}" if here is not None and here.path == there.path else str(there)
    if first[: len(LEAD_STATUSES)] == LEAD_STATUSES and _deprecated(bp, first) != _deprecated(bp, second):
        spelling = ".".join(DEPRECATED_LEAD_STATUSES if _deprecated(bp, first) else LEAD_STATUSES)
        place += f", in {spelling}"
    return place


def _deprecated(bp: Blueprint, loc: Loc) -> bool:
    """Whether lead status ``loc`` (in ``removed.lead.statuses``) is written in removed.lead_statuses."""
    return loc in bp.removed.lead_status_paths()


__all__ = ["check_removed_twice"]
