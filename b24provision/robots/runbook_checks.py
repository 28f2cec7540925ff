"""What the administrator must see once a robot has run: the runbook's checks, one function per kind.

The robot-kind table (``kinds.py``) names each kind's function; the runbook (``runbook.py``) puts
the lines under the robot's "Check" step, after moving a test deal (lead, smart-process item: the
``entity`` the robot works on, which the lines name) to the robot's stage.
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
    SetFieldRobot,
    WaitRobot,
)
from b24provision.robots.words import (
    Entity,
    Lang,
    describe_duration,
    field_text,
    person_text,
    pick,
    stage_text,
)

# (en, ru)
_TEXT: dict[str, tuple[str, str]] = {
    "expect_copy": (
        "A new deal appears in '{pipeline}' at stage '{stage}'.",
        "В воронке «{pipeline}» на стадии «{stage}» появляется новая сделка.",
    ),
    "expect_amount_cleared": ("Its Amount is 0.", "Её сумма равна 0."),
    "expect_amount_empty": ("Its Amount is empty.", "Её сумма не заполнена."),
    "expect_title": ("Its name is '{}'.", "Её название: «{}»."),
    "what_deal": ("deal", "новой сделки"),
    "what_task": ("task", "новой задачи"),
    "expect_task": (
        "A task '{title}' appears for {person}{deadline}.",
        "Появляется задача «{title}» для: {person}{deadline}.",
    ),
    "task_deadline": (
        " with the deadline {} after the rule ran",
        ", крайний срок — через {} после запуска робота",
    ),
    "expect_notify": (
        "{person} receives the notification: '{message}'.",
        "{person} получает уведомление: «{message}».",
    ),
}

# Texts that name the robot's own item (the test deal, lead or smart-process item), per entity.
_ITEM: dict[str, dict[Entity, tuple[str, str]]] = {
    "expect_amount_kept": {
        "deal": ("Its Amount equals the test deal's.", "Её сумма равна сумме тестовой сделки."),
        "lead": ("Its Amount equals the test lead's.", "Её сумма равна сумме тестового лида."),
        "smart": ("Its Amount equals the test item's.", "Её сумма равна сумме тестового элемента."),
    },
    "expect_id": {
        "deal": (
            "Field {field} of the test deal holds the new {what}'s ID (a link that opens it).",
            "Поле {field} тестовой сделки содержит ID {what} (ссылка открывает её).",
        ),
        "lead": (
            "Field {field} of the test lead holds the new {what}'s ID (a link that opens it).",
            "Поле {field} тестового лида содержит ID {what} (ссылка открывает её).",
        ),
        "smart": (
            "Field {field} of the test item holds the new {what}'s ID (a link that opens it).",
            "Поле {field} тестового элемента содержит ID {what} (ссылка открывает её).",
        ),
    },
    "expect_pause": {
        "deal": (
            "The deal's Automation tab shows the pause running for {}; the rules after it wait.",
            "На вкладке «Роботы» сделки идёт пауза {}; следующие роботы ждут.",
        ),
        "lead": (
            "The lead's Automation tab shows the pause running for {}; the rules after it wait.",
            "На вкладке «Роботы» лида идёт пауза {}; следующие роботы ждут.",
        ),
        "smart": (
            "The item's Automation tab shows the pause running for {}; the rules after it wait.",
            "На вкладке «Роботы» элемента идёт пауза {}; следующие роботы ждут.",
        ),
    },
    "expect_field": {
        "deal": (
            "Field {field} of the deal now holds: {value}.",
            "Поле {field} сделки теперь содержит: {value}.",
        ),
        "lead": (
            "Field {field} of the lead now holds: {value}.",
            "Поле {field} лида теперь содержит: {value}.",
        ),
        "smart": (
            "Field {field} of the item now holds: {value}.",
            "Поле {field} элемента теперь содержит: {value}.",
        ),
    },
    "expect_stage": {
        "deal": ("The deal moves to stage {}.", "Сделка переходит на стадию {}."),
        "lead": ("The lead moves to status {}.", "Лид переходит в статус {}."),
        "smart": ("The item moves to stage {}.", "Элемент переходит на стадию {}."),
    },
}


def _t(key: str, lang: Lang) -> str:
    return pick(_TEXT[key], lang)


def _i(key: str, entity: Entity, lang: Lang) -> str:
    return pick(_ITEM[key][entity], lang)


def _new_deal(
    robot: CopyDealRobot | CreateDealRobot, key: str, code: str | None, blueprint: Blueprint, lang: Lang
) -> list[str]:
    target = blueprint.pipelines_by_key().get(key)
    out = [
        _t("expect_copy", lang).format(
            pipeline=target.name if target else key, stage=stage_text(target, code, lang)
        )
    ]
    if robot.deal_title:
        out.append(_t("expect_title", lang).format(robot.deal_title))
    return out


def _stored_id(store: str | None, what: str, blueprint: Blueprint, lang: Lang, entity: Entity) -> list[str]:
    if not store:
        return []
    return [
        _i("expect_id", entity, lang).format(
            field=field_text(store, blueprint, lang, entity), what=_t(what, lang)
        )
    ]


def copy_deal_checks(
    robot: CopyDealRobot, pipeline: Pipeline, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> list[str]:
    out = _new_deal(robot, robot.to_pipeline, robot.to_stage, blueprint, lang)
    out.append(
        _i("expect_amount_kept", entity, lang) if robot.keep_amount else _t("expect_amount_cleared", lang)
    )
    return out + _stored_id(robot.store_id_in, "what_deal", blueprint, lang, entity)


def create_deal_checks(
    robot: CreateDealRobot, pipeline: Pipeline, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> list[str]:
    out = _new_deal(robot, robot.pipeline, robot.stage, blueprint, lang)
    out.append(
        _i("expect_amount_kept", entity, lang) if robot.amount_from_deal else _t("expect_amount_empty", lang)
    )
    return out + _stored_id(robot.store_id_in, "what_deal", blueprint, lang, entity)


def create_task_checks(
    robot: CreateTaskRobot, pipeline: Pipeline, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> list[str]:
    deadline = (
        _t("task_deadline", lang).format(describe_duration(robot.deadline, lang)) if robot.deadline else ""
    )
    person = person_text(robot.responsible, lang, entity)
    out = [_t("expect_task", lang).format(title=robot.task_title, person=person, deadline=deadline)]
    return out + _stored_id(robot.store_id_in, "what_task", blueprint, lang, entity)


def wait_checks(
    robot: WaitRobot, pipeline: Pipeline, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> list[str]:
    return [_i("expect_pause", entity, lang).format(describe_duration(robot.duration, lang))]


def set_field_checks(
    robot: SetFieldRobot, pipeline: Pipeline, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> list[str]:
    value = "∅" if robot.value is None else str(robot.value)
    return [
        _i("expect_field", entity, lang).format(
            field=field_text(robot.field, blueprint, lang, entity), value=value
        )
    ]


def change_stage_checks(
    robot: ChangeStageRobot, pipeline: Pipeline, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> list[str]:
    return [_i("expect_stage", entity, lang).format(stage_text(pipeline, robot.stage, lang))]


def notify_checks(
    robot: NotifyRobot, pipeline: Pipeline, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> list[str]:
    person = person_text(robot.to, lang, entity)
    return [_t("expect_notify", lang).format(person=person[:1].upper() + person[1:], message=robot.message)]
