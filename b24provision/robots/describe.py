"""Robots in the portal's own words: what an administrator sees and sets in the Automation rules UI.

Robots on stages cannot be read or written over REST (reference §0), so the tool's job for them is
to say exactly what to click. ``describe_robot`` turns one blueprint robot into the name the
portal's robot catalogue shows ("Копировать сделку" / "Copy deal") and a list of (setting, value)
pairs with every reference resolved to what the UI shows: a pipeline's name instead of its key, a
stage's name with its code, a field's label with its ``UF_CRM_`` name, a delay in words. The plan
renderer, the runbook and the graph all use it, so the three never disagree.

Robot names come from the product's own language files (``.description.php`` of each activity in
the bitrix24-core-corp / bitrix-core-business mirrors, see reference §8.6); setting labels from the
same files where they exist (CrmCopyDealActivity: "Название сделки", "Перенести в воронку",
"Начальная стадия", "Ответственный") and from helpdesk articles 16623686 / 14960162 for the
common "Run" / "Execution" / "Condition" settings. Labels not found there are our closest wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from b24provision.blueprint.model import (
    Blueprint,
    ChangeStageRobot,
    Condition,
    CopyDealRobot,
    CreateDealRobot,
    CreateTaskRobot,
    NotifyRobot,
    Pipeline,
    Robot,
    SetFieldRobot,
    Stage,
    WaitRobot,
    parse_duration,
)
from b24provision.entities.types import DEAL
from b24provision.robots.kinds import ROBOT_KINDS, RobotKind, ui_duration

Lang = str  # "ru" or "en"; anything else falls back to English


# The robot-kind table (names, activity classes, settings) lives in kinds.py; re-exported here.
__all__ = ["ROBOT_KINDS", "RobotDescription", "RobotKind", "describe_robot"]


# Texts used in settings, (en, ru).
_TEXT: dict[str, tuple[str, str]] = {
    "robot_title": ("Automation rule title", "Название робота"),
    "run": ("Run", "Выполнить"),
    "immediately": ("immediately", "сразу"),
    "after": ("after {}", "через {}"),
    "execution": ("Execution", "Выполнение"),
    "after_previous": ("after the previous automation rule", "после предыдущего робота"),
    "parallel": ("in parallel", "параллельно"),
    "condition": ("Condition", "Условие"),
    "deal_title": ("Deal name", "Название сделки"),
    "default_copy_title": ("default: '<source title> (Copy)'", "по умолчанию: «<название> (Копия)»"),
    "move_to_pipeline": ("Move to pipeline", "Перенести в воронку"),
    "initial_stage": ("Initial stage", "Начальная стадия"),
    "first_stage": ("{} — the pipeline's first stage", "{} — первая стадия воронки"),
    "responsible": ("Responsible person", "Ответственный"),
    "amount": ("Amount", "Сумма"),
    "amount_copied": (
        "copied from this deal (the sum is counted twice in sales analytics)",
        "копируется из этой сделки (сумма дважды попадёт в аналитику продаж)",
    ),
    "amount_cleared": (
        "cleared on the copy: on stage {stage} of '{pipeline}' add 'Modify item' setting Amount to 0",
        "обнуляется в копии: на стадии {stage} воронки «{pipeline}» добавьте «Изменить элемент» "
        "с полем Сумма = 0",
    ),
    "amount_taken": (
        "taken from this deal (the sum is counted twice in sales analytics)",
        "берётся из этой сделки (сумма дважды попадёт в аналитику продаж)",
    ),
    "amount_not_set": ("not set", "не заполняется"),
    "item_type": ("Item type", "Тип элемента"),
    "deal": ("Deal", "Сделка"),
    "pipeline": ("Pipeline", "Воронка"),
    "stage": ("Stage", "Стадия"),
    "name": ("Name", "Название"),
    "field_value": ("Field {}", "Поле {}"),
    "save_deal_id": ("Save the new deal's ID", "Сохранить ID новой сделки"),
    "save_item_id": ("Save the new deal's ID", "Сохранить ID новой сделки"),
    "save_task_id": ("Save the new task's ID", "Сохранить ID новой задачи"),
    "save_into": (
        "into field {field} (by a 'Modify item' rule right after this one, from the result '{result}')",
        "в поле {field} (роботом «Изменить элемент» сразу после этого, из результата «{result}»)",
    ),
    "result_deal_id": ("New deal ID", "ID новой сделки"),
    "result_item_id": ("New CRM item ID", "ID нового элемента CRM"),
    "result_task_id": ("Task ID", "ID задачи"),
    "task_title": ("Task name", "Название задачи"),
    "deadline": ("Deadline", "Крайний срок"),
    "deadline_value": ("{} after the rule runs", "через {} после запуска робота"),
    "description": ("Description", "Описание"),
    "checklist": ("Checklist", "Чек-лист"),
    "duration": ("Pause for", "Длительность паузы"),
    "field": ("Field", "Поле"),
    "value": ("Value", "Значение"),
    "empty_value": ("(empty)", "(пусто)"),
    "yes": ("yes", "да"),
    "no": ("no", "нет"),
    "recipient": ("Recipient", "Получатель"),
    "message": ("Message text", "Текст сообщения"),
    "person_responsible": ("the deal's responsible person", "ответственный за сделку"),
    "person_author": ("the deal's creator", "автор сделки"),
    "person_user": (
        "user with ID {} (check the ID on this portal)",
        "сотрудник с ID {} (проверьте ID на этом портале)",
    ),
}

_OPS: dict[str, tuple[str, str]] = {
    "=": ("equals", "равно"),
    "!=": ("does not equal", "не равно"),
    ">": ("is greater than", "больше"),
    ">=": ("is at least", "больше или равно"),
    "<": ("is less than", "меньше"),
    "<=": ("is at most", "меньше или равно"),
    "contains": ("contains", "содержит"),
    "empty": ("is empty", "не заполнено"),
    "not_empty": ("is filled", "заполнено"),
}

# Standard deal fields by their REST name, as the deal card labels them.
STANDARD_FIELDS: dict[str, tuple[str, str]] = {
    "TITLE": ("Deal name", "Название сделки"),
    "OPPORTUNITY": ("Amount", "Сумма"),
    "CURRENCY_ID": ("Currency", "Валюта"),
    "STAGE_ID": ("Stage", "Стадия"),
    "CATEGORY_ID": ("Pipeline", "Воронка"),
    "ASSIGNED_BY_ID": ("Responsible person", "Ответственный"),
    "TYPE_ID": ("Deal type", "Тип сделки"),
    "SOURCE_ID": ("Source", "Источник"),
    "PROBABILITY": ("Probability", "Вероятность"),
    "BEGINDATE": ("Start date", "Дата начала"),
    "CLOSEDATE": ("Expected close date", "Предполагаемая дата закрытия"),
    "COMMENTS": ("Comment", "Комментарий"),
    "CONTACT_ID": ("Contact", "Контакт"),
    "COMPANY_ID": ("Company", "Компания"),
    "OPENED": ("Available to everyone", "Доступна для всех"),
}

# Russian plural forms: (one, few, many), e.g. 1 месяц, 2 месяца, 5 месяцев.
_RU_UNITS: dict[str, tuple[str, str, str]] = {
    "minute": ("минуту", "минуты", "минут"),
    "hour": ("час", "часа", "часов"),
    "day": ("день", "дня", "дней"),
    "workday": ("рабочий день", "рабочих дня", "рабочих дней"),
    "week": ("неделю", "недели", "недель"),
    "month": ("месяц", "месяца", "месяцев"),
    "year": ("год", "года", "лет"),
}
_EN_UNITS: dict[str, str] = {"workday": "working day"}


@dataclass(frozen=True)
class RobotDescription:
    """One robot as the portal shows it: catalogue name, activity class, and its settings."""

    title: str
    """The robot's name in the portal's robot catalogue, e.g. "Copy deal"."""
    activity: str
    settings: list[tuple[str, str]] = field(default_factory=list)
    """(label, value) pairs in the order the robot's settings dialog shows them."""


def _t(key: str, lang: Lang) -> str:
    en, ru = _TEXT[key]
    return ru if lang == "ru" else en


def _ru_plural(count: int, forms: tuple[str, str, str]) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]


def describe_duration(text: str, lang: Lang = "en") -> str:
    """A duration in words: ``"1 month"`` -> "1 month" / "1 месяц"; ``"3 day"`` -> "3 days" / "3 дня"."""
    count, unit = parse_duration(text)
    if lang == "ru":
        return f"{count} {_ru_plural(count, _RU_UNITS[unit])}"
    word = _EN_UNITS.get(unit, unit)
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def robot_kind_name(robot_type: str, lang: Lang = "en") -> str:
    """The catalogue name of a robot type, e.g. ``copy_deal`` -> "Копировать сделку"."""
    kind = ROBOT_KINDS[robot_type]
    return kind.ru if lang == "ru" else kind.en


def label_text(label: str | dict[str, str] | None, lang: Lang, fallback: str) -> str:
    """The text of a label in ``lang``, else in English, Russian or any language, else ``fallback``."""
    if label is None:
        return fallback
    if isinstance(label, str):
        return label
    for candidate in (lang, "en", "ru"):
        if label.get(candidate):
            return label[candidate]
    return next((text for text in label.values() if text), fallback)


def field_text(code: str, blueprint: Blueprint, lang: Lang = "en") -> str:
    """A deal field as the card shows it: "'Child deals' (UF_CRM_CHILD_DEALS)" or "Amount (OPPORTUNITY)".

    ``code`` is a standard field (OPPORTUNITY), a custom field's code (CHILD_DEALS) or its full
    name (UF_CRM_CHILD_DEALS).
    """
    if code in STANDARD_FIELDS:
        en, ru = STANDARD_FIELDS[code]
        return f"{ru if lang == 'ru' else en} ({code})"
    short = DEAL.field_code(code)
    declared = blueprint.fields_by_code().get(short)
    if declared is None:
        return DEAL.field_name(short) if DEAL.is_custom_field(code) else code
    name = label_text(declared.label, lang, declared.field_name)
    return f"«{name}» ({declared.field_name})" if lang == "ru" else f"'{name}' ({declared.field_name})"


def stage_text(pipeline: Pipeline | None, code: str | None, lang: Lang = "en") -> str:
    """A stage as "Name (CODE)"; no code means the pipeline's first stage."""
    if pipeline is None:
        return code or "?"
    if code is None:
        first = pipeline.stages[0]
        return _t("first_stage", lang).format(f"{first.name} ({first.code})")
    stage = pipeline.stages_by_code().get(code)
    return f"{stage.name} ({code})" if stage else code


def person_text(person: str, lang: Lang = "en") -> str:
    """``responsible`` / ``author`` / ``user:7`` in words."""
    if person == "responsible":
        return _t("person_responsible", lang)
    if person == "author":
        return _t("person_author", lang)
    return _t("person_user", lang).format(person.removeprefix("user:"))


def _value_text(value: object, lang: Lang) -> str:
    if value is None or value == "":
        return _t("empty_value", lang)
    if isinstance(value, bool):
        return _t("yes" if value else "no", lang)
    return str(value)


def condition_text(condition: Condition, blueprint: Blueprint, lang: Lang = "en") -> str:
    """A condition in words: "Amount (OPPORTUNITY) is greater than 0"."""
    en, ru = _OPS[condition.op]
    words = f"{field_text(condition.field, blueprint, lang)} {ru if lang == 'ru' else en}"
    if condition.op in ("empty", "not_empty"):
        return words
    return f"{words} {_value_text(condition.value, lang)}"


def _pipeline_name(blueprint: Blueprint, key: str) -> tuple[Pipeline | None, str]:
    pipeline = blueprint.pipelines_by_key().get(key)
    return pipeline, (pipeline.name if pipeline else key)


def _save_id(label_key: str, result_key: str, code: str, blueprint: Blueprint, lang: Lang) -> tuple[str, str]:
    text = _t("save_into", lang).format(field=field_text(code, blueprint, lang), result=_t(result_key, lang))
    return _t(label_key, lang), text


def describe_robot(robot: Robot, blueprint: Blueprint, lang: Lang = "en") -> RobotDescription:
    """Describe ``robot`` the way the portal's Automation rules UI shows it.

    Args:
        robot: a robot of one of the blueprint's stages.
        blueprint: the blueprint it belongs to, to resolve pipelines, stages and fields to names.
        lang: "ru" or "en".

    Returns:
        The catalogue name, the activity class and the settings in the dialog's order: the robot's
        own settings first, then the common "Run", "Execution" and "Condition".
    """
    kind = ROBOT_KINDS[robot.type]
    settings: list[tuple[str, str]] = []
    if robot.title:
        settings.append((_t("robot_title", lang), robot.title))
    settings += _own_settings(robot, blueprint, lang)
    # The delay as the UI's selector holds it (minutes, hours, days): "1 month" is set as 30 days.
    delay = (
        _t("after", lang).format(describe_duration(ui_duration(robot.delay), lang))
        if robot.delay
        else _t("immediately", lang)
    )
    settings.append((_t("run", lang), delay))
    settings.append(
        (_t("execution", lang), _t("after_previous" if robot.after_previous else "parallel", lang))
    )
    if robot.condition is not None:
        settings.append((_t("condition", lang), condition_text(robot.condition, blueprint, lang)))
    return RobotDescription(
        title=kind.ru if lang == "ru" else kind.en, activity=kind.activity, settings=settings
    )


def _own_settings(robot: Robot, blueprint: Blueprint, lang: Lang) -> list[tuple[str, str]]:
    """The settings particular to each robot type."""
    out: list[tuple[str, str]] = []
    if isinstance(robot, CopyDealRobot):
        pipeline, name = _pipeline_name(blueprint, robot.to_pipeline)
        out.append((_t("deal_title", lang), robot.deal_title or _t("default_copy_title", lang)))
        out.append((_t("move_to_pipeline", lang), name))
        out.append((_t("initial_stage", lang), stage_text(pipeline, robot.to_stage, lang)))
        out.append((_t("responsible", lang), person_text(robot.responsible, lang)))
        if robot.keep_amount:
            out.append((_t("amount", lang), _t("amount_copied", lang)))
        else:
            stage = stage_text(pipeline, robot.to_stage, lang)
            out.append((_t("amount", lang), _t("amount_cleared", lang).format(stage=stage, pipeline=name)))
        if robot.store_id_in:
            out.append(_save_id("save_deal_id", "result_deal_id", robot.store_id_in, blueprint, lang))
    elif isinstance(robot, CreateDealRobot):
        pipeline, name = _pipeline_name(blueprint, robot.pipeline)
        out.append((_t("item_type", lang), _t("deal", lang)))
        out.append((_t("pipeline", lang), name))
        out.append((_t("stage", lang), stage_text(pipeline, robot.stage, lang)))
        out.append((_t("name", lang), robot.deal_title))
        out.append((_t("responsible", lang), person_text(robot.responsible, lang)))
        out.append(
            (_t("amount", lang), _t("amount_taken" if robot.amount_from_deal else "amount_not_set", lang))
        )
        for code, value in sorted(robot.set_fields.items()):
            out.append(
                (_t("field_value", lang).format(field_text(code, blueprint, lang)), _value_text(value, lang))
            )
        if robot.store_id_in:
            out.append(_save_id("save_item_id", "result_item_id", robot.store_id_in, blueprint, lang))
    elif isinstance(robot, CreateTaskRobot):
        out.append((_t("task_title", lang), robot.task_title))
        out.append((_t("responsible", lang), person_text(robot.responsible, lang)))
        if robot.deadline:
            out.append(
                (
                    _t("deadline", lang),
                    _t("deadline_value", lang).format(describe_duration(robot.deadline, lang)),
                )
            )
        if robot.description:
            out.append((_t("description", lang), robot.description))
        if robot.checklist:
            out.append((_t("checklist", lang), "; ".join(robot.checklist)))
        if robot.store_id_in:
            out.append(_save_id("save_task_id", "result_task_id", robot.store_id_in, blueprint, lang))
    elif isinstance(robot, WaitRobot):
        out.append((_t("duration", lang), describe_duration(ui_duration(robot.duration), lang)))
    elif isinstance(robot, SetFieldRobot):
        out.append((_t("field", lang), field_text(robot.field, blueprint, lang)))
        out.append((_t("value", lang), _value_text(robot.value, lang)))
    elif isinstance(robot, ChangeStageRobot):
        out.append((_t("stage", lang), stage_text(_stage_owner(robot, blueprint), robot.stage, lang)))
    elif isinstance(robot, NotifyRobot):
        out.append((_t("recipient", lang), person_text(robot.to, lang)))
        out.append((_t("message", lang), robot.message))
    return out


def effective_delays(stage: Stage) -> list[list[str]]:
    """Each robot's effective delay on ``stage``: its own, plus the pauses and delays of the chain
    it runs after ("after the previous automation rule"), e.g. a pause of 1 month then a copy."""
    out: list[list[str]] = []
    chain: list[str] = []
    for robot in stage.robots:
        mine = [robot.delay] if robot.delay else []
        chain = chain + mine if robot.after_previous else mine
        out.append(list(chain))
        if isinstance(robot, WaitRobot):
            chain = chain + [robot.duration]
    return out


def _stage_owner(robot: Robot, blueprint: Blueprint) -> Pipeline | None:
    """The pipeline whose stage holds ``robot`` (change_stage moves within that pipeline)."""
    for pipeline in blueprint.pipelines:
        for stage in pipeline.stages:
            if any(r is robot for r in stage.robots):
                return pipeline
    return None
