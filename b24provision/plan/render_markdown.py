"""A plan as Markdown, for a pull-request comment.

A heading with the summary, a callout for what loses data, is blocked by data or needs an OAuth
application, a table of changes (one row per op), unmanaged objects, the robots to set up by hand in
a ``<details>`` block, and the digest of the operations (``plan/digest.py``) that the merge job
compares with.
"""

from __future__ import annotations

from b24provision.plan.digest import operations_digest
from b24provision.plan.ops import AnyOp, Plan, data_lost
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
from b24provision.plan.robots_export import export_lines, export_summary


def render_markdown(plan: Plan) -> str:
    """The plan as Markdown."""
    where = f" for `{plan.portal}`" if plan.portal else ""
    lines = [f"### b24provision plan{where}", "", f"**{summary(plan)}**"]

    losing, blocked, needs_app = plan.allow_delete_ops(), plan.blocked_by_data_ops(), plan.needs_app_ops()
    if losing or blocked or needs_app:
        lines += ["", "> [!WARNING]"]
        if losing:
            lines.append(
                f"> {plural(len(losing), 'change')} {'loses' if len(losing) == 1 else 'lose'} data: "
                + ", ".join(f"`{op.kind} {op.key}` ({_escape(data_lost(op))})" for op in losing)
                + ". `apply` needs `--allow-delete`."
            )
        for op in blocked:
            lines.append(f"> `{op.kind} {op.key}` is blocked by data: {data_lost(op)}; `apply` refuses it.")
        for entry in needs_app:
            lines.append(f"> `{entry.kind} {entry.key}` needs an OAuth application; `apply` refuses it.")

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
        lines += [f"- field `{m.name}`: {_escape(m.text)}" for m in plan.manual_fields]

    manual = plan.manual_ops()
    if plan.robots_export:
        lines += ["", _escape(export_summary(plan))]
    if manual:
        lines += ["", f"<details><summary>{plural(len(manual), 'robot')} to set up by hand</summary>", ""]
        for m in manual:
            lines.append(f"- **{_escape(robot_heading(m))}**")
            lines += [f"  - {_escape(line.strip())}" for line in export_lines(m)]
            lines += [f"  - {_escape(name)}: {_escape(text)}" for name, text in m.settings]
        lines += ["", "</details>"]
    # What a reviewer approves; the merge job applies only a fresh plan with this digest (apply --expect).
    lines += ["", f"<sub>Plan digest: `{operations_digest(plan)}`</sub>"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Text safe inside a table cell or a list item."""
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _cell(op: AnyOp) -> str:
    parts = [f"{op.action} {describe(op)}".strip()]
    parts += [f"{a}: {value(b)} → {value(c)}" for a, b, c in op.changes]
    parts += [f"**{flag}**" for flag in flags(op)]
    return "<br>".join(_escape(p) for p in parts)
