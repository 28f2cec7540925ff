"""tariff: what the blueprint needs against a plan, as a table (api.reports.tariff)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from b24provision.cli.common import (
    EXIT_ERROR,
    PathsArg,
    PortalsFileOpt,
    TextOrJsonOpt,
    TraceOpt,
    VarOpt,
    VarsFileOpt,
    default_paths,
    fail,
    no_color,
    say_portal,
    start_trace,
    user_errors,
    variables_of,
)

if TYPE_CHECKING:
    from b24provision import tariff as tariffs_module


_PLAN_HELP = "A plan code (crm_plus, standard, ...) or a LICENSE (ru_crm). Default: the blueprint's tariff:."


def tariff(
    paths: PathsArg = None,
    plan_code: Annotated[str | None, typer.Option("--tariff", "-t", metavar="CODE", help=_PLAN_HELP)] = None,
    old_plan_option: Annotated[
        str | None, typer.Option("--plan", metavar="CODE", hidden=True, help="Deprecated: --tariff.")
    ] = None,
    portal: Annotated[
        str | None,
        typer.Option(
            "--portal", "-p", help="Detect this portal's plan (local, local:FILE, a profile, env:VAR)."
        ),
    ] = None,
    portals: PortalsFileOpt = None,
    var: VarOpt = None,
    values: VarsFileOpt = None,
    fmt: TextOrJsonOpt = "text",
    trace: TraceOpt = None,
) -> None:
    """What the blueprint needs (REST, robots, business processes, ...) against a plan. Exit 1 if unmet.

    The plan is --tariff CODE, else the one detected on --portal, else the blueprint's `tariff:`.
    """
    start_trace(trace)
    from b24provision.api import reports

    if old_plan_option is not None:  # one meaning per option name: --plan is a saved plan file elsewhere
        typer.echo("Warning: `tariff --plan CODE` is deprecated; use `tariff --tariff CODE`.", err=True)
        plan_code = plan_code or old_plan_option
    if portal is not None and plan_code is not None:
        fail("--tariff names a plan and --portal detects one: give one of them")
    if portal is not None:
        say_portal(portal, portals)
    with user_errors():
        checked = reports.tariff(
            default_paths(paths),
            plan_code=plan_code,
            portal=portal,
            portals_file=portals,
            variables=variables_of(var),
            values_files=values or (),
        )
    report, detected = checked.report, checked.detected
    if fmt == "json":
        doc = report.to_json()
        if detected is not None:
            doc["detected"] = {"decided_by": detected.decided_by, "sources": detected.describe()}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif detected is not None:
        for line in detected.describe()[1:]:  # the first, "plan: ...", is the table's title
            typer.echo(line)
        _print_tariff(report, from_blueprint=False, origin=detected.decided_by)
    else:
        _print_tariff(report, from_blueprint=plan_code is None)
    if report.has_errors:
        raise typer.Exit(EXIT_ERROR)


def _print_tariff(report: tariffs_module.TariffReport, *, from_blueprint: bool, origin: str = "") -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, no_color=no_color(), width=max(120, Console().width))
    n = report.needs
    if report.plan is None:
        console.print("No plan named (--tariff CODE, or `tariff:` in the blueprint): showing the needs only.")
        table = Table("need", "value")
        table.add_row("REST API", "yes" if n.rest else "no")
        robots = f"{n.robot_count} ({', '.join(n.robot_kinds)})" if n.robots else "no"
        table.add_row("automation rules (robots)", robots)
        table.add_row("business processes (Workflow designer)", "yes" if n.business_processes else "no")
        table.add_row("application robots / triggers", "yes" if n.app_robots_triggers else "no")
        table.add_row("deal pipelines", str(n.pipelines))
        table.add_row("custom deal fields", str(n.custom_fields))
    else:
        origin = origin or ("the blueprint's tariff:" if from_blueprint else "--tariff")
        console.print(f"Plan: {report.plan.title()} (from {origin})", soft_wrap=True)
        table = Table("need", "needed", f"{report.plan.title()} has", "verdict", "message")
        marks = {"ok": "ok", "info": "check", "warning": "probably", "error": "NOT MET"}
        styles = {"ok": "green", "info": "cyan", "warning": "yellow", "error": "bold red"}
        for row in report.rows:
            verdict = f"[{styles[row.severity]}]{marks[row.severity]}[/]"
            table.add_row(row.need, row.needed, row.plan_has, verdict, row.message)
    console.print(table)
    fits = report.verdict()
    if fits:
        console.print(f"Verdict: {fits}", soft_wrap=True)
    legacy = report.minimal_legacy.title()
    caveat = report.minimal_caveat()
    minimal = f"{report.minimal.title()}" + (f", {caveat}" if caveat else "")
    console.print(f"Minimal plan that fits: {minimal} (in the old plans: {legacy})", soft_wrap=True)
    for note in n.notes:
        console.print(f"Note: {note}")
