"""What the commands share: exit codes, option types, error lines, and small rendering helpers.

Every command body follows one pattern::

    with user_errors():
        result = api_module.function(...)
    render(result)

:func:`user_errors` turns the tool's errors into one line each on stderr and exit code 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from b24provision.errors import B24ProvisionError, redact

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def choice(*choices: str) -> Callable[[str], str]:
    """An option callback that refuses a value not in ``choices`` while the command line is parsed,
    so a mistyped ``--format`` fails (exit 1) before any blueprint or portal is read."""

    def check(value: str) -> str:
        if value not in choices:
            raise typer.BadParameter(f"{value!r} is not one of: {', '.join(choices)}")
        return value

    return check


def choice_option(*choices: str, help: str = "", name: str = "--format", short: str = "-f") -> Any:
    """A typer.Option whose value is one of ``choices``: checked first, completed by the shell."""
    return typer.Option(
        name,
        *([short] if short else []),
        metavar="|".join(choices),
        callback=choice(*choices),
        autocompletion=lambda: list(choices),
        help=help or "Output format.",
    )


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR")) or not sys.stdout.isatty()


def fail(message: str) -> NoReturn:
    """Print one error line on stderr and exit 1."""
    typer.echo(f"Error: {redact(message)}", err=True)
    raise typer.Exit(EXIT_ERROR)


def ask_yes_no(question: str, *, nothing: str, err: bool = False) -> bool:
    """A yes/no question (default no). Ctrl-C or SIGTERM while it waits stops the run as everywhere
    else (130/143, through user_errors) with ``nothing`` as what was done: Click's own prompt would
    turn them into "Aborted!" and exit 1."""
    try:
        return typer.confirm(question, default=False, err=err)
    except typer.Abort as abort:
        # Click raises Abort from None; the signal's KeyboardInterrupt is still its __context__.
        interrupt = abort.__context__
        if isinstance(interrupt, KeyboardInterrupt):
            raise type(interrupt)(f"at the confirmation prompt; {nothing}") from None
        raise


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
FormatOpt = Annotated[str, choice_option("text", "json", "markdown")]
TextOrJsonOpt = Annotated[str, choice_option("text", "json")]
LangOpt = Annotated[str, choice_option("en", "ru", name="--lang", short="", help="Language: en | ru.")]
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
    """``--trace FILE``: record this command's requests (api.session)."""
    from b24provision.api import session

    with user_errors():
        session.trace_to(trace)


def default_paths(paths: list[Path] | None) -> list[Path]:
    """The blueprint paths given, else ./blueprints if it is a directory, else the current one."""
    if paths:
        return paths
    return [Path("blueprints")] if Path("blueprints").is_dir() else [Path(".")]


def variables_of(var: list[str] | None) -> dict[str, str]:
    """``--var NAME=VALUE`` options as a mapping (a malformed one: an error line, exit 1)."""
    from b24provision.blueprint.variables import parse_var_options

    with user_errors():
        return parse_var_options(var or [])


def say_portal(portal: str, portals_file: Path | None) -> None:
    """``Portal: ...`` on stderr, before the portal is contacted (a host or a file, never a secret)."""
    from b24provision.api import session

    with user_errors():
        typer.echo(f"Portal: {session.portal_name(portal, portals_file)}", err=True)


def print_text(text: str, fmt: str) -> None:
    """A rendered plan on stdout: coloured text on a terminal, as it is otherwise (pipes, JSON)."""
    if fmt == "text" and not no_color():
        from rich.console import Console

        Console(highlight=False).print(text, end="" if text.endswith("\n") else "\n")
    else:
        typer.echo(text.rstrip("\n"))


def print_or_say_written(text: str, out: Path | None) -> None:
    """``text`` on stdout, or (when the command wrote it to ``--out``) a line saying so on stderr."""
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    typer.echo(f"Wrote {out}", err=True)
