"""Cross-object checks of the robots on stages: the pipelines, stages and fields they name.

References a robot can make:
- a pipeline by its ``key`` (copy_deal ``to_pipeline``, create_deal ``pipeline``);
- a stage by its ``code`` within the pipeline it targets (``to_stage``, ``stage``);
- a field of the robot's own entity (a deal stage's robot a deal field, a lead status's a lead
  field, a smart process's one of its fields: ``entity_fields.py``): a standard one or a custom
  field by its code, also written with the entity's field prefix (set_field ``field``, a
  condition's ``field``, ``store_id_in``); create_deal ``set_fields`` name the new deal's fields.
  A set_field on an enumeration field names the item by its ``xml_id`` (or its exact text).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from b24provision.blueprint.check_common import Loc, finding, suggest
from b24provision.blueprint.entity_fields import own_fields, standard_fields
from b24provision.blueprint.model import (
    Blueprint,
    ChangeStageRobot,
    CopyDealRobot,
    CreateDealRobot,
    CreateTaskRobot,
    CrmField,
    EnumerationField,
    FieldBase,
    IntegerField,
    Pipeline,
    RobotBase,
    SetFieldRobot,
    StringField,
)
from b24provision.entities.types import EntityType
from b24provision.errors import Problem


def robots_of(bp: Blueprint) -> Iterator[tuple[Pipeline, int, int, int, RobotBase]]:
    """Every robot with its pipeline and the indices that locate it."""
    for pi, pipeline in enumerate(bp.pipelines):
        for si, stage in enumerate(pipeline.stages):
            for ri, robot in enumerate(stage.robots):
                yield pipeline, pi, si, ri, robot


def check_robots(bp: Blueprint) -> Iterator[Problem]:
    pipelines = bp.pipelines_by_key()
    for pipeline, pi, si, ri, robot in robots_of(bp):
        base: Loc = ("pipelines", pi, "stages", si, "robots", ri)
        label = f"robot {pipeline.key}/{pipeline.stages[si].code}#{ri + 1}"
        if isinstance(robot, CopyDealRobot | CreateDealRobot):
            target_key = robot.to_pipeline if isinstance(robot, CopyDealRobot) else robot.pipeline
            stage = robot.to_stage if isinstance(robot, CopyDealRobot) else robot.stage
            key_attr, stage_attr = ("to_pipeline", "to_stage") if isinstance(robot, CopyDealRobot) else (
                "pipeline", "stage")  # fmt: skip
            target = pipelines.get(target_key)
            if target is None:
                yield finding(
                    bp, (*base, key_attr), f"{label}: no pipeline with key '{target_key}' — "
                    f"{suggest(target_key, pipelines)}", "check/unknown-pipeline",
                )  # fmt: skip
            elif stage is not None and stage not in target.stages_by_code():
                yield finding(
                    bp, (*base, stage_attr), f"{label}: pipeline '{target.key}' has no stage '{stage}' — "
                    f"{suggest(stage, target.stages_by_code())}", "check/unknown-stage",
                )  # fmt: skip
        if isinstance(robot, ChangeStageRobot) and robot.stage not in pipeline.stages_by_code():
            yield finding(
                bp, (*base, "stage"), f"{label}: pipeline '{pipeline.key}' has no stage '{robot.stage}' — "
                f"{suggest(robot.stage, pipeline.stages_by_code())}", "check/unknown-stage",
            )  # fmt: skip
    for entity, base, label, robot in _every_robot(bp):
        yield from _robot_fields(bp, entity, robot, base, label)


ROBOT_FIELD_CODES = frozenset({"check/unknown-field", "check/unknown-enum-item", "check/store-target"})
"""The findings about the fields robots name (checked here for every entity's robots, so a smart
process's view, check_smart.py, leaves them out)."""


def _every_robot(bp: Blueprint) -> Iterator[tuple[str, Loc, str, RobotBase]]:
    """(entity, location, label, robot) of every robot: deal stages, lead statuses, smart processes."""
    for pipeline, pi, si, ri, robot in robots_of(bp):
        yield "deal", ("pipelines", pi, "stages", si, "robots", ri), (
            f"robot {pipeline.key}/{pipeline.stages[si].code}#{ri + 1}"), robot  # fmt: skip
    for si, status in enumerate(bp.entities.lead.statuses):
        for ri, robot in enumerate(status.robots):
            yield "lead", ("entities", "lead", "statuses", si, "robots", ri), (
                f"robot lead:{status.code}#{ri + 1}"), robot  # fmt: skip
    for i, sp in enumerate(bp.smart_processes):
        for j, p in enumerate(sp.pipelines):
            for k, stage in enumerate(p.stages):
                for r, robot in enumerate(stage.robots):
                    loc: Loc = ("smart_processes", i, "pipelines", j, "stages", k, "robots", r)
                    yield sp.key, loc, f"robot {sp.key}:{p.key}/{stage.code}#{r + 1}", robot


def _robot_fields(bp: Blueprint, entity: str, robot: RobotBase, base: Loc, label: str) -> Iterator[Problem]:
    """The fields ``robot`` names: its own entity's (condition, set_field, a stored id), and the new
    deal's (create_deal ``set_fields``)."""
    own = own_fields(bp, entity)
    if robot.condition is not None:
        yield from _field_ref(bp, own, robot.condition.field, (*base, "condition", "field"), label)
    if isinstance(robot, CopyDealRobot | CreateDealRobot) and robot.store_id_in is not None:
        yield from _store_target(bp, own[1], robot.store_id_in, (*base, "store_id_in"), label, deal=True)
    if isinstance(robot, CreateDealRobot):
        deal = own_fields(bp, "deal")
        for name in robot.set_fields:
            yield from _field_ref(bp, deal, name, (*base, "set_fields", name), label)
    if isinstance(robot, CreateTaskRobot) and robot.store_id_in is not None:
        yield from _store_target(bp, own[1], robot.store_id_in, (*base, "store_id_in"), label, deal=False)
    if isinstance(robot, SetFieldRobot):
        found = list(_field_ref(bp, own, robot.field, (*base, "field"), label))
        yield from found
        target_field = own[1].get(own[0].field_code(robot.field))
        if not found and isinstance(target_field, EnumerationField) and robot.value is not None:
            items = {it.xml_id for it in target_field.items} | {it.value for it in target_field.items}
            if str(robot.value) not in items:
                yield finding(
                    bp, (*base, "value"), f"{label}: '{robot.value}' is not an item of enumeration "
                    f"'{target_field.code}' — use an xml_id: "
                    f"{', '.join(it.xml_id for it in target_field.items)}",
                    "check/unknown-enum-item",
                )  # fmt: skip


def _field_ref(
    bp: Blueprint, own: tuple[EntityType, dict[str, FieldBase]], name: str, loc: Loc, label: str
) -> Iterator[Problem]:
    entity, fields = own
    code = entity.field_code(name)
    standard = standard_fields(entity)
    if name in standard and not entity.is_custom_field(name):
        return
    if code in fields:
        return
    close = difflib.get_close_matches(code, [*fields, *standard], n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    declared = ", ".join(fields) or "none"
    what = entity.key if entity.key in ("deal", "lead") else f"smart process '{entity.key}'"
    section = "fields:" if entity.key == "deal" else (
        "entities: lead: fields:" if entity.key == "lead" else "the smart process's fields:")  # fmt: skip
    yield finding(
        bp,
        loc,
        f"{label}: unknown {what} field '{name}' — {hint}use a custom field declared under {section} "
        f"({declared}) or a standard one such as TITLE, OPPORTUNITY, ASSIGNED_BY_ID, COMMENTS",
        "check/unknown-field",
    )


def _store_target(
    bp: Blueprint, fields: dict[str, FieldBase], code: str, loc: Loc, label: str, *, deal: bool
) -> Iterator[Problem]:
    field = fields.get(code)
    what = "the new deal's id" if deal else "the new task's id"
    if field is None:
        yield finding(
            bp, loc, f"{label}: store_id_in names no declared field '{code}' — declare it under fields: "
            f"(e.g. a crm field with targets: [deal]) or {suggest(code, fields)}", "check/unknown-field",
        )  # fmt: skip
    elif isinstance(field, IntegerField | StringField):
        return
    elif deal and isinstance(field, CrmField):
        if "deal" not in field.targets:
            yield finding(
                bp, loc, f"{label}: field '{code}' links to {', '.join(field.targets)}, not deals — "
                "add deal to its targets: to hold " + what, "check/store-target",
            )  # fmt: skip
    else:
        kinds = (
            "a crm field targeting deals, or an integer or string field"
            if deal
            else "an integer or string field"
        )
        yield finding(
            bp, loc, f"{label}: field '{code}' is a {getattr(field, 'type', '?')} field and cannot hold "
            f"{what} — use {kinds}",
            "check/store-target",
        )  # fmt: skip
