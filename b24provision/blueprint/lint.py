"""Advice: patterns that work on a portal but hurt the people who use it.

Each rule comes from a real story (``seeds/``) and is a warning, never an error: it does not
change the exit code of ``validate``; it names the place and the reason, and suggests the
alternative the story arrived at.

- ``lint/long-delay-on-success``: a robot on the success stage that waits more than 3 days (seed 2:
  "recurring deals"). Nobody can see when the repeat deal will appear, how many will come next month
  or what they will bring; the wait occupies the portal for weeks and a silent failure means the
  deal is never created. Create a task (or the deal) with a deadline at once instead.
- ``lint/long-wait``: a ``wait`` robot longer than a month, for the same reasons anywhere.
- ``lint/delay-unit``: a robot's ``delay`` or a pause's ``duration`` in weeks, months, years or
  working days: the portal's delay selector takes minutes, hours or days only (``DelayInterval``),
  so "1 month" cannot be set in the UI; the warning suggests the days to write ("30 days").
- ``lint/duplicated-amount``: a robot copies or creates a deal in another pipeline and keeps the
  amount (seed 1: "child deals"): end-to-end analytics then count the same money twice.
- ``lint/copy-into-same-pipeline``: a deal copied into its own pipeline; usually a wrong key, and
  a copy that reaches the same stage again would copy itself again.
- ``lint/duplicate-stage-name``: two stages of a pipeline with the same name cannot be told apart
  on the board, in reports or in robot settings.
- ``lint/enum-without-default``: an enumeration without a default leaves new deals with no value,
  so a "status" field (seed 1, the subtasks variant) shows nothing until someone sets it.
- ``lint/mandatory-field``: a mandatory field in a blueprint whose robots create deals: a deal a
  robot creates does not get the field filled, and people must fill it before they can save or move
  that deal by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

from b24provision.blueprint.check import finding, robots_of
from b24provision.blueprint.model import (
    Blueprint,
    CopyDealRobot,
    CreateDealRobot,
    EnumerationField,
    duration_days,
)
from b24provision.errors import Problem
from b24provision.robots.kinds import new_deal, pause_of, ui_can_hold, ui_duration

DELAY_ON_SUCCESS_DAYS = 3
LONG_WAIT_DAYS = 30


def lint_blueprint(bp: Blueprint) -> list[Problem]:
    """Every warning for ``bp``; each has severity "warning" and a code "lint/<rule>"."""
    return [
        *_waits(bp),
        *_copies(bp),
        *_stage_names(bp),
        *_enumerations(bp),
        *_mandatory(bp),
    ]


def _warn(bp: Blueprint, loc: tuple[str | int, ...], message: str, rule: str) -> Problem:
    return finding(bp, loc, message, f"lint/{rule}", severity="warning")


def _waits(bp: Blueprint) -> Iterator[Problem]:
    for pipeline, pi, si, ri, robot in robots_of(bp):
        base = ("pipelines", pi, "stages", si, "robots", ri)
        stage = pipeline.stages[si]
        label = f"robot {pipeline.key}/{stage.code}#{ri + 1}"
        waits = [("delay", robot.delay)] if robot.delay else []
        pause = pause_of(robot)
        if pause:
            waits.append(("duration", pause))
        flagged = False
        for attr, duration in waits:
            if duration is None:
                continue
            if not ui_can_hold(duration):
                yield _warn(
                    bp,
                    (*base, attr),
                    f"{label}: {attr} {duration} cannot be set in the portal — a robot's delay takes "
                    f"minutes, hours or days only; write {attr}: {ui_duration(duration)}",
                    "delay-unit",
                )
            if stage.semantics == "success" and duration_days(duration) > DELAY_ON_SUCCESS_DAYS:
                flagged = True
                yield _warn(
                    bp,
                    (*base, attr),
                    f"{label} waits {duration} on the success stage '{stage.code}': the wait is invisible — "
                    "nobody sees when the deal will come, how many will come next month or what they bring, "
                    "the waiting process occupies the portal and a silent failure loses the deal; create a "
                    f"task (create_task with deadline: {duration}) or the deal now instead",
                    "long-delay-on-success",
                )
        if pause and not flagged and duration_days(pause) > LONG_WAIT_DAYS:
            yield _warn(
                bp,
                (*base, "duration"),
                f"{label} waits {pause}: a wait longer than a month is invisible and fragile (it "
                "occupies the portal, and a failure goes unnoticed) — create a task with a deadline instead",
                "long-wait",
            )


def _copies(bp: Blueprint) -> Iterator[Problem]:
    for pipeline, pi, si, ri, robot in robots_of(bp):
        base = ("pipelines", pi, "stages", si, "robots", ri)
        label = f"robot {pipeline.key}/{pipeline.stages[si].code}#{ri + 1}"
        if isinstance(robot, CopyDealRobot):
            if robot.to_pipeline == pipeline.key:
                yield _warn(
                    bp,
                    (*base, "to_pipeline"),
                    f"{label} copies the deal into its own pipeline '{pipeline.key}' — check the key; a copy "
                    "that reaches this stage again is copied again",
                    "copy-into-same-pipeline",
                )
            elif robot.keep_amount:
                yield _warn(
                    bp,
                    (*base, "keep_amount") if "keep_amount" in robot.model_fields_set else base,
                    f"{label} copies the deal into '{robot.to_pipeline}' with its amount: "
                    "end-to-end analytics will count the same money twice — set keep_amount: false "
                    "unless the copy is a sale of its own",
                    "duplicated-amount",
                )
        if isinstance(robot, CreateDealRobot) and robot.amount_from_deal:
            yield _warn(
                bp,
                (*base, "amount_from_deal"),
                f"{label} creates a deal in '{robot.pipeline}' with this deal's amount: end-to-end analytics "
                "will count the same money twice — set amount_from_deal: false unless it is a new sale",
                "duplicated-amount",
            )


def _stage_names(bp: Blueprint) -> Iterator[Problem]:
    for pi, p in enumerate(bp.pipelines):
        seen: dict[str, str] = {}
        for si, s in enumerate(p.stages):
            norm = " ".join(s.name.split()).casefold()
            if norm in seen:
                yield _warn(
                    bp,
                    ("pipelines", pi, "stages", si, "name"),
                    f"pipeline '{p.key}': stages '{seen[norm]}' and '{s.code}' are both named '{s.name}' — "
                    "people cannot tell them apart on the board, in reports or in robot settings; rename one",
                    "duplicate-stage-name",
                )
            seen.setdefault(norm, s.code)


def _enumerations(bp: Blueprint) -> Iterator[Problem]:
    for fi, f in enumerate(bp.fields):
        if isinstance(f, EnumerationField) and not any(it.default for it in f.items):
            yield _warn(
                bp,
                ("fields", fi, "items"),
                f"field '{f.code}': no item is the default, so new deals have no value and the field shows "
                f"nothing until someone sets it — mark the first state with default: true",
                "enum-without-default",
            )


def _mandatory(bp: Blueprint) -> Iterator[Problem]:
    creators = [
        f"{p.key}/{p.stages[si].code}" for p, _pi, si, _ri, r in robots_of(bp) if new_deal(r) is not None
    ]
    if not creators:
        return
    for fi, f in enumerate(bp.fields):
        if f.mandatory:
            yield _warn(
                bp,
                ("fields", fi, "mandatory"),
                f"field '{f.code}' is mandatory, and robots create deals "
                f"({', '.join(sorted(set(creators)))}): "
                "robot-made deals get it empty, and people must fill it in before they can save or move such "
                "a deal — make it optional, or fill it when creating (create_deal set_fields)",
                "mandatory-field",
            )
