"""Portal profiles: ``portals.yaml`` names the portals a team works with, and where their secrets live.

A profile says how to reach one portal, never the secret itself::

    staging:
      webhook_env: B24_STAGING_WEBHOOK      # a variable holding https://<portal>/rest/<user>/<code>/
      tariff: crm_plus                      # the plan the portal is on (for the tariff check)
    production:
      oauth:                                # an application (needed for app robot types, triggers)
        client_id_env: B24_APP_ID
        client_secret_env: B24_APP_SECRET
        refresh_token_env: B24_PROD_REFRESH
        endpoint: https://acme.bitrix24.ru/rest/
        token_url: https://oauth.bitrix.info/oauth/token/   # optional; this is the default
      rate: enterprise                      # throttle: standard (2/s, burst 50) or enterprise (5/s, 250)
      timeout: 120                          # seconds to wait for an answer (default 30; B24_TIMEOUT wins)
    demo:
      local: demo.sqlite                    # the embedded emulator with this state file (tests, demos)

``--portal NAME`` picks a profile; ``env:VAR`` and ``local[:FILE]`` work without one. A webhook
URL (or any other secret) written into the file is refused: the file belongs in git, the secret in
the environment or the CI's secret store. Errors point at ``portals.yaml:line:col``.

The profile itself (and its credentials, read from the environment when the portal is opened) is
:mod:`.profile`; an OAuth profile's rotating refresh token is kept by :mod:`.token_store`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from b24provision.blueprint.source import YamlDoc, YamlPath, read_yaml
from b24provision.errors import ConfigError
from b24provision.portal.client import MAX_TIMEOUT
from b24provision.portal.credentials import DEFAULT_TOKEN_URL
from b24provision.portal.profile import RATES, OAuthProfile, Profile

__all__ = [
    "DEFAULT_PORTALS_FILE",
    "RATES",
    "OAuthProfile",
    "Profile",
    "describe_profile",
    "find_profile",
    "load_profiles",
]

DEFAULT_PORTALS_FILE = Path("portals.yaml")

_PROFILE_KEYS = ("webhook_env", "oauth", "local", "tariff", "limits", "rate", "timeout")
# Plan limits a profile may declare (no REST method reports them, reference §9.2).
_LIMIT_KEYS = ("pipelines", "custom_fields", "smart_processes")
_OAUTH_KEYS = ("client_id_env", "client_secret_env", "refresh_token_env", "endpoint", "token_url")
_OAUTH_REQUIRED = ("client_id_env", "client_secret_env", "refresh_token_env", "endpoint")
# Keys people write when they mean to put the secret itself in the file.
_SECRET_KEYS = {
    "webhook": "webhook_env",
    "webhook_url": "webhook_env",
    "url": "webhook_env",
    "client_id": "client_id_env",
    "client_secret": "client_secret_env",
    "refresh_token": "refresh_token_env",
    "access_token": "refresh_token_env",
}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_WEBHOOK_IN_TEXT = re.compile(r"https?://[^\s/]+/(?:.*/)?rest/\d+/[^/\s]+", re.IGNORECASE)

# ------------------------------------------------------------------------------------- loading


def load_profiles(path: Path) -> dict[str, Profile]:
    """Read a portals file: profile name -> Profile.

    Raises:
        ConfigError: the file cannot be read or is wrong; the message starts with ``file:line:col``.
    """
    doc, problems = read_yaml(path)
    if doc is None:
        raise ConfigError("\n".join(str(p) for p in problems))
    if not isinstance(doc.data, Mapping):
        raise ConfigError(
            f"{doc.at(())}: a portals file maps profile names to portals, e.g. `staging: {{...}}`"
        )
    _refuse_literal_secrets(doc, doc.data, ())
    return {str(name): _profile(doc, str(name), body, path.parent) for name, body in doc.data.items()}


def find_profile(name: str, portals_file: Path | None = None) -> Profile:
    """The profile ``name`` of ``portals_file`` (default ./portals.yaml).

    Raises:
        ConfigError: no such file (for the default file: the spec is unknown) or no such profile.
    """
    file = portals_file or DEFAULT_PORTALS_FILE
    if not file.is_file():
        if portals_file is not None:
            raise ConfigError(f"the portals file {file} does not exist — check --portals")
        raise ConfigError(
            f"unknown portal '{name}': use local, local:FILE or env:VAR, or define a profile '{name}' in "
            f"portals.yaml (there is none in {Path.cwd()}; --portals FILE names another)"
        )
    profiles = load_profiles(file)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(
            f"unknown portal '{name}': {file} has no such profile (it has: {known}); "
            "use one of them, local, local:FILE or env:VAR"
        )
    return profiles[name]


def describe_profile(name: str, portals_file: Path | None = None) -> str:
    """The portal of profile ``name`` as printed after ``Portal:`` (no secret)."""
    return find_profile(name, portals_file).host()


def _profile(doc: YamlDoc, name: str, body: Any, base: Path) -> Profile:
    where = doc.at((name,))
    source = str(where)
    if not _PROFILE_NAME.match(name) or name in ("local",) or ":" in name:
        raise ConfigError(
            f"{doc.keys.get((name,), where)}: '{name}' cannot be a profile name — use letters, digits, "
            "_ . - (and not 'local', which is the embedded emulator)"
        )
    if not isinstance(body, Mapping):
        raise ConfigError(f"{where}: profile '{name}' must be a mapping, e.g. `webhook_env: B24_WEBHOOK_URL`")
    _known_keys(doc, (name,), body, _PROFILE_KEYS, f"profile '{name}'")
    kinds = [k for k in ("webhook_env", "oauth", "local") if body.get(k) is not None]
    if len(kinds) != 1:
        got = " and ".join(kinds) if kinds else "none of them"
        raise ConfigError(
            f"{where}: profile '{name}' needs exactly one of webhook_env, oauth or local (it has {got})"
        )
    webhook_env = _env_name(doc, (name, "webhook_env"), body.get("webhook_env"))
    oauth = _oauth(doc, name, body["oauth"]) if "oauth" in kinds else None
    local = None
    if "local" in kinds:
        file = _text(doc, (name, "local"), body["local"], "an emulator state file, e.g. demo.sqlite")
        local = Path(file) if Path(file).is_absolute() else base / file
    rate = body.get("rate", "standard")
    if rate not in RATES:
        raise ConfigError(f"{doc.at((name, 'rate'))}: rate must be standard or enterprise, not {rate!r}")
    tariff = body.get("tariff")
    if tariff is not None:
        tariff = _text(doc, (name, "tariff"), tariff, "a plan code, e.g. crm_plus")
    timeout = body.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT
    ):
        raise ConfigError(
            f"{doc.at((name, 'timeout'))}: timeout is seconds to wait for an answer, a number above 0 and "
            f"at most {MAX_TIMEOUT:g}, e.g. `timeout: 120`"
        )
    return Profile(
        name=name,
        webhook_env=webhook_env,
        oauth=oauth,
        local=local,
        tariff=tariff,
        rate=rate,
        timeout=float(timeout) if timeout is not None else None,
        source=source,
        limits=_limits(doc, name, body.get("limits")),
    )


def _limits(doc: YamlDoc, name: str, body: Any) -> dict[str, int]:
    if body is None:
        return {}
    path: YamlPath = (name, "limits")
    if not isinstance(body, Mapping):
        raise ConfigError(f"{doc.at(path)}: limits must be a mapping, e.g. `limits: {{pipelines: 10}}`")
    _known_keys(doc, path, body, _LIMIT_KEYS, f"profile '{name}' limits")
    for key, value in body.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{doc.at((*path, key))}: limits.{key} must be a whole number of 1 or more")
    return {str(k): int(v) for k, v in body.items()}


def _oauth(doc: YamlDoc, name: str, body: Any) -> OAuthProfile:
    path: YamlPath = (name, "oauth")
    if not isinstance(body, Mapping):
        raise ConfigError(f"{doc.at(path)}: oauth must be a mapping with {', '.join(_OAUTH_REQUIRED)}")
    _known_keys(doc, path, body, _OAUTH_KEYS, f"profile '{name}' oauth")
    missing = [k for k in _OAUTH_REQUIRED if body.get(k) is None]
    if missing:
        raise ConfigError(f"{doc.at(path)}: profile '{name}' oauth needs {', '.join(missing)}")
    endpoint = _text(doc, (*path, "endpoint"), body["endpoint"], "https://<portal>/rest/")
    token_url = _text(doc, (*path, "token_url"), body.get("token_url", DEFAULT_TOKEN_URL), "a URL")
    for key, url in (("endpoint", endpoint), ("token_url", token_url)):
        if not re.match(r"^https?://[^/\s]+", url):
            raise ConfigError(
                f"{doc.at((*path, key))}: {key} must be an http(s) URL, e.g. https://acme.bitrix24.ru/rest/"
            )
    return OAuthProfile(
        client_id_env=_env_name(doc, (*path, "client_id_env"), body["client_id_env"]) or "",
        client_secret_env=_env_name(doc, (*path, "client_secret_env"), body["client_secret_env"]) or "",
        refresh_token_env=_env_name(doc, (*path, "refresh_token_env"), body["refresh_token_env"]) or "",
        endpoint=endpoint,
        token_url=token_url,
    )


def _known_keys(
    doc: YamlDoc, path: YamlPath, body: Mapping[str, Any], allowed: tuple[str, ...], what: str
) -> None:
    for key in body:
        if key in allowed:
            continue
        where = doc.keys.get((*path, key), doc.at((*path, key)))
        if key in _SECRET_KEYS:
            raise ConfigError(
                f"{where}: {what}: `{key}` would put a secret into the file — secrets never go into "
                f"portals.yaml; put it in an environment variable and name that variable with "
                f"`{_SECRET_KEYS[key]}: VARIABLE_NAME`"
            )
        raise ConfigError(f"{where}: {what}: unknown key `{key}`; expected one of: {', '.join(allowed)}")


def _env_name(doc: YamlDoc, path: YamlPath, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise ConfigError(
            f"{doc.at(path)}: `{path[-1]}` names an environment variable (e.g. B24_WEBHOOK_URL), "
            "not a value — put the value in that variable"
        )
    return value


def _text(doc: YamlDoc, path: YamlPath, value: Any, example: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{doc.at(path)}: `{path[-1]}` must be text: {example}")
    return value.strip()


def _refuse_literal_secrets(doc: YamlDoc, value: Any, path: YamlPath) -> None:
    """A webhook URL anywhere in the file is refused, before anything else is said about it."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_literal_secrets(doc, item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_literal_secrets(doc, item, (*path, i))
    elif isinstance(value, str) and _WEBHOOK_IN_TEXT.search(value):
        host = re.sub(r"^https?://([^/\s]+).*$", r"\1", value.strip())
        raise ConfigError(
            f"{doc.at(path)}: this is a webhook URL (for {host}), and it holds a secret code — never "
            "write it into portals.yaml; put it in an environment variable (e.g. export "
            "B24_WEBHOOK_URL=...) and write `webhook_env: B24_WEBHOOK_URL` instead"
        )
