"""The JSON Schema of a blueprint, for editors and for other tools.

Generated from the pydantic model, so it never drifts from what ``validate`` accepts. A copy is
shipped at ``schema/blueprint.schema.json`` (a test keeps it up to date: regenerate it with
``b24provision schema --out schema/blueprint.schema.json --force``); every shipped blueprint starts with::

    # yaml-language-server: $schema=../../schema/blueprint.schema.json

so VS Code (with the YAML extension) completes keys and flags mistakes while typing.

Changes to what pydantic generates, so that any JSON Schema validator (not only pydantic) and an
editor give one clear message:

- Every property is described by the docstring written under its field in the model modules.
- A string with a pattern (a person, a duration, a code) also accepts text containing ``${...}``,
  because variables are substituted only when the blueprint is loaded; without this an editor
  would flag every ``responsible: ${manager}``.
- A robot or field, chosen by its ``type``, is not a ``oneOf`` of every kind (whose errors, for
  ``type: notfy``, are one per kind: "'copy_deal' was expected", ...) but an ``enum`` of the types
  plus an ``if type is X then X's schema`` per kind: a wrong type is one error that lists the
  valid ones, and a known type is checked against its own schema only.
- ``tariff`` is an ``enum`` of the plan codes of the tariff table (``b24provision tariff``), or
  text with ``${...}``.
"""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from b24provision.blueprint import (
    app_model,
    field_model,
    list_model,
    model,
    removed_model,
    robot_model,
    smart_model,
)
from b24provision.blueprint.model import FIELD_TYPES, ROBOT_TYPES, Blueprint

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:b24provision:blueprint:v1"
SCHEMA_TITLE = "b24provision blueprint"
_VARIABLE_TEXT: dict[str, Any] = {"type": "string", "pattern": r"\$\{[a-z_][a-z0-9_]*\}"}


def blueprint_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a blueprint file."""
    schema = _tag_unions(_allow_variables(_describe(Blueprint.model_json_schema())))
    schema["properties"]["tariff"] = _tariff(schema["properties"]["tariff"])
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


# What the tag of each tagged union is, in words, by its set of tags.
_TAG_WORDS = {
    frozenset(ROBOT_TYPES): "The robot's type",
    frozenset(FIELD_TYPES): "The field's type",
}


def _tag_unions(node: Any) -> Any:
    """Every pydantic tagged union (``oneOf`` + OpenAPI ``discriminator``) as an enum and if/then."""
    if isinstance(node, list):
        return [_tag_unions(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _tag_unions(v) for k, v in node.items()}
    if "discriminator" not in out or "oneOf" not in out:
        return out
    tag = out["discriminator"]["propertyName"]
    by_ref = {ref: name for name, ref in out["discriminator"]["mapping"].items()}
    branches = [(by_ref[b["$ref"]], b["$ref"]) for b in out["oneOf"]]
    tags = [name for name, _ in branches]
    words = _TAG_WORDS.get(frozenset(tags), "The kind")
    rest = {k: v for k, v in out.items() if k not in ("discriminator", "oneOf")}
    return {
        **rest,
        "type": "object",
        "required": [tag],
        "properties": {tag: {"description": f"{words}: one of {', '.join(tags)}.", "enum": tags}},
        # "required" inside "if": without a type no branch applies (only the one "required" error).
        "allOf": [
            {"if": {"properties": {tag: {"const": name}}, "required": [tag]}, "then": {"$ref": ref}}
            for name, ref in branches
        ],
    }


def _tariff(generated: dict[str, Any]) -> dict[str, Any]:
    # Not anyOf [codes, variable]: a validator would then say only "not valid under any of the
    # given schemas". Text with ${...} is accepted; anything else must be a code (or null).
    # Imported here: the tariff table (and the YAML library that reads it) is needed only when a
    # schema is made, not by everything that imports the blueprint package.
    from b24provision.tariff import known_plan_codes

    keep = {k: v for k, v in generated.items() if k != "anyOf"}
    return {
        "type": ["string", "null"],
        "if": _VARIABLE_TEXT,
        "else": {"enum": [*known_plan_codes(), None]},
        **keep,
    }


def _describe(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with the attribute docstring of each field as its property's description."""
    docs = _attribute_docs()
    for name, definition in [(Blueprint.__name__, schema), *schema.get("$defs", {}).items()]:
        cls = getattr(model, name, None)
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        for field, prop in definition.get("properties", {}).items():
            # The class that defines (or redefines) the field says what it means there.
            doc = next(
                (docs[c.__name__][field] for c in cls.__mro__ if field in docs.get(c.__name__, {})), None
            )
            if doc and "description" not in prop:
                prop["description"] = doc
                definition["properties"][field] = dict(sorted(prop.items()))  # pydantic's key order
    return schema


_MODEL_MODULES = (model, robot_model, field_model, app_model, list_model, smart_model, removed_model)


def _attribute_docs() -> dict[str, dict[str, str]]:
    """Class name -> field name -> the docstring written under the field in the model modules."""
    out: dict[str, dict[str, str]] = {}
    body = [node for module in _MODEL_MODULES for node in ast.parse(inspect.getsource(module)).body]
    for node in body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs = out.setdefault(node.name, {})
        for stmt, after in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[stmt.target.id] = inspect.cleandoc(after.value.value)
    return out
