"""apply: show the plan, ask, write with a progress line or bar, and say whether the portal now matches.

The work is api.plan_and_apply (plan under the portal's lock, then write) or api.apply (a saved plan);
this module only renders, asks, and maps the outcome to an exit code.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from b24provision.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    PathsArg,
    PortalsFileOpt,
    RobotsFromOpt,
    TextOrJsonOpt,
    TraceOpt,
    VarOpt,
    VarsFileOpt,
    ask_yes_no,
    default_paths,
    fail,
    no_color,
    print_text,
    say_portal,
    start_trace,
    user_errors,
    variables_of,
)
from b24provision.errors import ConfigError, redact

if TYPE_CHECKING:
    from b24provision import api
    from b24provision.plan.ops import Plan


def apply(
    paths: PathsArg = None,
    plan_file: Annotated[
        Path | None, typer.Option("--plan", metavar="FILE", help="Apply exactly this saved plan.")
    ] = None,
    portal: Annotated[
        str | None,
        typer.Option(
            "--portal",
            "-p",
            envvar="B24_PORTAL",
            metavar="PORTAL",
            help="local | local:FILE | a profile from portals.yaml | env:VAR (default: local; with --plan: "
            "the plan's portal).",
        ),
    ] = None,
    portals: PortalsFileOpt = None,
    var: VarOpt = None,
    values: VarsFileOpt = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation (CI).")
    ] = False,
    allow_delete: Annotated[
        bool, typer.Option("--allow-delete", help="Allow deletes and replaces that lose data.")
    ] = False,
    reregister_app_robots: Annotated[
        bool,
        typer.Option(
            "--reregister-app-robots",
            help="Send the settings of every declared application robot type again (bizproc.robot.update): "
            "the portal lists their codes only, so a changed handler or property is not seen otherwise.",
        ),
    ] = False,
    ignore_tariff: Annotated[
        bool,
        typer.Option("--ignore-tariff", help="Apply the rest when the portal's plan cannot hold everything."),
    ] = False,
    lock_timeout: Annotated[
        float,
        typer.Option(
            "--lock-timeout",
            min=0,
            metavar="SECONDS",
            help="Seconds to wait while another apply holds the portal's lock.",
        ),
    ] = 60.0,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            metavar="DIGEST",
            help="Apply only if the plan's operations have this digest (the reviewed plan's, sha256:...); "
            "else change nothing and exit 1.",
        ),
    ] = None,
    fmt: TextOrJsonOpt = "text",
    robots_from: RobotsFromOpt = None,
    trace: TraceOpt = None,
) -> None:
    """Make the portal match the blueprint (or carry out a saved plan).

    The portal is locked while apply runs (a deal field of its own, code B24P_LOCK): a second apply
    waits up to --lock-timeout seconds, then refuses, naming who holds it; `force-unlock` removes a
    lock left by a run that was killed.
    """
    start_trace(trace)
    from b24provision import api
    from b24provision.api import saved as saved_plans
    from b24provision.plan.render import render

    as_json = fmt == "json"  # then stdout has the JSON document only; the text plan goes to stderr
    if plan_file is not None and reregister_app_robots:
        fail("--reregister-app-robots makes a new plan; it cannot change a saved one — leave out --plan")
    saved = None
    with user_errors():
        if plan_file is not None:
            to_apply = saved_plans.load_for_apply(plan_file, portal, portals_file=portals)
            saved, portal = to_apply.saved, to_apply.portal
    spec = portal or "local"
    say_portal(spec, portals)

    def show_plan(plan: Plan) -> None:
        # The robots' steps were shown by `plan` (and `runbook` lists them): the summary counts them.
        if as_json:
            typer.echo(render(plan, "text", robots="none").rstrip("\n"), err=True)
        else:
            print_text(render(plan, "text", color=not no_color(), robots="none"), "text")

    def check(plan: Plan) -> None:
        """Refuse, before asking and before any write, what must not be applied."""
        saved_plans.check_before_apply(plan, expect=expect, allow_delete=allow_delete)

    def ask() -> bool:
        if auto_approve:
            return True
        # Only where there is something to apply: a plan with no changes needs no answer (CI stays green).
        if not sys.stdin.isatty():
            raise ConfigError(
                "not asking for confirmation: standard input is not a terminal — re-run with --auto-approve"
            )
        if not ask_yes_no(
            "Apply these changes?", nothing="nothing was written", err=as_json
        ):  # stdout: JSON only
            typer.echo("Nothing applied.", err=as_json)
            return False
        return True

    shown: list[Plan] = []

    def confirm(result: api.PlanResult) -> bool:
        """Shown the plan made under the portal's lock: render it, check it, ask."""
        show_plan(result.plan)
        shown.append(result.plan)
        if result.tariff is not None:
            typer.echo(f"Tariff: {result.tariff.title()}", err=True)
            if not ignore_tariff:  # before asking, and before any write
                api.check_portal_tariff(result, result.live, result.tariff.declaration)
        if not result.plan.has_changes:
            return False
        check(result.plan)
        return ask()

    def say(message: str) -> None:
        _progress_line(message)

    if saved is None:
        with user_errors(), _progress() as progress:
            outcome = api.plan_and_apply(
                default_paths(paths),
                confirm=confirm,
                portal=spec,
                portals_file=portals,
                variables=variables_of(var),
                values_files=values or (),
                allow_delete=allow_delete,
                ignore_tariff=ignore_tariff,
                reregister_app_robots=reregister_app_robots,
                progress=progress,
                lock_timeout=lock_timeout,
                say=say,
                robots_from=robots_from,
            )
        if outcome is None:
            if as_json and shown:
                _print_apply_json(shown[-1], None)
            return
        the_plan = shown[-1]
    else:
        typer.echo(f"Applying the plan saved in {plan_file} ({saved.created_at}).", err=True)
        the_plan = saved.plan
        show_plan(the_plan)
        if not the_plan.has_changes:
            if as_json:
                _print_apply_json(the_plan, None)
            return
        with user_errors():
            check(the_plan)
            go = ask()
        if not go:
            raise typer.Exit(EXIT_OK)
        with user_errors(), _progress() as progress:
            outcome = api.apply(
                the_plan,
                portal=spec,
                portals_file=portals,
                allow_delete=allow_delete,
                progress=progress,
                ignore_tariff=ignore_tariff,
                verify_against=saved.blueprint,
                lock_timeout=lock_timeout,
                say=say,
            )
    if as_json:
        _print_apply_json(the_plan, outcome)
        if outcome.remaining is not None and outcome.remaining.has_changes:
            raise typer.Exit(EXIT_ERROR)
        return
    done = outcome.applied
    typer.echo(f"Apply complete: {len(done.done)} operations in {outcome.requests} requests.")
    if outcome.remaining is not None:
        if outcome.remaining.has_changes:
            typer.echo("NOT verified: the portal still differs from the blueprint:", err=True)
            typer.echo(render(outcome.remaining, "text"), err=True)
            raise typer.Exit(EXIT_ERROR)
        typer.echo("verified: portal matches the blueprint")
        for step in outcome.remaining.manual_fields:  # REST cannot set these (plan/settable.py)
            typer.echo(f"  still to do by hand: field {step.code}: {step.text}")
    else:
        typer.echo(
            "Not verified: the saved plan holds no blueprint to compare with; run `b24provision plan`."
        )


def _print_apply_json(plan: Plan, outcome: api.ApplyOutcome | None) -> None:
    from b24provision.json_output import apply_to_json

    typer.echo(json.dumps(apply_to_json(plan, outcome), ensure_ascii=False, indent=2))


@contextmanager
def _progress() -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on a terminal; plain lines otherwise (CI logs)."""
    if sys.stderr.isatty() and not os.environ.get("NO_COLOR"):
        from rich.progress import Progress, TaskID

        # Started at the first write, not before: the plan is shown and confirmed inside this block.
        bar = Progress(transient=True)
        task: TaskID | None = None

        def update(done: int, total: int, what: str) -> None:
            nonlocal task
            if task is None:
                bar.start()
                task = bar.add_task("Applying", total=None)
            bar.update(task, completed=done, total=total, description=redact(what)[:60])

        try:
            yield update
        finally:
            if task is not None:
                bar.stop()
    else:

        def line(done: int, total: int, what: str) -> None:
            _progress_line(redact(f"[{done}/{total}] {what}"))

        yield line


def _progress_line(text: str) -> None:
    """A line on stderr while apply writes. A reader that went away (``apply ... 2>&1 | head``)
    must not stop the writes half-way: the line is dropped, the apply goes on and finishes."""
    try:
        typer.echo(text, err=True)
    except BrokenPipeError:
        pass
