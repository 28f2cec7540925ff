from __future__ import annotations

import pytest
from pydantic import ValidationError

from b24provision.blueprint.model import Blueprint, duration_days, label_map, parse_duration
from b24provision.keys import make_code, make_key


def test_stage_sorts_follow_position_unless_given() -> None:
    bp = Blueprint.model_validate(
        {
            "pipelines": [
                {
                    "key": "sales",
                    "name": "Sales",
                    "stages": [
                        {"code": "NEW", "name": "New"},
                        {"code": "MID", "name": "Mid", "sort": 15},
                        {"code": "WON", "name": "Won", "semantics": "success"},
                    ],
                }
            ]
        }
    )
    assert bp.pipelines[0].stage_sorts() == {"NEW": 10, "MID": 15, "WON": 30}


def test_unknown_field_type_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Blueprint.model_validate({"fields": [{"type": "blob", "code": "X"}]})


def test_field_code_longer_than_the_portal_allows_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Blueprint.model_validate({"fields": [{"type": "string", "code": "A" * 44}]})


def test_durations() -> None:
    assert parse_duration("1 month") == (1, "month")
    assert duration_days("3 days") == 3
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_label_map() -> None:
    assert label_map("Child deals", ("en", "ru"), "X") == {"en": "Child deals", "ru": "Child deals"}
    assert label_map({"ru": "Дочерние"}, ("en", "ru"), "X") == {"en": "", "ru": "Дочерние"}


def test_keys_are_transliterated() -> None:
    assert make_key("Повторные продажи") == "povtornye_prodazhi"
    assert make_key("Замер", taken=["zamer"]) == "zamer_2"
    assert make_code("Сборка") == "SBORKA"
