"""Doctor's report as text (one line per check, its next step under it) or JSON (stable, versioned)."""

from __future__ import annotations

from typing import Any

from b24provision.doctor.run import DoctorReport

_MARK = {"ok": "ok", "warning": "warning", "problem": "PROBLEM"}


def render_text(report: DoctorReport) -> str:
    lines = [f"Portal: {report.portal}"]
    for check in report.checks:
        lines.append(f"  {_MARK[check.status]:<8} {check.name:<12} {check.message}")
        if check.next_step and check.status != "ok":
            lines.append(f"  {'':<8} {'':<12} -> {check.next_step}")
    if report.probe_declined:
        lines.append("Probe: not run (not approved).")
    if report.answers:
        lines.append("Probe (on this portal; everything it made was deleted again):")
        for answer in report.answers:
            lines.append(f"  {answer.verdict:<14} {answer.assumption}: {answer.detail}")
    for left in report.cleanup:
        lines.append(f"  LEFT BEHIND    {left} — run `b24provision doctor --probe` again to remove it")
    if report.facts_file is not None:
        lines.append(f"Saved the answers to {report.facts_file}; plan and apply use them.")
    elif report.answers and any(a.verdict != "could not tell" for a in report.answers):
        lines.append("Not saved: the embedded portal is the emulator itself.")
    lines.append(f"Requests: {report.requests}")
    problems = sum(c.status == "problem" for c in report.checks) + len(report.cleanup)
    lines.append(
        f"Result: {problems} problem{'s' if problems != 1 else ''} to fix before an apply."
        if report.blocked
        else "Result: nothing blocks an apply."
    )
    return "\n".join(lines) + "\n"


def render_json(report: DoctorReport) -> dict[str, Any]:
    return {
        "format_version": 1,
        "portal": report.portal,
        "ok": not report.blocked,
        "checks": [c.to_json() for c in report.checks],
        "probe": None
        if not report.answers and not report.probe_declined
        else {
            "run": bool(report.answers),
            "answers": {a.key: a.to_json() for a in report.answers},
            "facts_file": str(report.facts_file) if report.facts_file else None,
            "left_behind": report.cleanup,
        },
        "requests": report.requests,
    }
