"""A smart process of a blueprint seen as a blueprint of its own: its pipelines and fields at the
top level, located where the YAML put them.

The deal's language is the smart process's (pipelines of stages, fields), so the checks and the diff
that handle the deal's pipelines and fields run unchanged on this view of one smart process: a
finding or an op points at ``smart_processes[i].pipelines[...]`` in the file.
"""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint, Location, Removed, SmartProcess


def section_blueprint(bp: Blueprint, index: int) -> Blueprint:
    """Smart process ``index`` of ``bp`` as a Blueprint holding its pipelines and fields."""
    sp = bp.smart_processes[index]
    removed = Removed(pipelines=sp.removed.pipelines, fields=sp.removed.fields)
    view = Blueprint(pipelines=sp.pipelines, fields=sp.fields, removed=removed)
    return located(view, bp, ("smart_processes", index))


def located(view: Blueprint, bp: Blueprint, base: tuple[str | int, ...]) -> Blueprint:
    """``view`` with the locations of ``bp`` under ``base``, found by their paths below it."""
    where = bp.locate(*base)
    locations: dict[tuple[str | int, ...], Location] = {} if where is None else {(): where}
    for path in _paths(bp):
        if path[: len(base)] == base and len(path) > len(base):
            found = bp.locate(*path)
            if found is not None:
                locations[path[len(base) :]] = found
    return view.with_locations(locations)


def _paths(bp: Blueprint) -> list[tuple[str | int, ...]]:
    return list(bp._locations)  # the loader's own record; read-only here


def by_key(bp: Blueprint) -> dict[str, SmartProcess]:
    return {sp.key: sp for sp in bp.smart_processes}


__all__ = ["by_key", "located", "section_blueprint"]
