"""The JSON Schema of a blueprint, for editors and for other tools.

Generated from the pydantic model, so it never drifts from what ``validate`` accepts. A copy is
shipped at ``schema/blueprint.schema.json`` (a test keeps it up to date: regenerate it with
``b24provision schema --out schema/blueprint.schema.json --force``); every shipped blueprint starts with::

    # yaml-language-server: $schema=../../schema/blueprint.schema.json

so VS Code (with the YAML extension) completes keys and flags mistakes while typing.

One change to the generated schema: a string with a pattern (a person, a duration, a code) also
accepts text containing ``${...}``, because variables are substituted only when the blueprint is
loaded; without this an editor would flag every ``responsible: ${manager}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from b24provision.blueprint.model import Blueprint

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:b24provision:blueprint:v1"
SCHEMA_TITLE = "b24provision blueprint"
_VARIABLE_TEXT: dict[str, Any] = {"type": "string", "pattern": r"\$\{[a-z_][a-z0-9_]*\}"}


def blueprint_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a blueprint file."""
    schema = _allow_variables(Blueprint.model_json_schema())
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID,
        **schema,
        "title": SCHEMA_TITLE,
    }


def schema_text() -> str:
    """The schema as the text of ``schema/blueprint.schema.json`` (stable key order, final newline)."""
    return json.dumps(blueprint_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path, *, force: bool = False) -> None:
    """Write the schema to ``path`` (atomically; an existing file only with ``force``)."""
    from b24provision.output import write_output

    write_output(path, schema_text(), force=force)


def _allow_variables(node: Any) -> Any:
    if isinstance(node, list):
        return [_allow_variables(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _allow_variables(v) for k, v in node.items()}
    if out.get("type") == "string" and "pattern" in out:
        keep = {k: out.pop(k) for k in ("title", "description", "default") if k in out}
        return {"anyOf": [out, _VARIABLE_TEXT], **keep}
    return out
