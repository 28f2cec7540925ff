"""Forecast of delayed robots: when the deals and tasks they create will appear, how many, what money.

Seed 2's complaint: a robot on the won stage waits a month, then copies the deal into "Repeat
sales" — and nobody sees when the repeat deals will come, how many next month or next year, what
money they may bring, or that one silently never appeared. The portal keeps the waiting inside
running workflows that REST cannot read, but the *input* of every such robot is readable: the
moment each deal entered the robot's stage (``crm.stagehistory.list``, reference §12). Moment plus
delay is when the robot runs.

Which robots are forecast (decided here):

- a robot that creates a deal (``copy_deal``, ``create_deal``) and runs later than the deal's entry
  into its stage. Its delay is its own ``delay`` plus whatever it waits for in its chain: a robot
  marked "after the previous automation rule" also waits for a ``wait`` robot (or a delayed robot)
  before it (``robots.describe.effective_delays``). A robot that is not "after previous" starts when
  the deal enters, so a ``wait`` robot listed before it does not delay it — that is how the portal
  runs parallel robots;
- a ``create_task`` robot with a deadline, forecast as tasks due: entry + delay + deadline. This is
  the seed's recommended pattern, and the forecast shows it is the one you can count on.

What counts as a run: for each deal still in the stage now, its latest entry into the stage. A deal
that left the stage before the pause ended has had the stage's waiting robots stopped by the portal
(robots belong to their stage's automation template, reference §8.6), so it is not counted.

Dates: months and years are calendar months (31 Jan + 1 month = 28 Feb); minutes, hours, days and
weeks are exact; working days skip Saturdays and Sundays (the portal's work calendar and holidays
are not readable over REST). Months are bucketed on the portal's clock (``server.time``).

Money: the amounts of the deals that trigger the robot, per currency — what a repeat sale may bring
(a copy keeps the amount, or the manager agrees a new one; either way this is the potential).

Silent failures: a run whose expected date passed more than a day ago (``GRACE``; the portal runs
delayed robots on a timer) with no repeat deal in the target pipeline. A repeat deal is a deal in
the target pipeline, other than the source deal, created on or after the expected date (compared
by day), whose TITLE contains the source deal's TITLE (case-insensitive) or equals the robot's
``deal_title`` with ``{{TITLE}}`` filled in. Each repeat deal accounts for one run only (earliest
expected first). Tasks are not checked: tasks are outside the CRM scope this tool reads.

Requests, whatever the portal's size: one to read the pipelines (``read_portal``), one batch for the
first page of every stage's history plus the portal's clock, one batch per 50 further pages, one
batch per 2,500 deals for their amounts (50 ids per ``crm.deal.list``, 50 of those per batch), and
the same paging for the target pipelines' deals when some runs are past due.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from b24provision.blueprint.model import (
    Blueprint,
    CreateTaskRobot,
    Pipeline,
    Robot,
    Stage,
    parse_duration,
)
from b24provision.robots.describe import effective_delays
from b24provision.robots.keys import robot_key, robot_name
from b24provision.robots.kinds import new_deal

FORMAT_VERSION = 1
GRACE = timedelta(days=1)
"""How long after its expected date a run may still be pending before it counts as a failure."""
IDS_PER_CALL = 50
"""Deal ids per ``crm.deal.list`` filter: one page, so no paging."""

Creates = Literal["deals", "tasks"]

# ------------------------------------------------------------------------------------ pure part


@dataclass(frozen=True)
class DelayedRobot:
    """A robot of the blueprint whose output can be forecast, with where it sits."""

    pipeline: Pipeline
    stage: Stage
    index: int
    """The robot's position on its stage (0-based)."""
    robot: Robot
    delays: tuple[str, ...]
    """The durations it waits after the deal enters the stage (own delay and its chain's pauses)."""
    creates: Creates
    target_pipeline: str | None
    """The blueprint key of the pipeline its deals land in (None for tasks)."""
    target_name: str | None = None
    """That pipeline's name."""

    @property
    def key(self) -> str:
        """The robot's natural key, as plans and checks name it (robots/keys.py)."""
        return robot_key(self.pipeline.key, self.stage.code, robot_name(self.robot))

    @property
    def waits(self) -> tuple[str, ...]:
        """Every duration between the entry and the expected date (a task's deadline included)."""
        if isinstance(self.robot, CreateTaskRobot) and self.robot.deadline:
            return (*self.delays, self.robot.deadline)
        return self.delays

    @property
    def title(self) -> str:
        """The robot's own title, else what it creates."""
        robot = self.robot
        if robot.title:
            return robot.title
        if isinstance(robot, CreateTaskRobot):
            return robot.task_title
        deal = new_deal(robot)
        if deal is not None:
            return deal.title or ""
        return ""

    @property
    def deal_title(self) -> str | None:
        """The title template of the deals it creates, if it sets one."""
        deal = new_deal(self.robot)
        return deal.title if deal is not None else None


def delayed_robots(blueprint: Blueprint) -> list[DelayedRobot]:
    """The robots of ``blueprint`` to forecast, in blueprint order (see the module docstring)."""
    out: list[DelayedRobot] = []
    names = {p.key: p.name for p in blueprint.pipelines}
    for pipeline in blueprint.pipelines:
        for stage in pipeline.stages:
            for index, (robot, chain) in enumerate(zip(stage.robots, effective_delays(stage), strict=True)):
                delays = tuple(chain)
                deal = new_deal(robot)
                if deal is not None and delays:
                    target = deal.pipeline
                    name = names.get(target, target)
                    out.append(DelayedRobot(pipeline, stage, index, robot, delays, "deals", target, name))
                elif isinstance(robot, CreateTaskRobot) and robot.deadline:
                    out.append(DelayedRobot(pipeline, stage, index, robot, delays, "tasks", None))
    return out


def add_duration(moment: datetime, text: str) -> datetime:
    """``moment`` plus a blueprint duration such as ``"1 month"`` (calendar months, see the docstring)."""
    count, unit = parse_duration(text)
    if unit in ("month", "year"):
        months = count * (12 if unit == "year" else 1)
        years, month0 = divmod(moment.month - 1 + months, 12)
        year, month = moment.year + years, month0 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    if unit == "workday":
        result, left = moment, count
        while left > 0:
            result += timedelta(days=1)
            if result.weekday() < 5:
                left -= 1
        return result
    return moment + timedelta(**{f"{unit}s": count})


def expected_date(moved_at: datetime, waits: Iterable[str]) -> datetime:
    """When a robot acts for a deal that entered its stage at ``moved_at``."""
    for text in waits:
        moved_at = add_duration(moved_at, text)
    return moved_at


@dataclass(frozen=True)
class Run:
    """One deal's run of a delayed robot: what triggered it and when it acts."""

    deal_id: int
    title: str
    amount: Decimal
    currency: str
    moved_at: datetime
    """When the deal (last) entered the robot's stage."""
    expected: datetime


@dataclass(frozen=True)
class Candidate:
    """A deal of the target pipeline that may be a run's repeat deal."""

    deal_id: int
    title: str
    created: datetime


@dataclass
class MonthRow:
    """One month of the forecast: runs expected in it and their sums per currency."""

    month: str
    """YYYY-MM on the portal's clock."""
    count: int = 0
    sums: dict[str, Decimal] = field(default_factory=dict)

    def add(self, run: Run) -> None:
        self.count += 1
        self.sums[run.currency] = self.sums.get(run.currency, Decimal(0)) + run.amount


def month_key(moment: date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def month_table(runs: Iterable[Run], now: datetime, months: int) -> tuple[list[MonthRow], int]:
    """Runs still to come, by month: ``months`` rows from ``now``'s month on, and how many come later.

    Months follow ``now``'s time zone (the portal's clock); a run expected before ``now`` is in no row.
    """
    year, month = now.year, now.month
    rows: dict[str, MonthRow] = {}
    for _ in range(max(months, 0)):
        key = f"{year:04d}-{month:02d}"
        rows[key] = MonthRow(key)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    later = 0
    for run in runs:
        if run.expected < now:
            continue
        row = rows.get(month_key(run.expected.astimezone(now.tzinfo)))
        if row is None:
            later += 1
        else:
            row.add(run)
    return list(rows.values()), later


def total_of(rows: Iterable[MonthRow]) -> MonthRow:
    total = MonthRow("total")
    for row in rows:
        total.count += row.count
        for currency, amount in row.sums.items():
            total.sums[currency] = total.sums.get(currency, Decimal(0)) + amount
    return total


def is_repeat_title(candidate: str, source: str, template: str | None = None) -> bool:
    """True when ``candidate`` names a repeat of the deal titled ``source`` (see the docstring)."""
    have = candidate.casefold()
    if source.strip() and source.strip().casefold() in have:
        return True
    if template:
        rendered = template.replace("{{TITLE}}", source).strip().casefold()
        return bool(rendered) and rendered == have.strip()
    return False


def silent_failures(
    runs: Iterable[Run],
    candidates: Iterable[Candidate],
    now: datetime,
    *,
    template: str | None = None,
    grace: timedelta = GRACE,
) -> tuple[int, list[Run]]:
    """Runs past due whose repeat deal is nowhere: (runs past due, those without a repeat deal).

    Each candidate accounts for one run only, the runs taken earliest expected first.
    """
    due = sorted((r for r in runs if r.expected + grace <= now), key=lambda r: (r.expected, r.deal_id))
    pool = sorted(candidates, key=lambda c: (c.created, c.deal_id))
    used: set[int] = set()
    missing: list[Run] = []
    for run in due:
        day = run.expected.date()
        hit = next(
            (
                c
                for c in pool
                if c.deal_id not in used
                and c.deal_id != run.deal_id
                and c.created.astimezone(run.expected.tzinfo).date() >= day
                and is_repeat_title(c.title, run.title, template)
            ),
            None,
        )
        if hit is None:
            missing.append(run)
        else:
            used.add(hit.deal_id)
    return len(due), missing


# ----------------------------------------------------------------------------------- the result


@dataclass
class RobotForecast:
    """The forecast of one delayed robot."""

    robot: DelayedRobot
    rows: list[MonthRow] = field(default_factory=list)
    later: int = 0
    """Runs expected after the last month shown."""
    runs: int = 0
    """Deals counted (in the stage now)."""
    past_due: int = 0
    """Runs whose expected date passed (deals only)."""
    failures: list[Run] = field(default_factory=list)
    note: str = ""
    """Why there is nothing to count (the pipeline or stage is not on the portal)."""


@dataclass
class Forecast:
    """What ``read_forecast`` found, for every delayed robot of the blueprint."""

    portal: str
    now: datetime
    months: int
    robots: list[RobotForecast] = field(default_factory=list)
    requests: int = 0
    """HTTP requests it took."""
