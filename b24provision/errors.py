"""The one exception tree of b24provision.

Every error a user can cause or meet is one of these; the CLI prints its message as one line
and exits with code 1. Foreign exceptions (httpx, pydantic, ruamel) are translated at the
boundary where they happen, and only there::

    B24ProvisionError
    ├── BlueprintError            a blueprint cannot be loaded or is invalid (carries Problems)
    ├── ConfigError               portals.yaml, --portal, --var: the tool's own configuration
    ├── OutputError               an --out file exists (no --force) or cannot be written
    ├── PortalError               the portal answered with an error, or could not be reached
    │   ├── PortalAuthError       wrong or expired credentials, missing scope, app context needed
    │   │   └── PortalPlanNoRest  the portal's plan has no REST API at all (the free plan)
    │   ├── PortalRateLimited     503 QUERY_LIMIT_EXCEEDED / 429 OPERATION_TIME_LIMIT, retries used up
    │   ├── PortalNotFound        unknown method, or the object does not exist
    │   └── OutcomeUnknown        a write may or may not have happened (timeout, dropped connection)
    ├── PlanError                 a plan cannot be made or must not be applied
    │   ├── StalePlanError        the portal changed since the saved plan was made
    │   ├── DestructiveChangeError  the plan deletes or replaces, and --allow-delete was not given
    │   └── TariffLimitError      the portal's plan cannot hold what the blueprint asks
    ├── ApplyError                apply stopped part-way; says what was done and what was not
    └── LockError                 another run holds the portal's lock, or the lock cannot be taken

Messages end with what to do next. A webhook URL is never part of a message: see redact(), which
hides secrets by pattern (a webhook URL's code, ``auth=...``) and by value (every secret the
configured credentials hold, registered with hide_secret() when they are made).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

_WEBHOOK_SECRET = re.compile(r"(/rest/\d+/)([^/\s\"']+)")
_AUTH_PARAM = re.compile(r"((?:auth|access_token|refresh_token|client_secret)=)([^&\s\"']+)", re.IGNORECASE)


MIN_SECRET_LENGTH = 8
"""Shorter values are not hidden by value: they would blank out ordinary words (real codes are longer)."""
_SECRETS: tuple[str, ...] = ()
_SECRETS_LOCK = threading.Lock()


def hide_secret(value: str | None) -> None:
    """From now on, redact() hides ``value`` (and its URL-encoded form) wherever it appears."""
    global _SECRETS
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _SECRETS_LOCK:
        forms = {value, quote(value, safe="")} - set(_SECRETS)
        # Longest first, so a secret that contains another is hidden whole.
        _SECRETS = tuple(sorted({*_SECRETS, *forms}, key=len, reverse=True))


def redact(text: str) -> str:
    """Hide the secret parts of webhook URLs and OAuth parameters, and every registered secret."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    text = _WEBHOOK_SECRET.sub(r"\1***", text)
    return _AUTH_PARAM.sub(r"\1***", text)


class B24ProvisionError(Exception):
    """Base of every error the tool reports to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about a blueprint, with the place it comes from."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"  # "error" or "warning"
    code: str = ""  # short machine-readable id, e.g. "unknown-key", "lint/long-delay"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


class BlueprintError(B24ProvisionError):
    """A blueprint cannot be loaded or is invalid; ``problems`` holds every error found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(B24ProvisionError):
    """The tool's own configuration (portals.yaml, --portal, variables) is wrong."""


class OutputError(B24ProvisionError):
    """An output file (``--out``) exists and ``--force`` was not given, or it cannot be written."""


class PortalError(B24ProvisionError):
    """The portal answered with an error, or could not be reached."""

    def __init__(self, message: str, *, method: str = "", code: str = "", status: int = 0) -> None:
        self.method = method
        self.code = code
        self.status = status
        super().__init__(message)


class PortalAuthError(PortalError):
    """Credentials are wrong or expired, a scope is missing, or the method needs an application."""


class PortalPlanNoRest(PortalAuthError):
    """The portal refuses every call: its plan has no REST API (the free plan, reference §9.3)."""


class PortalRateLimited(PortalError):
    """The portal kept refusing calls for their rate or operating time after every retry."""


class PortalNotFound(PortalError):
    """The method does not exist on this portal, or the object asked for does not."""


class OutcomeUnknown(PortalError):
    """A write was sent but its outcome is unknown: re-read the portal before going on."""

    reason: str = ""
    """What came back instead of an answer ("ReadTimeout: timed out", "HTTP 200 with an empty body")."""


class PlanError(B24ProvisionError):
    """A plan cannot be made, or must not be applied."""


class StalePlanError(PlanError):
    """The portal changed since the saved plan was made."""


class DestructiveChangeError(PlanError):
    """The plan deletes or replaces something and deletion was not allowed."""


class TariffLimitError(PlanError):
    """The portal's tariff cannot hold what the blueprint asks for."""


class ApplyError(B24ProvisionError):
    """Apply stopped part-way; the message lists what was done and what was not."""


class LockError(B24ProvisionError):
    """Another run holds the portal's lock (apply refuses), or the lock cannot be taken or removed."""
