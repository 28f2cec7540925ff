"""One entry point for showing a plan: ``render(plan, "text" | "json" | "markdown")``."""

from __future__ import annotations

from b24provision.errors import ConfigError
from b24provision.plan.ops import Plan
from b24provision.plan.render_json import render_json
from b24provision.plan.render_markdown import render_markdown
from b24provision.plan.render_text import RobotDetail, render_text

FORMATS = ("text", "json", "markdown")


def render(
    plan: Plan,
    fmt: str = "text",
    *,
    color: bool = False,
    verbose: bool = False,
    robots: RobotDetail | None = None,
) -> str:
    """The plan in ``fmt``; ``color``, ``verbose`` and ``robots`` apply to text only."""
    if fmt == "text":
        return render_text(plan, color=color, verbose=verbose, robots=robots)
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan)
    raise ConfigError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
