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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from b24provision.blueprint.model import (
    Blueprint,
    CopyDealRobot,
    CreateDealRobot,
    CreateTaskRobot,
    Pipeline,
    Robot,
    Stage,
    parse_duration,
)
from b24provision.entities.types import DEAL
from b24provision.portal.client import PAGE_SIZE, Command, PortalClient
from b24provision.portal.read import read_portal, status_id
from b24provision.robots.describe import describe_duration, effective_delays, robot_kind_name
from b24provision.state import LiveState

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
        if isinstance(robot, CopyDealRobot | CreateDealRobot):
            return robot.deal_title or ""
        return ""

    @property
    def deal_title(self) -> str | None:
        """The title template of the deals it creates, if it sets one."""
        return self.robot.deal_title if isinstance(self.robot, CopyDealRobot | CreateDealRobot) else None


def delayed_robots(blueprint: Blueprint) -> list[DelayedRobot]:
    """The robots of ``blueprint`` to forecast, in blueprint order (see the module docstring)."""
    out: list[DelayedRobot] = []
    names = {p.key: p.name for p in blueprint.pipelines}
    for pipeline in blueprint.pipelines:
        for stage in pipeline.stages:
            for index, (robot, chain) in enumerate(zip(stage.robots, effective_delays(stage), strict=True)):
                delays = tuple(chain)
                if isinstance(robot, CopyDealRobot | CreateDealRobot) and delays:
                    target = robot.to_pipeline if isinstance(robot, CopyDealRobot) else robot.pipeline
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


# --------------------------------------------------------------------------------- reading part


def live_pipeline_key(want: Pipeline, live: LiveState) -> str | None:
    """The portal's pipeline for a blueprint pipeline: the default one, or by name / previous names."""
    pipelines = live.blueprint.pipelines
    if want.default:
        return next((p.key for p in pipelines if p.default), None)
    for name in (want.name, *want.previous_names):
        hit = next((p.key for p in pipelines if not p.default and p.name == name), None)
        if hit is not None:
            return hit
    return None


def _items(result: Any, key: str | None) -> list[Any]:
    value = result.get(key) if key and isinstance(result, Mapping) else result
    if isinstance(value, Mapping):  # PHP arrays with integer keys may arrive as objects
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def read_pages(
    client: PortalClient,
    commands: Sequence[Command],
    *,
    key: str | None = None,
    extra: Sequence[Command] = (),
) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """Every page of several list calls in few requests: all first pages in one batch (with
    ``extra`` commands alongside), then every further page by ``start`` offset, 50 pages a batch.

    Returns:
        (items by command key, results of the ``extra`` commands by key).
    """
    first = client.batch_all([*extra, *commands])
    first.raise_first_error()
    items = {c.key: _items(first.results.get(c.key), key) for c in commands}
    more: list[tuple[str, Command]] = []
    for command in commands:
        next_start, total = first.nexts.get(command.key), first.totals.get(command.key)
        if next_start is None:
            continue
        if total is None:  # no count from the portal: follow `next` one page at a time
            params = {**command.params, "start": next_start}
            items[command.key] += client.call_all(command.method, params, key=key)
            continue
        for offset in range(next_start, total, PAGE_SIZE):
            page = Command(f"{command.key}_{offset}", command.method, {**command.params, "start": offset})
            more.append((command.key, page))
    if more:
        rest = client.batch_all([c for _, c in more])
        rest.raise_first_error()
        for owner, command in more:
            items[owner] += _items(rest.results.get(command.key), key)
    return items, {c.key: first.results.get(c.key) for c in extra}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)


def read_forecast(
    client: PortalClient, blueprint: Blueprint, *, months: int = 12, now: datetime | None = None
) -> Forecast:
    """Forecast every delayed robot of ``blueprint`` from the portal's stage history.

    Args:
        client: the portal (reads only).
        blueprint: where the robots are declared.
        months: how many months the table covers, from the current one.
        now: the moment to forecast from (tests); default: the portal's clock (``server.time``).
    """
    start = client.request_count
    robots = delayed_robots(blueprint)
    if not robots:
        return Forecast(client.host, now or datetime.now(UTC), months, requests=0)
    live = read_portal(client)
    by_key = blueprint.pipelines_by_key()

    # The STATUS_ID of every robot's stage on this portal.
    stage_of: dict[int, str] = {}
    notes: dict[int, str] = {}
    for n, item in enumerate(robots):
        live_key = live_pipeline_key(item.pipeline, live)
        if live_key is None:
            notes[n] = f"pipeline {item.pipeline.name!r} is not on the portal; run `b24provision apply` first"
        elif (live_key, item.stage.code) not in live.stage_ids:
            notes[n] = f"stage {item.stage.code} of {item.pipeline.name!r} is not on the portal; apply first"
        else:
            stage_of[n] = status_id(live, live_key, item.stage.code)
    stages = sorted(set(stage_of.values()))
    history_cmds = [
        Command(
            f"h{i}",
            "crm.stagehistory.list",
            {
                **DEAL.type_param,
                "filter": {"STAGE_ID": sid},
                "order": {"ID": "ASC"},
                "select": ["ID", "OWNER_ID", "STAGE_ID", "CREATED_TIME"],
            },
        )
        for i, sid in enumerate(stages)
    ]
    history, extra = read_pages(client, history_cmds, key="items", extra=[Command("now", "server.time", {})])
    clock = now or _parse_time(extra.get("now")) or datetime.now(UTC)

    # Latest entry of each deal into each stage.
    entered: dict[str, dict[int, datetime]] = {}
    for i, sid in enumerate(stages):
        latest = entered.setdefault(sid, {})
        for row in history[f"h{i}"]:
            moment = _parse_time(row.get("CREATED_TIME"))
            owner = int(row.get("OWNER_ID") or 0)
            if moment is not None and owner and (owner not in latest or moment > latest[owner]):
                latest[owner] = moment

    deals = _read_deals(client, sorted({d for found in entered.values() for d in found}))
    forecast = Forecast(client.host, clock, months)
    runs_of: dict[int, list[Run]] = {}
    for n, item in enumerate(robots):
        sid = stage_of.get(n, "")
        runs: list[Run] = []
        for deal_id, moved_at in sorted(entered.get(sid, {}).items()):
            deal = deals.get(deal_id)
            if deal is None or str(deal.get("STAGE_ID")) != sid:
                continue  # gone, or left the stage: the portal stopped its waiting robots
            runs.append(
                Run(
                    deal_id=deal_id,
                    title=str(deal.get("TITLE") or ""),
                    amount=_amount(deal.get("OPPORTUNITY")),
                    currency=str(deal.get("CURRENCY_ID") or ""),
                    moved_at=moved_at,
                    expected=expected_date(moved_at, item.waits),
                )
            )
        runs_of[n] = runs
        rows, later = month_table(runs, clock, months)
        forecast.robots.append(RobotForecast(item, rows, later, len(runs), note=notes.get(n, "")))

    _check_failures(client, forecast, runs_of, live, by_key)
    forecast.requests = client.request_count - start
    return forecast


def _read_deals(client: PortalClient, ids: Sequence[int]) -> dict[int, Mapping[str, Any]]:
    """TITLE, OPPORTUNITY, CURRENCY_ID and STAGE_ID of the deals ``ids``, 50 ids per call."""
    commands = [
        # A list value in a crm.deal.list filter means "one of" (reference §12).
        Command(
            f"d{n}",
            "crm.deal.list",
            {
                "filter": {"ID": list(ids[i : i + IDS_PER_CALL])},
                "select": ["ID", "TITLE", "OPPORTUNITY", "CURRENCY_ID", "STAGE_ID"],
            },
        )
        for n, i in enumerate(range(0, len(ids), IDS_PER_CALL))
    ]
    pages, _ = read_pages(client, commands)
    return {int(row["ID"]): row for rows in pages.values() for row in rows if isinstance(row, Mapping)}


def _check_failures(
    client: PortalClient,
    forecast: Forecast,
    runs_of: Mapping[int, list[Run]],
    live: LiveState,
    by_key: Mapping[str, Pipeline],
) -> None:
    """Fill ``past_due`` and ``failures`` of every deal robot; one paged read per target pipeline."""
    now = forecast.now
    earliest: dict[str, datetime] = {}  # target live key -> earliest expected date past due
    target_of: dict[int, str | None] = {}
    for n, result in enumerate(forecast.robots):
        item = result.robot
        if item.creates != "deals" or item.target_pipeline is None:
            continue
        due = [r.expected for r in runs_of[n] if r.expected + GRACE <= now]
        target = by_key.get(item.target_pipeline)
        live_key = live_pipeline_key(target, live) if target is not None else None
        target_of[n] = live_key
        if due and live_key is not None:
            earliest[live_key] = min([*due, earliest.get(live_key, due[0])])
    targets = sorted(earliest)
    commands = [
        Command(
            f"t{i}",
            "crm.deal.list",
            {
                "filter": {
                    "CATEGORY_ID": live.pipeline_ids[key],
                    ">=DATE_CREATE": earliest[key].date().isoformat(),
                },
                "order": {"ID": "ASC"},
                "select": ["ID", "TITLE", "DATE_CREATE"],
            },
        )
        for i, key in enumerate(targets)
    ]
    pages, _ = read_pages(client, commands) if commands else ({}, {})
    candidates: dict[str, list[Candidate]] = {}
    for i, key in enumerate(targets):
        found = candidates.setdefault(key, [])
        for row in pages.get(f"t{i}", []):
            created = _parse_time(row.get("DATE_CREATE"))
            if created is not None:
                found.append(Candidate(int(row["ID"]), str(row.get("TITLE") or ""), created))
    for n, live_key in target_of.items():
        result = forecast.robots[n]
        pool = candidates.get(live_key, []) if live_key is not None else []
        result.past_due, result.failures = silent_failures(
            runs_of[n], pool, now, template=result.robot.deal_title
        )


def forecast(
    paths: Sequence[Path],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    months: int = 12,
    now: datetime | None = None,
) -> Forecast:
    """Load the blueprint at ``paths`` and forecast its delayed robots on ``portal``. Never writes."""
    from b24provision.blueprint import load_blueprint
    from b24provision.portal.connect import open_portal

    blueprint = load_blueprint(paths, variables=dict(variables or {}), values_files=values_files)
    with open_portal(portal, portals_file=portals_file) as client:
        return read_forecast(client, blueprint, months=months, now=now)


# ------------------------------------------------------------------------------------ rendering


def _money(sums: Mapping[str, Decimal]) -> str:
    if not sums:
        return "-"
    return ", ".join(f"{amount:,.2f} {currency}".strip() for currency, amount in sorted(sums.items()))


def _heading(item: DelayedRobot, lang: str) -> str:
    kind = robot_kind_name(item.robot.type, lang)
    title = f' "{item.title}"' if item.title else ""
    return f"{item.pipeline.name} -> {item.stage.name} -> robot {item.index + 1}: {kind}{title}"


def _what(item: DelayedRobot) -> str:
    waits = " + ".join(describe_duration(d) for d in item.waits)
    if item.creates == "tasks":
        return f"tasks due {waits} after a deal enters the stage"
    return f'deals created in "{item.target_name}" {waits} after a deal enters the stage'


def render_text(result: Forecast, *, lang: str = "en", verbose: bool = False) -> str:
    """The forecast as text: per robot a month-by-month table, then its silent failures.

    Args:
        result: what ``read_forecast`` returned.
        lang: the language of the robots' catalogue names ("ru" or "en"); the rest is English.
        verbose: add the number of requests it took.
    """
    start = f"{result.now:%Y-%m-%d %H:%M}"
    lines = [f"Forecast of delayed robots, {result.months} months from {start} (portal time)"]
    if not result.robots:
        lines.append("No delayed robots: none creates a deal after a delay, nor a task with a deadline.")
    for item in result.robots:
        robot = item.robot
        lines += ["", _heading(robot, lang), f"  {_what(robot)}"]
        if item.note:
            lines.append(f"  Nothing to count: {item.note}")
            continue
        unit = "Deals" if robot.creates == "deals" else "Tasks due"
        lines.append(f"  {item.runs} deals in the stage counted")
        lines.append(f"  {'Month':<9} {unit:>9}  Sum of the deals")
        for row in [*item.rows, total_of(item.rows)]:
            label = "Total" if row.month == "total" else row.month
            lines.append(f"  {label:<9} {row.count:>9}  {_money(row.sums)}")
        if item.later:
            lines.append(f"  Later than that: {item.later}")
        if robot.creates == "deals":
            lines.append(_failures_line(item))
            for run in item.failures:
                lines.append(
                    f'    deal {run.deal_id} "{run.title}": entered {run.moved_at:%Y-%m-%d}, '
                    f"expected {run.expected:%Y-%m-%d}"
                )
    if verbose:
        lines += ["", f"Requests: {result.requests}"]
    return "\n".join(lines) + "\n"


def _failures_line(item: RobotForecast) -> str:
    target = item.robot.target_name
    found = item.past_due - len(item.failures)
    head = f"  Past due: {item.past_due}, repeat deal found for {found}."
    if not item.failures:
        return head + " No silent failures."
    return (
        f'{head} SILENT FAILURES: {len(item.failures)} with no repeat deal in "{target}" '
        "(check the robot and its business process log in the deal card):"
    )


def to_json(result: Forecast) -> dict[str, Any]:
    """The forecast as a JSON-ready dict (``format_version`` 1; keys may be added, never renamed)."""

    def sums(row: MonthRow) -> dict[str, str]:
        return {currency: f"{amount:.2f}" for currency, amount in sorted(row.sums.items())}

    robots = []
    for item in result.robots:
        robot = item.robot
        total = total_of(item.rows)
        robots.append(
            {
                "pipeline": robot.pipeline.key,
                "stage": robot.stage.code,
                "index": robot.index,
                "type": robot.robot.type,
                "title": robot.title,
                "creates": robot.creates,
                "waits": list(robot.waits),
                "target_pipeline": robot.target_pipeline,
                "runs": item.runs,
                "months": [{"month": r.month, "count": r.count, "sums": sums(r)} for r in item.rows],
                "total": {"count": total.count, "sums": sums(total)},
                "later": item.later,
                "past_due": item.past_due,
                "silent_failures": [
                    {
                        "deal_id": run.deal_id,
                        "title": run.title,
                        "entered": run.moved_at.isoformat(),
                        "expected": run.expected.isoformat(),
                    }
                    for run in item.failures
                ],
                "note": item.note or None,
            }
        )
    return {
        "format_version": FORMAT_VERSION,
        "portal": result.portal,
        "now": result.now.isoformat(),
        "months": result.months,
        "requests": result.requests,
        "robots": robots,
    }
