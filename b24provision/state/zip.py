"""The configuration-export source of live state: a portal's robots, read from the archive an
administrator exports in the UI (``plan --robots-from``, reference §8.8).

The archive is read and checked at once, before the portal is contacted, so a bad one stops the
command before any request; what it says changes a plan's robot steps (``plan/robots_export.py``).
The parsing is ``robots/export_reader.py`` (untrusted input, bounded by ``robots/archive.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from b24provision.blueprint.model import Blueprint
from b24provision.plan.ops import Plan

if TYPE_CHECKING:
    from b24provision.robots.export_reader import ExportRobots


@dataclass(frozen=True)
class ExportSource:
    """The robots of the export at ``path`` (a StateSource), keyed by the ``blueprint``'s deal
    pipelines, lead statuses and smart processes."""

    path: Path
    blueprint: Blueprint | None = None

    @property
    def provenance(self) -> str:
        return self.path.name

    def read(self) -> ExportRobots:
        from b24provision.robots.export_reader import read_export  # noqa: PLC0415

        return read_export(self.path, self.blueprint)


def robots_from_export(blueprint: Blueprint, robots_from: Path | None) -> Callable[[Plan], Plan]:
    """What the configuration export at ``robots_from`` says of the blueprint's robots, as a change
    to a plan's robot steps (none without an export). The archive is read at once, before the portal
    is contacted: a bad one stops the command before any request."""
    if robots_from is None:
        return lambda plan: plan
    from b24provision.plan.robots_export import with_export_robots  # noqa: PLC0415
    from b24provision.robots.check import check_robots  # noqa: PLC0415 - deepdiff loads only here

    check = check_robots(blueprint, ExportSource(robots_from, blueprint).read())
    return lambda plan: with_export_robots(plan, check)


__all__ = ["ExportSource", "robots_from_export"]
