"""The command line: parse options, call one function, render its result, map errors to exit codes.

This is the only module that imports typer. Every command body follows one pattern::

    with user_errors():
        result = some_module.function(...)
    console.print(render(result))

Exit codes: 0 success / no changes; 1 error; 2 changes present (with --detailed-exitcode);
130 stopped by Ctrl-C, 143 by SIGTERM (b24provision.interrupt).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument, TyperGroup

from b24provision import __version__
from b24provision.errors import B24ProvisionError, ConfigError, redact

if TYPE_CHECKING:
    from b24provision import api
    from b24provision import tariffs as tariffs_module
    from b24provision.blueprint.model import Blueprint
    from b24provision.plan.ops import Plan

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2

# click's UsageError (typer vendors click and keeps its own copy private): the public BadParameter's base.
UsageError: type[Exception] = typer.BadParameter.__mro__[1]


class _Conventions(TyperGroup):
    """The command-line conventions every command gets, whoever adds it.

    - A usage error (a mistyped option, a bad --format) exits 1, not click's 2: under
      --detailed-exitcode 2 means "changes present", and CI must not take a typo for success.
    - Help shows metavars, never Python types (``--var <list[str]>``): an option without its own
      metavar gets its name in capitals (``--portal PORTAL``), an argument too (``[PATH]...``).
    - Usage errors are one line, ``Error: ... (see: b24provision plan --help)``, as every other error.
    """

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as exc:
            _usage_error(exc)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            _usage_error(exc)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        for param in getattr(command, "params", ()):
            if isinstance(param, TyperArgument):
                param.metavar = param.metavar or (param.name or "arg").upper().removesuffix("S")
                param.__dict__["display_type_rich"] = _no_type  # "PATH" says it; "<list[Path]>" does not
            elif param.metavar is None and not getattr(param, "is_flag", False):
                param.metavar = max(param.opts, key=len).lstrip("-").upper().replace("-", "_")
        return command


def _no_type(ctx: Any) -> None:
    return None


def _usage_error(exc: Any) -> NoReturn:
    """Exit 1 with one line (click prints the usage, a hint and the error, and exits 2)."""
    if exc.ctx is None or type(exc).__name__ == "NoArgsIsHelpError":  # no arguments: click shows the help
        exc.exit_code = EXIT_ERROR
        raise exc
    where = f" (see: {exc.ctx.command_path} --help)"
    typer.echo(f"Error: {exc.format_message()}{where}", err=True)
    raise typer.Exit(EXIT_ERROR)


app = typer.Typer(
    name="b24provision",
    help="Declarative config-as-code for Bitrix24 CRM: pipelines, stages, fields and robots from YAML.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_show_locals=False,  # locals would show webhook URLs
    rich_markup_mode=None,
    cls=_Conventions,
)
emulator_app = typer.Typer(
    help="The local Bitrix24 portal (emulator).", no_args_is_help=True, cls=_Conventions
)
app.add_typer(emulator_app, name="emulator")
robots_app = typer.Typer(
    help="Robots on stages, read from the portal's configuration export.",
    no_args_is_help=True,
    cls=_Conventions,
)
app.add_typer(robots_app, name="robots")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"b24provision {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Declarative config-as-code for Bitrix24 CRM: pipelines, stages, fields and robots from YAML."""


def choice(*choices: str) -> Callable[[str], str]:
    """An option callback that refuses a value not in ``choices`` while the command line is parsed,
    so a mistyped ``--format`` fails (exit 1) before any blueprint or portal is read."""

    def check(value: str) -> str:
        if value not in choices:
            raise typer.BadParameter(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return check


def _choice_option(*choices: str, help: str = "", name: str = "--format", short: str = "-f") -> Any:
    """A typer.Option whose value is one of ``choices``: checked first, completed by the shell."""
    return typer.Option(
        name,
        *([short] if short else []),
        metavar="|".join(choices),
        callback=choice(*choices),
        autocompletion=lambda: list(choices),
        help=help or "Output format.",
    )


def _no_color() -> bool:
    return bool(os.environ.get("NO_COLOR")) or not sys.stdout.isatty()


def fail(message: str) -> NoReturn:
    """Print one error line on stderr and exit 1."""
    typer.echo(f"Error: {redact(message)}", err=True)
    raise typer.Exit(EXIT_ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the tool's errors into one clear line each on stderr and exit code 1; never a traceback.

    Set B24_DEBUG=1 to re-raise instead (for bug reports).
    """
    try:
        yield
    except B24ProvisionError as exc:
        if os.environ.get("B24_DEBUG"):
            raise
        for line in exc.message.splitlines() or [type(exc).__name__]:
            typer.echo(f"Error: {line}" if not line.startswith(("Error", " ")) else line, err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (b24provision.interrupt)
        from b24provision.interrupt import exit_code, stopped

        typer.echo(redact(stopped(exc)), err=True)
        raise typer.Exit(exit_code(exc)) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as exc:  # a bug: still one line, no locals, no secrets
        if os.environ.get("B24_DEBUG"):
            raise
        typer.echo(
            f"Error: internal error: {type(exc).__name__}: {redact(str(exc))} "
            "— this is a bug in b24provision; re-run with B24_DEBUG=1 for a traceback and report it.",
            err=True,
        )
        raise typer.Exit(EXIT_ERROR) from None


# Options shared by several commands.
PathsArg = Annotated[
    list[Path] | None, typer.Argument(help="Blueprint files or directories (default: blueprints/ or .).")
]
PortalOpt = Annotated[
    str,
    typer.Option(
        "--portal",
        "-p",
        envvar="B24_PORTAL",
        help="local | local:FILE | a profile from portals.yaml | env:VAR (a variable holding a webhook URL).",
    ),
]
PortalsFileOpt = Annotated[
    Path | None,
    typer.Option("--portals", metavar="FILE", help="The portals file (default: ./portals.yaml)."),
]
VarOpt = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="Set a blueprint variable (repeatable)."),
]
VarsFileOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--values", metavar="FILE", help="A YAML file of variable values, e.g. values/production.yaml."
    ),
]
FormatOpt = Annotated[str, _choice_option("text", "json", "markdown")]
TextOrJsonOpt = Annotated[str, _choice_option("text", "json")]
LangOpt = Annotated[str, _choice_option("en", "ru", name="--lang", short="", help="Language: en | ru.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the --out file if it exists.")]
RobotsFromOpt = Annotated[
    Path | None,
    typer.Option(
        "--robots-from",
        metavar="ZIP",
        help="The portal's configuration export (.zip/.tar.gz): check robots against it, not by hand.",
    ),
]
TraceOpt = Annotated[
    Path | None,
    typer.Option(
        "--trace",
        help="Write every request and answer to FILE (JSON lines, secrets removed) for a bug report.",
    ),
]


def start_trace(trace: Path | None) -> None:
    """``--trace FILE``: record this command's requests (portal/trace.py); every line is flushed as
    it is written, and the file is closed when the process ends or the next command starts."""
    if trace is None and "b24provision.portal.trace" not in sys.modules:
        return  # nothing was ever traced in this process: do not import httpx for nothing
    from b24provision.portal import trace as tracing

    tracing.stop()
    if trace is not None:
        with user_errors():
            tracing.start(trace)


def default_paths(paths: list[Path] | None) -> list[Path]:
    if paths:
        return paths
    return [Path("blueprints")] if Path("blueprints").is_dir() else [Path(".")]


# --- validate / schema (blueprint) ------------------------------------------------------------


@app.command()
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
    import json

    from b24provision.blueprint import parse_var_options, validate_each

    with user_errors():
        reports = validate_each(
            default_paths(paths), variables=parse_var_options(var or []), values_files=values or ()
        )
        from b24provision.tariff_detect import blueprint_tariff_problems

        for report in reports:  # the needs against the blueprint's own `tariff:` (warnings)
            if report.blueprint is not None:
                report.problems = sorted([*report.problems, *blueprint_tariff_problems(report.blueprint)])
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
    def n(count: object, word: str) -> str:
        return f"{count} {word}" if count == 1 else f"{count} {word}s"

    what = (
        f"{n(s['pipelines'], 'pipeline')}, {n(s['fields'], 'field')}, {n(s['robots'], 'robot')}"
        if loaded
        else "not valid"
    )
    return f"{s['name']}: {what}; {n(s['errors'], 'error')}, {n(s['warnings'], 'warning')}"


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write the schema to this file.")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Print the JSON Schema of a blueprint (for editors: yaml-language-server), or write it."""
    from b24provision.blueprint.schema import schema_text, write_schema

    if out is None:
        typer.echo(schema_text(), nl=False)
        return
    with user_errors():
        write_schema(out, force=force)
    typer.echo(f"Wrote the blueprint schema to {out}", err=True)


@app.command("fmt")
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
    from b24provision.fmt import format_paths

    with user_errors():
        results = format_paths(default_paths(paths), write=not (check or diff))
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


# --- plan / apply -------------------------------------------------------------------------------


def _variables(var: list[str] | None) -> dict[str, str]:
    from b24provision.blueprint.variables import parse_var_options

    with user_errors():
        return parse_var_options(var or [])


def _say_portal(portal: str, portals_file: Path | None) -> None:
    from b24provision.portal.connect import describe_portal

    with user_errors():
        typer.echo(f"Portal: {describe_portal(portal, portals_file=portals_file)}", err=True)


@app.command()
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
        _choice_option(
            "en", "ru", name="--lang", short="", help="Language of the robot steps (the UI's words)."
        ),
    ] = "en",
    robots_from: RobotsFromOpt = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the batch requests apply would send, not the plan.")
    ] = False,
    trace: TraceOpt = None,
) -> None:
    """Show what `apply` would change on the portal. Never writes."""
    start_trace(trace)
    from b24provision import api
    from b24provision.output import check_writable
    from b24provision.plan.planfile import save_plan
    from b24provision.plan.render import render

    blueprint_paths = default_paths(paths)
    variables = _variables(var)
    _say_portal(portal, portals)
    with user_errors():
        if out:
            check_writable(out, force=force)
        result = api.make_plan(
            blueprint_paths,
            portal=portal,
            portals_file=portals,
            variables=variables,
            values_files=values or (),
            lang=lang,
            robots_from=robots_from,
        )
        if result.tariff is not None:
            typer.echo(f"Tariff: {result.tariff.title()}", err=True)
        text = render(result.plan, fmt, color=not _no_color(), verbose=verbose)
        if explain:
            text = api.explain(result, fmt)
        if out:
            from b24provision.portal.connect import portal_identity

            save_plan(
                result.plan,
                out,
                portal_spec=portal,
                portal_identity=portal_identity(portal, portals_file=portals),
                blueprint_paths=blueprint_paths,
                variables=variables,
                blueprint=result.blueprint,
                force=force,
            )
    _print(text, "plain" if explain else fmt)  # plain: a `$result[...]` is no rich style tag
    if out:
        typer.echo(f"Saved the plan to {out}; apply it with: b24provision apply --plan {out}", err=True)
    if detailed_exitcode and result.plan.has_changes:
        raise typer.Exit(EXIT_CHANGES)


def _print(text: str, fmt: str) -> None:
    if fmt == "text" and not _no_color():
        from rich.console import Console

        Console(highlight=False).print(text, end="" if text.endswith("\n") else "\n")
    else:
        typer.echo(text.rstrip("\n"))


@app.command()
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

    The portal is locked while apply runs (a deal field UF_CRM_B24P_LOCK): a second apply waits up to
    --lock-timeout seconds, then refuses, naming who holds it; `force-unlock` removes a lock left by a
    run that was killed.
    """
    start_trace(trace)
    from b24provision import api
    from b24provision.apply import check_safety
    from b24provision.plan.digest import check_expected
    from b24provision.plan.planfile import load_plan, portal_for
    from b24provision.plan.render import render
    from b24provision.portal.connect import portal_identity

    as_json = fmt == "json"  # then stdout has the JSON document only; the text plan goes to stderr
    if plan_file is not None and reregister_app_robots:
        fail("--reregister-app-robots makes a new plan; it cannot change a saved one — leave out --plan")
    saved = None
    with user_errors():
        if plan_file is not None:
            saved = load_plan(plan_file)
            portal = portal_for(saved, portal, lambda spec: portal_identity(spec, portals_file=portals))
    spec = portal or "local"
    _say_portal(spec, portals)

    def show_plan(plan: Plan) -> None:
        # The robots' steps were shown by `plan` (and `runbook` lists them): the summary counts them.
        if as_json:
            typer.echo(render(plan, "text", robots="none").rstrip("\n"), err=True)
        else:
            _print(render(plan, "text", color=not _no_color(), robots="none"), "text")

    def check(plan: Plan) -> None:
        """Refuse, before asking and before any write, what must not be applied."""
        if expect is not None:
            check_expected(plan, expect)
        check_safety(plan, allow_delete=allow_delete)

    def ask() -> bool:
        if auto_approve:
            return True
        # Only where there is something to apply: a plan with no changes needs no answer (CI stays green).
        if not sys.stdin.isatty():
            raise ConfigError(
                "not asking for confirmation: standard input is not a terminal — re-run with --auto-approve"
            )
        if not typer.confirm("Apply these changes?", default=False, err=as_json):  # stdout: JSON only
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
                variables=_variables(var),
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


@app.command("force-unlock")
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
        agreed = yes or typer.confirm(
            "Remove this lock? Only do so if that run is no longer running.", default=False
        )
        return agreed

    _say_portal(portal, portals)
    with user_errors():
        outcome = api.force_unlock(confirm=confirm, portal=portal, portals_file=portals)
    if outcome.holder is None:
        typer.echo("The portal is not locked.")
    elif outcome.removed:
        typer.echo("Lock removed.")
    else:
        typer.echo("The lock was already gone." if agreed else "Lock not removed.")


@app.command()
def show(
    plan_file: Annotated[Path, typer.Argument(metavar="PLANFILE", help="A plan saved by `plan --out`.")],
    fmt: FormatOpt = "text",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show unchanged objects too.")] = False,
) -> None:
    """Show a saved plan again, as text, JSON or Markdown, with its operations digest. Reads no portal."""
    from b24provision.plan.digest import operations_digest
    from b24provision.plan.planfile import load_plan
    from b24provision.plan.render import render

    with user_errors():
        saved = load_plan(plan_file)
        text = render(saved.plan, fmt, color=not _no_color(), verbose=verbose)
    typer.echo(
        f"Saved plan: made {saved.created_at} by b24provision {saved.tool_version} for {saved.portal}.",
        err=True,
    )
    _print(text, fmt)
    if fmt == "text":
        typer.echo(f"Plan digest: {operations_digest(saved.plan)}")


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


# --- export / diff / tariff ---------------------------------------------------------------------


@app.command()
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
        str, _choice_option("yaml", "json", help="yaml: the blueprint; json: it and what it holds.")
    ] = "yaml",
    force: ForceOpt = False,
    robots_from: RobotsFromOpt = None,
    trace: TraceOpt = None,
) -> None:
    """Write the live portal as a blueprint (robots: from --robots-from, the portal's configuration
    export; REST cannot read them)."""
    start_trace(trace)
    from b24provision.export import export_portal, write_export

    _say_portal(portal, portals)
    with user_errors():
        result = export_portal(portal, portals_file=portals, out=out, robots_from=robots_from)
        written = write_export(result.text, out, force=force) if out is not None else None
    if fmt == "json":
        from b24provision.json_output import export_to_json

        typer.echo(json.dumps(export_to_json(result, written), ensure_ascii=False, indent=2))
    elif written is None:
        typer.echo(result.text, nl=False)
    if written is not None:
        typer.echo(f"Wrote the blueprint to {written}; check it with: b24provision plan {written}", err=True)


@app.command("diff")
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
    from b24provision.compare import compare_specs, render_comparison

    with user_errors():
        result = compare_specs(
            from_, to, portals_file=portals, variables=_variables(var), values_files=values or ()
        )
        text = render_comparison(result, fmt)
    typer.echo(text.rstrip("\n"))
    if detailed_exitcode and result.has_differences:
        raise typer.Exit(EXIT_CHANGES)


def _load_one(paths: list[Path] | None, var: list[str] | None, values: list[Path] | None) -> Blueprint:
    """The blueprint for the pure commands (tariff, graph, runbook); no portal is touched."""
    from b24provision.blueprint import load_blueprint

    return load_blueprint(default_paths(paths), variables=_variables(var), values_files=values or ())


_PLAN_HELP = "A plan code (crm_plus, standard, ...) or a LICENSE (ru_crm). Default: the blueprint's tariff:."


@app.command()
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
    from b24provision import tariffs

    if old_plan_option is not None:  # one meaning per option name: --plan is a saved plan file elsewhere
        typer.echo("Warning: `tariff --plan CODE` is deprecated; use `tariff --tariff CODE`.", err=True)
        plan_code = plan_code or old_plan_option
    if portal is not None and plan_code is not None:
        fail("--tariff names a plan and --portal detects one: give one of them")
    detected = None
    if portal is not None:
        _say_portal(portal, portals)
    with user_errors():
        blueprint = _load_one(paths, var, values)
        if portal is not None:
            from b24provision.tariff_detect import portal_report

            report, detected = portal_report(blueprint, portal, portals)
        else:
            code = plan_code or blueprint.tariff
            report = tariffs.tariff_report(blueprint, tariffs.plan_by_code(code) if code else None)
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

    console = Console(highlight=False, no_color=_no_color(), width=max(120, Console().width))
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


# --- graph / runbook / forecast -----------------------------------------------------------------


def _write_or_print(text: str, out: Path | None, force: bool) -> None:
    from b24provision.output import write_output

    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    with user_errors():
        write_output(out, text, force=force)
    typer.echo(f"Wrote {out}", err=True)


@app.command()
def graph(
    paths: PathsArg = None,
    fmt: Annotated[str, _choice_option("mermaid", "dot")] = "mermaid",
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
    from b24provision.robots import graph as diagram

    with user_errors():
        blueprint = _load_one(paths, var, values)
        if out is not None and out.suffix.lower() == ".svg":
            diagram.render_svg(diagram.to_dot(blueprint, lang), out, force=force)
            typer.echo(f"Wrote {out}", err=True)
            return
        text = diagram.to_mermaid(blueprint, lang) if fmt == "mermaid" else diagram.to_dot(blueprint, lang)
    _write_or_print(text, out, force)


@app.command()
def runbook(
    paths: PathsArg = None,
    fmt: Annotated[str, _choice_option("markdown", "html")] = "markdown",
    lang: LangOpt = "en",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="FILE", help="Write to FILE, not the screen.")
    ] = None,
    force: ForceOpt = False,
    var: VarOpt = None,
    values: VarsFileOpt = None,
) -> None:
    """The checklist for setting up (and checking) by hand what REST cannot: robots and triggers."""
    from b24provision.robots.runbook import render_runbook

    with user_errors():
        text = render_runbook(_load_one(paths, var, values), fmt, lang)
    _write_or_print(text, out, force)


@app.command()
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

    _say_portal(portal, portals)
    with user_errors():
        result = forecasting.forecast(
            default_paths(paths),
            portal=portal,
            portals_file=portals,
            variables=_variables(var),
            values_files=values or (),
            months=months,
        )
    if fmt == "json":
        typer.echo(json.dumps(forecasting.to_json(result), ensure_ascii=False, indent=2))
    else:
        typer.echo(forecasting.render_text(result, lang=lang, verbose=verbose), nl=False)
    if verbose and fmt == "json":
        typer.echo(f"Requests: {result.requests}", err=True)


# --- robots (from the portal's configuration export) --------------------------------------------

ExportFileOpt = Annotated[
    Path,
    typer.Option(
        "--export",
        metavar="ZIP",
        help="The portal's configuration export, .zip or .tar.gz (CRM -> settings -> solution presets).",
    ),
]


@robots_app.command("check")
def robots_check(
    paths: PathsArg = None,
    export_file: ExportFileOpt = Path("configuration.zip"),
    var: VarOpt = None,
    values: VarsFileOpt = None,
    fmt: FormatOpt = "text",
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0: all match, 2: differences, 1: error.")
    ] = False,
) -> None:
    """Check the blueprint's robots, stage by stage, against the portal's configuration export."""
    from b24provision import api
    from b24provision.robots.check_render import render_check

    with user_errors():
        check = api.check_robots_against_export(
            default_paths(paths), export_file, variables=_variables(var), values_files=values or ()
        )
    typer.echo(render_check(check, fmt).rstrip("\n"))
    if detailed_exitcode and check.has_differences:
        raise typer.Exit(EXIT_CHANGES)


# --- doctor -------------------------------------------------------------------------------------


@app.command()
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
    from b24provision.doctor import run_doctor
    from b24provision.doctor.render import render_json, render_text
    from b24provision.doctor.run import load_optional

    _say_portal(portal, portals)

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
        return typer.confirm("Probe this portal?", default=False)

    with user_errors():
        report = run_doctor(
            load_optional(paths, lambda: _load_one(paths, var, values)),
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


# --- emulator -----------------------------------------------------------------------------------


@emulator_app.command("serve")
def emulator_serve(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8024,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    state: Annotated[
        Path | None, typer.Option("--state", help="SQLite file holding the portal (default: in memory).")
    ] = None,
    token: Annotated[str | None, typer.Option("--token", help="The webhook code (default: random).")] = None,
    license_code: Annotated[
        str, typer.Option("--license", help="app.info LICENSE, e.g. ru_pro100, ru_basic.")
    ] = "ru_pro100",
    seed: Annotated[str | None, typer.Option("--seed", help="Start from a named portal: handmade.")] = None,
    no_rate_limit: Annotated[
        bool, typer.Option("--no-rate-limit", help="Switch the 2 req/s limit off.")
    ] = False,
    oauth_client: Annotated[
        list[str] | None, typer.Option("--oauth-client", help="Register an app: ID:SECRET (repeatable).")
    ] = None,
    quirk: Annotated[
        list[str] | None,
        typer.Option(
            "--quirks",
            help="Where the core and the docs disagree: a preset (core, docs) or NAME=VALUE (repeatable).",
        ),
    ] = None,
    no_crm_settings_rights: Annotated[
        bool,
        typer.Option(
            "--no-crm-settings-rights", help="The webhook's user may read CRM settings, not change them."
        ),
    ] = False,
    languages: Annotated[
        str | None,
        typer.Option("--languages", help="Installed languages, the portal's own first: ru,en (default: 21)."),
    ] = None,
) -> None:
    """Run the local Bitrix24 portal until Ctrl-C."""
    from b24provision.emulator import Emulator, PortalSettings, Quirks
    from b24provision.emulator.server import serve_forever

    clients: dict[str, str] = {}
    for item in oauth_client or []:
        client_id, sep, secret = item.partition(":")
        if not sep or not client_id or not secret:
            fail(f"--oauth-client must be CLIENT_ID:SECRET, got {item.split(':')[0]!r}...")
        clients[client_id] = secret
    quirks = Quirks()
    for spec in quirk or []:
        try:
            quirks = Quirks.parse(spec, quirks)
        except ValueError as exc:
            fail(f"--quirks: {exc}")
    settings = PortalSettings(
        license=license_code,
        rate_limit=None if no_rate_limit else "standard",
        oauth_clients=clients,
        quirks=quirks,
        crm_settings_rights=not no_crm_settings_rights,
    )
    if languages:
        settings.languages = tuple(lang.strip() for lang in languages.split(",") if lang.strip())
    if token:
        settings.token = token
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(state if state is not None else ":memory:", settings)
    if seed:
        try:
            emulator.reset(seed)
        except ValueError as exc:
            fail(str(exc))

    # Printing the webhook URL is deliberate: it is the local emulator's own code, shown so a user can
    # point curl or a client at it. No real portal's secret ever passes through here.
    def listening(bound: int) -> None:
        typer.echo(f"Bitrix24 emulator ({license_code}) listening; webhook URL:")
        typer.echo(f"  http://{host}:{bound}/rest/{settings.user_id}/{settings.token}/")
        if clients:
            typer.echo(f"  OAuth token endpoint: http://{host}:{bound}/oauth/token/")

    try:
        serve_forever(emulator, host, port, ready=listening)
    except KeyboardInterrupt:
        typer.echo("Stopped.", err=True)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another --port.")


@emulator_app.command("export-config")
def emulator_export_config(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="ZIP", help="Where to write the ZIP.")],
    state: Annotated[
        Path | None,
        typer.Option(
            "--state", metavar="FILE", help="The SQLite file of a portal (`emulator serve --state`)."
        ),
    ] = None,
    seed: Annotated[str | None, typer.Option("--seed", help="Start from a named portal: handmade.")] = None,
    force: ForceOpt = False,
) -> None:
    """Write the local portal's configuration export ZIP (on a real portal: an administrator's click
    in CRM -> settings -> solution presets -> export)."""
    from b24provision.emulator import Emulator

    if state is None and seed is None:
        fail("give --state FILE (a portal's SQLite file) or --seed handmade")
    if state is not None and not state.is_file():
        fail(
            f"{state}: no such portal state file — make one with: b24provision emulator serve --state {state}"
        )
    emulator = Emulator(state if state is not None else ":memory:")
    try:
        if seed:
            try:
                emulator.reset(seed)
            except ValueError as exc:
                fail(str(exc))
        data = emulator.configuration_export()
    finally:
        emulator.close()
    from b24provision.output import write_output

    with user_errors():
        write_output(out, data, force=force)
    typer.echo(f"Wrote the configuration export to {out}", err=True)


@emulator_app.command("replay")
def emulator_replay(
    trace: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A trace file (--trace FILE, or one made from real answers)."),
    ],
    quirk: Annotated[
        list[str] | None,
        typer.Option("--quirks", help="Replay against: a preset (core, docs) or NAME=VALUE (repeatable)."),
    ] = None,
    fmt: TextOrJsonOpt = "text",
) -> None:
    """Send a trace's requests to a fresh emulator; show where its answers differ. Exit 1 if they do."""
    from b24provision.emulator import Quirks
    from b24provision.emulator.replay import load_trace, replay_entries, settings_from_header

    try:
        header, entries = load_trace(trace)
        settings = settings_from_header(header)
    except OSError as exc:
        fail(f"{trace}: cannot read it ({exc.strerror}) — check the path")
    except ValueError as exc:  # its message starts with file:line:col
        fail(f"{exc} — give a file written by --trace")
    for spec in quirk or []:  # a mistyped option is the option's error, not the trace file's
        try:
            settings.quirks = Quirks.parse(spec, settings.quirks)
        except ValueError as exc:
            fail(f"--quirks: {exc}")
    report = replay_entries(entries, header, settings=settings, source=str(trace))
    if fmt == "json":
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.render_text(), nl=False)
    if not report.ok:
        raise typer.Exit(EXIT_ERROR)


def main() -> None:
    from b24provision.interrupt import install_sigterm_handler

    install_sigterm_handler()
    try:
        app()
    except Exception:  # only with B24_DEBUG=1 does a bug get here: its traceback, with secrets hidden
        import traceback

        sys.stderr.write(redact(traceback.format_exc()))
        sys.exit(EXIT_ERROR)
