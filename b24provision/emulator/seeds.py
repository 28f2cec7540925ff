"""Named starting portals for tests and demos.

``handmade`` is a portal as people's portals look after a year of clicking in the UI: extra
pipelines, stages with the UI's random codes (``UC_LAFJPE``), a renamed system stage, deals sitting
in stages, an enumeration field and a CRM-link field with numeric UI codes and labels in two
languages, one field of an app-registered type that no blueprint can express, and robots on
stages put there in the robots editor (every robot type a blueprint has — the pause before a stage
change reads back, as on the portal, as that robot's delay — a delay, a condition, a chain, one
robot of a type blueprints do not describe, and one stage whose template was edited in the bizproc
designer); beyond deals, a renamed and an added lead status holding a lead, a contact field, and
a smart process "Замеры" with a stage added in its default pipeline, a second pipeline, a date
field and an item; the added lead status and the smart process's added stage have a robot each.
It is built through the same handlers the REST API uses, so it obeys every rule a real portal does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from b24provision.emulator.configuration import build_tree, put_stage_robots, put_stage_template
from b24provision.emulator.methods.userfields import register_app_type

Invoke = Callable[[str, dict[str, Any]], Any]


def _stage_id(invoke: Invoke, entity: str, code: str) -> int:
    rows = invoke("crm.status.list", {"filter": {"ENTITY_ID": entity, "STATUS_ID": code}})
    return int(rows[0]["ID"])


def handmade(invoke: Invoke, db: sqlite3.Connection) -> None:
    # The default pipeline: a renamed system stage and a stage added in the UI.
    invoke(
        "crm.status.update",
        {"id": _stage_id(invoke, "DEAL_STAGE", "NEW"), "fields": {"NAME": "Входящие заявки"}},
    )
    invoke(
        "crm.status.add",
        {
            "fields": {
                "ENTITY_ID": "DEAL_STAGE",
                "STATUS_ID": "UC_LAFJPE",
                "NAME": "Замер",
                "SORT": 25,
                "COLOR": "#FFD600",
            }
        },
    )
    # Two pipelines made in the UI.
    mount = invoke("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Монтаж", "sort": 200}})[
        "category"
    ]["id"]
    service = invoke("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Сервис", "sort": 300}})[
        "category"
    ]["id"]
    entity = f"DEAL_STAGE_{mount}"
    invoke(
        "crm.status.add",
        {"fields": {"ENTITY_ID": entity, "STATUS_ID": "UC_8XKQ2M", "NAME": "Монтаж назначен", "SORT": 35}},
    )
    invoke("crm.status.delete", {"id": _stage_id(invoke, entity, f"C{mount}:PREPAYMENT_INVOICE")})
    invoke(
        "crm.status.update",
        {"id": _stage_id(invoke, entity, f"C{mount}:EXECUTING"), "fields": {"NAME": "Монтаж идёт"}},
    )
    invoke(
        "crm.status.add",
        {
            "fields": {
                "ENTITY_ID": f"DEAL_STAGE_{service}",
                "STATUS_ID": "UC_Q1W2E3",
                "NAME": "Ждём запчасти",
                "SORT": 45,
            }
        },
    )
    # Fields created in the UI get numeric codes.
    invoke(
        "crm.deal.userfield.add",
        {
            "fields": {
                "FIELD_NAME": "UF_CRM_1712345678901",
                "USER_TYPE_ID": "enumeration",
                "SHOW_FILTER": "Y",
                "EDIT_FORM_LABEL": {"ru": "Источник заказа", "en": "Order source"},
                "LIST_COLUMN_LABEL": {"ru": "Источник заказа", "en": "Order source"},
                "LIST_FILTER_LABEL": {"ru": "Источник заказа", "en": "Order source"},
                "LIST": [
                    {"VALUE": "Сайт", "SORT": 10, "XML_ID": "site"},
                    {"VALUE": "Салон", "SORT": 20, "XML_ID": "shop"},
                    {"VALUE": "Рекомендация", "SORT": 30},
                ],
            }
        },
    )
    invoke(
        "crm.deal.userfield.add",
        {
            "fields": {
                "FIELD_NAME": "UF_CRM_1712345679012",
                "USER_TYPE_ID": "crm",
                "MULTIPLE": "Y",
                "SETTINGS": {"CONTACT": "Y", "COMPANY": "Y"},
                "EDIT_FORM_LABEL": {"ru": "Дизайнер", "en": "Designer"},
                "LIST_COLUMN_LABEL": {"ru": "Дизайнер", "en": "Designer"},
            }
        },
    )
    invoke(
        "crm.deal.userfield.add",
        {
            "fields": {
                "FIELD_NAME": "UF_CRM_MEASURE_DATE",
                "USER_TYPE_ID": "date",
                "LABEL": "Дата замера",
            }
        },
    )
    # A field of a type registered by an installed app: nothing a blueprint can describe.
    register_app_type(db, "rest_1_mytype", "Калькулятор кухни (приложение)")
    invoke(
        "crm.deal.userfield.add",
        {
            "fields": {
                "FIELD_NAME": "UF_CRM_1712345680123",
                "USER_TYPE_ID": "rest_1_mytype",
                "LABEL": "Расчёт кухни",
            }
        },
    )
    # Deals sitting in stages.
    for title, category, stage, amount in (
        ("Кухня Ивановых", 0, "UC_LAFJPE", 350000),
        ("Кухня Петровых", 0, "NEW", 280000),
        ("Кухня Смирновых", 0, "WON", 410000),
        ("Монтаж у Ивановых", mount, f"C{mount}:UC_8XKQ2M", 0),
        ("Гарантийный ремонт", service, f"C{service}:NEW", 5000),
    ):
        invoke(
            "crm.deal.add",
            {
                "fields": {
                    "TITLE": title,
                    "CATEGORY_ID": category,
                    "STAGE_ID": stage,
                    "OPPORTUNITY": amount,
                    "CURRENCY_ID": "RUB",
                }
            },
        )

    _robots(db, mount, service)
    _beyond_deals(invoke, db)


def _beyond_deals(invoke: Invoke, db: sqlite3.Connection) -> None:
    """Lead statuses, a contact field and a smart process (pipelines, stages, a field, items) made by
    hand, with a robot on the added lead status and one on the smart process's added stage."""
    invoke(
        "crm.status.update",
        {"id": _stage_id(invoke, "STATUS", "IN_PROCESS"), "fields": {"NAME": "Связались"}},
    )
    invoke(
        "crm.status.add",
        {"fields": {"ENTITY_ID": "STATUS", "STATUS_ID": "UC_7HD2KQ", "NAME": "Ждёт замера", "SORT": 25}},
    )
    invoke("crm.lead.add", {"fields": {"TITLE": "Заявка с сайта", "STATUS_ID": "UC_7HD2KQ"}})
    notify = {"MessageUserTo": "{=Document:ASSIGNED_BY_ID}", "MessageText": "Лид ждёт замера"}
    put_stage_robots(db, "UC_7HD2KQ", [{"Type": "SocNetMessageActivity", "Properties": notify}], "STATUS")
    invoke(
        "crm.contact.userfield.add",
        {
            "fields": {
                "FIELD_NAME": "UF_CRM_1712345681234",
                "USER_TYPE_ID": "enumeration",
                "EDIT_FORM_LABEL": {"ru": "Канал связи", "en": "Contact channel"},
                "LIST": [{"VALUE": "Телефон", "SORT": 10}, {"VALUE": "Мессенджер", "SORT": 20}],
            }
        },
    )
    invoke("crm.contact.add", {"fields": {"NAME": "Анна", "LAST_NAME": "Иванова", "TYPE_ID": "CLIENT"}})
    kind = invoke(
        "crm.type.add",
        {
            "fields": {
                "title": "Замеры",
                "isCategoriesEnabled": "Y",
                "isStagesEnabled": "Y",
                "isClientEnabled": "Y",
                "isAutomationEnabled": "Y",
                "relations": {"parent": [{"entityTypeId": 2, "isChildrenListEnabled": "true"}]},
            }
        },
    )["type"]
    type_id, entity_type_id = kind["id"], kind["entityTypeId"]
    default = invoke("crm.category.list", {"entityTypeId": entity_type_id})["categories"][0]["id"]
    entity = f"DYNAMIC_{entity_type_id}_STAGE_{default}"
    invoke(
        "crm.status.add",
        {"fields": {"ENTITY_ID": entity, "STATUS_ID": "UC_M3ZR8P", "NAME": "Замерщик выехал", "SORT": 15}},
    )
    invoke(
        "crm.status.update",
        {
            "id": _stage_id(invoke, entity, f"DT{entity_type_id}_{default}:CLIENT"),
            "fields": {"NAME": "Замер сделан"},
        },
    )
    put_stage_robots(
        db,
        f"DT{entity_type_id}_{default}:UC_M3ZR8P",
        [
            {
                "Type": "Task2Activity",
                "Properties": {
                    "Fields": {
                        "TITLE": "Внести размеры",
                        "CREATED_BY": "{=Document:ASSIGNED_BY_ID}",
                        "RESPONSIBLE_ID": ["{=Document:ASSIGNED_BY_ID}"],
                    },
                    "AUTO_LINK_TO_CRM_ENTITY": "Y",
                    "Title": "Создать задачу",
                },
            }
        ],
        entity_id=entity,
    )
    invoke("crm.category.add", {"entityTypeId": entity_type_id, "fields": {"name": "Выездные", "sort": 600}})
    field = {
        "entityId": f"CRM_{type_id}",
        "fieldName": f"UF_CRM_{type_id}_1712345690000",
        "userTypeId": "date",
        "editFormLabel": {"ru": "Дата выезда", "en": "Visit date"},
    }
    invoke("userfieldconfig.add", {"moduleId": "crm", "field": field})
    invoke(
        "crm.item.add",
        {
            "entityTypeId": entity_type_id,
            "fields": {"title": "Замер у Ивановых", "stageId": f"DT{entity_type_id}_{default}:UC_M3ZR8P"},
        },
    )


def _robots(db: sqlite3.Connection, mount: int, service: int) -> None:
    """Robots as an administrator sets them in the UI, in the core's array form (demo robot sets)."""
    responsible = "{=Document:ASSIGNED_BY_ID}"

    def by_name(entity: str, name: str) -> str:  # UI stages have random codes: found by their names
        row = db.execute(
            "SELECT status_id FROM status WHERE entity_id = ? AND name = ?", (entity, name)
        ).fetchone()
        return str(row[0])

    put_stage_robots(
        db,
        "NEW",
        [
            {
                "Type": "SocNetMessageActivity",
                "Properties": {
                    "MessageUserFrom": "",
                    "MessageUserTo": responsible,
                    "MessageText": "Новая заявка: {=Document:TITLE}",
                    "MessageFormat": "robot",
                    "Title": "Добавить уведомление",
                },
            },
            {
                "Type": "Task2Activity",
                "Properties": {
                    "Fields": {
                        "TITLE": "Перезвонить клиенту",
                        "CREATED_BY": responsible,
                        "RESPONSIBLE_ID": [responsible],
                        "DEADLINE": '=dateadd({=System:Now},"2d")',
                    },
                    "HoldToClose": "N",
                    "AUTO_LINK_TO_CRM_ENTITY": "Y",
                    "Title": "Создать задачу",
                },
                "Delay": {"type": "after", "value": "1", "valueType": "d", "basis": "{=System:Now}"},
                "ExecuteAfterPrevious": "1",
            },
            {
                "Type": "CrmControlNotifyActivity",
                "Properties": {
                    "MessageText": "Заявка ждёт ответа",
                    "ToHead": "Y",
                    "Title": "Уведомить руководителя",
                },
                "Delay": {"type": "after", "value": "3", "valueType": "d", "basis": "{=System:Now}"},
            },
        ],
    )
    put_stage_robots(
        db,
        by_name("DEAL_STAGE", "Замер"),
        [
            {
                "Type": "SetFieldActivity",
                "Properties": {
                    "FieldValue": {"UF_CRM_MEASURE_DATE": "{=System:Now}"},
                    "Title": "Изменить элемент",
                },
                "Condition": {
                    "type": "mixed",
                    "items": [
                        [{"object": "Document", "field": "OPPORTUNITY", "operator": ">", "value": "0"}, "AND"]
                    ],
                },
            }
        ],
    )
    put_stage_robots(
        db,
        "WON",
        [
            {
                "Type": "CrmCopyDealActivity",
                "Properties": {
                    "DealTitle": "Монтаж: {=Document:TITLE}",
                    "CategoryId": str(mount),
                    "StageId": f"C{mount}:NEW",
                    "Responsible": responsible,
                    "Title": "Копировать сделку",
                },
            }
        ],
    )
    put_stage_robots(
        db,
        by_name(f"DEAL_STAGE_{mount}", "Монтаж назначен"),
        [
            {
                "Type": "RobotDelayActivity",
                "Properties": {"TimeoutDuration": "2", "TimeoutDurationType": "h", "Title": "Пауза робота"},
            },
            {
                "Type": "CrmChangeStatusActivity",
                "Properties": {"TargetStatus": f"C{mount}:EXECUTING", "Title": "Сменить стадию"},
                "ExecuteAfterPrevious": "1",
            },
        ],
    )
    put_stage_robots(
        db,
        f"C{mount}:WON",
        [
            {
                "Type": "CrmCreateDynamicActivity",
                "Properties": {
                    "DynamicTypeId": "2",
                    "DynamicEntitiesFields": {
                        "2_TITLE": "Гарантия: {=Document:TITLE}",
                        "2_CATEGORY_ID": str(service),
                        "2_STAGE_ID": f"C{service}:NEW",
                        "2_ASSIGNED_BY_ID": "user_1",
                    },
                    "Title": "Создать элемент CRM",
                },
            }
        ],
    )
    # Edited in the bizproc designer: a variable set before the robots' parallel block.
    tree = build_tree(
        [
            {
                "Type": "SocNetMessageActivity",
                "Properties": {"MessageUserTo": responsible, "MessageText": "Ремонт"},
            }
        ]
    )
    tree[0]["Children"].insert(
        0,
        {
            "Type": "SetVariableActivity",
            "Name": "A10001_20002_30003_40004",
            "Properties": {"VariableValue": {"Counter": "1"}, "Title": "Изменение переменных"},
            "Children": [],
        },
    )
    put_stage_template(db, f"C{service}:NEW", tree)


SEEDS: dict[str, Callable[[Invoke, sqlite3.Connection], None]] = {"handmade": handmade}
