"""emulator serve, export-config and replay: the local Bitrix24 portal (api.emulator)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from b24provision.cli.common import EXIT_ERROR, ForceOpt, TextOrJsonOpt, fail, user_errors


def emulator_serve(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8024,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    state: Annotated[
        Path | None, typer.Option("--state", help="SQLite file holding the portal (default: in memory).")
    ] = None,
    token: Annotated[str | None, typer.Option("--token", help="The webhook code (default: random).")] = None,
    license_code: Annotated[
        str,
        typer.Option(
            "--license", help="app.info LICENSE, e.g. ru_pro100, ru_basic; ru_project (free) refuses REST."
        ),
    ] = "ru_pro100",
    market_subscription: Annotated[
        bool,
        typer.Option(
            "--market-subscription", help="REST answers on any plan, as with a Bitrix24 Market subscription."
        ),
    ] = False,
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
    from b24provision.api import emulator

    with user_errors():
        settings = emulator.portal_settings(
            license_code=license_code,
            rate_limit=not no_rate_limit,
            oauth_clients=oauth_client or (),
            quirks=quirk or (),
            crm_settings_rights=not no_crm_settings_rights,
            languages=languages,
            token=token,
            market_subscription=market_subscription,
        )

    # Printing the webhook URL is deliberate: it is the local emulator's own code, shown so a user can
    # point curl or a client at it. No real portal's secret ever passes through here.
    def listening(bound: int) -> None:
        typer.echo(f"Bitrix24 emulator ({license_code}) listening; webhook URL:")
        typer.echo(f"  http://{host}:{bound}/rest/{settings.user_id}/{settings.token}/")
        if settings.oauth_clients:
            typer.echo(f"  OAuth token endpoint: http://{host}:{bound}/oauth/token/")

    with user_errors():  # a bad --seed; Ctrl-C and a port in use are this command's own lines
        try:
            emulator.serve(settings, host=host, port=port, state=state, seed=seed, ready=listening)
        except KeyboardInterrupt:
            typer.echo("Stopped.", err=True)
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another --port.")


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
    from b24provision.api import emulator

    with user_errors():
        emulator.export_config(state=state, seed=seed, out=out, force=force)
    typer.echo(f"Wrote the configuration export to {out}", err=True)


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
    from b24provision.api import emulator

    with user_errors():
        report = emulator.replay(trace, quirks=quirk or ())
    if fmt == "json":
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(report.render_text(), nl=False)
    if not report.ok:
        raise typer.Exit(EXIT_ERROR)
