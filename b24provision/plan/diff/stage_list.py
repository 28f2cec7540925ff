"""One comparer over "a list of stages": the blueprint's list against the portal's, item by item.

Deal and smart-process pipeline stages (plan/diff/stages.py), the lead's statuses and the reference
lists (plan/diff/statuses.py) are all such a list, matched by code: an item the portal lacks is
created; one whose semantics differ is replaced (crm.status.update ignores SEMANTICS, reference §6);
one whose name, sort or colour differs is updated; the rest are unchanged. Sorts without ``sort:``
follow the list's order (plan/sorts.py). What each list does with the portal's items it does not
name differs (a pipeline's are deleted, a directory's are unmanaged unless removed) and stays with
its caller, as do the ops' classes (``StageListOps``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from b24provision.plan.ops import AnyOp, Change, ObjectRef
from b24provision.plan.sorts import effective_sorts


class StageLike(Protocol):
    """What the comparer reads of a stage, a lead status or a list item."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def semantics(self) -> str: ...

    @property
    def color(self) -> str | None: ...

    @property
    def sort(self) -> int | None: ...


W = TypeVar("W", bound=StageLike)

Changed = Callable[[W, int, tuple[Change, ...], str], AnyOp]
"""An op for a wanted item, its sort, what changes and its blueprint location."""


@dataclass(frozen=True)
class StageListOps(Generic[W]):
    """How one kind of list words its ops: a created, replaced or updated item, an unchanged one."""

    create: Callable[[W, int, str], AnyOp]
    replace: Changed[W]
    update: Changed[W]
    unchanged: Callable[[W], ObjectRef]


@dataclass
class StageListDiff:
    """The ops for the listed items, in the list's order, and the items that stay as they are."""

    ops: list[AnyOp] = field(default_factory=list)
    unchanged: list[ObjectRef] = field(default_factory=list)


def compare_stage_list(
    want: Sequence[W],
    have: Mapping[str, StageLike],
    have_sorts: Mapping[str, int],
    source: Callable[[int], str],
    words: StageListOps[W],
    *,
    semantics: bool = True,
) -> StageListDiff:
    """``want`` against ``have`` (by code, with their sorts); ``source(j)`` locates the j-th item.

    ``semantics`` False: the list has none (a reference list), a difference there is no change."""
    out = StageListDiff()
    sorts = effective_sorts([(s.code, s.sort) for s in want], have_sorts)
    for j, stage in enumerate(want):
        where, sort = source(j), sorts[stage.code]
        old = have.get(stage.code)
        if old is None:
            out.ops.append(words.create(stage, sort, where))
            continue
        changes = _changes(stage, sort, old, have_sorts[old.code])
        if semantics and stage.semantics != old.semantics:
            out.ops.append(
                words.replace(stage, sort, (("semantics", old.semantics, stage.semantics), *changes), where)
            )
        elif changes:
            out.ops.append(words.update(stage, sort, changes, where))
        else:
            out.unchanged.append(words.unchanged(stage))
    return out


def _changes(want: StageLike, want_sort: int, have: StageLike, have_sort: int) -> tuple[Change, ...]:
    changes: list[Change] = []
    if want.name != have.name:
        changes.append(("name", have.name, want.name))
    if want_sort != have_sort:
        changes.append(("sort", have_sort, want_sort))
    # Colours are compared without case: the portal may store #39a8ef for #39A8EF.
    if want.color is not None and (have.color or "").upper() != want.color.upper():
        changes.append(("color", have.color, want.color))
    return tuple(changes)
