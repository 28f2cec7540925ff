"""The REST method table: which methods exist on this portal, and what a handler receives.

Handlers are plain functions ``handler(call) -> result`` registered with ``@method(name, ...)``.
Whether a method exists depends on the portal's features, as on a real portal where bizproc
registers its methods only when the feature is on (reference §8.1): ``available_methods(settings)``
is the portal's method list, used by routing, ``method.get`` and ``methods``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from b24provision.emulator.settings import AUTOMATION_FEATURES, PortalSettings
from b24provision.emulator.wire import RestError


@dataclass(frozen=True)
class Auth:
    """Who is calling: a webhook (``client_id`` None) or an OAuth application."""

    kind: str  # "webhook" | "oauth"
    user_id: int
    client_id: str | None = None

    @property
    def is_app(self) -> bool:
        return self.client_id is not None


@dataclass
class Call:
    """One method call: parameters plus everything a handler may touch."""

    name: str
    params: dict[str, Any]
    db: sqlite3.Connection
    settings: PortalSettings
    auth: Auth
    now: datetime
    base_url: str
    dispatch: Callable[[str, dict[str, Any]], Any]
    """Run another method with the same auth (used by batch); returns a Paged or raises RestError."""
    in_batch: bool = False

    def require_app(self) -> str:
        """The calling application's client id; webhooks get 403 (reference §8.2)."""
        if self.auth.client_id is None:
            raise RestError("ACCESS_DENIED", "Access denied! Application context required", 403)
        return self.auth.client_id


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Handler
    write: bool
    features: frozenset[str] | None
    """The method exists only if one of these features is enabled (None: always)."""
    scope: str


METHODS: dict[str, MethodSpec] = {}


def method(
    name: str, *, write: bool = False, features: frozenset[str] | None = None, scope: str = "crm"
) -> Callable[[Handler], Handler]:
    """Register a handler under a (lower-case) REST method name."""

    def register(handler: Handler) -> Handler:
        METHODS[name] = MethodSpec(name, handler, write, features, scope)
        return handler

    return register


BIZPROC_ONLY = frozenset({"bizproc"})
ANY_AUTOMATION = AUTOMATION_FEATURES


def available_methods(settings: PortalSettings) -> dict[str, MethodSpec]:
    """Methods that exist on a portal with these settings."""
    features = settings.enabled_features()
    return {name: spec for name, spec in METHODS.items() if spec.features is None or spec.features & features}


def is_write(name: str) -> bool:
    spec = METHODS.get(name)
    if spec is not None:
        return spec.write
    return name.rsplit(".", 1)[-1] in {"add", "update", "delete", "set"}
