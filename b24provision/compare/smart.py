"""Smart processes in a comparison: each side's types in the shape the diff takes.

B (the desired side) gives blueprint SmartProcess values (a portal's as an export would write them,
every switch said, so a switch that differs is a difference); A (the live side) gives
SmartProcessLive values (a blueprint's with its pipelines and fields as a state of their own).
Types pair by title, as a plan pairs them; a type only in A is a difference ``-`` (a plan would
call it unmanaged).
"""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint, Pipeline, SmartProcess
from b24provision.blueprint.smart_model import SWITCHES
from b24provision.compare.result import Difference
from b24provision.compare.sides import Side
from b24provision.plan.ops import smart_process_ref
from b24provision.state.entity_live import SmartProcessLive
from b24provision.state.live import LiveState


def desired_smart_processes(side: Side) -> list[SmartProcess]:
    """B's smart processes as a blueprint says them."""
    if side.live is None:
        return [
            sp.model_copy(update={"pipelines": _without_robots(sp.pipelines)})
            for sp in side.blueprint.smart_processes
        ]
    by_flag = {flag: name for name, flag in SWITCHES.items()}
    return [
        SmartProcess(
            key=key,
            title=sp.title,
            pipelines=_without_robots(sp.state.blueprint.pipelines),
            fields=sp.state.blueprint.fields,
            **{by_flag[f]: on for f, on in sp.switches.items() if f in by_flag},
        )
        for key, sp in sp_items(side)
    ]


def live_smart_processes(side: Side, languages: tuple[str, ...]) -> dict[str, SmartProcessLive]:
    """A's smart processes as a portal read gives them."""
    if side.live is not None:
        return dict(side.live.smart_processes)
    return {
        sp.key: SmartProcessLive(
            type_id=0,
            entity_type_id=0,
            title=sp.title,
            switches=sp.switches(),
            state=LiveState(
                blueprint=Blueprint(pipelines=_without_robots(sp.pipelines), fields=sp.fields),
                languages=languages,
            ),
        )
        for sp in side.blueprint.smart_processes
    }


def only_in_a(a: dict[str, SmartProcessLive], b: list[SmartProcess]) -> list[Difference]:
    titles = {t for sp in b for t in (sp.title, *sp.previous_titles)}
    return [
        Difference("-", "smart_process", smart_process_ref(key), f"{sp.title!r}: only in A")
        for key, sp in sorted(a.items())
        if sp.title not in titles
    ]


def sp_items(side: Side) -> list[tuple[str, SmartProcessLive]]:
    return sorted((side.live.smart_processes if side.live else {}).items())


def _without_robots(pipelines: list[Pipeline]) -> list[Pipeline]:
    return [
        p.model_copy(update={"stages": [s.model_copy(update={"robots": []}) for s in p.stages]})
        for p in pipelines
    ]


__all__ = ["desired_smart_processes", "live_smart_processes", "only_in_a"]
