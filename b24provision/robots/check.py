"""Robots on stages: the blueprint against what the portal's configuration export shows. Pure.

For every stage of every board (deal pipelines, lead statuses, smart-process pipelines: robots/boards.py),
robot by robot, a verdict:

- ``matches``: same type, same settings;
- ``differs``: same type, settings differ (each difference is an attribute path with the portal's
  value before and the blueprint's after, from deepdiff over the two property trees), or the
  export holds something about the robot the blueprint language cannot say (a note);
- ``missing``: the blueprint has it, the portal does not;
- ``only_on_portal``: a robot of a type the blueprint has, which the blueprint does not declare;
- ``not_described``: a robot of a type the blueprint language has no word for (reported, never a
  difference: no blueprint can declare it);
- ``designer_edited``: the stage's template was edited in the bizproc designer, so its robots
  cannot be read (reported once per stage; the blueprint's robots there are ``missing``).

A pause followed by a robot that runs after it is compared as that robot with a delay: the portal
stores and shows the two as one delayed robot (``fold_pauses``). Robots are matched by stage, then by
order and type (their names in the export are random): the
longest common run of types in order pairs them, the rest are missing or only on the portal.
Attributes a robot's own settings do not show (``keep_amount``, ``store_id_in``, ``checklist``:
they are other robots or task details) are not compared; a title only when the blueprint sets one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from deepdiff import DeepDiff

from b24provision.blueprint.model import Blueprint, Robot
from b24provision.robots.boards import DEAL, blueprint_boards, stage_where
from b24provision.robots.export_reader import ExportRobots, ExportStage
from b24provision.robots.keys import robot_name
from b24provision.robots.kinds import ROBOT_KINDS, pause_of
from b24provision.robots.template import PortalRobot

Status = Literal["matches", "differs", "missing", "only_on_portal", "not_described", "designer_edited"]
DIFFERENT: frozenset[str] = frozenset({"differs", "missing", "only_on_portal"})
"""The verdicts that make ``robots check --detailed-exitcode`` exit 2."""

NOT_COMPARED = frozenset({"id", "keep_amount", "store_id_in", "checklist"})
"""Not in a robot's settings: other robots, task details, or (``id``) the blueprint's own name for it."""


@dataclass(frozen=True)
class Difference:
    path: str
    """The attribute, e.g. ``deadline`` or ``condition.value``."""
    before: Any
    """What the portal has."""
    after: Any
    """What the blueprint says."""


@dataclass(frozen=True)
class RobotVerdict:
    status: Status
    pipeline_key: str
    pipeline_name: str
    stage_code: str
    stage_name: str
    index: int | None = None
    """The robot's position in the blueprint's stage (None: not in the blueprint), for display."""
    position: int | None = None
    """Its position among the portal's robots of the stage (None: not on the portal), for display."""
    name: str | None = None
    """Its name on the stage (robots/keys.py): the blueprint robot's, else the portal robot's."""
    type: str | None = None
    activity: str = ""
    title: str = ""
    differences: tuple[Difference, ...] = ()
    notes: tuple[str, ...] = ()
    entity: str = DEAL
    """The board's entity: "deal", "lead" or a smart process's key (robots/boards.py)."""

    @property
    def where(self) -> str:
        """The stage: ``sales/NEW`` for a deal pipeline, ``lead:NEW``, ``measurement:main/NEW``."""
        return stage_where(self.entity, self.pipeline_key, self.stage_code)

    @property
    def key(self) -> str:
        """``pipeline/STAGE/robot[name]`` (the plan's key, robots/keys.py), ``pipeline/STAGE/portal[name]``
        for a robot only on the portal or, for the stage's whole template, ``pipeline/STAGE/template``;
        the stage named by ``where`` (``lead:NEW/robot[...]``)."""
        if self.name is None:
            return f"{self.where}/template"
        if self.index is not None:
            return f"{self.where}/robot[{self.name}]"
        return f"{self.where}/portal[{self.name}]"

    @property
    def ref(self) -> str:
        """``key`` with the entity always in front (``deal:sales/NEW/robot[...]``), as plans name robots."""
        return f"{DEAL}:{self.key}" if self.entity == DEAL else self.key

    @property
    def place(self) -> str:
        """``robot[i]`` / ``portal[j]``: where it sits on its stage, as the text report shows it."""
        if self.index is not None:
            return f"robot[{self.index}]"
        return f"portal[{self.position}]" if self.position is not None else "template"


@dataclass(frozen=True)
class RobotCheck:
    """Every verdict, stage by stage in the blueprint's order, then the portal's other stages."""

    export: str
    """The export as messages name it (file name and date)."""
    verdicts: tuple[RobotVerdict, ...]
    ignored: tuple[str, ...] = ()

    @property
    def has_differences(self) -> bool:
        return any(v.status in DIFFERENT for v in self.verdicts)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(
            ("matches", "differs", "missing", "only_on_portal", "not_described", "designer_edited"), 0
        )
        for v in self.verdicts:
            out[v.status] += 1
        return out

    def for_key(self, key: str) -> RobotVerdict | None:
        """The verdict on the blueprint robot keyed ``key`` (robots/keys.py), if there is one."""
        return next((v for v in self.verdicts if v.index is not None and v.key == key), None)

    def for_ref(self, ref: str) -> RobotVerdict | None:
        """The verdict on the blueprint robot a plan names ``ref`` (``lead:NEW/robot[...]``), if any."""
        return next((v for v in self.verdicts if v.index is not None and v.ref == ref), None)


def check_robots(blueprint: Blueprint, export: ExportRobots) -> RobotCheck:
    """Compare the robots of ``blueprint`` with ``export`` (read with the same blueprint, so that
    pipelines carry the blueprint's keys): deal pipelines, lead statuses, smart-process pipelines."""
    verdicts: list[RobotVerdict] = []
    declared: set[tuple[str, str, str]] = set()
    for board in blueprint_boards(blueprint):
        for stage in board.stages:
            declared.add((board.entity, board.key, stage.code))
            found = export.stage(board.key, stage.code, board.entity)
            base = {
                "pipeline_key": board.key,
                "pipeline_name": board.name,
                "stage_code": stage.code,
                "stage_name": stage.name,
                "entity": board.entity,
            }
            verdicts += _stage(base, stage.robots, found)
    for found in export.stages:
        if (found.entity, found.pipeline_key, found.stage_code) in declared:
            continue
        base = {
            "pipeline_key": found.pipeline_key,
            "pipeline_name": found.pipeline_name,
            "stage_code": found.stage_code,
            "stage_name": found.stage_name,
            "entity": found.entity,
        }
        verdicts += _stage(base, [], found)
    return RobotCheck(export=export.label(), verdicts=tuple(verdicts), ignored=export.ignored)


def _stage(base: dict[str, Any], robots: Sequence[Robot], found: ExportStage | None) -> list[RobotVerdict]:
    out: list[RobotVerdict] = []
    if found is not None and found.designer_edited:
        out.append(RobotVerdict(status="designer_edited", notes=(found.designer_edited,), **base))
        note = ("the stage's robots were edited in the designer: they cannot be read from the export",)
        out += [_missing(base, i, r, note) for i, r in enumerate(robots)]
        return out
    portal = list(found.robots) if found is not None else []
    folded = fold_pauses(robots)
    pairs = _align([r.type for _, r in folded], [p.type for p in portal])
    paired_b = {i for i, _ in pairs}
    paired_p = {j for _, j in pairs}
    for i, j in pairs:
        indices, robot = folded[i]
        verdict = _compare(base, indices[0], robot, portal[j])
        out += [replace(verdict, index=index, name=robot_name(robots[index])) for index in indices]
    for i, (indices, _) in enumerate(folded):
        if i not in paired_b:
            out += [_missing(base, index, robots[index]) for index in indices]
    for j, p in enumerate(portal):
        if j in paired_p:
            continue
        status: Status = "only_on_portal" if p.type is not None else "not_described"
        out.append(
            RobotVerdict(
                status=status,
                position=p.position,
                name=robot_name(p.robot) if p.robot is not None else f"{p.activity}:{p.title}",
                type=p.type,
                activity=p.activity,
                title=p.title,
                notes=p.notes,
                **base,
            )
        )
    out.sort(key=lambda v: (v.index if v.index is not None else 1 << 20, v.position or 0))
    return out


def fold_pauses(robots: Sequence[Robot]) -> list[tuple[tuple[int, ...], Robot]]:
    """The stage's robots as the portal stores them: a pause (``wait``) followed by a robot that
    runs after it is that robot with a delay (the core writes both as RobotDelayActivity + robot and
    reads them back as one delayed robot). Each entry keeps the blueprint positions it stands for."""
    out: list[tuple[tuple[int, ...], Robot]] = []
    i = 0
    while i < len(robots):
        robot, after = robots[i], robots[i + 1] if i + 1 < len(robots) else None
        pause = pause_of(robot)
        if (
            pause is not None
            and robot.delay is None
            and robot.condition is None
            and after is not None
            and after.after_previous
            and after.delay is None
        ):
            merged = after.model_copy(update={"delay": pause, "after_previous": robot.after_previous})
            out.append(((i, i + 1), merged))
            i += 2
        else:
            out.append(((i,), robot))
            i += 1
    return out


def _missing(base: dict[str, Any], index: int, robot: Robot, notes: tuple[str, ...] = ()) -> RobotVerdict:
    kind = ROBOT_KINDS[robot.type]
    return RobotVerdict(
        status="missing",
        index=index,
        name=robot_name(robot),
        type=robot.type,
        activity=kind.activity,
        title=robot.title or kind.en,
        notes=notes,
        **base,
    )


def _align(wanted: Sequence[str | None], have: Sequence[str | None]) -> list[tuple[int, int]]:
    """Index pairs of the longest common subsequence of the two type lists (small lists: O(n*m))."""
    n, m = len(wanted), len(have)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if wanted[i] is not None and wanted[i] == have[j]:
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if wanted[i] is not None and wanted[i] == have[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def comparable(robot: Robot, *, first: bool, with_title: bool) -> dict[str, Any]:
    """The robot's attributes as compared: defaults filled in, unseen attributes left out."""
    data: dict[str, Any] = robot.model_dump(mode="json")
    for name in NOT_COMPARED:
        data.pop(name, None)
    if not with_title:
        data.pop("title", None)
    if first:  # the first robot of a stage starts its own chain: "after previous" means nothing
        data["after_previous"] = False
    # The portal stores values as strings (yes/no as Y/N): 100000 and "100000" are one value.
    condition = data.get("condition")
    if isinstance(condition, dict) and "value" in condition:
        condition["value"] = _as_stored(condition["value"])
    if "value" in data and robot.type == "set_field":
        data["value"] = _as_stored(data["value"])
    if isinstance(data.get("set_fields"), dict):
        data["set_fields"] = {k: _as_stored(v) for k, v in data["set_fields"].items()}
    return data


def _as_stored(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def _compare(base: dict[str, Any], index: int, wanted: Robot, have: PortalRobot) -> RobotVerdict:
    kind = ROBOT_KINDS[wanted.type]
    common = {
        "index": index,
        "position": have.position,
        "type": wanted.type,
        "activity": have.activity,
        "title": have.title or kind.en,
        "notes": have.notes,
        **base,
    }
    if have.robot is None:
        return RobotVerdict(status="differs", **common)
    after = comparable(wanted, first=index == 0, with_title=wanted.title is not None)
    before = comparable(have.robot, first=have.position == 0, with_title=wanted.title is not None)
    if before.get("after_previous") != after.get("after_previous") and (index == 0 or have.position == 0):
        # One side is a stage's first robot: "after previous" cannot be compared across positions.
        before["after_previous"] = after["after_previous"]
    differences = tuple(_differences(before, after))
    status: Status = "differs" if differences or have.notes else "matches"
    return RobotVerdict(status=status, differences=differences, **common)


def _differences(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    tree = DeepDiff(before, after, view="tree", verbose_level=2)
    out: list[Difference] = []
    for report in tree.values():
        for level in report:
            path = ".".join(str(p) for p in level.path(output_format="list"))
            out.append(Difference(path=path, before=_present(level.t1), after=_present(level.t2)))
    return sorted(out, key=lambda d: d.path)


def _present(value: Any) -> Any:
    return None if type(value).__name__ == "NotPresent" else value
