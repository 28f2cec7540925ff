"""The Bitrix24 REST envelope: what a reply holds, and which of our errors a failure becomes.

A successful call answers ``{"result": ..., "total": n, "next": n, "time": {...}}``; a failed one
``{"error": "<code>", "error_description": "<the portal's words>"}`` with an HTTP status (reference
§1.4, §2). A ``batch`` answers 200 and carries one result or error per sub-command (§4).

Error messages read ``<method>: <the portal's own words> (<code>)``. Legacy ``crm.*`` methods
answer with an empty code (``{"error": "", ...}``), and then the words stand alone. Auth and
"not found" errors get their own classes because a user fixes them differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from b24provision.errors import (
    PortalAuthError,
    PortalError,
    PortalNotFound,
    PortalPlanNoRest,
    PortalRateLimited,
)

__all__ = [
    "BatchReply",
    "Command",
    "Reply",
    "is_read",
    "portal_error",
]

# Auth failures whose status may be 400/401/403 depending on source and version (reference §2.2).
_AUTH_CODES = frozenset(
    {
        "NO_AUTH_FOUND",
        "INVALID_CREDENTIALS",
        "expired_token",
        "invalid_token",
        "insufficient_scope",
        "ACCESS_DENIED",
        "user_access_error",
        "WRONG_AUTH_TYPE",
        "METHOD_CONFIRM_WAITING",
        "METHOD_CONFIRM_DENIED",
    }
)
_NOT_FOUND_CODES = frozenset({"ERROR_METHOD_NOT_FOUND", "ERROR_NOT_FOUND", "NOT_FOUND"})
_RATE_CODES = frozenset({"QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT", "OVERLOAD_LIMIT"})

_AUTH_HINTS = {
    "NO_AUTH_FOUND": "check the webhook URL: it may be wrong, deleted or expired",
    "INVALID_CREDENTIALS": "check the webhook URL: it may be wrong, deleted or expired",
    "expired_token": "the access token expired and could not be renewed; re-authorize the application",
    "invalid_token": "re-authorize the application",
    "insufficient_scope": "give the webhook or application the scope this method needs (e.g. crm)",
    "METHOD_CONFIRM_WAITING": "an administrator must confirm this method for the application",
    "METHOD_CONFIRM_DENIED": "an administrator denied this method for the application",
}

_READ_SUFFIXES = (".list", ".get", ".fields", ".types")
_READ_METHODS = frozenset(
    {"app.info", "method.get", "feature.get", "profile", "scope", "server.time", "user.current", "methods"}
)

_BR = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)


def is_read(method: str) -> bool:
    """True if ``method`` only reads, so repeating it after a lost answer changes nothing."""
    name = method.strip().lower().removesuffix(".json")
    return name in _READ_METHODS or name.endswith(_READ_SUFFIXES)


class Reply(NamedTuple):
    """One call's answer: the result and, for lists, the paging fields hoisted by the portal."""

    result: Any
    total: int | None
    next: int | None
    time: dict[str, Any]


class Command(NamedTuple):
    """One sub-command of a batch; ``key`` names its result and can be referenced as ``$result[key]``."""

    key: str
    method: str
    params: Mapping[str, Any]


@dataclass
class BatchReply:
    """The answer to one or more batch requests, keyed by the commands' keys.

    A key is in ``results`` or in ``errors``, or in neither when ``halt`` stopped the batch first.
    """

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, PortalError] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)
    time: dict[str, Any] = field(default_factory=dict)

    def raise_first_error(self) -> None:
        """Raise the first sub-command error, if there is one."""
        for error in self.errors.values():
            raise error

    def merge(self, other: BatchReply) -> None:
        self.results.update(other.results)
        self.errors.update(other.errors)
        self.totals.update(other.totals)
        self.nexts.update(other.nexts)
        self.time = other.time or self.time


def as_map(value: Any) -> dict[str, Any]:
    """A PHP array as a dict: an empty one is ``[]``, one keyed 0..n-1 is a JSON list (reference §4)."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return {}


def optional_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def portal_words(description: Any) -> str:
    """The portal's message as one line: ERROR_CORE texts end in ``<br>``, crm joins lines with \\n."""
    text = _BR.sub("; ", str(description or "")).strip().strip(";").strip()
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def portal_error(method: str, status: int, code: Any, description: Any) -> PortalError:
    """The error a user sees for a failed call of ``method``.

    Args:
        method: the REST method called (or the sub-command's method inside a batch).
        status: the HTTP status; 0 for a batch sub-command (a batch answers 200).
        code: the envelope's ``error`` (may be ``""`` for legacy crm methods).
        description: the envelope's ``error_description``.
    """
    code = "" if code is None else str(code)
    words = portal_words(description) or (f"HTTP {status}" if status else "no description")
    text = f"{method}: {words} ({code})" if code else f"{method}: {words}"
    details = {"method": method, "code": code, "status": status}
    lowered = words.lower()

    if code in _NOT_FOUND_CODES or status == 404 or (not code and lowered.rstrip(".!") == "not found"):
        if code == "ERROR_METHOD_NOT_FOUND":
            text += " — this portal does not offer the method (a module, scope or tariff may be missing)"
        return PortalNotFound(text, **details)
    if code == "ACCESS_DENIED" and "only on commercial plans" in lowered:
        # The plan has no REST at all (reference §9.3); 401 or 403 by source, the same words in both.
        return PortalPlanNoRest(
            f"{text} — this portal's plan has no REST API: move it to a paid plan or start its demo "
            '("My plan" in the portal\'s header), or add a Bitrix24 Market subscription; then run again',
            **details,
        )
    if code == "WRONG_AUTH_TYPE" or (code == "ACCESS_DENIED" and "application context" in lowered):
        return PortalAuthError(
            f"{text} — {method} needs an OAuth application; a webhook cannot call it", **details
        )
    if lowered.rstrip(".") == "access denied" and code in ("", "ACCESS_DENIED"):
        # The words crm settings writes answer a user without CONFIG WRITE (portal/permissions.py).
        return PortalAuthError(
            f"{text} — the webhook's user may not do this; changing pipelines, stages and fields needs a "
            "portal administrator or the CRM right 'Allow to modify settings'",
            **details,
        )
    if status in (401, 403) or code in _AUTH_CODES:
        hint = _AUTH_HINTS.get(code, "check the credentials and their permissions on the portal")
        return PortalAuthError(f"{text} — {hint}", **details)
    if code in _RATE_CODES:
        return PortalRateLimited(f"{text} — wait a few minutes and run again", **details)
    return PortalError(text, **details)
