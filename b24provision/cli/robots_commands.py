"""robots check: the blueprint's robots against the portal's configuration export (api.robots)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from b24provision.cli.common import (
    EXIT_CHANGES,
    FormatOpt,
    PathsArg,
    VarOpt,
    VarsFileOpt,
    default_paths,
    user_errors,
    variables_of,
)

ExportFileOpt = Annotated[
    Path,
    typer.Option(
        "--export",
        metavar="ZIP",
        help="The portal's configuration export, .zip or .tar.gz (CRM -> settings -> solution presets).",
    ),
]


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
            default_paths(paths), export_file, variables=variables_of(var), values_files=values or ()
        )
    typer.echo(render_check(check, fmt).rstrip("\n"))
    if detailed_exitcode and check.has_differences:
        raise typer.Exit(EXIT_CHANGES)
