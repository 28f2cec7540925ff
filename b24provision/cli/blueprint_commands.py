"""The commands that need no portal: validate, schema, fmt, graph and runbook (api.blueprints)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from b24provision.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    ForceOpt,
    LangOpt,
    PathsArg,
    TextOrJsonOpt,
    VarOpt,
    VarsFileOpt,
    choice_option,
    default_paths,
    print_or_say_written,
    user_errors,
    variables_of,
)


def validate(
    paths: PathsArg = None,
    var: VarOpt = None,
    values: VarsFileOpt = None,
    fmt: TextOrJsonOpt = "text",
) -> None:
    """Check blueprints without a portal: schema, variables, references and advice (lint).

    Each problem is one line `path:line:col: ...`; warnings never fail the run. A directory of
    blueprint directories (blueprints/) is checked one blueprint at a time.
    """
    from b24provision.api import blueprints

    with user_errors():
        reports = blueprints.validate(
            default_paths(paths), variables=variables_of(var), values_files=values or ()
        )
    ok = all(r.ok for r in reports)
    if fmt == "json":
        summaries = [r.summary() for r in reports]
        doc = {
            "format_version": 1,
            "ok": ok,
            "problems": [
                {
                    "blueprint": r.name,
                    "path": p.path,
                    "line": p.line,
                    "col": p.col,
                    "severity": p.severity,
                    "code": p.code,
                    "message": p.message,
                }
                for r in reports
                for p in r.problems
            ],
            "summary": {
                "blueprints": summaries,
                "errors": sum(s["errors"] for s in summaries),
                "warnings": sum(s["warnings"] for s in summaries),
            },
        }
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            for problem in report.problems:
                typer.echo(str(problem))
            typer.echo(_validate_summary(report.summary(), loaded=report.blueprint is not None))
    raise typer.Exit(EXIT_OK if ok else EXIT_ERROR)


def _validate_summary(s: dict[str, object], *, loaded: bool) -> str:
    from b24provision.blueprint.summary import counts_text  # what the blueprint holds, in words

    def n(count: object, word: str) -> str:
        return f"{count} {word}" if count == 1 else f"{count} {word}s"

    counts = {k: v for k, v in s.items() if isinstance(v, int) and not isinstance(v, bool)}
    what = counts_text(counts) if loaded else "not valid"
    return f"{s['name']}: {what}; {n(s['errors'], 'error')}, {n(s['warnings'], 'warning')}"


def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write the schema to this file.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Print the JSON Schema of a blueprint (for editors: yaml-language-server), or write it."""
    from b24provision.api import blueprints

    with user_errors():
        text = blueprints.schema(out, force=force)
    if out is None:
        typer.echo(text, nl=False)
        return
    typer.echo(f"Wrote the blueprint schema to {out}", err=True)


def fmt_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Blueprint files or directories (default: blueprints/ or .); values files too."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 when a file is not formatted (CI).")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Change nothing; print what would change.")] = False,
) -> None:
    """Rewrite blueprint files in the canonical layout, comments kept (see `fmt --check` for CI)."""
    from b24provision.api import blueprints

    with user_errors():
        results = blueprints.fmt(default_paths(paths), write=not (check or diff))
    changed = [r for r in results if r.changed]
    for result in changed:
        if diff:
            typer.echo(result.diff(), nl=False)
        elif check:
            typer.echo(f"not formatted: {result.path}", err=True)
        else:
            typer.echo(f"formatted {result.path}", err=True)
    if check or diff:
        left = f"{len(changed)} of {len(results)} files need `b24provision fmt`" if changed else ""
        files = f"{len(results)} file" + ("" if len(results) == 1 else "s")
        typer.echo(left or f"{files} formatted already", err=True)
        if check and changed:
            raise typer.Exit(EXIT_ERROR)


def graph(
    paths: PathsArg = None,
    fmt: Annotated[str, choice_option("mermaid", "dot")] = "mermaid",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FILE", help="Write to FILE; a .svg is drawn with Graphviz's dot."
        ),
    ] = None,
    force: ForceOpt = False,
    lang: LangOpt = "en",
    var: VarOpt = None,
    values: VarsFileOpt = None,
) -> None:
    """Draw pipelines, stages and robot flows (Mermaid or Graphviz dot)."""
    from b24provision.api import blueprints

    with user_errors():
        text = blueprints.graph(
            default_paths(paths),
            fmt=fmt,
            lang=lang,
            out=out,
            force=force,
            variables=variables_of(var),
            values_files=values or (),
        )
    print_or_say_written(text, out)


def runbook(
    paths: PathsArg = None,
    fmt: Annotated[str, choice_option("markdown", "html")] = "markdown",
    lang: LangOpt = "en",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write to FILE, not the screen.")
    ] = None,
    force: ForceOpt = False,
    var: VarOpt = None,
    values: VarsFileOpt = None,
) -> None:
    """The checklist for setting up (and checking) by hand what REST cannot: robots and triggers."""
    from b24provision.api import blueprints

    with user_errors():
        text = blueprints.runbook(
            default_paths(paths),
            fmt=fmt,
            lang=lang,
            out=out,
            force=force,
            variables=variables_of(var),
            values_files=values or (),
        )
    print_or_say_written(text, out)
