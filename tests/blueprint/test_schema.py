"""The JSON Schema works for ordinary validators and editors, not only for pydantic.

Tested by its structure (no JSON Schema validator is a dependency of the project): every property
is described, a robot's or field's ``type`` is one ``enum`` (so ``type: notfy`` is one error that
lists the valid types, instead of one "'copy_deal' was expected" per kind), each type selects its
own schema through if/then, and ``tariff`` names the plan codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from b24provision.blueprint.model import FIELD_TYPES, ROBOT_TYPES
from b24provision.blueprint.schema import blueprint_json_schema
from b24provision.tariff import known_plan_codes

SCHEMA = blueprint_json_schema()


def properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema anywhere in ``node``, with a readable path."""
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}.{name}", prop
            yield from properties(prop, f"{where}.{name}")
        for key, value in node.items():
            # "properties" is a map of names, not a schema (a property may be called "properties");
            # an "if" only tests a value, it describes nothing.
            if key not in ("properties", "if"):
                yield from properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from properties(value, f"{where}[{i}]")


def test_every_property_has_a_description() -> None:
    found = list(properties(SCHEMA))
    assert len(found) > 200
    assert [where for where, prop in found if not prop.get("description")] == []


def test_no_tagged_union_is_left_as_a_oneof() -> None:
    assert "oneOf" not in str(SCHEMA) and "discriminator" not in str(SCHEMA)


@pytest.mark.parametrize(
    ("items", "types"),
    [
        (SCHEMA["$defs"]["Stage"]["properties"]["robots"]["items"], list(ROBOT_TYPES)),
        (SCHEMA["properties"]["fields"]["items"], list(FIELD_TYPES)),
    ],
    ids=["robots", "fields"],
)
def test_a_type_is_one_enum_and_selects_its_own_schema(items: dict[str, Any], types: list[str]) -> None:
    assert items["required"] == ["type"]
    assert sorted(items["properties"]["type"]["enum"]) == sorted(types)
    selected = {}
    for rule in items["allOf"]:
        assert rule["if"]["required"] == ["type"]  # no type: only "type is required", no branch
        tag = rule["if"]["properties"]["type"]["const"]
        definition = SCHEMA["$defs"][rule["then"]["$ref"].removeprefix("#/$defs/")]
        assert definition["properties"]["type"]["const"] == tag
        assert definition["additionalProperties"] is False
        selected[tag] = definition
    assert sorted(selected) == sorted(types)


def test_tariff_is_a_plan_code_or_a_variable() -> None:
    tariff = SCHEMA["properties"]["tariff"]
    assert tariff["else"]["enum"] == [*known_plan_codes(), None]
    assert "${" in tariff["if"]["pattern"].replace("\\", "")
    assert tariff["description"]
