"""The local portal's commands: serve it, write its configuration export, replay a trace against it.

Part of the :mod:`b24provision.api` facade; nothing here prints (``serve`` tells ``ready`` where it
listens). A bad option value is a ConfigError naming the option.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from b24provision.errors import ConfigError

if TYPE_CHECKING:
    from b24provision.emulator import PortalSettings, Quirks
    from b24provision.emulator.replay import ReplayReport


def portal_settings(
    *,
    license_code: str = "ru_pro100",
    rate_limit: bool = True,
    oauth_clients: Sequence[str] = (),
    quirks: Sequence[str] = (),
    crm_settings_rights: bool = True,
    languages: str | None = None,
    token: str | None = None,
    market_subscription: bool = False,
) -> PortalSettings:
    """The settings ``emulator serve``'s options describe (``oauth_clients``: ``ID:SECRET`` each;
    ``market_subscription``: REST answers whatever the plan, as a Bitrix24 Market subscription makes it)."""
    from b24provision.emulator import PortalSettings  # noqa: PLC0415

    clients: dict[str, str] = {}
    for item in oauth_clients:
        client_id, sep, secret = item.partition(":")
        if not sep or not client_id or not secret:
            raise ConfigError(f"--oauth-client must be CLIENT_ID:SECRET, got {item.split(':')[0]!r}...")
        clients[client_id] = secret
    settings = PortalSettings(
        license=license_code,
        rate_limit="standard" if rate_limit else None,
        oauth_clients=clients,
        quirks=parse_quirks(quirks),
        crm_settings_rights=crm_settings_rights,
        rest_access=True if market_subscription else None,
    )
    if languages:
        settings.languages = tuple(lang.strip() for lang in languages.split(",") if lang.strip())
    if token:
        settings.token = token
    return settings


def parse_quirks(specs: Sequence[str], start: Quirks | None = None) -> Quirks:
    """``--quirks`` values (a preset, or NAME=VALUE) applied in order over ``start``."""
    from b24provision.emulator import Quirks  # noqa: PLC0415

    quirks = start if start is not None else Quirks()
    for spec in specs:
        try:
            quirks = Quirks.parse(spec, quirks)
        except ValueError as exc:
            raise ConfigError(f"--quirks: {exc}") from None
    return quirks


def serve(
    settings: PortalSettings,
    *,
    host: str,
    port: int,
    state: Path | None = None,
    seed: str | None = None,
    ready: Callable[[int], None],
) -> None:
    """Run the local portal until Ctrl-C (KeyboardInterrupt); ``ready`` gets the port it listens on.

    Raises:
        OSError: it cannot listen on ``host:port``.
    """
    from b24provision.emulator import Emulator  # noqa: PLC0415
    from b24provision.emulator.server import serve_forever  # noqa: PLC0415

    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(state if state is not None else ":memory:", settings)
    if seed:
        try:
            emulator.reset(seed)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    serve_forever(emulator, host, port, ready=ready)


def export_config(
    *, state: Path | None = None, seed: str | None = None, out: Path, force: bool = False
) -> None:
    """Write the configuration export ZIP of the portal in ``state`` (or a fresh ``seed`` one) to ``out``."""
    from b24provision.emulator import Emulator  # noqa: PLC0415
    from b24provision.output import write_output  # noqa: PLC0415

    if state is None and seed is None:
        raise ConfigError("give --state FILE (a portal's SQLite file) or --seed handmade")
    if state is not None and not state.is_file():
        raise ConfigError(
            f"{state}: no such portal state file — make one with: b24provision emulator serve --state {state}"
        )
    emulator = Emulator(state if state is not None else ":memory:")
    try:
        if seed:
            try:
                emulator.reset(seed)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        data = emulator.configuration_export()
    finally:
        emulator.close()
    write_output(out, data, force=force)


def replay(trace: Path, *, quirks: Sequence[str] = ()) -> ReplayReport:
    """Send the requests of the trace file ``trace`` to a fresh emulator and compare its answers."""
    from b24provision.emulator.replay import load_trace, replay_entries, settings_from_header  # noqa: PLC0415

    try:
        header, entries = load_trace(trace)
        settings = settings_from_header(header)
    except OSError as exc:
        raise ConfigError(f"{trace}: cannot read it ({exc.strerror}) — check the path") from None
    except ValueError as exc:  # its message starts with file:line:col
        raise ConfigError(f"{exc} — give a file written by --trace") from None
    # After the file: a mistyped option is the option's error, not the trace file's.
    settings.quirks = parse_quirks(quirks, settings.quirks)
    return replay_entries(entries, header, settings=settings, source=str(trace))
