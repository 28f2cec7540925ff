"""The commands that read portals and report: export, diff, forecast and doctor (api.reports)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from b24provision.cli.common import (
    EXIT_CHANGES,
    EXIT_ERROR,
    ForceOpt,
    FormatOpt,
    LangOpt,
    PathsArg,
    PortalOpt,
    PortalsFileOpt,
    RobotsFromOpt,
    TextOrJsonOpt,
    TraceOpt,
    VarOpt,
    VarsFileOpt,
    ask_yes_no,
    choice_option,
    default_paths,
    fail,
    say_portal,
    start_trace,
    user_errors,
    variables_of,
)


def export(
    portal: PortalOpt = "local",
    portals: PortalsFileOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="PATH",
            help="A directory (gets blueprint.yaml) or a file; default: stdout.",
        ),
    ] = None,
    fmt: Annotated[
        str, choice_option("yaml", "json", help="yaml: the blueprint; json: it and what it holds.")
    ] = "yaml",
    force: ForceOpt = False,
    robots_from: RobotsFromOpt = None,
    trace: TraceOpt = None,
) -> None:
    """Write the live portal as a blueprint (robots: from --robots-from, the portal's configuration
    export; REST cannot read them)."""
    start_trace(trace)
    from b24provision.api import reports

    say_portal(portal, portals)
    with user_errors():
        exported = reports.export(portal, portals_file=portals, out=out, force=force, robots_from=robots_from)
    result, written = exported.result, exported.written
    if fmt == "json":
        from b24provision.json_output import export_to_json

        typer.echo(json.dumps(export_to_json(result, written), ensure_ascii=False, indent=2))
    elif written is None:
        typer.echo(result.text, nl=False)
    if written is not None:
        typer.echo(f"Wrote the blueprint to {written}; check it with: b24provision plan {written}", err=True)


def diff_command(
    from_: Annotated[
        str,
        typer.Option("--from", help="A: a portal (local, env:VAR, a profile, portal:X) or a blueprint path."),
    ],
    to: Annotated[
        str, typer.Option("--to", help="B: a portal spec or a blueprint path (file:PATH: a file).")
    ],
    portals: PortalsFileOpt = None,
    var: VarOpt = None,
    values: VarsFileOpt = None,
    fmt: FormatOpt = "text",
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0: no differences, 2: differences, 1: error.")
    ] = False,
    trace: TraceOpt = None,
) -> None:
    """Show the differences between A and B (two portals, two blueprints, or one of each)."""
    start_trace(trace)
    from b24provision.api import reports
    from b24provision.compare import render_comparison

    with user_errors():
        result = reports.diff(
            from_, to, portals_file=portals, variables=variables_of(var), values_files=values or ()
        )
        text = render_comparison(result, fmt)
    typer.echo(text.rstrip("\n"))
    if detailed_exitcode and result.has_differences:
        raise typer.Exit(EXIT_CHANGES)


def forecast(
    paths: PathsArg = None,
    portal: PortalOpt = "local",
    portals: PortalsFileOpt = None,
    months: Annotated[
        int, typer.Option("--months", "-m", metavar="N", min=1, max=120, help="Months to show.")
    ] = 12,
    fmt: TextOrJsonOpt = "text",
    lang: LangOpt = "en",
    var: VarOpt = None,
    values: VarsFileOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the number of requests.")] = False,
    trace: TraceOpt = None,
) -> None:
    """When delayed robots will create their deals (and tasks fall due), how many and for what sums,
    month by month from the portal's stage history — and which ones silently never appeared."""
    start_trace(trace)
    from b24provision import forecast as forecasting
    from b24provision.api import reports

    say_portal(portal, portals)
    with user_errors():
        result = reports.forecast(
            default_paths(paths),
            portal=portal,
            portals_file=portals,
            variables=variables_of(var),
            values_files=values or (),
            months=months,
        )
    if fmt == "json":
        typer.echo(json.dumps(forecasting.to_json(result), ensure_ascii=False, indent=2))
    else:
        typer.echo(forecasting.render_text(result, lang=lang, verbose=verbose), nl=False)
    if verbose and fmt == "json":
        typer.echo(f"Requests: {result.requests}", err=True)


def doctor(
    paths: PathsArg = None,
    portal: PortalOpt = "local",
    portals: PortalsFileOpt = None,
    var: VarOpt = None,
    values: VarsFileOpt = None,
    probe: Annotated[
        bool,
        typer.Option(
            "--probe", help="Also try the open assumptions by writing (staging!); deletes what it makes."
        ),
    ] = False,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Run --probe without asking (CI).")
    ] = False,
    fmt: TextOrJsonOpt = "text",
    trace: TraceOpt = None,
) -> None:
    """Check the portal before an apply: access, scopes, rights, plan, languages, features, budget.

    Read-only unless --probe. Exit 0 when nothing blocks an apply, 1 otherwise.
    """
    start_trace(trace)
    from b24provision.api import reports
    from b24provision.doctor.render import render_json, render_text

    say_portal(portal, portals)

    def confirm(host: str) -> bool:
        typer.echo(
            f"doctor --probe writes to {host}: it creates a pipeline and two deal fields named "
            "B24P_PROBE_..., and deletes them again. Run it on a staging portal.",
            err=True,
        )
        if auto_approve:
            return True
        if not sys.stdin.isatty():
            fail("not asking for confirmation: standard input is not a terminal — re-run with --auto-approve")
        return ask_yes_no("Probe this portal?", nothing="nothing was probed")

    with user_errors():
        report = reports.doctor(
            paths,
            default_paths(paths),
            variables=variables_of(var),
            values_files=values or (),
            portal=portal,
            portals_file=portals,
            probe=probe,
            confirm=confirm,
            say=lambda line: typer.echo(line, err=True),
        )
    if fmt == "json":
        typer.echo(json.dumps(render_json(report), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_text(report), nl=False)
    if report.blocked:
        raise typer.Exit(EXIT_ERROR)
