"""Lead statuses and reference lists: crm.status directories compared item by item, by code.

The lead's statuses (``entities.lead.statuses``) and each reference list a blueprint gives
(``lists.source``, ...) are compared with the same directory on the portal: an item the blueprint
lists and the portal lacks is created, one whose name, sort or colour differs is updated, a lead
status whose semantics differ is replaced (crm.status.update ignores SEMANTICS, reference §6).
An item the portal has and the blueprint does not list is the portal's own: reported as unmanaged,
never touched, and deleted only when named in ``removed.lead.statuses`` / ``removed.lists``. A
SYSTEM item (the lead's NEW, CONVERTED, JUNK; the source CALL...) is deleted only with FORCED=Y:
the plan says so, and such items are usually kept. What a delete destroys (leads in a lead
status) is counted on the portal like a deal stage's deals (``plan/safety.py``).
The items the blueprint lists are compared as a pipeline's stages are (plan/diff/stage_list.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from b24provision.blueprint.model import Blueprint, ListItem, Stage
from b24provision.blueprint.removed_model import DEPRECATED_LEAD_STATUSES, DEPRECATION, LEAD_STATUSES
from b24provision.errors import PlanError
from b24provision.plan.diff.base import FIX, DiffBase, src
from b24provision.plan.diff.stage_list import StageListOps, compare_stage_list
from b24provision.plan.ops import Entity, Kind, ManualRobotOp, ObjectRef
from b24provision.plan.ops_statuses import (
    CreateStatusOp,
    DeleteStatusOp,
    ReplaceStatusOp,
    StatusValue,
    UpdateStatusOp,
    list_item_ref,
    status_ref,
)
from b24provision.robots.describe import describe_robot
from b24provision.state.entity_live import StatusesLive

LEAD_BOARD = {"en": "Leads", "ru": "Лиды"}
"""What the portal's UI calls the lead's board, where its status robots are set up."""


def plan_scope(desired: Blueprint) -> tuple[str, ...]:
    """The entity types besides the deal and the reference lists ``desired`` is about (``Plan.scope``)."""
    keys = set(desired.entities.others()) | set(desired.lists.named()) | set(desired.removed.lists)
    keys |= set(desired.removed.others())
    if desired.removed.lead.statuses:
        keys.add("lead")
    return tuple(sorted(keys))


class StatusComparer(DiffBase):
    """The lead's statuses and the blueprint's reference lists."""

    def lead_robots(self, lang: str) -> None:
        """Robots on lead statuses: manual steps, as the deal's (plan/diff/robots.py)."""
        desired = self.desired
        for j, status in enumerate(desired.entities.lead.statuses):
            for k, robot in enumerate(status.robots):
                described = describe_robot(robot, desired, lang=lang, entity="lead")
                self.ops.append(
                    ManualRobotOp(
                        entity="lead",
                        pipeline_key="",
                        pipeline_name=LEAD_BOARD[lang if lang in LEAD_BOARD else "en"],
                        stage_code=status.code,
                        stage_name=status.name,
                        index=k,
                        robot=robot,
                        title=described.title,
                        settings=tuple(described.settings),
                        source=src(desired, "entities", "lead", "statuses", j, "robots", k),
                    )
                )

    def statuses(self) -> None:
        desired, live = self.desired, self.live
        lead = live.entities.get("lead")
        have = lead.statuses if lead is not None else None
        statuses, removed = desired.entities.lead.statuses, desired.removed
        if removed.deprecated_lead_statuses:
            where = src(desired, *DEPRECATED_LEAD_STATUSES) or ".".join(DEPRECATED_LEAD_STATUSES)
            self.warnings.append(f"{where}: {DEPRECATION}")
        if statuses or removed.lead.statuses:
            self._directory(
                None,
                [_of_stage(s) for s in statuses],
                have,
                removed.lead.statuses,
                ("entities", "lead", "statuses"),
            )
        for name, items in desired.lists.named().items():
            self._directory(name, [_of_item(i) for i in items], live.lists.get(name), [], ("lists", name))
        for name in sorted(set(desired.removed.lists) - set(desired.lists.named())):
            self._directory(name, [], live.lists.get(name), [], ("lists", name))

    def _directory(
        self,
        list_name: str | None,
        want: Sequence[StatusValue],
        have: StatusesLive | None,
        removed_lead: Sequence[str],
        where: tuple[str, ...],
    ) -> None:
        desired = self.desired
        entity: Entity = "lead" if list_name is None else "list"
        common: dict[str, Any] = {"entity": entity, "list_name": list_name}

        def ref(code: str) -> str:
            return status_ref(entity, code) if list_name is None else list_item_ref(list_name, code)

        kind: Kind = "status" if list_name is None else "list_item"
        have_items = _have(have, list_name)
        have_by_code = {s.code: s for s in have_items}
        have_sorts = {s.code: s.sort or 0 for s in have_items}
        removed = list(removed_lead) if list_name is None else _removed_items(desired, list_name)
        removed_where = LEAD_STATUSES if list_name is None else ("removed", "lists", list_name)
        wanted = {s.code for s in want}
        for i, code in enumerate(removed):
            if code in wanted:
                raise PlanError(
                    f"{src(desired, *removed_where, i) or '.'.join(removed_where)}: {kind.replace('_', ' ')} "
                    f"{ref(code)} is both declared and removed; {FIX}"
                )
        words = StageListOps[StatusValue](
            create=lambda item, sort, source: CreateStatusOp(status=item, sort=sort, source=source, **common),
            replace=lambda item, sort, changes, source: ReplaceStatusOp(
                status=item, sort=sort, changes=changes, source=source, **common
            ),
            update=lambda item, sort, changes, source: UpdateStatusOp(
                status=item, sort=sort, changes=changes, source=source, **common
            ),
            unchanged=lambda item: ObjectRef(kind=kind, key=ref(item.code), note=item.name),
        )
        compared = compare_stage_list(
            want,
            have_by_code,
            have_sorts,
            lambda j: src(desired, *where, j),
            words,
            semantics=list_name is None,
        )
        self.ops += compared.ops
        self.unchanged += compared.unchanged
        removed_set = set(removed)
        for i, code in enumerate(removed):
            old = have_by_code.get(code)
            if old is not None:
                self.ops.append(
                    DeleteStatusOp(code=code, name=old.name, source=src(desired, *removed_where, i), **common)
                )
        for old in have_items:
            if old.code not in wanted and old.code not in removed_set:
                self.unmanaged.append(ObjectRef(kind=kind, key=ref(old.code), note=old.name))


def _removed_items(desired: Blueprint, list_name: str) -> list[str]:
    return next((list(codes) for name, codes in desired.removed.lists.items() if name == list_name), [])


def _of_stage(stage: Stage) -> StatusValue:
    return StatusValue(
        code=stage.code, name=stage.name, semantics=stage.semantics, color=stage.color, sort=stage.sort
    )


def _of_item(item: ListItem) -> StatusValue:
    """A list item as the status ops carry it: no semantics, no colour."""
    return StatusValue(code=item.code, name=item.name, sort=item.sort)


def _have(have: StatusesLive | None, list_name: str | None) -> list[StatusValue]:
    if have is None:
        return []
    if list_name is None:
        return [_of_stage(s) for s in have.stages]
    return [_of_item(i) for i in have.items]
