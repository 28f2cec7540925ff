"""Environments: one blueprint, different values per portal, through ``${name}`` variables.

User ids, deadlines and the like differ between a staging and a production portal. A blueprint
declares the variables it uses, each with a default (``null``: a value must be given)::

    variables:
      measurer: responsible      # default: the deal's responsible person
      production_lead: null      # required: every environment must say who it is

and refers to them in any string, as the whole value or a part of it::

    responsible: ${production_lead}          # the whole value: takes the value's own type
    task_title: "Замер: ${city} office"      # a part: the value is written into the text

Values come from ``--values FILE`` (a YAML mapping ``name: value``, e.g.
``blueprints/kitchen-subtasks/values/production.yaml``) and ``--var NAME=VALUE``; later ones win,
and ``--var`` beats every file. ``$${`` writes a literal ``${``.

Substitution runs on the YAML data before validation, so every value keeps its position and a
problem with a substituted value still points at the line that holds ``${...}``. It is strict:
a reference to an undeclared variable, a required variable without a value, a value for a variable
the blueprint does not declare (a typo in a values file must not go unnoticed) and a malformed
``${`` are all errors. Mapping keys and the ``variables:`` section itself are never substituted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from b24provision.blueprint.model import Location
from b24provision.blueprint.source import YamlPath, locate, problem_at, read_yaml
from b24provision.errors import ConfigError, Problem

Scalar = str | int | float | bool | None
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# "$${" is an escaped "${"; "${...}" a reference (its inside is checked separately); a "${" with no
# closing brace is malformed.
_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")


def parse_var_options(items: Iterable[str]) -> dict[str, str]:
    """``["a=1", "b=x"]`` from ``--var`` options as a mapping; later ones win.

    Raises:
        ConfigError: an item is not NAME=VALUE.
    """
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not NAME.match(name):
            raise ConfigError(
                f"--var {item!r}: expected NAME=VALUE with a name of a-z, 0-9 and _ — "
                "e.g. --var manager=user:12"
            )
        out[name] = value
    return out


@dataclass
class Resolved:
    """The value of every declared variable that has one, and the problems found on the way."""

    values: dict[str, Scalar] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def resolve(
    declared: Mapping[str, Any],
    declared_at: Mapping[str, Location],
    *,
    values_files: Sequence[Path] = (),
    cli: Mapping[str, str] = {},  # noqa: B006 - read only
) -> Resolved:
    """The value of each declared variable: its default, then the values files, then ``--var``.

    Args:
        declared: the merged ``variables:`` section, name -> default (None: required).
        declared_at: where each name is declared, for "required but not given" problems.
        values_files: YAML files of ``name: value``, in order (later wins).
        cli: ``--var`` values (win over every file).
    """
    out = Resolved()
    given: dict[str, Scalar] = {}
    for path in values_files:
        doc, problems = read_yaml(path)
        out.problems += problems
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            out.problems.append(
                problem_at(
                    doc.at(()), "a values file must be a mapping of variable: value", "variables/values-file"
                )
            )
            continue
        for name, value in doc.data.items():
            where = doc.keys.get((name,), doc.at((name,)))
            if name not in declared:
                out.problems.append(problem_at(where, _undeclared(str(name), declared), "variables/unknown"))
            elif isinstance(value, dict | list):
                out.problems.append(
                    problem_at(
                        doc.at((name,)),
                        f"the value of '{name}' is a {'mapping' if isinstance(value, dict) else 'list'} — "
                        "a variable holds one value: text, a number or true/false",
                        "variables/not-scalar",
                    )
                )
            else:
                given[name] = value
    for name, value in cli.items():
        if name not in declared:
            out.problems.append(
                Problem(f"--var {name}", 0, 0, _undeclared(name, declared), code="variables/unknown")
            )
        else:
            given[name] = value
    for name, default in declared.items():
        value = given.get(name, default)
        if value is None:
            where = declared_at.get(name, Location(path="<blueprint>"))
            out.problems.append(
                problem_at(
                    where,
                    f"variable '{name}' is required (its default is null) but has no value — "
                    f"give it in a values file (--values FILE) or with --var {name}=VALUE",
                    "variables/missing",
                )
            )
        else:
            out.values[name] = value
    return out


def _undeclared(name: str, declared: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, [str(n) for n in declared], n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    known = ", ".join(sorted(str(n) for n in declared)) or "none"
    return (
        f"a value is given for '{name}', but the blueprint declares no such variable — {hint}"
        f"declared variables: {known}"
    )


def substitute(
    data: Any,
    values: Mapping[str, Scalar],
    declared: Iterable[str],
    locations: dict[YamlPath, Location],
    file: str,
    origins: dict[YamlPath, str] | None = None,
) -> tuple[Any, list[Problem]]:
    """``data`` with every ``${name}`` replaced, except under the top-level ``variables:`` key.

    ``origins``, when given, receives the original text of every value that was substituted, so
    that a problem with the result can say where it came from.
    """
    problems: list[Problem] = []
    known = sorted(declared)

    def walk(node: Any, path: YamlPath) -> Any:
        if isinstance(node, dict):
            return {k: v if path == () and k == "variables" else walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            value, errors = substitute_text(node, values, known)
            where = locate(locations, path, file)
            problems.extend(problem_at(where, e, "variables/reference") for e in errors)
            if origins is not None and value != node:
                origins[path] = node
            return value
        return node

    return walk(data, ()), problems


def substitute_text(
    text: str, values: Mapping[str, Scalar], declared: Sequence[str]
) -> tuple[Scalar, list[str]]:
    """One string with its references replaced, and what was wrong with them.

    A string that is exactly one ``${name}`` becomes the value itself (a number stays a number).
    """
    errors: list[str] = []
    whole = _TOKEN.fullmatch(text)
    if whole and whole.group(1) is not None:
        name = whole.group(1).strip()
        if _check_name(name, declared, errors) and name in values:
            return values[name], errors
        return text, errors

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        if match.group(1) is None:
            errors.append(
                f"'${{' without a closing '}}' in {text!r} — write ${{name}}, or $${{ for a literal ${{"
            )
            return token
        name = match.group(1).strip()
        if _check_name(name, declared, errors) and name in values:
            return _as_text(values[name])
        return token

    return _TOKEN.sub(replace, text), errors


def _check_name(name: str, declared: Sequence[str], errors: list[str]) -> bool:
    if not NAME.match(name):
        errors.append(
            f"'${{{name}}}' is not a variable reference: a name uses a-z, 0-9 and _ — "
            "fix it, or write $${ for a literal ${"
        )
        return False
    if name not in declared:
        close = difflib.get_close_matches(name, declared, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        errors.append(
            f"'${{{name}}}' refers to an undeclared variable — {hint}declare it under variables: "
            f"(declared: {', '.join(declared) or 'none'})"
        )
        return False
    return True


def _as_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
