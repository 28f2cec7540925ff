"""What kind of portal the emulator pretends to be: plan, features, limits, languages, credentials.

A real portal's plan shows up in three places the provisioner can observe: ``app.info`` LICENSE, the
methods that exist at all (bizproc and robot methods are registered only with the right Bitrix24
features, reference §8.1/§9.2), and errors when a plan's limits are hit. ``PortalSettings`` drives all
three.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

AUTOMATION_FEATURES = frozenset(
    {"bizproc", "crm_automation_lead", "crm_automation_deal", "crm_automation_order", "tasks_automation"}
)
DEFAULT_FEATURES = frozenset(
    AUTOMATION_FEATURES
    | {
        "crm_deal_recurring",
        "crm_invoice_recurring",
        "crm_history_view",
        "crm_uf_access_rights",
        "crm_leads",
        "crm_quotes",
        "rest_offline_extended",
        "rest_auth_connector",
    }
)
RATE_PRESETS: dict[str, tuple[float, float]] = {"standard": (50, 2.0), "enterprise": (250, 5.0)}


def _random_token() -> str:
    return secrets.token_hex(8)


@dataclass
class PortalSettings:
    """The portal's identity and plan. Defaults: a full-featured commercial portal (ru_pro100)."""

    user_id: int = 1
    """The employee who created the webhook; also the current user for OAuth calls."""
    token: str = field(default_factory=_random_token)
    """The webhook's secret code: /rest/<user_id>/<token>/<method>."""
    license: str = "ru_pro100"
    """app.info LICENSE, <lang>_<plan>."""
    features: set[str] = field(default_factory=lambda: set(DEFAULT_FEATURES))
    """Enabled Bitrix24 features (feature.get, method registration)."""
    limits: dict[str, int] = field(default_factory=dict)
    """Plan variables: crm_deal_category_limit (pipelines incl. the default), crm_user_field_limit."""
    rate_limit: str | None = "standard"
    """"standard" (burst 50, drain 2/s), "enterprise" (250, 5/s), "BURST/DRAIN" (e.g. "3/0.5"), None = off."""
    languages: tuple[str, ...] = ("ru", "en")
    """Portal languages; the first one names default pipelines and stages."""
    domain: str = "b24-emulator.local"
    oauth_clients: dict[str, str] = field(default_factory=dict)
    """Registered applications: client_id -> client_secret."""
    access_token_ttl: int = 3600
    """Seconds an OAuth access token lives."""

    def rate(self) -> tuple[float, float] | None:
        """(burst, drain per second) of the leaky bucket, or None when rate limiting is off."""
        if self.rate_limit is None:
            return None
        if self.rate_limit in RATE_PRESETS:
            return RATE_PRESETS[self.rate_limit]
        burst, _, drain = self.rate_limit.partition("/")
        return float(burst), float(drain or 0)

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else "en"

    def has_automation(self) -> bool:
        return bool(self.features & AUTOMATION_FEATURES)
