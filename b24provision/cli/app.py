"""The Typer application and the conventions every command gets, whoever adds it.

The commands themselves are registered in :mod:`b24provision.cli` (one table, in help order).
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument, TyperGroup

from b24provision import __version__
from b24provision.cli.common import EXIT_ERROR, EXIT_OK

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
