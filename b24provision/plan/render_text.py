"""A plan as text for a terminal, Terraform-like: summary first, then only what changes.

Layout: the summary line; what needs an OAuth application; each pipeline's changes, then fields,
then application robot types and triggers, each op with a marker (``+`` create, ``~`` update,
``-`` delete, ``-+`` replace) and its changed attributes as ``before -> after``; unmanaged objects;
warnings; the robots to set up by hand with every setting. ``verbose`` adds unchanged objects.

With ``color=True`` the result holds rich markup (print it with a rich Console); with
``color=False`` it is plain text, to be printed as is (markup off).
"""

from __future__ import annotations

from typing import Literal

from rich.markup import escape

from b24provision.plan.ops import AnyOp, ObjectRef, Plan
from b24provision.plan.render_common import (
    MARKERS,
    change_ops,
    describe,
    flags,
    group_of,
    pipeline_title,
    robot_heading,
    summary,
    value,
)
from b24provision.plan.robots_export import export_lines, export_summary

RobotDetail = Literal["steps", "titles", "none"]
_STYLES = {"create": "green", "update": "yellow", "delete": "red", "replace": "magenta", "needs_app": "red"}


def render_text(
    plan: Plan, *, color: bool = False, verbose: bool = False, robots: RobotDetail | None = None
) -> str:
    """The plan as text.

    Args:
        plan: The plan to show.
        color: Add rich markup for colours (the CLI passes False for NO_COLOR or a non-terminal).
        verbose: Also list the declared objects that already match.
        robots: How the robots to set up by hand are shown: "steps" (every setting), "titles"
            (one line each) or "none" (the summary line counts them). By default steps when the
            plan has changes, titles when it has none (the steps were shown by the plan that
            made the changes, and ``runbook`` lists them).
    """
    out = _Out(color)
    out.line(summary(plan), style="bold")
    needs_app = plan.needs_app_ops()
    if needs_app:
        out.blank()
        out.line("Needs an OAuth application (a webhook cannot read or write these; apply refuses the plan):")
        for entry in needs_app:
            out.op(entry)

    ops = change_ops(plan)
    groups: dict[str, list[AnyOp]] = {}
    for op in ops:
        groups.setdefault(group_of(op), []).append(op)
    for key, members in groups.items():
        if not key:
            continue
        out.blank()
        out.line(pipeline_title(members, key), style="bold")
        for op in members:
            out.op(op)
    others = groups.get("", [])
    for title, kinds in (
        ("Smart processes", ("smart_process",)),
        ("Fields", ("field",)),
        ("Application robot types and triggers", ("app_robot", "trigger")),
        ("Lead statuses", ("status",)),
        ("Reference lists", ("list_item",)),
    ):
        members = [op for op in others if op.kind in kinds]
        if members:
            out.blank()
            out.line(title, style="bold")
            for op in members:
                out.op(op)

    if verbose and plan.unchanged:
        out.blank()
        out.line("Unchanged:")
        for ref in plan.unchanged:
            out.line(f"  = {_ref(ref)}", style="dim")
    if plan.unmanaged:
        out.blank()
        out.line(
            "Unmanaged (not in the blueprint, left alone): " + ", ".join(_ref(r) for r in plan.unmanaged)
        )
    for warning in plan.warnings:
        out.blank()
        out.line(f"Warning: {warning}", style="yellow")

    if plan.manual_fields:
        out.blank()
        out.line("Field settings to make by hand (REST cannot set them):", style="bold")
        for step in plan.manual_fields:
            out.line(f"  ? field {step.name}: {step.text}")
    manual = plan.manual_ops()
    detail = robots or ("steps" if plan.has_changes else "titles")
    if plan.robots_export and detail != "none":
        out.blank()
        out.line(export_summary(plan), style="bold")
    if manual and detail in ("steps", "titles"):
        steps = detail == "steps"  # every setting, or the titles alone (the runbook has the rest)
        out.blank()
        out.line(
            "Robots to set up by hand (REST cannot read or write robots on stages):"
            if steps
            else "Robots to check by hand (every setting: `b24provision runbook`):",
            style="bold",
        )
        for m in manual:
            out.line(f"  {robot_heading(m)}")
            for line in export_lines(m):
                out.line(f"      {line}")
            for name, text in m.settings if steps else ():
                out.line(f"      {name}: {text}")
    return out.text()


def _ref(ref: ObjectRef) -> str:
    return f"{ref.kind} {ref.key}" + (f" {value(ref.note)}" if ref.note else "")


class _Out:
    """Collects lines, adding rich markup only when colour is asked for."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []

    def _paint(self, text: str, style: str) -> str:
        return (
            f"[{style}]{escape(text)}[/{style}]"
            if self.color and style
            else (escape(text) if self.color else text)
        )

    def line(self, text: str, style: str = "") -> None:
        self.lines.append(self._paint(text, style))

    def blank(self) -> None:
        self.lines.append("")

    def op(self, op: AnyOp) -> None:
        head = self._paint(f"  {MARKERS[op.action]} {op.kind} {op.key}", _STYLES.get(op.action, ""))
        words = describe(op)
        if words:
            head += " " + self._paint(words, "")
        tail = "  ".join(self._paint(flag, "bold red") for flag in flags(op))
        self.lines.append(f"{head}  {tail}" if tail else head)
        for attr, before, after in op.changes:
            self.line(f"      {attr}: {value(before)} -> {value(after)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
