"""Cross-object checks of the lead's statuses and the reference lists, each at its own YAML line.

Codes are unique within their directory; a lead status's code holds at most 21 characters (the
core's ``CCrmStatus::validateStatusId``: ``STATUS_ID`` + code fit the 30 of b_crm_entity_perms.ATTR,
reference §13.5; ``entities/stages.LeadStatuses``). A robot on a lead status must be of a type that
exists for leads (the robot-kind table's ``entities`` column: "Copy deal" works on deals only), and
"change stage" moves the lead to one of the lead's statuses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from b24provision.blueprint.check_common import Loc, finding, suggest, where_line
from b24provision.blueprint.model import Blueprint, ChangeStageRobot
from b24provision.blueprint.removed_model import DEPRECATED_LEAD_STATUSES, DEPRECATION
from b24provision.blueprint.removed_model import LEAD_STATUSES as REMOVED_LEAD_STATUSES
from b24provision.entities.types import entity_type
from b24provision.errors import Problem
from b24provision.robots.kinds import kind_of

LEAD_STATUSES: Loc = ("entities", "lead", "statuses")


def check_statuses(bp: Blueprint) -> Iterator[Problem]:
    statuses = bp.entities.lead.statuses
    yield from _unique(bp, LEAD_STATUSES, [s.code for s in statuses], "lead status")
    scheme = entity_type("lead").stages
    longest = scheme.max_code_length(0) if scheme is not None else 21
    for i, status in enumerate(statuses):
        if len(status.code) > longest:
            yield finding(
                bp, (*LEAD_STATUSES, i, "code"), f"lead status '{status.code}' has {len(status.code)} "
                f"characters; the portal takes at most {longest} — shorten it", "check/status-code-length",
            )  # fmt: skip
    for name, items in bp.lists.named().items():
        yield from _unique(bp, ("lists", name), [i.code for i in items], f"{name} item")
    yield from _lead_robots(bp)
    yield from _declared_and_removed(bp)
    if bp.removed.deprecated_lead_statuses:
        yield finding(bp, DEPRECATED_LEAD_STATUSES, DEPRECATION, "check/deprecated", severity="warning")


def _declared_and_removed(bp: Blueprint) -> Iterator[Problem]:
    """A status or item both listed and named in ``removed:`` (the plan would refuse it too)."""
    named: list[tuple[str, Loc, set[str], Sequence[str]]] = [
        ("lead status", REMOVED_LEAD_STATUSES, {s.code for s in bp.entities.lead.statuses},
         bp.removed.lead.statuses),
    ]  # fmt: skip
    lists = bp.lists.named()
    named += [
        (f"{name} item", ("removed", "lists", name), {i.code for i in lists.get(name, [])}, codes)
        for name, codes in bp.removed.lists.items()
    ]
    for what, where, codes, removed in named:
        for i, code in enumerate(removed):
            if code in codes:
                yield finding(
                    bp, (*where, i), f"{what} '{code}' is both listed and removed — keep one of the two",
                    "check/declared-and-removed",
                )  # fmt: skip


def _lead_robots(bp: Blueprint) -> Iterator[Problem]:
    by_code = {s.code: s for s in bp.entities.lead.statuses}
    for si, status in enumerate(bp.entities.lead.statuses):
        for ri, robot in enumerate(status.robots):
            loc: Loc = (*LEAD_STATUSES, si, "robots", ri)
            label = f"robot lead:{status.code}#{ri + 1}"
            kind = kind_of(robot)
            if "lead" not in kind.entities:
                yield finding(
                    bp, (*loc, "type"), f"{label}: '{robot.type}' ({kind.activity}) exists for "
                    f"{', '.join(kind.entities)} only, not on lead statuses — use another robot type",
                    "check/robot-entity",
                )  # fmt: skip
            if isinstance(robot, ChangeStageRobot) and robot.stage not in by_code:
                yield finding(
                    bp, (*loc, "stage"), f"{label}: the lead has no status '{robot.stage}' — "
                    f"{suggest(robot.stage, by_code)}", "check/unknown-stage",
                )  # fmt: skip


def _unique(bp: Blueprint, section: Loc, codes: Sequence[str], what: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code in seen:
            yield finding(
                bp, (*section, i, "code"), f"{what} '{code}' is listed twice (first at "
                f"{where_line(bp, (*section, seen[code]))}) — codes must be unique; rename or remove one",
                "check/duplicate",
            )  # fmt: skip
        else:
            seen[code] = i
