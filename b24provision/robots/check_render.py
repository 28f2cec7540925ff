"""``robots check`` output: text for people, Markdown for pull-request comments, JSON for machines. Pure."""

from __future__ import annotations

import json
from typing import Any

from b24provision.robots.check import RobotCheck, RobotVerdict

JSON_FORMAT_VERSION = 1

_WORDS = {
    "matches": "matches",
    "differs": "differs",
    "missing": "missing on the portal",
    "only_on_portal": "only on the portal",
    "not_described": "of a type the blueprint language does not describe",
    "designer_edited": "the stage's robots were edited in the designer",
}
_MARKS = {
    "matches": "=",
    "differs": "~",
    "missing": "-",
    "only_on_portal": "+",
    "not_described": "?",
    "designer_edited": "!",
}


def render_check(check: RobotCheck, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(check), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(check)
    return _text(check)


def summary_line(check: RobotCheck) -> str:
    c = check.counts()
    total = c["matches"] + c["differs"] + c["missing"] + c["only_on_portal"]
    parts = [
        f"{c['matches']} match",
        f"{c['differs']} differ",
        f"{c['missing']} missing on the portal",
        f"{c['only_on_portal']} only on the portal",
    ]
    if c["not_described"]:
        parts.append(f"{c['not_described']} of types blueprints do not describe")
    if c["designer_edited"]:
        parts.append(f"{c['designer_edited']} stage(s) edited in the designer")
    robots = "robot" if total == 1 else "robots"
    return f"{total} {robots} checked against the export {check.export}: {', '.join(parts)}."


def robot_name(v: RobotVerdict) -> str:
    what = v.type or v.activity
    return f"{what} «{v.title}»" if v.title else what


def difference_text(path: str, before: Any, after: Any) -> str:
    return f"{path}: {_value(before)} -> {_value(after)}"


def _value(value: Any) -> str:
    if value is None:
        return "(not set)"
    return json.dumps(value, ensure_ascii=False)


def _groups(check: RobotCheck) -> list[tuple[str, list[RobotVerdict]]]:
    groups: dict[str, list[RobotVerdict]] = {}
    for v in check.verdicts:
        title = f"{v.pipeline_name} / {v.stage_name} ({v.where})"
        groups.setdefault(title, []).append(v)
    return list(groups.items())


def _text(check: RobotCheck) -> str:
    lines = [summary_line(check), ""]
    for title, verdicts in _groups(check):
        lines.append(title)
        for v in verdicts:
            where = v.place
            if v.status == "designer_edited":
                lines.append(f"  ! {_WORDS[v.status]}: {'; '.join(v.notes)}")
                continue
            lines.append(f"  {_MARKS[v.status]} {where} {robot_name(v)}: {_WORDS[v.status]}")
            lines += [f"      {difference_text(d.path, d.before, d.after)}" for d in v.differences]
            lines += [f"      note: {n}" for n in v.notes]
        lines.append("")
    if check.ignored:
        lines.append("Not read: " + "; ".join(check.ignored))
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown(check: RobotCheck) -> str:
    lines = [
        "### Robots",
        "",
        summary_line(check),
        "",
        "| Stage | Robot | Verdict | Details |",
        "|---|---|---|---|",
    ]
    for v in check.verdicts:
        details = [difference_text(d.path, d.before, d.after) for d in v.differences] + list(v.notes)
        cell = "<br>".join(_md(d) for d in details)
        stage = _md(f"{v.pipeline_name} / {v.stage_name}")
        lines.append(f"| {stage} | {_md(robot_name(v))} | {_WORDS[v.status]} | {cell} |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_json(check: RobotCheck) -> dict[str, Any]:
    return {
        "format_version": JSON_FORMAT_VERSION,
        "export": check.export,
        "has_differences": check.has_differences,
        "summary": check.counts(),
        "robots": [
            {
                "key": v.key,
                "status": v.status,
                "entity": v.entity,
                "pipeline": v.pipeline_key,
                "stage": v.stage_code,
                "index": v.index,
                "position": v.position,
                "type": v.type,
                "activity": v.activity,
                "title": v.title,
                "differences": [
                    {"path": d.path, "before": d.before, "after": d.after} for d in v.differences
                ],
                "notes": list(v.notes),
            }
            for v in check.verdicts
        ],
        "ignored": list(check.ignored),
    }
