"""Rules for ``smart_processes:``: unique keys and titles, and every rule of the deal's pipelines
and fields applied to each smart process's own (they speak the same language)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from b24provision.blueprint.check_common import finding, where_line
from b24provision.blueprint.check_robots import ROBOT_FIELD_CODES
from b24provision.blueprint.model import Blueprint
from b24provision.blueprint.smart_section import section_blueprint
from b24provision.errors import Problem
from b24provision.robots.kinds import kind_of

RELATABLE = frozenset({"deal", "lead", "contact", "company"})
"""Built-in entities a smart process can be linked to (entities/types.py's table)."""

DEAL_ONLY = frozenset({"check/success-stage-code"})
"""Findings of the deal's rules that are about deal facts, not the pipeline language."""


def check_smart_processes(bp: Blueprint, check: Callable[[Blueprint], list[Problem]]) -> Iterator[Problem]:
    """Duplicate keys or titles; ``check`` (the blueprint check) run on each smart process's view."""
    keys: dict[str, int] = {}
    titles: dict[str, int] = {}
    for i, sp in enumerate(bp.smart_processes):
        if sp.key in keys:
            yield finding(
                bp,
                ("smart_processes", i, "key"),
                f"smart_processes[{i}]: key '{sp.key}' is used twice (first at "
                f"{where_line(bp, ('smart_processes', keys[sp.key]))}) — keys must be unique; rename one",
                "check/duplicate",
            )
        keys.setdefault(sp.key, i)
        for title in (sp.title, *sp.previous_titles):
            norm = " ".join(title.split()).casefold()
            if norm in titles and titles[norm] != i:
                yield finding(
                    bp,
                    ("smart_processes", i, "title"),
                    f"smart_processes[{i}]: title '{title}' is also smart process "
                    f"'{bp.smart_processes[titles[norm]].key}''s — a type is matched by its title, so "
                    "titles (and previous_titles) must differ",
                    "check/duplicate",
                )
            titles.setdefault(norm, i)
        known = {sp.key for sp in bp.smart_processes} | RELATABLE
        for attr, names in (("parents", sp.parents or []), ("children", sp.children or [])):
            for j, name in enumerate(names):
                if name not in known:
                    yield finding(
                        bp,
                        ("smart_processes", i, attr, j),
                        f"smart process '{sp.key}': {attr} names '{name}', which is neither "
                        f"{', '.join(sorted(RELATABLE))} nor a smart process key of this blueprint",
                        "check/unknown-relation",
                    )
        for j, pipeline in enumerate(sp.pipelines):
            for k, stage in enumerate(pipeline.stages):
                for r, robot in enumerate(stage.robots):
                    kind = kind_of(robot)
                    if "smart" not in kind.entities:  # robots/kinds.py: each activity's entities
                        yield finding(
                            bp,
                            ("smart_processes", i, "pipelines", j, "stages", k, "robots", r, "type"),
                            f"robot {sp.key}:{pipeline.key}/{stage.code}#{r + 1}: '{robot.type}' "
                            f"({kind.activity}) exists for {', '.join(kind.entities)} only, not on a "
                            "smart process's stages — use another robot type",
                            "check/robot-entity",
                        )
        # The deal's WON is a deal fact: a smart process's success stage is SUCCESS (its defaults).
        # The view's robots name their fields with the deal's naming: check_robots checks them
        # against the smart process's own (ROBOT_FIELD_CODES), so the view's say nothing of them.
        skip = DEAL_ONLY | ROBOT_FIELD_CODES
        yield from (p for p in check(section_blueprint(bp, i)) if p.code not in skip)


__all__ = ["check_smart_processes"]
