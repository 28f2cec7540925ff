"""Robots described in the portal UI's own words, in Russian and English."""

from __future__ import annotations

import pytest

from b24provision.blueprint.model import Blueprint
from b24provision.robots.describe import describe_duration, describe_robot


def _robot(bp: Blueprint, pipeline: str, stage: str, index: int = 0):  # type: ignore[no-untyped-def]
    return bp.pipelines_by_key()[pipeline].stages_by_code()[stage].robots[index]


# (pipeline, stage, index, English title, Russian title, activity) for every robot type.
ROBOTS = [
    ("child_deals", "sales", "MEASURE", 0, "Copy deal", "Копировать сделку", "CrmCopyDealActivity"),
    ("child_deals", "sales", "MEASURE", 1, "Modify item", "Изменить элемент", "SetFieldActivity"),
    ("child_deals", "measurement", "TODO", 0, "Create task", "Создать задачу", "Task2Activity"),
    ("child_deals", "measurement", "TODO", 1, "Change stage", "Сменить стадию", "CrmChangeStatusActivity"),
    (
        "child_deals",
        "measurement",
        "DONE",
        0,
        "Add notification",
        "Добавить уведомление",
        "SocNetMessageActivity",
    ),
    ("recurring", "main", "WON", 0, "Automation rule pause", "Пауза робота", "RobotDelayActivity"),
    ("recurring", "main", "WON", 1, "Create CRM item", "Создать элемент CRM", "CrmCreateDynamicActivity"),
]


@pytest.mark.parametrize(("fixture", "pipeline", "stage", "index", "en", "ru", "activity"), ROBOTS)
def test_every_robot_type_has_its_ui_name_in_both_languages(
    request: pytest.FixtureRequest,
    fixture: str,
    pipeline: str,
    stage: str,
    index: int,
    en: str,
    ru: str,
    activity: str,
) -> None:
    bp = request.getfixturevalue(fixture)
    robot = _robot(bp, pipeline, stage, index)
    english, russian = describe_robot(robot, bp, "en"), describe_robot(robot, bp, "ru")
    assert (english.title, russian.title) == (en, ru)
    assert english.activity == russian.activity == activity
    # Same settings in both languages, and every robot says when it runs.
    assert len(english.settings) == len(russian.settings)
    assert any(k == "Run" for k, _ in english.settings)
    assert any(k == "Выполнить" for k, _ in russian.settings)


def test_copy_deal_settings_name_pipeline_stage_and_the_child_deals_field(child_deals: Blueprint) -> None:
    settings = dict(describe_robot(_robot(child_deals, "sales", "MEASURE"), child_deals, "en").settings)
    assert settings["Move to pipeline"] == 'Measurement "Zamer" [dept]'  # the name, not the key
    assert settings["Initial stage"] == "To do (TODO)"
    assert settings["Responsible person"] == "the deal's responsible person"
    assert settings["Save the new deal's ID"].startswith("into field 'Child deals' (UF_CRM_CHILD_DEALS)")
    assert settings["Amount"].startswith("cleared on the copy")


def test_copy_deal_in_russian_uses_the_russian_label_of_the_field(child_deals: Blueprint) -> None:
    settings = dict(describe_robot(_robot(child_deals, "sales", "MEASURE"), child_deals, "ru").settings)
    assert settings["Перенести в воронку"] == 'Measurement "Zamer" [dept]'
    assert settings["Сохранить ID новой сделки"].startswith("в поле «Дочерние сделки» (UF_CRM_CHILD_DEALS)")


def test_delay_and_kept_amount_of_a_repeat_deal(child_deals: Blueprint) -> None:
    robot = _robot(child_deals, "sales", "WON")
    en = dict(describe_robot(robot, child_deals, "en").settings)
    ru = dict(describe_robot(robot, child_deals, "ru").settings)
    # "1 month" is set in the UI as 30 days: the delay selector has minutes, hours and days only
    assert en["Run"] == "after 30 days"
    assert ru["Выполнить"] == "через 30 дней"
    assert en["Initial stage"] == "New (NEW) — the pipeline's first stage"
    assert "counted twice" in en["Amount"]


def test_condition_deadline_checklist_and_people_in_words(
    child_deals: Blueprint, recurring: Blueprint
) -> None:
    move = dict(describe_robot(_robot(child_deals, "measurement", "TODO", 1), child_deals, "en").settings)
    assert move["Condition"] == "Amount (OPPORTUNITY) is greater than 0"
    assert move["Stage"] == "Measured (DONE)"
    task = dict(describe_robot(_robot(child_deals, "measurement", "TODO"), child_deals, "ru").settings)
    assert task["Крайний срок"] == "через 3 дня после запуска робота"
    assert task["Чек-лист"] == "Call the client; Take photos"
    notify = dict(describe_robot(_robot(child_deals, "measurement", "DONE"), child_deals, "en").settings)
    assert notify["Recipient"].startswith("user with ID 7")
    repeat_task = dict(describe_robot(_robot(recurring, "main", "WON", 2), recurring, "en").settings)
    assert repeat_task["Responsible person"] == "the deal's creator"


def test_set_field_resolves_the_field_label(child_deals: Blueprint) -> None:
    settings = dict(describe_robot(_robot(child_deals, "sales", "MEASURE", 1), child_deals, "en").settings)
    assert settings == {
        "Field": "'Order status' (UF_CRM_ORDER_STATUS)",
        "Value": "measuring",
        "Run": "immediately",
        "Execution": "after the previous automation rule",
    }


@pytest.mark.parametrize(
    ("text", "en", "ru"),
    [
        ("1 month", "1 month", "1 месяц"),
        ("3 days", "3 days", "3 дня"),
        ("5 day", "5 days", "5 дней"),
        ("11 months", "11 months", "11 месяцев"),
        ("21 hours", "21 hours", "21 час"),
        ("2 workdays", "2 working days", "2 рабочих дня"),
        ("10 minutes", "10 minutes", "10 минут"),
        ("1 year", "1 year", "1 год"),
    ],
)
def test_describe_duration(text: str, en: str, ru: str) -> None:
    assert describe_duration(text, "en") == en
    assert describe_duration(text, "ru") == ru
