"""Forecast of delayed robots: when the deals and tasks they create will appear, how many, what money.

``model`` holds the concept and the pure computation (which robots, expected dates, month tables,
silent failures), ``read`` gathers its inputs from the portal in batched requests, ``render`` prints
the result as text or JSON. The names below are the package's public face.
"""

from __future__ import annotations

from b24provision.forecast.model import (
    FORMAT_VERSION,
    GRACE,
    Candidate,
    DelayedRobot,
    Forecast,
    MonthRow,
    RobotForecast,
    Run,
    add_duration,
    delayed_robots,
    expected_date,
    is_repeat_title,
    month_key,
    month_table,
    silent_failures,
    total_of,
)
from b24provision.forecast.read import forecast, live_pipeline_key, read_forecast, read_pages
from b24provision.forecast.render import render_text, to_json

__all__ = [
    "FORMAT_VERSION",
    "GRACE",
    "Candidate",
    "DelayedRobot",
    "Forecast",
    "MonthRow",
    "RobotForecast",
    "Run",
    "add_duration",
    "delayed_robots",
    "expected_date",
    "forecast",
    "is_repeat_title",
    "live_pipeline_key",
    "month_key",
    "month_table",
    "read_forecast",
    "read_pages",
    "render_text",
    "silent_failures",
    "to_json",
    "total_of",
]
