"""A plan's robots, checked against the portal's configuration export (``plan --robots-from``). Pure.

Without an export every robot is a manual step ("check by hand"): REST cannot read robots. With
one, the plan says what the export showed: robots that match leave the manual steps (they are
listed as unchanged), robots that differ or are missing stay, with the exact difference; robots
only on the portal, of types blueprints do not describe, or on a stage edited in the designer are
listed as unmanaged. The plan names the export (file and date) it used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b24provision.plan.ops import ManualRobotOp, ObjectRef, Plan

if TYPE_CHECKING:  # the renderers import this module: deepdiff stays out of a plain `plan`
    from b24provision.robots.check import RobotCheck

_UNMANAGED = {
    "only_on_portal": "only on the portal",
    "not_described": "of a type blueprints do not describe",
    "designer_edited": "the stage's robots were edited in the designer",
}


def with_export_robots(plan: Plan, check: RobotCheck) -> Plan:
    from b24provision.robots.check_render import difference_text  # noqa: PLC0415

    ops = []
    unchanged = list(plan.unchanged)
    for op in plan.ops:
        if isinstance(op, ManualRobotOp):
            # Deal, lead and smart-process robots alike: the op's key names the entity and the stage.
            verdict = check.for_ref(op.key)
            if verdict is not None and verdict.status == "matches":
                unchanged.append(ObjectRef(kind="robot", key=op.key, note=f"{op.title}: matches the export"))
                continue
            if verdict is not None and verdict.status in ("differs", "missing"):
                lines = [difference_text(d.path, d.before, d.after) for d in verdict.differences]
                lines += [f"note: {n}" for n in verdict.notes]
                status = "differs" if verdict.status == "differs" else "missing"
                op = op.model_copy(update={"export_status": status, "export_differences": tuple(lines)})
        ops.append(op)
    unmanaged = list(plan.unmanaged)
    for v in check.verdicts:
        if v.status in _UNMANAGED:
            what = f"{v.title or v.activity}: " if v.status != "designer_edited" else ""
            unmanaged.append(ObjectRef(kind="robot", key=v.ref, note=what + _UNMANAGED[v.status]))
    return plan.model_copy(
        update={
            "ops": tuple(ops),
            "unchanged": tuple(unchanged),
            "unmanaged": tuple(unmanaged),
            "robots_export": check.export,
        }
    )


def export_summary(plan: Plan) -> str:
    """ "Robots checked against the export X: 6 match, 1 to set up by hand." ("" without an export)."""
    if not plan.robots_export:
        return ""
    matching = sum(1 for ref in plan.unchanged if ref.kind == "robot")
    left = len(plan.manual_ops())
    return (
        f"Robots checked against the export {plan.robots_export}: {matching} match, {left} to set up by hand."
    )


def export_lines(op: ManualRobotOp) -> list[str]:
    """What the export showed about one robot still to set up by hand."""
    if op.export_status == "missing":
        return ["missing on the portal (per the export)"]
    if op.export_status == "differs":
        return ["differs on the portal (per the export):", *(f"  {line}" for line in op.export_differences)]
    return []
