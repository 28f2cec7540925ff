"""Loading blueprints: files and directories -> one validated ``Blueprint`` with source locations.

What a PATH means
-----------------
- A file: one part of a blueprint (any name; usually ``*.yaml``). ``-`` (or ``/dev/stdin``) is
  standard input, read like a file (same size limit) and reported as ``<stdin>``.
- A directory with ``*.yaml`` / ``*.yml`` files in it: one blueprint made of those files, read in
  sorted order. Sub-directories are not read (``values/`` holds values files, see
  ``blueprint/variables.py``).
- A directory with no YAML files of its own but sub-directories that have them (``blueprints/``):
  a *collection*, several alternative blueprints, one per sub-directory (``values/`` and hidden
  directories excepted). ``validate`` checks each on its own; ``load_blueprint`` needs exactly one.

A ``*.yaml`` entry of a directory that cannot be read (a broken symbolic link, no permission) is an
error, never skipped: a blueprint with a part silently missing would plan deletes.

Files given together, and the files of one blueprint directory, are merged into one blueprint:
the lists (``pipelines``, ``fields``, ``app_robots``, ``triggers``, ``removed.*``) are concatenated
in file order; scalars (``version``, ``tariff``, ``description``) must agree; ``variables`` are
merged and a name declared twice is an error.

Steps: read each file (``source.py``: libyaml events, positions kept, bounded) -> merge
(``merge.py``) -> substitute ``${variables}`` -> validate with the pydantic model -> cross-object
checks (``check.py``) -> advice (``lint.py``).
Every problem of a run is collected and reported together, sorted by file and position, as one
line each: ``path:line:col: what is wrong — what to do``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from b24provision.blueprint.check import check_blueprint
from b24provision.blueprint.lint import lint_blueprint
from b24provision.blueprint.merge import MergedDoc, merge_docs
from b24provision.blueprint.messages import translate
from b24provision.blueprint.model import Blueprint
from b24provision.blueprint.source import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    YamlDoc,
    YamlPath,
    display_name,
    is_stdin,
    read_yaml,
)
from b24provision.blueprint.summary import blueprint_counts
from b24provision.blueprint.variables import resolve, substitute
from b24provision.errors import BlueprintError, Problem

YAML_SUFFIXES = (".yaml", ".yml")
SKIPPED_DIRS = ("values",)


@dataclass(frozen=True)
class BlueprintSource:
    """The files that make up one blueprint, and the name it is reported under."""

    name: str
    files: tuple[Path, ...]


@dataclass
class ValidationReport:
    """The outcome of validating one blueprint: the blueprint (if it loaded) and every finding."""

    name: str
    blueprint: Blueprint | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return not self.errors

    def summary(self) -> dict[str, Any]:
        """Name, outcome, what the blueprint holds (blueprint/summary.py) and how many findings."""
        counts = blueprint_counts(self.blueprint if self.blueprint else Blueprint())
        return {
            "name": self.name,
            "ok": self.ok,
            **counts,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


def discover(paths: Sequence[Path]) -> tuple[list[BlueprintSource], list[Problem]]:
    """The blueprints that ``paths`` name: files and blueprint directories together make one,
    each sub-directory of a collection directory makes one of its own."""
    loose: list[Path] = []
    loose_names: list[str] = []
    collections: list[BlueprintSource] = []
    problems: list[Problem] = []
    for path in paths:
        if is_stdin(path) or path.is_file():
            loose.append(path)
            loose_names.append(display_name(path))
        elif path.is_dir():
            files = _yaml_files(path)
            if files:
                loose += files
                loose_names.append(str(path))
                continue
            subdirs = [d for d in sorted(path.iterdir()) if _is_blueprint_dir(d)]
            if not subdirs:
                problems.append(Problem(
                    str(path), 0, 0, "no blueprints here: no *.yaml or *.yml files, and no sub-directories "
                    "with them — pass a blueprint file or directory", code="no-blueprints",
                ))  # fmt: skip
            collections += [BlueprintSource(str(d), tuple(_yaml_files(d))) for d in subdirs]
        elif path.is_symlink() and not path.exists():
            problems.append(Problem(
                str(path), 0, 0, "a broken symbolic link (its target does not exist) — fix the link or "
                "pass its target", code="not-found",
            ))  # fmt: skip
        elif path.exists():  # a pipe or a device, e.g. <(generate-blueprint): read like a file
            loose.append(path)
            loose_names.append(str(path))
        else:
            problems.append(Problem(
                str(path), 0, 0, "no such file or directory — check the path (the default is blueprints/; "
                "- reads standard input)", code="not-found",
            ))  # fmt: skip
    sources = [BlueprintSource(", ".join(loose_names), tuple(loose))] if loose else []
    return sources + collections, problems


# YAML files of the tool itself that can sit next to blueprints (e.g. in the project root).
NOT_BLUEPRINTS = frozenset({"portals.yaml", "portals.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"})


def _yaml_files(directory: Path) -> list[Path]:
    # A symbolic link that leads nowhere is kept: reading it reports it (is_file() would hide it).
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in YAML_SUFFIXES
        and p.name not in NOT_BLUEPRINTS
        and (p.is_file() or (p.is_symlink() and not p.exists()))
    )


def _is_blueprint_dir(path: Path) -> bool:
    return (
        path.is_dir()
        and path.name not in SKIPPED_DIRS
        and not path.name.startswith(".")
        and bool(_yaml_files(path))
    )


def validate_each(
    paths: Sequence[Path],
    *,
    variables: Mapping[str, str] = {},  # noqa: B006 - read only
    values_files: Sequence[Path] = (),
) -> list[ValidationReport]:
    """Validate every blueprint that ``paths`` name, each on its own (a collection gives several)."""
    sources, problems = discover(paths)
    reports = [_validate_source(s, variables, values_files) for s in sources]
    if problems:
        reports.insert(0, ValidationReport(", ".join(str(p) for p in paths), None, sorted(problems)))
    return reports


def validate(
    paths: Sequence[Path],
    *,
    variables: Mapping[str, str] = {},  # noqa: B006 - read only
    values_files: Sequence[Path] = (),
) -> ValidationReport:
    """Validate the one blueprint ``paths`` name: schema, variables, references and lint.

    Returns:
        A report whose ``.blueprint`` is None when it could not be built, and whose ``.problems``
        holds every error and warning, sorted by location.
    """
    sources, problems = discover(paths)
    name = ", ".join(str(p) for p in paths)
    if problems:
        return ValidationReport(name, None, sorted(problems))
    if len(sources) != 1:
        names = ", ".join(s.name for s in sources)
        return ValidationReport(name, None, [Problem(
            name, 0, 0, f"this names {len(sources)} blueprints ({names}) — pass one of them "
            "(each sub-directory is an alternative blueprint); `validate` checks them all",
            code="several-blueprints",
        )])  # fmt: skip
    return _validate_source(sources[0], variables, values_files)


def load_blueprint(
    paths: Sequence[Path],
    *,
    variables: Mapping[str, str] = {},  # noqa: B006 - read only
    values_files: Sequence[Path] = (),
) -> Blueprint:
    """The blueprint ``paths`` name, validated, with the source location of every value.

    Warnings (lint) do not stop loading; see ``validate`` to get them.

    Raises:
        BlueprintError: with every error found (one line each: ``path:line:col: ...``).
    """
    report = validate(paths, variables=variables, values_files=values_files)
    if not report.ok or report.blueprint is None:
        raise BlueprintError(report.errors)
    return report.blueprint


def _validate_source(
    source: BlueprintSource, cli_vars: Mapping[str, str], values_files: Sequence[Path]
) -> ValidationReport:
    problems: list[Problem] = []
    docs: list[YamlDoc] = []
    if len(source.files) > 1 and _total_size(source.files) > MAX_FILE_BYTES:
        return ValidationReport(source.name, None, [Problem(
            source.name, 0, 0, f"its files hold more than {MAX_FILE_BYTES // 1_000_000} MB together, the "
            "limit for a blueprint — a portal's configuration is far smaller (500 fields are 190 kB); "
            "check what the directory holds", code="too-large",
        )])  # fmt: skip
    budget = MAX_VALUES  # for the blueprint, not each file: ten files must not hold ten times as much
    for path in source.files:
        doc, found = read_yaml(path, max_values=budget)
        problems += found
        if doc is not None:
            docs.append(doc)
            budget -= doc.count
        if budget <= 0:
            break
    blueprint = None
    if docs:
        merged = merge_docs(docs)
        problems += merged.problems
        blueprint = _build(merged, cli_vars, values_files, problems)
    if blueprint is not None and not problems:
        problems += check_blueprint(blueprint)
        problems += lint_blueprint(blueprint)
    if any(p.severity == "error" for p in problems):
        blueprint = None
    return ValidationReport(source.name, blueprint, sorted(problems))


def _total_size(files: Sequence[Path]) -> int:
    """The bytes of the regular files among ``files`` (standard input has its own limit)."""
    total = 0
    for path in files:
        try:
            if not is_stdin(path) and path.is_file():
                total += path.stat().st_size
        except OSError:
            continue  # reading it reports the problem
    return total


def _build(
    merged: MergedDoc, cli_vars: Mapping[str, str], values_files: Sequence[Path], problems: list[Problem]
) -> Blueprint | None:
    data = merged.data
    declared = data.get("variables")
    declared = declared if isinstance(declared, dict) else {}
    # Only declarations with a valid name take part; the model reports bad ones.
    declared_at = {n: merged.keys.get(("variables", n), merged.at(("variables", n))) for n in declared}
    resolved = resolve(declared, declared_at, values_files=values_files, cli=cli_vars)
    problems += resolved.problems
    origins: dict[YamlPath, str] = {}
    data, found = substitute(
        data, resolved.values, [str(n) for n in declared], merged.values, merged.file, origins=origins
    )
    problems += found
    try:
        blueprint = Blueprint.model_validate(data)
    except ValidationError as exc:
        problems += translate(exc, data, merged.values, merged.keys, merged.file, origins)
        return None
    return blueprint.with_locations(merged.values)
