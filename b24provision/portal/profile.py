"""One portal profile of ``portals.yaml``: how to reach the portal, and where its secrets live.

:mod:`.profiles` reads the file into these; :mod:`.connect` opens the portal a profile names.
A profile holds names of environment variables, never a secret: :meth:`Profile.credentials` reads
them when the portal is opened.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from b24provision.errors import ConfigError
from b24provision.portal.credentials import (
    DEFAULT_TOKEN_URL,
    Credentials,
    OAuthCredentials,
    WebhookCredentials,
    endpoint_host,
)
from b24provision.portal.throttle import ENTERPRISE, STANDARD, RateLimit
from b24provision.portal.token_store import TokenStore

__all__ = ["RATES", "TOKEN_DIR", "OAuthProfile", "Profile"]

TOKEN_DIR = Path(".b24provision") / "oauth"
RATES: dict[str, RateLimit] = {"standard": STANDARD, "enterprise": ENTERPRISE}


@dataclass(frozen=True)
class OAuthProfile:
    """Where an OAuth application's credentials come from: names of environment variables."""

    client_id_env: str
    client_secret_env: str
    refresh_token_env: str
    endpoint: str
    """The portal's REST base, ``https://<portal>/rest/``."""
    token_url: str = DEFAULT_TOKEN_URL


@dataclass(frozen=True)
class Profile:
    """One portal of portals.yaml: exactly one of ``webhook_env``, ``oauth`` or ``local``."""

    name: str
    webhook_env: str | None = None
    """An environment variable holding the webhook URL."""
    oauth: OAuthProfile | None = None
    local: Path | None = None
    """An emulator state file (relative paths are taken from the portals file's directory)."""
    tariff: str | None = None
    """The plan the portal is declared to be on (a code of the tariff table)."""
    limits: Mapping[str, int] = field(default_factory=dict)
    """Declared plan limits: ``pipelines`` (all deal pipelines, the default included), ``custom_fields``."""
    rate: Literal["standard", "enterprise"] = "standard"
    timeout: float | None = None
    """Seconds to wait for an answer (None: the default; ``B24_TIMEOUT`` overrides it)."""
    source: str = ""
    """Where the profile is written: ``portals.yaml:line:col``."""

    @property
    def rate_limit(self) -> RateLimit:
        """The client throttle for this portal's plan."""
        return RATES[self.rate]

    def credentials(self, token_dir: Path = TOKEN_DIR) -> Credentials:
        """The webhook or OAuth credentials, read from the environment now.

        Raises:
            ConfigError: a variable is missing or holds something malformed (named, never shown).
        """
        if self.webhook_env is not None:
            url = self._env(self.webhook_env, "the portal's webhook URL")
            try:
                return WebhookCredentials(url)
            except ConfigError as exc:
                raise ConfigError(
                    f"{self._where()}environment variable {self.webhook_env}: {exc.message}"
                ) from None
        if self.oauth is not None:
            o = self.oauth
            seed = self._env(o.refresh_token_env, "the application's refresh token")
            store = TokenStore(token_dir / f"{self.name}.json", seed)
            return OAuthCredentials(
                o.endpoint,
                self._env(o.client_id_env, "the application's client id"),
                self._env(o.client_secret_env, "the application's client secret"),
                store.current(),
                token_url=o.token_url,
                on_token_refresh=lambda c: store.keep(c.refresh_token),
            )
        raise ConfigError(
            f"{self._where()}profile {self.name!r} is a local emulator portal and has no credentials"
        )

    def host(self) -> str:
        """What to print after ``Portal:``: the host (or the emulator's file), never a secret."""
        if self.local is not None:
            return f"local emulator ({self.local}) (profile {self.name})"
        if self.oauth is not None:
            return f"{endpoint_host(self.oauth.endpoint)} (profile {self.name}, OAuth application)"
        return f"{self.credentials().host} (profile {self.name})"

    def _env(self, variable: str, what: str) -> str:
        value = os.environ.get(variable, "").strip()
        if not value:
            raise ConfigError(
                f"{self._where()}profile {self.name!r}: environment variable {variable} is not set or empty; "
                f"set it to {what}"
            )
        return value

    def _where(self) -> str:
        return f"{self.source}: " if self.source else ""
