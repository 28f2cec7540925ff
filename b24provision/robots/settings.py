"""Each robot kind's own settings in the portal's words, in the order its settings dialog shows them.

One describer per robot kind; the robot-kind table (``kinds.py``) names them and ``describe_robot``
adds the settings every robot has ("Run", "Execution", "Condition") around them. Every reference
is resolved to what the UI shows (``words.py``): a pipeline's name, a stage's name and code, a
field's label, a person, a delay in words. ``entity`` is what the robot works on (a deal, a lead, a
smart process's item), so its people are named as that item's: "the lead's responsible person".
"""

from __future__ import annotations

from b24provision.blueprint.model import (
    Blueprint,
    ChangeStageRobot,
    CopyDealRobot,
    CreateDealRobot,
    CreateTaskRobot,
    NotifyRobot,
    Pipeline,
    Robot,
    SetFieldRobot,
    WaitRobot,
)
from b24provision.robots.properties import ui_duration
from b24provision.robots.words import (
    Entity,
    Lang,
    describe_duration,
    field_text,
    item_text,
    person_text,
    pipeline_name,
    save_id,
    stage_text,
    text_of,
    value_text,
)

Settings = list[tuple[str, str]]


def copy_deal_settings(
    robot: CopyDealRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Settings:
    pipeline, name = pipeline_name(blueprint, robot.to_pipeline)
    out = [
        (text_of("deal_title", lang), robot.deal_title or text_of("default_copy_title", lang)),
        (text_of("move_to_pipeline", lang), name),
        (text_of("initial_stage", lang), stage_text(pipeline, robot.to_stage, lang)),
        (text_of("responsible", lang), person_text(robot.responsible, lang, entity)),
    ]
    if robot.keep_amount:
        out.append((text_of("amount", lang), text_of("amount_copied", lang)))
    else:
        stage = stage_text(pipeline, robot.to_stage, lang)
        out.append(
            (text_of("amount", lang), text_of("amount_cleared", lang).format(stage=stage, pipeline=name))
        )
    if robot.store_id_in:
        out.append(save_id("save_deal_id", "result_deal_id", robot.store_id_in, blueprint, lang))
    return out


def create_deal_settings(
    robot: CreateDealRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Settings:
    pipeline, name = pipeline_name(blueprint, robot.pipeline)
    amount = (
        item_text("amount_taken", entity, lang) if robot.amount_from_deal else text_of("amount_not_set", lang)
    )
    out = [
        (text_of("item_type", lang), text_of("deal", lang)),
        (text_of("pipeline", lang), name),
        (text_of("stage", lang), stage_text(pipeline, robot.stage, lang)),
        (text_of("name", lang), robot.deal_title),
        (text_of("responsible", lang), person_text(robot.responsible, lang, entity)),
        (text_of("amount", lang), amount),
    ]
    for code, value in sorted(robot.set_fields.items()):
        label = text_of("field_value", lang).format(field_text(code, blueprint, lang))
        out.append((label, value_text(value, lang)))
    if robot.store_id_in:
        out.append(save_id("save_item_id", "result_item_id", robot.store_id_in, blueprint, lang, entity))
    return out


def create_task_settings(
    robot: CreateTaskRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Settings:
    out = [
        (text_of("task_title", lang), robot.task_title),
        (text_of("responsible", lang), person_text(robot.responsible, lang, entity)),
    ]
    if robot.deadline:
        deadline = text_of("deadline_value", lang).format(describe_duration(robot.deadline, lang))
        out.append((text_of("deadline", lang), deadline))
    if robot.description:
        out.append((text_of("description", lang), robot.description))
    if robot.checklist:
        out.append((text_of("checklist", lang), "; ".join(robot.checklist)))
    if robot.store_id_in:
        out.append(save_id("save_task_id", "result_task_id", robot.store_id_in, blueprint, lang, entity))
    return out


def wait_settings(robot: WaitRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal") -> Settings:
    return [(text_of("duration", lang), describe_duration(ui_duration(robot.duration), lang))]


def set_field_settings(
    robot: SetFieldRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Settings:
    return [
        (text_of("field", lang), field_text(robot.field, blueprint, lang, entity)),
        (text_of("value", lang), value_text(robot.value, lang)),
    ]


def change_stage_settings(
    robot: ChangeStageRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Settings:
    return [(text_of("stage", lang), stage_text(stage_owner(robot, blueprint), robot.stage, lang))]


def notify_settings(
    robot: NotifyRobot, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> Settings:
    return [
        (text_of("recipient", lang), person_text(robot.to, lang, entity)),
        (text_of("message", lang), robot.message),
    ]


def stage_owner(robot: Robot, blueprint: Blueprint) -> Pipeline | None:
    """The pipeline whose stage holds ``robot`` (change_stage moves within that pipeline)."""
    for pipeline in blueprint.pipelines:
        for stage in pipeline.stages:
            if any(r is robot for r in stage.robots):
                return pipeline
    return None
