"""The runbook's words, in English and Russian: headings, UI paths, set-up and check lines.

``TEXT`` holds what is the same whatever the robot works on; ``ITEM_TEXT`` what names the robot's
own item (a test deal, lead or smart-process item), whole per entity since Russian declines it.
UI paths follow the portal's menus (CRM → Deals / Leads → Automation rules, "Роботы").
"""

from __future__ import annotations

from b24provision.robots.words import Entity, Lang, pick

# (en, ru)
TEXT: dict[str, tuple[str, str]] = {
    "title": (
        "Runbook: automation rules to set up by hand",
        "Инструкция: роботы, которые настраиваются вручную",
    ),
    "intro": (
        "Bitrix24 has no REST method for automation rules (robots) on stages, so b24provision cannot "
        "create or check them. Follow the steps in order and tick each box.",
        "В REST API Битрикс24 нет методов для роботов на стадиях, поэтому b24provision не может ни "
        "создать, ни проверить их. Выполняйте шаги по порядку и отмечайте каждый.",
    ),
    "use_test_deal": (
        "Use a test deal for the checks and delete it at the end.",
        "Для проверок используйте тестовую сделку и удалите её в конце.",
    ),
    "use_tests": (
        "Use test items for the checks ({}) and delete them at the end.",
        "Для проверок используйте тестовые элементы ({}) и удалите их в конце.",
    ),
    "before": ("Before you start", "Перед началом"),
    "check_plan": (
        "Check that the portal's plan has automation rules (robots): {plan} or higher "
        "(b24provision tariff shows what is certain and what is not)",
        "Проверьте, что на тарифе портала есть роботы: {plan} или выше "
        "(команда b24provision tariff покажет, что известно точно, а что нет)",
    ),
    "check_apply": (
        "Run `b24provision apply` first: the pipelines, stages and fields the robots refer to must exist",
        "Сначала выполните `b24provision apply`: воронки, стадии и поля, на которые ссылаются роботы, "
        "должны существовать",
    ),
    "pipeline": ("Pipeline '{}'", "Воронка «{}»"),
    "leads": ("Leads", "Лиды"),
    "lead_status": ("Lead status '{}' ({})", "Статус лида «{}» ({})"),
    "lead_path": (
        "CRM → Leads → Automation rules → status '{stage}' → Add (Create) → '{robot}'",
        "CRM → Лиды → Роботы → статус «{stage}» → Добавить (Создать) → «{robot}»",
    ),
    "lead_move_test": (
        "Move a test lead to status '{stage}'.",
        "Переведите тестовый лид в статус «{stage}».",
    ),
    "smart_process": ("Smart process '{}'", "Смарт-процесс «{}»"),
    # The automation rules page opens from the "Automation rules" button of a CRM entity's kanban
    # or list (helpdesk 14960316: "in leads, deals, quotes, invoices and smart processes"). Where a
    # smart process sits in the CRM menu (by its title, or under "More") is UNVERIFIED: no source
    # gives the menu path, so the step names the smart process by its title.
    "smart_path": (
        "CRM → '{title}' → pipeline '{pipeline}' → Automation rules → stage '{stage}' → "
        "Add (Create) → '{robot}'",
        "CRM → «{title}» → воронка «{pipeline}» → Роботы → стадия «{stage}» → Добавить (Создать) → «{robot}»",
    ),
    # The type's settings hold the switch (crm.type isAutomationEnabled); its label in the settings
    # form is UNVERIFIED, so the step names what it does.
    "smart_automation": (
        "Make sure automation rules are switched on in the settings of '{}': the blueprint does not "
        "set `automation: true`, so apply leaves the switch as the portal has it",
        "Убедитесь, что в настройках смарт-процесса «{}» включены роботы: в описании нет "
        "`automation: true`, поэтому apply оставляет этот переключатель как есть",
    ),
    "smart_move_test": (
        "Move a test item of '{title}' in '{pipeline}' to stage '{stage}'.",
        "Переведите тестовый элемент смарт-процесса «{title}» воронки «{pipeline}» на стадию «{stage}».",
    ),
    "stage": ("Stage '{}' ({})", "Стадия «{}» ({})"),
    "setup": ("Add automation rule '{}'", "Добавьте робота «{}»"),
    "path": (
        "CRM → Deals → pipeline '{pipeline}' → Automation rules → stage '{stage}' → Add (Create) → '{robot}'",
        "CRM → Сделки → воронка «{pipeline}» → Роботы → стадия «{stage}» → Добавить (Создать) → «{robot}»",
    ),
    "save": (
        "Save the rule, then save the Automation rules page",
        "Сохраните робота, затем сохраните страницу роботов",
    ),
    "setup_store": (
        "Right after it, add automation rule '{}' that stores the new ID",
        "Сразу после него добавьте робота «{}», который сохраняет новый ID",
    ),
    "field": ("Field", "Поле"),
    "value": ("Value", "Значение"),
    "result_of": (
        "Automation rule results → '{robot}' → '{result}'",
        "Результаты роботов → «{robot}» → «{result}»",
    ),
    "result_deal": ("New deal ID", "ID новой сделки"),
    "result_task": ("Task ID", "ID задачи"),
    "after_previous": (
        "Execution: after the previous automation rule",
        "Выполнение: после предыдущего робота",
    ),
    "verify": ("Check '{}'", "Проверьте «{}»"),
    "move_test": (
        "Move a test deal in '{pipeline}' to stage '{stage}'.",
        "Переведите тестовую сделку воронки «{pipeline}» на стадию «{stage}».",
    ),
    "triggers": ("Triggers to bind by hand", "Триггеры, которые привязываются вручную"),
    "bind_trigger": (
        "Bind the application trigger '{name}' ({code}) to the stage it should move deals to",
        "Привяжите триггер приложения «{name}» ({code}) к стадии, на которую он должен переводить сделки",
    ),
    "trigger_path": (
        "CRM → Deals → pipeline → Automation rules → stage → Triggers: Add → Applications → '{}'",
        "CRM → Сделки → воронка → Роботы → стадия → Триггеры: Добавить → Приложения → «{}»",
    ),
    "verify_trigger": (
        "Let the application fire '{}' for a test deal: the deal moves to the bound stage",
        "Пусть приложение вызовет «{}» для тестовой сделки: сделка переходит на привязанную стадию",
    ),
    "app_robots": ("Application robot types", "Роботы приложения"),
    "app_robot": (
        "Check that the application's robot type '{name}' ({code}) is in the robot catalogue "
        "(Add → Applications); place it on stages by hand where it is needed",
        "Проверьте, что робот приложения «{name}» ({code}) есть в каталоге роботов (Добавить → "
        "Приложения); расставьте его на стадии вручную, где он нужен",
    ),
    "finish": ("Finish", "Завершение"),
    "cleanup": (
        "Delete the test deals and the tasks they created",
        "Удалите тестовые сделки и созданные ими задачи",
    ),
    "cleanup_items": (
        "Delete the test items ({}) and the tasks they created",
        "Удалите тестовые элементы ({}) и созданные ими задачи",
    ),
    "nothing": (
        "This blueprint has no robots or triggers: nothing to set up by hand.",
        "В этом описании нет роботов и триггеров: вручную настраивать нечего.",
    ),
}

ITEM_TEXT: dict[str, dict[Entity, tuple[str, str]]] = {
    "delay": {
        "deal": (
            "The rule runs {delay} later: the deal's Automation tab must show it waiting. Come back "
            "after {delay}, or test with a temporary delay of 10 minutes (the minimum) and set it back.",
            "Робот сработает через {delay}: на вкладке «Роботы» сделки он должен быть в ожидании. "
            "Вернитесь через {delay} или проверьте с временной задержкой 10 минут (минимум) и верните её.",
        ),
        "lead": (
            "The rule runs {delay} later: the lead's Automation tab must show it waiting. Come back "
            "after {delay}, or test with a temporary delay of 10 minutes (the minimum) and set it back.",
            "Робот сработает через {delay}: на вкладке «Роботы» лида он должен быть в ожидании. "
            "Вернитесь через {delay} или проверьте с временной задержкой 10 минут (минимум) и верните её.",
        ),
        "smart": (
            "The rule runs {delay} later: the item's Automation tab must show it waiting. Come back "
            "after {delay}, or test with a temporary delay of 10 minutes (the minimum) and set it back.",
            "Робот сработает через {delay}: на вкладке «Роботы» элемента он должен быть в ожидании. "
            "Вернитесь через {delay} или проверьте с временной задержкой 10 минут (минимум) и верните её.",
        ),
    },
    "condition_false": {
        "deal": (
            "Also move a deal for which '{cond}' is false: the rule must not run.",
            "Также переведите сделку, для которой «{cond}» не выполняется: робот не должен сработать.",
        ),
        "lead": (
            "Also move a lead for which '{cond}' is false: the rule must not run.",
            "Также переведите лид, для которого «{cond}» не выполняется: робот не должен сработать.",
        ),
        "smart": (
            "Also move an item for which '{cond}' is false: the rule must not run.",
            "Также переведите элемент, для которого «{cond}» не выполняется: робот не должен сработать.",
        ),
    },
    "test_item": {  # in "Use test items for the checks (...)"
        "deal": ("a deal", "сделку"),
        "lead": ("a lead", "лид"),
        "smart": ("an item of each smart process below", "элемент каждого смарт-процесса ниже"),
    },
    "test_items": {  # in "Delete the test items (...)"
        "deal": ("deals", "сделки"),
        "lead": ("leads", "лиды"),
        "smart": ("smart-process items", "элементы смарт-процессов"),
    },
}


def t(key: str, lang: Lang) -> str:
    """The text ``key`` in ``lang``."""
    return pick(TEXT[key], lang)


def item_t(key: str, entity: Entity, lang: Lang) -> str:
    """The text ``key`` that names the robot's own item, for ``entity``, in ``lang``."""
    return pick(ITEM_TEXT[key][entity], lang)
