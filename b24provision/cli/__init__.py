"""The command line: parse options, call one function of :mod:`b24provision.api`, render its result,
map errors to exit codes.

Only this package imports typer. Every command body follows one pattern::

    with user_errors():
        result = api_module.function(...)
    render(result)

Exit codes: 0 success / no changes; 1 error; 2 changes present (with --detailed-exitcode);
130 stopped by Ctrl-C, 143 by SIGTERM (b24provision.interrupt).

One module per group of commands; the table below registers them in the order ``--help`` lists
them. Each command imports what it needs inside its body, so ``b24provision --help`` stays fast.
"""

from __future__ import annotations

import sys

from b24provision.cli import (
    apply_command,
    blueprint_commands,
    emulator_commands,
    plan_commands,
    portal_commands,
    robots_commands,
    tariff_command,
)
from b24provision.cli.app import app, emulator_app, robots_app
from b24provision.cli.common import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, user_errors
from b24provision.errors import redact

__all__ = ["EXIT_CHANGES", "EXIT_ERROR", "EXIT_OK", "app", "main", "user_errors"]

app.command()(blueprint_commands.validate)
app.command()(blueprint_commands.schema)
app.command("fmt")(blueprint_commands.fmt_command)
app.command()(plan_commands.plan)
app.command()(apply_command.apply)
app.command("force-unlock")(plan_commands.force_unlock)
app.command()(plan_commands.show)
app.command()(portal_commands.export)
app.command("diff")(portal_commands.diff_command)
app.command()(tariff_command.tariff)
app.command()(blueprint_commands.graph)
app.command()(blueprint_commands.runbook)
app.command()(portal_commands.forecast)
robots_app.command("check")(robots_commands.robots_check)
app.command()(portal_commands.doctor)
emulator_app.command("serve")(emulator_commands.emulator_serve)
emulator_app.command("export-config")(emulator_commands.emulator_export_config)
emulator_app.command("replay")(emulator_commands.emulator_replay)


def main() -> None:
    """The console script: ``b24provision`` (and ``python -m b24provision``)."""
    from b24provision.interrupt import install_sigterm_handler

    install_sigterm_handler()
    try:
        app()
    except Exception:  # only with B24_DEBUG=1 does a bug get here: its traceback, with secrets hidden
        import traceback

        sys.stderr.write(redact(traceback.format_exc()))
        sys.exit(EXIT_ERROR)
