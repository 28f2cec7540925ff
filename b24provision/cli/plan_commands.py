"""plan, show and force-unlock (api.plans, api.saved, api.unlock); apply is in :mod:`.apply_command`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from b24provision.cli.common import (
    EXIT_CHANGES,
    ForceOpt,
    FormatOpt,
    PathsArg,
    PortalOpt,
    PortalsFileOpt,
    RobotsFromOpt,
    TraceOpt,
    VarOpt,
    VarsFileOpt,
    ask_yes_no,
    choice_option,
    default_paths,
    fail,
    no_color,
    print_text,
    say_portal,
    start_trace,
    user_errors,
    variables_of,
)


def plan(
    paths: PathsArg = None,
    portal: PortalOpt = "local",
    portals: PortalsFileOpt = None,
    var: VarOpt = None,
    values: VarsFileOpt = None,
    fmt: FormatOpt = "text",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Save the plan for `apply --plan`.")
    ] = None,
    force: ForceOpt = False,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0 with no changes, 2 with changes, 1 on error.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show unchanged objects too.")] = False,
    lang: Annotated[
        str,
        choice_option(
            "en", "ru", name="--lang", short="", help="Language of the robot steps (the UI's words)."
        ),
    ] = "en",
    robots_from: RobotsFromOpt = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Show, instead of the plan, every request apply would send after its read: each batch "
            "(its ops by key and each REST method) and the reads between batches.",
        ),
    ] = False,
    trace: TraceOpt = None,
) -> None:
    """Show what `apply` would change on the portal. Never writes."""
    start_trace(trace)
    from b24provision import api
    from b24provision.plan.render import render

    variables = variables_of(var)
    say_portal(portal, portals)
    with user_errors():
        result = api.make_plan(
            default_paths(paths),
            portal=portal,
            portals_file=portals,
            variables=variables,
            values_files=values or (),
            lang=lang,
            robots_from=robots_from,
            out=out,
            force=force,
        )
        if result.tariff is not None:
            typer.echo(f"Tariff: {result.tariff.title()}", err=True)
        text = render(result.plan, fmt, color=not no_color(), verbose=verbose)
        if explain:
            text = api.explain(result, fmt)
    print_text(text, "plain" if explain else fmt)  # plain: a `$result[...]` is no rich style tag
    if out:
        typer.echo(f"Saved the plan to {out}; apply it with: b24provision apply --plan {out}", err=True)
    if detailed_exitcode and result.plan.has_changes:
        raise typer.Exit(EXIT_CHANGES)


def show(
    plan_file: Annotated[Path, typer.Argument(metavar="PLANFILE", help="A plan saved by `plan --out`.")],
    fmt: FormatOpt = "text",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show unchanged objects too.")] = False,
) -> None:
    """Show a saved plan again, as text, JSON or Markdown, with its operations digest. Reads no portal."""
    from b24provision.api import saved as saved_plans
    from b24provision.plan.render import render

    with user_errors():
        shown = saved_plans.show(plan_file)
        saved = shown.saved
        text = render(saved.plan, fmt, color=not no_color(), verbose=verbose)
    typer.echo(
        f"Saved plan: made {saved.created_at} by b24provision {saved.tool_version} for {saved.portal}.",
        err=True,
    )
    print_text(text, fmt)
    if fmt == "text":
        typer.echo(f"Plan digest: {shown.digest}")


def force_unlock(
    portal: PortalOpt = "local",
    portals: PortalsFileOpt = None,
    yes: Annotated[
        bool, typer.Option("--auto-approve", "--yes", "-y", help="Do not ask for confirmation (CI).")
    ] = False,
) -> None:
    """Remove the portal's lock left by an apply that was killed (it shows who held it, then asks).

    Only for a run that is gone: removing the lock of a running apply lets a second one write at the
    same time.
    """
    from b24provision import api
    from b24provision.portal.lock import LOCK_FIELD, LockHolder

    agreed = False

    def confirm(holder: LockHolder) -> bool:
        nonlocal agreed
        typer.echo(f"The portal is locked by {holder.describe()} (deal field {LOCK_FIELD}).")
        if holder.running_here():
            typer.echo(f"Process {holder.pid} is still running on this machine: that apply is not dead.")
        if not yes and not sys.stdin.isatty():
            fail("not asking for confirmation: standard input is not a terminal — re-run with --yes")
        agreed = yes or ask_yes_no(
            "Remove this lock? Only do so if that run is no longer running.",
            nothing="the lock was kept",
        )
        return agreed

    say_portal(portal, portals)
    with user_errors():
        outcome = api.force_unlock(confirm=confirm, portal=portal, portals_file=portals)
    if outcome.holder is None:
        typer.echo("The portal is not locked.")
    elif outcome.removed:
        typer.echo("Lock removed.")
    else:
        typer.echo("The lock was already gone." if agreed else "Lock not removed.")
