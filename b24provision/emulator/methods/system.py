"""Portal discovery: ``app.info``, ``method.get``, ``feature.get``, ``scope``, ``methods``, ``profile``,
``server.time``, ``user.current`` (reference §9, §10).

These are how a client learns the portal's plan: LICENSE from ``app.info`` (webhooks see only SCOPE
and LICENSE; apps see the full object), feature flags from ``feature.get``, and whether feature-gated
methods exist from ``method.get``.
"""

from __future__ import annotations

import re
from typing import Any

from b24provision.emulator.oauth import SCOPES
from b24provision.emulator.registry import Call, available_methods, method
from b24provision.emulator.wire import RestError, is_true, iso, param

ALL_SCOPES = sorted(
    {*SCOPES, "task", "tasks", "im", "entity", "calendar", "disk", "lists", "telephony", "sonet_group"}
)


def _plan(license_code: str) -> tuple[str, str]:
    """(LICENSE_TYPE, LICENSE_FAMILY) from "<lang>_<plan>": ru_pro100 -> (pro100, pro)."""
    plan = license_code.split("_", 1)[1] if "_" in license_code else license_code
    family = re.sub(r"\d+$", "", plan) or plan
    return plan, family


@method("app.info", scope="basic")
def app_info(call: Call) -> dict[str, Any]:
    if not call.auth.is_app:
        return {"SCOPE": SCOPES, "LICENSE": call.settings.license}
    clients = list(call.settings.oauth_clients)
    client_id = call.auth.client_id or ""
    plan, family = _plan(call.settings.license)
    return {
        "ID": clients.index(client_id) + 1 if client_id in clients else 1,
        "CODE": client_id,
        "VERSION": 1,
        "STATUS": "L",
        "INSTALLED": True,
        "PAYMENT_EXPIRED": "N",
        "DAYS": None,
        "LANGUAGE_ID": call.settings.language,
        "LICENSE": call.settings.license,
        "LICENSE_TYPE": plan,
        "LICENSE_FAMILY": family,
    }


@method("method.get", scope="basic")
def method_get(call: Call) -> dict[str, bool]:
    name = str(param(call.params, "name", default="") or "").strip().lower()
    spec = available_methods(call.settings).get(name)
    # isAvailable: "whether the method may be called with the current access (scope)"
    # (dev.1c-bitrix.ru/rest_help/general/method_get.php): a method of a scope the webhook lacks
    # exists but is not available. `basic` methods are there for every webhook.
    granted = call.settings.scopes
    available = spec is not None and (granted is None or spec.scope == "basic" or spec.scope in granted)
    return {"isExisting": spec is not None, "isAvailable": available}


@method("feature.get", scope="basic")
def feature_get(call: Call) -> dict[str, str]:
    code = str(param(call.params, "CODE", default="") or "").strip()
    if not code:
        raise RestError("CODE_EMPTY", "CODE can't be empty")
    return {"value": "Y" if code in call.settings.enabled_features() else "N"}


@method("scope", scope="basic")
def scope(call: Call) -> list[str]:
    if is_true(param(call.params, "full")):
        return ALL_SCOPES
    return SCOPES if call.settings.scopes is None else list(call.settings.scopes)


@method("methods", scope="basic")
def methods_list(call: Call) -> list[str]:
    wanted = param(call.params, "scope")
    names = available_methods(call.settings)
    if is_true(param(call.params, "full")):
        return sorted(names)
    if wanted is None:
        return sorted(n for n, spec in names.items() if spec.scope == "basic")
    return sorted(n for n, spec in names.items() if spec.scope == str(wanted))


@method("profile", scope="basic")
def profile(call: Call) -> dict[str, Any]:
    return {
        "ID": str(call.auth.user_id),
        # A user without CRM settings rights is no administrator (administrators have every right).
        "ADMIN": call.settings.crm_settings_rights,
        "NAME": "Admin",
        "LAST_NAME": "Emulator",
        "PERSONAL_GENDER": "",
        "TIME_ZONE": "Europe/Moscow",
        "TIME_ZONE_OFFSET": 10800,
    }


@method("server.time", scope="basic")
def server_time(call: Call) -> str:
    return iso(call.now)


@method("user.current", scope="user")
def user_current(call: Call) -> dict[str, Any]:
    return {
        "ID": str(call.auth.user_id),
        "XML_ID": "",
        "ACTIVE": True,
        "NAME": "Admin",
        "LAST_NAME": "Emulator",
        "SECOND_NAME": "",
        "EMAIL": f"admin@{call.settings.domain}",
        "PERSONAL_GENDER": "",
        "TIME_ZONE": "Europe/Moscow",
        "TIME_ZONE_OFFSET": "10800",
        "IS_ONLINE": "Y",
        "USER_TYPE": "employee",
    }
