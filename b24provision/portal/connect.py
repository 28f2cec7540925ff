"""From a ``--portal`` spec to a connected :class:`PortalClient`.

Specs (product brief, "The command line"):

* ``local`` — the embedded emulator, state in ``<state_dir>/local.sqlite``; it is started on
  127.0.0.1 (a free port) for as long as the context is open, with a webhook code made up for this
  process only.
* ``local:FILE`` — the same with that SQLite file.
* ``env:VAR`` — the environment variable VAR holds a webhook URL (so it never lands in shell
  history, CI logs or a file).
* anything else — a profile name from ``portals.yaml`` (:mod:`.profiles`).

The emulator is imported only when a local portal is opened, so ``b24provision --help`` stays fast.

How long to wait for an answer: ``B24_TIMEOUT`` (seconds) if set, else the profile's ``timeout:``,
else :data:`.client.DEFAULT_TIMEOUT` (30 s). A portal slower than that is retried (reads) and each
retry is told on stderr.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from b24provision.errors import ConfigError
from b24provision.portal.client import DEFAULT_TIMEOUT, MAX_TIMEOUT, PortalClient
from b24provision.portal.credentials import Credentials, WebhookCredentials
from b24provision.portal.throttle import RateLimit

__all__ = ["client_timeout", "describe_portal", "open_portal", "portal_identity"]

TIMEOUT_VARIABLE = "B24_TIMEOUT"

DEFAULT_STATE_DIR = Path(".b24provision")


def open_portal(
    spec: str = "local",
    *,
    portals_file: Path | None = None,
    state_dir: Path = DEFAULT_STATE_DIR,
) -> AbstractContextManager[PortalClient]:
    """Open the portal named by ``spec``; use as ``with open_portal(spec) as client: ...``.

    Raises:
        ConfigError: the spec is unknown, its variable is missing, or its webhook URL is malformed.
    """
    spec = spec.strip()
    if spec == "local" or spec.startswith("local:"):
        return _local_portal(_local_state(spec, state_dir))
    if spec.startswith("env:"):
        return _webhook_portal(_credentials_from_env(spec.removeprefix("env:")))
    return _resolve_profile(spec, portals_file)


def describe_portal(
    spec: str = "local",
    *,
    portals_file: Path | None = None,
    state_dir: Path = DEFAULT_STATE_DIR,
) -> str:
    """What to print after ``Portal:``: a host or the emulator's state file, never a secret."""
    spec = spec.strip()
    if spec == "local" or spec.startswith("local:"):
        return f"local emulator ({_local_state(spec, state_dir)})"
    if spec.startswith("env:"):
        return _credentials_from_env(spec.removeprefix("env:")).host
    from b24provision.portal.profiles import describe_profile

    return describe_profile(spec, portals_file)


def portal_identity(
    spec: str = "local",
    *,
    portals_file: Path | None = None,
    state_dir: Path = DEFAULT_STATE_DIR,
) -> str:
    """Which portal ``spec`` reaches, comparable across specs and never a secret: the host of a webhook
    or an application (two specs naming one host are one portal), the absolute state file of a local
    emulator (whose HTTP host is a new port every run).

    Raises:
        ConfigError: as :func:`open_portal`, before anything is sent.
    """
    spec = spec.strip()
    if spec == "local" or spec.startswith("local:"):
        return f"local emulator ({_local_state(spec, state_dir).resolve()})"
    if spec.startswith("env:"):
        return _credentials_from_env(spec.removeprefix("env:")).host
    from b24provision.portal.profiles import find_profile

    profile = find_profile(spec, portals_file)
    if profile.local is not None:
        return f"local emulator ({Path(profile.local).resolve()})"
    if profile.oauth is not None:
        return profile.host().split(" (profile", 1)[0]
    return profile.credentials().host


def client_timeout(configured: float | None = None) -> float:
    """Seconds to wait for an answer: ``B24_TIMEOUT``, else ``configured`` (a profile's), else 30.

    Raises:
        ConfigError: ``B24_TIMEOUT`` is not a number of seconds above 0 (and at most an hour).
    """
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return configured if configured is not None else DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan
        raise ConfigError(
            f"{TIMEOUT_VARIABLE}={raw[:20]!r}: give the seconds to wait for an answer, above 0 and at most "
            f"{MAX_TIMEOUT:g}, e.g. {TIMEOUT_VARIABLE}=120"
        )
    return seconds


def _local_state(spec: str, state_dir: Path) -> Path:
    if spec == "local":
        return state_dir / "local.sqlite"
    file = spec.removeprefix("local:").strip()
    if not file:
        raise ConfigError("--portal local:FILE needs a file name, e.g. local:staging.sqlite")
    return Path(file)


@contextmanager
def _local_portal(state: Path) -> Iterator[PortalClient]:
    from b24provision.emulator import Emulator, PortalSettings, serve_in_thread  # lazy: heavy, rarely needed

    state.parent.mkdir(parents=True, exist_ok=True)
    # A fresh code per process: nothing else on this machine can call the emulator while it runs.
    emulator = Emulator(str(state), PortalSettings(token=secrets.token_hex(16)))
    try:
        with (
            serve_in_thread(emulator) as server,
            PortalClient(WebhookCredentials(server.webhook_url), timeout=client_timeout()) as client,
        ):
            yield client
    finally:
        emulator.close()


@contextmanager
def _webhook_portal(credentials: WebhookCredentials) -> Iterator[PortalClient]:
    with PortalClient(credentials, timeout=client_timeout()) as client:
        yield client


def _credentials_from_env(variable: str) -> WebhookCredentials:
    variable = variable.strip()
    if not variable:
        raise ConfigError("--portal env:VAR needs a variable name, e.g. env:B24_WEBHOOK_URL")
    url = os.environ.get(variable, "").strip()
    if not url:
        raise ConfigError(
            f"environment variable {variable} is not set or empty; set it to the portal's webhook URL"
        )
    try:
        return WebhookCredentials(url)
    except ConfigError as exc:
        raise ConfigError(f"environment variable {variable}: {exc.message}") from None


def _resolve_profile(name: str, portals_file: Path | None) -> AbstractContextManager[PortalClient]:
    """The portal of profile ``name`` in portals.yaml (or ``portals_file``): a client with its
    credentials (read now: a missing variable is an error before ``with``), throttle and timeout."""
    from b24provision.portal.profiles import find_profile  # lazy: only profiles read portals.yaml

    profile = find_profile(name, portals_file)
    if profile.local is not None:
        return _local_portal(profile.local)
    return _profile_portal(profile.credentials(), profile.rate_limit, client_timeout(profile.timeout))


@contextmanager
def _profile_portal(credentials: Credentials, rate: RateLimit, timeout: float) -> Iterator[PortalClient]:
    with PortalClient(credentials, rate=rate, timeout=timeout) as client:
        yield client
