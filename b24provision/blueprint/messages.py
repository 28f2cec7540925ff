"""Pydantic's validation errors as one-line problems at YAML positions, in plain words.

Pydantic reports an error at a ``loc`` such as ``("fields", 0, "enumeration", "itemz")``. That
path has elements the YAML does not: the tag of a tagged union (``"enumeration"``, the field's
``type``) and the branch names of plain unions (``"str"``, ``"constrained-str"``). We walk the
``loc`` against the data to find the real YAML path (skipping those elements) and, in parallel,
against the model's type annotations to know which model a key belongs to, so that "unknown key"
can list that model's keys and a bad pattern can be explained by the rule behind it.

Where a message points:
- a wrong value: at the value;
- an unknown key, or a bad mapping key: at the key;
- a missing key: at the mapping that lacks it.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from b24provision.blueprint import model as m
from b24provision.blueprint.model import Location
from b24provision.blueprint.source import YamlPath, locate, problem_at
from b24provision.entities.types import DEAL, FIELD_NAME_LIMIT
from b24provision.errors import Problem

SCHEMA_HINT = "see schema/blueprint.schema.json"


def _max_length(alias: Any) -> int | None:
    """The max_length of an ``Annotated[str, StringConstraints(...)]`` alias of the model."""
    return next((c.max_length for c in get_args(alias)[1:] if hasattr(c, "max_length")), None)


_STAGE_CODE = (
    f"a stage code uses A-Z, 0-9 or _ and is at most {_max_length(m.StageCode)} characters "
    "(it becomes the STATUS_ID), e.g. MEASURE"
)
_PIPELINE_KEY = (
    "a pipeline key starts with a-z and uses only a-z, 0-9 or _ (at most 64 characters), e.g. sales"
)
_FIELD_CODE = (
    f"a field code uses A-Z, 0-9 or _ and is at most {_max_length(m.FieldCode)} characters (the portal adds "
    f"{DEAL.field_prefix}, {FIELD_NAME_LIMIT} in all), e.g. CHILD_DEALS"
)
_DURATION = (
    "a duration is a number and a unit, e.g. '3 days' or '1 month' "
    "(units: minute, hour, day, workday, week, month, year)"
)
_PERSON = (
    "a person is 'responsible', 'author' or 'user:<id>' (user ids differ per portal: use a variable, "
    "e.g. responsible: ${manager})"
)
_DEAL_FIELD = (
    "a deal field is written in capitals: a standard field such as OPPORTUNITY or a custom field's code"
)
_NAME = "a name is not empty and at most 255 characters"

# The rule behind a constraint, by (model, field); for fields not listed, by the pattern.
_RULES: dict[tuple[str, str], str] = {
    ("Stage", "code"): _STAGE_CODE,
    ("CopyDealRobot", "to_stage"): _STAGE_CODE,
    ("CreateDealRobot", "stage"): _STAGE_CODE,
    ("ChangeStageRobot", "stage"): _STAGE_CODE,
    ("Pipeline", "key"): _PIPELINE_KEY,
    ("CopyDealRobot", "to_pipeline"): _PIPELINE_KEY,
    ("CreateDealRobot", "pipeline"): _PIPELINE_KEY,
    ("Condition", "field"): _DEAL_FIELD,
    ("SetFieldRobot", "field"): _DEAL_FIELD,
    (
        "EnumItem",
        "xml_id",
    ): "an xml_id uses letters, digits, _, . or - (at most 255 characters), e.g. in_production",
    ("DateField", "default"): "a date default is 'now' or a date YYYY-MM-DD",
    ("DateTimeField", "default"): "a datetime default is 'now' or 'YYYY-MM-DD HH:MM:SS'",
    ("MoneyField", "default"): "a money default is an amount and a currency, e.g. '100|RUB'",
    ("AppRobot", "code"): "an application robot code uses letters, digits, ., - or _",
    ("AppRobot", "handler"): "a handler is an http:// or https:// URL of your application",
    ("Trigger", "code"): "a trigger code uses a-z, 0-9, ., - or _",
    ("Blueprint", "variables"): "a variable name starts with a-z or _ and uses a-z, 0-9 or _",
    ("Blueprint", "version"): "the only blueprint format version is 1",
}
_RULES_BY_PATTERN: dict[str, str] = {
    r"^\d+\s*(minute|hour|day|workday|week|month|year)s?$": _DURATION,
    r"^(responsible|author|user:\d+)$": _PERSON,
    r"^#[0-9A-Fa-f]{6}$": "a colour is #RRGGBB, e.g. #39A8EF",
    r"^[a-z]{2}$": "a language is two lower-case letters, e.g. ru or en",
}
_FIELD_CODE_FIELDS = {"code", "store_id_in", "fields"}
_CONSTRAINT_ERRORS = {"string_pattern_mismatch", "string_too_long", "string_too_short", "literal_error"}
_EXPECTED = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list (lines starting with '- ')",
    "dict_type": "expected a mapping (key: value lines)",
    "model_type": "expected a mapping (key: value lines)",
    "model_attributes_type": "expected a mapping (key: value lines)",
}
_YAML11_BOOLS = frozenset({"yes", "no", "y", "n", "on", "off"})
_WORDS = {
    "Blueprint": "the blueprint",
    "Pipeline": "a pipeline",
    "Stage": "a stage",
    "Condition": "a condition",
    "EnumItem": "an enumeration item",
    "AppRobot": "an application robot",
    "AppRobotProperty": "an application robot property",
    "Trigger": "a trigger",
    "Removed": "removed:",
}


def dotted(path: Iterable[str | int]) -> str:
    """``("pipelines", 0, "key")`` as ``pipelines[0].key``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def translate(
    exc: ValidationError,
    data: Any,
    values: dict[YamlPath, Location],
    keys: dict[YamlPath, Location],
    file: str,
    origins: Mapping[YamlPath, str] = {},  # noqa: B006 - read only
) -> list[Problem]:
    """Every error of ``exc`` (raised validating ``data``) as a Problem at its YAML position.

    ``origins`` maps a value that came from ``${...}`` substitution to its original text.
    """
    problems: dict[tuple[Location, str], Problem] = {}
    for error in _prefer_matching_branches(exc.errors(), data):
        where, message = _one(error, data, values, keys, file, origins)
        problems.setdefault((where, message), problem_at(where, message, f"schema/{error['type']}"))
    return list(problems.values())


def _one(
    error: ErrorDetails,
    data: Any,
    values: dict[YamlPath, Location],
    keys: dict[YamlPath, Location],
    file: str,
    origins: Mapping[YamlPath, str],
) -> tuple[Location, str]:
    loc = tuple(error["loc"])
    kind = error["type"]
    path, on_key = _yaml_path(loc, data, missing=kind == "missing")
    owner, attr = _owner(loc)
    value_at = locate(values, path, file)
    key_at = keys.get(path, value_at)
    shown = _show(error.get("input"))
    if path in origins:
        origin = origins[path]
        shown = f"{shown} (from {origin if len(origin) <= 60 else origin[:57] + '...'})"
    name = dotted(path)

    if kind == "extra_forbidden":
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return key_at, (
            f"{name}: unknown key '{path[-1]}' in {_what(owner)} — {hint}allowed keys: {', '.join(allowed)}"
        )
    if kind == "missing":
        parent = path[:-1]
        return locate(values, parent, file), (
            f"{dotted(parent)}: {_what(owner)} needs '{path[-1]}' — add {path[-1]}: to it"
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        is_robot = any(p == "robots" for p in path)
        thing, valid = ("robot", m.ROBOT_TYPES) if is_robot else ("field", m.FIELD_TYPES)
        if kind == "union_tag_not_found":
            return value_at, f"{name}: a {thing} needs a type — add type: with one of: {', '.join(valid)}"
        tag = (error.get("ctx") or {}).get("tag", "?")
        close = difflib.get_close_matches(str(tag), list(valid), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return locate(values, (*path, "type"), file), (
            f"{name}.type: unknown {thing} type '{tag}' — {hint}valid types: {', '.join(valid)}"
        )
    where = key_at if on_key else value_at
    if kind in _CONSTRAINT_ERRORS:
        rule = _rule(owner, attr, error)
        if rule:
            what = f"the name {shown}" if on_key else shown
            return where, f"{name}: {what} is not valid — {rule}"
    if path == ("removed",) and kind in ("model_type", "model_attributes_type", "dict_type"):
        # `removed: [<a FIELD_NAME>]` or an empty `removed:`: say which kinds it takes, with an example.
        return where, (
            f"removed: names what to delete by kind, got {shown} — write e.g. removed: {{fields: [CODE]}} "
            f"(kinds: {', '.join(m.Removed.model_fields)})"
        )
    if kind == "bool_type" and str(error.get("input")).lower() in _YAML11_BOOLS:
        # YAML 1.1 (and pydantic's lax mode) would read it as a yes/no; YAML 1.2 keeps it text.
        return (
            where,
            f"{name}: expected true or false, got {shown} — write true or false (YAML 1.2 reads it as text)",
        )
    if kind in _EXPECTED:
        return where, f"{name}: {_EXPECTED[kind]}, got {shown} — fix the value ({SCHEMA_HINT})"
    if kind == "literal_error":
        expected = (error.get("ctx") or {}).get("expected", "")
        return where, f"{name}: {shown} is not allowed — use one of: {expected}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return (
            where,
            f"{name}: {shown} is out of range — {error['msg'].replace('Input should be', 'it must be')}",
        )
    if kind == "too_short":
        return where, f"{name}: {error['msg']} — add at least {(error.get('ctx') or {}).get('min_length', 1)}"
    return where, f"{name}: {error['msg']} (got {shown}) — fix the value ({SCHEMA_HINT})"


def _yaml_path(loc: tuple[Any, ...], data: Any, *, missing: bool) -> tuple[YamlPath, bool]:
    """The real YAML path of ``loc``, and whether the error is about a mapping key (``[key]``)."""
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if part == "[key]":
            return tuple(path), True
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif missing and last:
            path.append(part)
        # anything else is a union tag or branch name pydantic inserted: not in the YAML
    return tuple(path), False


def _prefer_matching_branches(errors: list[ErrorDetails], data: Any) -> list[ErrorDetails]:
    """For a plain union (``str | dict``), keep the errors of the branch that fits the input's shape.

    Otherwise ``name: {ru: 1}`` would also say "expected text" for the ``str`` branch.
    """
    out: list[ErrorDetails] = []
    for error in errors:
        loc = tuple(error["loc"])
        branch = _branch_at(loc[:-1] if error["type"] == "missing" else loc, data)
        if branch is None:
            out.append(error)
            continue
        tag, node = branch
        shape = "dict" if isinstance(node, dict) else "list" if isinstance(node, list) else "scalar"
        fits = (
            tag.startswith("dict")
            if shape == "dict"
            else tag.startswith("list")
            if shape == "list"
            else not tag.startswith(("dict", "list"))
        )
        if fits:
            out.append(error)
    return out or errors


def _branch_at(loc: tuple[Any, ...], data: Any) -> tuple[str, Any] | None:
    """The first plain-union branch name in ``loc`` and the input at that point, if any."""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and not (isinstance(node, dict) and node.get("type") == part):
            return part, node
    return None


def _owner(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, str | None]:
    """The model that the last key of ``loc`` belongs to, and that key, from the annotations."""
    tp: Any = m.Blueprint
    owner: type[BaseModel] | None = None
    attr: str | None = None
    for part in loc:
        tp = _unwrap(tp, part)
        if isinstance(tp, _TagConsumed):
            tp = tp.model  # the loc element was the tag itself
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part in tp.model_fields:
                owner, attr = tp, str(part)
                tp = tp.model_fields[str(part)].annotation
            else:
                owner, attr = tp, str(part)  # an unknown key of this model
                break
        elif get_origin(tp) is list and isinstance(part, int):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            if part == "[key]":
                break
            tp = get_args(tp)[1]
        elif isinstance(part, str) and _is_union(tp):
            continue  # a branch name of a plain union: stay on the union
        else:
            break
    return owner, attr


def _unwrap(tp: Any, part: Any) -> Any:
    """Strip Annotated and, for a union, pick the branch a tag or the data calls for."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        if _is_union(tp):
            branches = [b for b in get_args(tp) if b is not type(None)]
            models = [b for b in branches if isinstance(b, type) and issubclass(b, BaseModel)]
            tagged = [b for b in models if _tag_of(b) == part]
            if tagged:
                return _TagConsumed(tagged[0])
            if len(branches) == 1:
                tp = branches[0]
                continue
            if len(models) == 1 and isinstance(part, str) and part in models[0].model_fields:
                return models[0]
            return tp
        return tp


class _TagConsumed:
    """Marks a tagged-union branch chosen by the current loc element (which the model then skips)."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("type")
    if field is None or get_origin(field.annotation) is not Literal:
        return None
    return str(get_args(field.annotation)[0])


def _rule(owner: type[BaseModel] | None, attr: str | None, error: ErrorDetails) -> str | None:
    if owner is not None and attr is not None:
        for klass in owner.__mro__:
            rule = _RULES.get((klass.__name__, attr))
            if rule:
                return rule
        if attr in _FIELD_CODE_FIELDS and (
            issubclass(owner, m.FieldBase)
            or owner.__name__ in {"CopyDealRobot", "CreateDealRobot", "CreateTaskRobot"}
            or (owner is m.Removed and attr == "fields")
        ):
            return _FIELD_CODE
        if attr in ("name", "task_title", "value") and owner in (
            m.Stage,
            m.Pipeline,
            m.EnumItem,
            m.CreateTaskRobot,
        ):
            return _NAME
    pattern = str((error.get("ctx") or {}).get("pattern", ""))
    return _RULES_BY_PATTERN.get(pattern)


def _what(owner: type[BaseModel] | None) -> str:
    if owner is None:
        return "this mapping"
    tag = _tag_of(owner)
    if tag:
        return f"a {tag} robot" if issubclass(owner, m.RobotBase) else f"a {tag} field"
    return _WORDS.get(owner.__name__, owner.__name__)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if not isinstance(value, bool) else str(value).lower()
    return text if len(text) <= 60 else text[:57] + "..."
