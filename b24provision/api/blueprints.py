"""The commands that need no portal: validate, schema, fmt, graph and runbook.

Part of the :mod:`b24provision.api` facade: each function takes paths and options, does the work,
and returns what the CLI renders. Nothing here prints. Each imports what it needs when called, so
``b24provision --help`` loads none of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from b24provision.blueprint.loader import ValidationReport
    from b24provision.blueprint.model import Blueprint
    from b24provision.fmt import FormatResult


def load_one(
    paths: Sequence[Path], *, variables: Mapping[str, str] | None = None, values_files: Sequence[Path] = ()
) -> Blueprint:
    """The one blueprint at ``paths`` (the pure commands: tariff, graph, runbook); no portal is touched."""
    from b24provision.blueprint import load_blueprint  # noqa: PLC0415

    return load_blueprint(paths, variables=dict(variables or {}), values_files=values_files)


def validate(
    paths: Sequence[Path], *, variables: Mapping[str, str] | None = None, values_files: Sequence[Path] = ()
) -> list[ValidationReport]:
    """Check each blueprint at ``paths`` without a portal: schema, variables, references, advice, and
    the needs against the blueprint's own ``tariff:`` (warnings)."""
    from b24provision.blueprint import validate_each  # noqa: PLC0415
    from b24provision.tariff.fit import blueprint_tariff_problems  # noqa: PLC0415

    reports = validate_each(paths, variables=dict(variables or {}), values_files=values_files)
    for report in reports:
        if report.blueprint is not None:
            report.problems = sorted([*report.problems, *blueprint_tariff_problems(report.blueprint)])
    return reports


def schema(out: Path | None = None, *, force: bool = False) -> str:
    """The blueprint's JSON Schema as text; written to ``out`` when given."""
    from b24provision.blueprint.schema import schema_text, write_schema  # noqa: PLC0415

    if out is not None:
        write_schema(out, force=force)
    return schema_text()


def fmt(paths: Sequence[Path], *, write: bool) -> list[FormatResult]:
    """Each blueprint (and values) file at ``paths`` in the canonical layout; rewritten if ``write``."""
    from b24provision.fmt import format_paths  # noqa: PLC0415

    return format_paths(paths, write=write)


def graph(
    paths: Sequence[Path],
    *,
    fmt: str = "mermaid",
    lang: str = "en",
    out: Path | None = None,
    force: bool = False,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
) -> str:
    """The pipelines, stages and robot flows as Mermaid or Graphviz dot text, written to ``out`` when
    given (a ``.svg`` is drawn by Graphviz's dot from the dot text)."""
    from b24provision.robots import graph as diagram  # noqa: PLC0415

    blueprint = load_one(paths, variables=variables, values_files=values_files)
    if out is not None and out.suffix.lower() == ".svg":
        text = diagram.to_dot(blueprint, lang)
        diagram.render_svg(text, out, force=force)
        return text
    text = diagram.to_mermaid(blueprint, lang) if fmt == "mermaid" else diagram.to_dot(blueprint, lang)
    _write(text, out, force=force)
    return text


def runbook(
    paths: Sequence[Path],
    *,
    fmt: str = "markdown",
    lang: str = "en",
    out: Path | None = None,
    force: bool = False,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
) -> str:
    """The checklist for what REST cannot set up: robots and triggers, by hand (written to ``out``
    when given)."""
    from b24provision.robots.runbook import render_runbook  # noqa: PLC0415

    text = render_runbook(load_one(paths, variables=variables, values_files=values_files), fmt, lang)
    _write(text, out, force=force)
    return text


def _write(text: str, out: Path | None, *, force: bool) -> None:
    if out is not None:
        from b24provision.output import write_output  # noqa: PLC0415

        write_output(out, text, force=force)
