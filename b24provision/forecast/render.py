"""The forecast as text (a month table per delayed robot, then its silent failures) and as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from b24provision.forecast.model import (
    FORMAT_VERSION,
    DelayedRobot,
    Forecast,
    MonthRow,
    RobotForecast,
    total_of,
)
from b24provision.robots.describe import describe_duration, robot_kind_name


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
                "key": robot.key,
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
