"""A plan as Markdown, for a pull-request comment.

A heading with the summary, a callout for destructive or blocked changes, a table of changes
(one row per op), unmanaged objects, and the robots to set up by hand in a ``<details>`` block.
"""

from __future__ import annotations

from b24provision.plan.ops import AnyOp, Plan, blocked_by_deals
from b24provision.plan.render_common import (
    MARKERS,
    change_ops,
    describe,
    flags,
    plural,
    robot_heading,
    summary,
    value,
)


def render_markdown(plan: Plan) -> str:
    """The plan as Markdown."""
    where = f" for `{plan.portal}`" if plan.portal else ""
    lines = [f"### b24provision plan{where}", "", f"**{summary(plan)}**"]

    destructive, blocked = plan.destructive_ops(), plan.blocked_ops()
    if destructive or blocked:
        lines += ["", "> [!WARNING]"]
        if destructive:
            lines.append(
                f"> {plural(len(destructive), 'change')} delete data: "
                + ", ".join(f"`{op.kind} {op.key}`" for op in destructive)
                + ". `apply` needs `--allow-delete`."
            )
        for op in blocked:
            deals = blocked_by_deals(op)
            why = f"holds {plural(deals, 'deal')}" if deals else "needs an OAuth application"
            lines.append(f"> `{op.kind} {op.key}` is blocked: {why}; `apply` refuses it.")

    rows = change_ops(plan)
    if rows:
        lines += ["", "| | Object | Change |", "|---|---|---|"]
        lines += [f"| `{MARKERS[op.action]}` | {op.kind} `{op.key}` | {_cell(op)} |" for op in rows]
    if plan.unmanaged:
        refs = ", ".join(f"{r.kind} `{r.key}`" for r in plan.unmanaged)
        lines += ["", f"Unmanaged (not in the blueprint, left alone): {refs}"]
    for warning in plan.warnings:
        lines += ["", f"Warning: {_escape(warning)}"]
    if plan.manual_fields:
        lines += ["", "Field settings to make by hand (REST cannot set them):", ""]
        lines += [f"- field `{m.code}`: {_escape(m.text)}" for m in plan.manual_fields]

    manual = plan.manual_ops()
    if manual:
        lines += ["", f"<details><summary>{plural(len(manual), 'robot')} to set up by hand</summary>", ""]
        for m in manual:
            lines.append(f"- **{_escape(robot_heading(m))}**")
            lines += [f"  - {_escape(name)}: {_escape(text)}" for name, text in m.settings]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Text safe inside a table cell or a list item."""
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _cell(op: AnyOp) -> str:
    parts = [f"{op.action} {describe(op)}".strip()]
    parts += [f"{a}: {value(b)} → {value(c)}" for a, b, c in op.changes]
    parts += [f"**{flag}**" for flag in flags(op)]
    return "<br>".join(_escape(p) for p in parts)
