"""Named starting portals for tests and demos.

``handmade`` is a portal as people's portals look after a year of clicking in the UI: extra
pipelines, stages with the UI's random codes (``UC_LAFJPE``), a renamed system stage, deals sitting
in stages, an enumeration field and a CRM-link field with numeric UI codes and labels in two
languages, and one field of an app-registered type that no blueprint can express. It is built through
the same handlers the REST API uses, so it obeys every rule a real portal does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

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


SEEDS: dict[str, Callable[[Invoke, sqlite3.Connection], None]] = {"handmade": handmade}
