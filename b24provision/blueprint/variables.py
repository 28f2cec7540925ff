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

A variable's value may itself refer to other variables (``office: "${city} office"``); they are
expanded first. Variables that refer to each other in a cycle are an error naming the cycle (never
a literal ``${b}`` in a pipeline name), and so are chains deeper than ``MAX_VARIABLE_DEPTH``, a
value longer than ``MAX_VALUE_CHARS`` and substitutions that add more than ``MAX_ADDED_CHARS`` to
the blueprint: a few nested references must not grow a small file into gigabytes.

Substitution runs on the YAML data before validation, so every value keeps its position and a
problem with a substituted value still points at the line that holds ``${...}``. It is strict:
a reference to an undeclared variable, a required variable without a value, a value for a variable
the blueprint does not declare (a typo in a values file must not go unnoticed) and a malformed
``${`` are all errors. Mapping keys and the ``variables:`` section itself are never substituted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from b24provision.blueprint.model import Location
from b24provision.blueprint.source import YamlPath, locate, problem_at, read_yaml
from b24provision.errors import ConfigError, Problem

Scalar = str | int | float | bool | None
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# "$${" is an escaped "${"; "${...}" a reference (its inside is checked separately); a "${" with no
# closing brace is malformed. The inside is short and holds no "$": without that bound every "${"
# of a string with no "}" would scan to its end (20,000 of them took 6 s; a 5 MB file, hours).
_TOKEN = re.compile(r"\$\$\{|\$\{([^}$\n]{0,200})\}|\$\{")

MAX_VARIABLE_DEPTH = 20
"""How deep variables may refer to variables (a -> b -> c ...)."""
MAX_VALUE_CHARS = 100_000
"""The longest value a variable may have once its references are expanded."""
MAX_ADDED_CHARS = 5_000_000
"""How much text substitution may add in all, to the blueprint and to variables' own values
(as much as the largest file)."""
_TOO_MUCH = (
    f"variables add more than {MAX_ADDED_CHARS:,} characters to the blueprint — a long value is "
    "used too often; write it out where it is needed"
)


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
    given_at: dict[str, Location] = {}
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
                given_at[name] = doc.at((name,))
    for name, value in cli.items():
        if name not in declared:
            out.problems.append(
                Problem(f"--var {name}", 0, 0, _undeclared(name, declared), code="variables/unknown")
            )
        else:
            given[name] = value
            given_at[name] = Location(path=f"--var {name}")
    for name, default in declared.items():
        value = given.get(name, default)
        where = declared_at.get(name, Location(path="<blueprint>"))
        if value is None:
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
            given_at.setdefault(name, where)
    out.values = _expand_values(out.values, _Names(str(n) for n in declared), given_at, out.problems)
    return out


class _Names(list[str]):
    """Declared variable names, sorted (for messages), with a set behind ``in`` (a blueprint may
    declare thousands, and every reference asks)."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(sorted(names))
        self._set = frozenset(self)

    def __contains__(self, name: object) -> bool:
        return name in self._set


class _Unresolvable(Exception):
    """A variable's value cannot be expanded: a cycle, a chain too deep, a value too long."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def _expand_values(
    values: dict[str, Scalar], declared: list[str], where: Mapping[str, Location], problems: list[Problem]
) -> dict[str, Scalar]:
    """Every value with its own ``${...}`` references expanded; problems located at the value."""
    done: dict[str, Scalar] = {}
    added = 0  # text the expansions built, over all variables

    def value_of(name: str, chain: tuple[str, ...]) -> Scalar:
        nonlocal added
        if name in done:
            return done[name]
        if name in chain:
            cycle = [*chain[chain.index(name) :], name]
            raise _Unresolvable(
                cycle[0], f"variables {' -> '.join(cycle)} refer to each other in a cycle — give one of "
                "them a value that does not use ${...}",
            )  # fmt: skip
        if len(chain) >= MAX_VARIABLE_DEPTH:
            raise _Unresolvable(
                chain[0], f"variable '{chain[0]}' refers to variables more than {MAX_VARIABLE_DEPTH} deep "
                f"({' -> '.join(chain[:4])} -> ...) — give one of them a plain value",
            )  # fmt: skip
        raw = values[name]
        if not (isinstance(raw, str) and "${" in raw):
            done[name] = raw
            return raw
        lookup = _Lookup(values, lambda other: value_of(other, (*chain, name)))
        value, errors = substitute_text(raw, lookup, declared)
        if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            raise _Unresolvable(
                name, f"variable '{name}' expands to more than {MAX_VALUE_CHARS:,} characters — its "
                "references repeat each other; write the value out",
            )  # fmt: skip
        if isinstance(value, str) and not _TOKEN.fullmatch(raw):
            added += max(0, len(value) - len(raw))
            if added > MAX_ADDED_CHARS:
                raise _Unresolvable(name, _TOO_MUCH)
        problems.extend(problem_at(where[name], e, "variables/reference") for e in errors)
        done[name] = value
        return value

    for name in values:
        try:
            value_of(name, ())
        except _Unresolvable as exc:
            # The first one is reported; those that use it would only repeat it.
            problems.append(problem_at(where[exc.name], exc.message, "variables/cycle"))
            break
    return {n: done[n] for n in values if n in done}


class _Lookup(Mapping[str, Scalar]):
    """Variable values for ``substitute_text`` that are expanded when first asked for."""

    def __init__(self, values: Mapping[str, Scalar], expand: Callable[[str], Scalar]) -> None:
        self._values = values
        self._expand = expand

    def __getitem__(self, name: str) -> Scalar:
        if name not in self._values:
            raise KeyError(name)
        return self._expand(name)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _undeclared(name: str, declared: Mapping[str, Any]) -> str:
    names = sorted(str(n) for n in declared)
    # Bounded: a values file may name thousands of variables the blueprint does not declare.
    close = difflib.get_close_matches(name, names, n=1) if len(names) <= 200 else []
    hint = f"did you mean '{close[0]}'? " if close else ""
    known = (", ".join(names[:20]) + (", ..." if len(names) > 20 else "")) or "none"
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
    known = _Names(declared)
    added = 0

    def walk(node: Any, path: YamlPath) -> Any:
        nonlocal added
        if isinstance(node, dict):
            return {k: v if path == () and k == "variables" else walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            if added > MAX_ADDED_CHARS:
                return node  # already reported
            value, errors = substitute_text(node, values, known)
            where = locate(locations, path, file)
            problems.extend(problem_at(where, e, "variables/reference") for e in errors)
            # A whole-value reference shares the variable's value; only text built here adds up.
            if isinstance(value, str) and not _TOKEN.fullmatch(node):
                added += max(0, len(value) - len(node))
                if added > MAX_ADDED_CHARS:
                    problems.append(problem_at(where, _TOO_MUCH, "variables/too-much"))
                    return node
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
            if not errors:  # one problem per value is enough; a hostile one can have millions
                errors.append(
                    f"'${{' without a closing '}}' in {_brief(text)} — write ${{name}}, or $${{ for a "
                    "literal ${"
                )
            return token
        name = match.group(1).strip()
        if not (NAME.match(name) and name in declared):
            if not errors:
                _check_name(name, declared, errors)  # says what is wrong with it
            return token
        return _as_text(values[name]) if name in values else token

    return _TOKEN.sub(replace, text), errors


def _check_name(name: str, declared: Sequence[str], errors: list[str]) -> bool:
    if not NAME.match(name):
        errors.append(
            f"'${{{name}}}' is not a variable reference: a name uses a-z, 0-9 and _ — "
            "fix it, or write $${ for a literal ${"
        )
        return False
    if name not in declared:
        # Bounded: a hostile blueprint may declare and misspell thousands.
        close = difflib.get_close_matches(name, declared, n=1) if len(declared) <= 200 else []
        hint = f"did you mean '{close[0]}'? " if close else ""
        shown = ", ".join(declared[:20]) + (", ..." if len(declared) > 20 else "")
        errors.append(
            f"'${{{name}}}' refers to an undeclared variable — {hint}declare it under variables: "
            f"(declared: {shown or 'none'})"
        )
        return False
    return True


def _brief(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _as_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
