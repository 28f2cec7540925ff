"""The command line: parse options, call one function, render its result, map errors to exit codes.

This is the only module that imports typer. Every command body follows one pattern::

    with user_errors():
        result = some_module.function(...)
    console.print(render(result))

Exit codes: 0 success / no changes; 1 error; 2 changes present (with --detailed-exitcode).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from b24provision.errors import B24ProvisionError, redact

app = typer.Typer(
    name="b24provision",
    help="Declarative config-as-code for Bitrix24 CRM: pipelines, stages, fields and robots from YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals would show webhook URLs
    rich_markup_mode=None,
)
emulator_app = typer.Typer(help="The local Bitrix24 portal (emulator).", no_args_is_help=True)
app.add_typer(emulator_app, name="emulator")

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


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
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        raise typer.Exit(130) from None
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
    Path | None, typer.Option("--portals", help="The portals file (default: ./portals.yaml).")
]
VarOpt = Annotated[
    list[str] | None, typer.Option("--var", help="Set a blueprint variable: NAME=VALUE (repeatable).")
]
VarsFileOpt = Annotated[
    list[Path] | None, typer.Option("--values", help="A YAML file of variable values, e.g. values/production.yaml.")
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="text | json | markdown")]


def default_paths(paths: list[Path] | None) -> list[Path]:
    if paths:
        return paths
    return [Path("blueprints")] if Path("blueprints").is_dir() else [Path(".")]


# --- validate / schema (blueprint) ------------------------------------------------------------

# --- plan / apply -------------------------------------------------------------------------------

# --- export / diff / tariff ---------------------------------------------------------------------

# --- graph / runbook / forecast -----------------------------------------------------------------

# --- emulator -----------------------------------------------------------------------------------


def main() -> None:
    app()
