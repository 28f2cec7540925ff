"""What a blueprint needs from a Bitrix24 plan: REST, robots, business processes, counts.

``needs(blueprint)`` is pure: it reads the blueprint only, never a portal or the tariff table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from b24provision.blueprint.model import Blueprint


@dataclass(frozen=True)
class Needs:
    """What a blueprint asks of the portal's plan."""

    rest: bool
    """Anything to provision at all: the tool works over REST."""
    robots: bool
    robot_kinds: tuple[str, ...] = ()
    robot_count: int = 0
    business_processes: bool = False
    """The Workflow designer. No construct of the blueprint model needs it: every robot type is a
    plain automation rule, available wherever robots are. See ``notes`` for designs that do."""
    business_process_reasons: tuple[str, ...] = ()
    app_robots_triggers: bool = False
    pipelines: int = 0
    custom_fields: int = 0
    lead_robots: int = 0
    """Robots on lead statuses: automation on leads, a feature of its own (``lead_robots``)."""
    smart_process_robots: int = 0
    """Robots on smart-process stages: automation on smart processes (``smart_process_robots``)."""
    smart_processes: int = 0
    """Smart processes the blueprint sets up: the plan feature ``smart_processes`` when any."""
    smart_process_count: int = 0
    """Smart processes the portal will hold after creating the new ones (``max_smart_processes``);
    0 when none is created: the limit only refuses a new one."""
    notes: tuple[str, ...] = field(default=())
    """Advice that is not a requirement, e.g. what a two-way child-deal link would need."""


def needs(blueprint: Blueprint) -> Needs:
    """What ``blueprint`` needs: REST, robots (which kinds), app robots/triggers, pipelines, fields."""
    robots = [r for p in blueprint.pipelines for s in p.stages for r in s.robots]
    notes: list[str] = []
    if any(getattr(r, "store_id_in", None) for r in robots):
        # Seed 000: links kept by robots go one way; a link back from the child deal, or history
        # gathered into the main deal, needs workflows of the higher plans.
        notes.append(
            "Robots write the new deal's or task's ID into a field of this deal only. A link back from "
            "the child deal, or keeping the main deal up to date from it, needs business processes "
            "(Workflow designer): «Команда», «Компания», on-premise, or Standard and up (seed 000)."
        )
    if blueprint.app_robots or blueprint.triggers:
        notes.append(
            "Application robot types and triggers are registered by an OAuth application, not a webhook; "
            "binding a trigger to a stage is done by hand in the Automation rules UI."
        )
    anything = bool(
        blueprint.pipelines
        or blueprint.fields
        or blueprint.app_robots
        or blueprint.triggers
        or blueprint.entities.others()
        or blueprint.lists.named()
    )
    return Needs(
        rest=anything,
        robots=bool(robots),
        robot_kinds=tuple(sorted({r.type for r in robots})),
        robot_count=len(robots),
        app_robots_triggers=bool(blueprint.app_robots or blueprint.triggers),
        pipelines=len(blueprint.pipelines),
        custom_fields=len(blueprint.fields),
        lead_robots=sum(len(s.robots) for s in blueprint.entities.lead.statuses),
        smart_process_robots=sum(
            len(s.robots) for sp in blueprint.smart_processes for p in sp.pipelines for s in p.stages
        ),
        smart_processes=len(blueprint.smart_processes),
        smart_process_count=len(blueprint.smart_processes),
        notes=tuple(notes),
    )
