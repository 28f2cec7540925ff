"""The words robots are described in: UI labels (en/ru), fields, stages, people, durations, conditions.

``describe``, the per-kind describers (``settings.py``), ``graph`` and ``runbook`` all say a
reference the same way through these helpers: a pipeline's name instead of its key, a stage's name
with its code, a field's label with its FIELD_NAME, a delay in words. Setting labels come from
the activities' language files where they exist (CrmCopyDealActivity: "Название сделки",
"Перенести в воронку", "Начальная стадия", "Ответственный") and from helpdesk articles 16623686 /
14960162 for the common "Run" / "Execution" / "Condition" settings; labels not found there are our
closest wording.
"""

from __future__ import annotations

from typing import Literal

from b24provision.blueprint.model import Blueprint, Condition, Pipeline, parse_duration
from b24provision.entities.types import DEAL, LEAD

Lang = str  # "ru" or "en"; anything else falls back to English

Entity = Literal["deal", "lead", "smart"]
"""What a robot works on: a deal, a lead, or an item of a smart process (``Document\\Dynamic``).
The words that name the robot's own item follow it: "the lead's responsible person"."""


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
    "person_user": (
        "user with ID {} (check the ID on this portal)",
        "сотрудник с ID {} (проверьте ID на этом портале)",
    ),
}

# Texts that name the robot's own item, per entity, (en, ru): Russian needs each phrase whole.
_ITEM_TEXT: dict[str, dict[Entity, tuple[str, str]]] = {
    "person_responsible": {
        "deal": ("the deal's responsible person", "ответственный за сделку"),
        "lead": ("the lead's responsible person", "ответственный за лид"),
        "smart": ("the item's responsible person", "ответственный за элемент"),
    },
    "person_author": {
        "deal": ("the deal's creator", "автор сделки"),
        "lead": ("the lead's creator", "автор лида"),
        "smart": ("the item's creator", "автор элемента"),
    },
    "amount_taken": {
        "deal": (
            "taken from this deal (the sum is counted twice in sales analytics)",
            "берётся из этой сделки (сумма дважды попадёт в аналитику продаж)",
        ),
        "lead": ("taken from this lead", "берётся из этого лида"),
        "smart": ("taken from this item", "берётся из этого элемента"),
    },
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

# TITLE as each entity's card labels it.
_ITEM_TITLE: dict[Entity, tuple[str, str]] = {
    "deal": STANDARD_FIELDS["TITLE"],
    "lead": ("Lead name", "Название лида"),
    "smart": ("Name", "Название"),
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


def text_of(key: str, lang: Lang) -> str:
    """The text ``key`` of the settings' vocabulary in ``lang``."""
    en, ru = _TEXT[key]
    return ru if lang == "ru" else en


def pick(pair: tuple[str, str], lang: Lang) -> str:
    """The Russian or (for any other language) the English text of an (en, ru) pair."""
    return pair[1] if lang == "ru" else pair[0]


def item_text(key: str, entity: Entity, lang: Lang) -> str:
    """The text ``key`` that names the robot's own item (the deal, the lead, the item) in ``lang``."""
    return pick(_ITEM_TEXT[key][entity], lang)


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


def field_text(code: str, blueprint: Blueprint, lang: Lang = "en", entity: Entity = "deal") -> str:
    """A field of the robot's own item as its card shows it: "'Child deals' (<FIELD_NAME>)" or
    "Amount (OPPORTUNITY)".

    ``code`` is a standard field (OPPORTUNITY), a custom field's code (CHILD_DEALS) or its full
    name (the code with the portal's prefix). ``entity`` says whose: a deal's fields are the
    blueprint's ``fields:``, a lead's its ``entities.lead.fields``, a smart-process item's those of
    the smart process's view (blueprint/smart_section.py), named by code: the portal numbers the
    FIELD_NAME of a smart process's field (its type's id), so the blueprint cannot know it.
    """
    if code in STANDARD_FIELDS:
        en, ru = _ITEM_TITLE[entity] if code == "TITLE" else STANDARD_FIELDS[code]
        return f"{ru if lang == 'ru' else en} ({code})"
    own = LEAD if entity == "lead" else DEAL  # the same prefix; a smart process has its own
    short = own.field_code(code)
    fields = blueprint.entities.lead.fields if entity == "lead" else blueprint.fields
    declared = {f.code: f for f in fields}.get(short)
    if declared is None:
        return own.field_name(short) if own.is_custom_field(code) and entity != "smart" else code
    shown = declared.code if entity == "smart" else own.field_name(declared.code)
    name = label_text(declared.label, lang, shown)
    return f"«{name}» ({shown})" if lang == "ru" else f"'{name}' ({shown})"


def stage_text(pipeline: Pipeline | None, code: str | None, lang: Lang = "en") -> str:
    """A stage as "Name (CODE)"; no code means the pipeline's first stage."""
    if pipeline is None:
        return code or "?"
    if code is None:
        first = pipeline.stages[0]
        return text_of("first_stage", lang).format(f"{first.name} ({first.code})")
    stage = pipeline.stages_by_code().get(code)
    return f"{stage.name} ({code})" if stage else code


def person_text(person: str, lang: Lang = "en", entity: Entity = "deal") -> str:
    """``responsible`` / ``author`` / ``user:7`` in words; the first two are those of the robot's
    own item: "the lead's responsible person" for a robot on a lead status."""
    if person == "responsible":
        return item_text("person_responsible", entity, lang)
    if person == "author":
        return item_text("person_author", entity, lang)
    return text_of("person_user", lang).format(person.removeprefix("user:"))


def value_text(value: object, lang: Lang) -> str:
    if value is None or value == "":
        return text_of("empty_value", lang)
    if isinstance(value, bool):
        return text_of("yes" if value else "no", lang)
    return str(value)


def condition_text(
    condition: Condition, blueprint: Blueprint, lang: Lang = "en", entity: Entity = "deal"
) -> str:
    """A condition on the robot's own item in words: "Amount (OPPORTUNITY) is greater than 0"."""
    en, ru = _OPS[condition.op]
    words = f"{field_text(condition.field, blueprint, lang, entity)} {ru if lang == 'ru' else en}"
    if condition.op in ("empty", "not_empty"):
        return words
    return f"{words} {value_text(condition.value, lang)}"


def pipeline_name(blueprint: Blueprint, key: str) -> tuple[Pipeline | None, str]:
    pipeline = blueprint.pipelines_by_key().get(key)
    return pipeline, (pipeline.name if pipeline else key)


def save_id(
    label_key: str, result_key: str, code: str, blueprint: Blueprint, lang: Lang, entity: Entity = "deal"
) -> tuple[str, str]:
    text = text_of("save_into", lang).format(
        field=field_text(code, blueprint, lang, entity), result=text_of(result_key, lang)
    )
    return text_of(label_key, lang), text
