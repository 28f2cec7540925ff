"""Blueprints for robot tests, built from dicts so they do not depend on the loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from b24provision.blueprint.model import Blueprint


def child_deals_doc() -> dict[str, Any]:
    """Seed 1, option A: the main sales deal spawns child deals in department pipelines."""
    return {
        "tariff": "crm_plus",
        "fields": [
            {
                "code": "CHILD_DEALS",
                "type": "crm",
                "targets": ["deal"],
                "multiple": True,
                "label": {"ru": "Дочерние сделки", "en": "Child deals"},
            },
            {"code": "ORDER_STATUS", "type": "string", "label": "Order status"},
        ],
        "pipelines": [
            {
                "key": "sales",
                "name": "Sales",
                "default": True,
                "stages": [
                    {"code": "NEW", "name": "New"},
                    {
                        "code": "MEASURE",
                        "name": "Measurement ordered",
                        "robots": [
                            {
                                "type": "copy_deal",
                                "to_pipeline": "measurement",
                                "to_stage": "TODO",
                                "deal_title": "Measurement: {{TITLE}}",
                                "keep_amount": False,
                                "store_id_in": "CHILD_DEALS",
                            },
                            {
                                "type": "set_field",
                                "field": "ORDER_STATUS",
                                "value": "measuring",
                                "after_previous": True,
                            },
                        ],
                    },
                    {
                        "code": "WON",
                        "name": "Deal won",
                        "semantics": "success",
                        "color": "#00FF00",
                        "robots": [
                            {
                                "type": "copy_deal",
                                "to_pipeline": "sales",
                                "delay": "1 month",
                                "deal_title": "Repeat: {{TITLE}}",
                            },
                        ],
                    },
                    {"code": "LOSE", "name": "Deal lost", "semantics": "failure"},
                ],
            },
            {
                "key": "measurement",
                "name": 'Measurement "Zamer" [dept]',
                "stages": [
                    {
                        "code": "TODO",
                        "name": "To do",
                        "robots": [
                            {
                                "type": "create_task",
                                "task_title": "Measure the kitchen",
                                "deadline": "3 days",
                                "checklist": ["Call the client", "Take photos"],
                            },
                            {
                                "type": "change_stage",
                                "stage": "DONE",
                                "delay": "2 weeks",
                                "condition": {"field": "OPPORTUNITY", "op": ">", "value": 0},
                            },
                        ],
                    },
                    {
                        "code": "DONE",
                        "name": "Measured",
                        "semantics": "success",
                        "robots": [
                            {"type": "notify", "to": "user:7", "message": "Measurement done"},
                        ],
                    },
                    {"code": "FAILED", "name": "Cancelled", "semantics": "failure"},
                ],
            },
        ],
    }


def recurring_doc() -> dict[str, Any]:
    """Seed 2: on the success stage, wait one month, then a repeat deal; or a task with a deadline."""
    return {
        "pipelines": [
            {
                "key": "main",
                "name": "Основная",
                "default": True,
                "stages": [
                    {"code": "NEW", "name": "Новая"},
                    {
                        "code": "WON",
                        "name": "Успешна",
                        "semantics": "success",
                        "robots": [
                            {"type": "wait", "duration": "1 month"},
                            {
                                "type": "create_deal",
                                "pipeline": "repeat",
                                "deal_title": "Повтор",
                                "after_previous": True,
                                "amount_from_deal": True,
                                "set_fields": {"COMMENTS": "repeat"},
                            },
                            {
                                "type": "create_task",
                                "task_title": "Продать повторно",
                                "deadline": "1 month",
                                "responsible": "author",
                            },
                        ],
                    },
                    {"code": "LOSE", "name": "Провал", "semantics": "failure"},
                ],
            },
            {
                "key": "repeat",
                "name": "Повторные продажи",
                "stages": [
                    {"code": "NEW", "name": "Новая"},
                    {"code": "WON", "name": "Успешна", "semantics": "success"},
                    {"code": "LOSE", "name": "Провал", "semantics": "failure"},
                ],
            },
        ],
        "triggers": [{"code": "paid", "name": "Invoice paid"}],
    }


@pytest.fixture
def child_deals() -> Blueprint:
    return Blueprint.model_validate(child_deals_doc())


@pytest.fixture
def recurring() -> Blueprint:
    return Blueprint.model_validate(recurring_doc())


def write_blueprint(directory: Path, doc: dict[str, Any]) -> Path:
    """Write ``doc`` as a blueprint file, for CLI tests that load through the real loader."""
    path = directory / "blueprint.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(doc, handle)
    return path
