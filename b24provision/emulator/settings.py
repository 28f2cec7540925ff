"""What kind of portal the emulator pretends to be: plan, features, limits, languages, credentials.

A real portal's plan shows up in three places the provisioner can observe: ``app.info`` LICENSE, the
methods that exist at all (bizproc and robot methods are registered only with the right Bitrix24
features, reference §8.1/§9.2), and errors when a plan's limits are hit. ``PortalSettings`` drives all
three.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from typing import Literal, get_args, get_type_hints

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
# What a plan's LICENSE name ("<lang>_<name>") switches on (reference §9.1, §9.3). No official source
# lists the matrix; these follow the project's tariff table (b24provision/data/tariffs.yaml, which the
# emulator does not import): the free plan ("project"; "tf" is an unverified spelling of it) has no
# automation at all, so no bizproc.robot.* and no bizproc.workflow.* (§8.1); Basic and CRM+ ("crm")
# have robots without the Workflow designer (the `bizproc` feature); every other name has both.
NO_AUTOMATION_PLANS = frozenset({"project", "tf"})
# The plans whose portal refuses REST itself (reference §9.3): the core's webhook and OAuth checks
# (rest/lib/apauth/auth.php, rest/lib/oauth/auth.php) ask Engine\Access::isAvailable(), true with
# the feature `rest_access` (commercial plans, the demo, NFR) or a Market subscription, and answer
# ACCESS_DENIED otherwise. PortalSettings.rest_access opens a free portal, as a subscription does.
NO_REST_PLANS = NO_AUTOMATION_PLANS
ROBOTS_ONLY_PLANS = frozenset({"basic", "crm"})


def plan_name(license_code: str) -> str:
    """The plan of an app.info LICENSE: "ru_pro100" -> "pro", "de_project" -> "project"."""
    name = license_code.split("_", 1)[1] if "_" in license_code else license_code
    return name.rstrip("0123456789") or name


def features_for_license(license_code: str) -> set[str]:
    """The Bitrix24 features a portal with this app.info LICENSE has (see NO_AUTOMATION_PLANS)."""
    name = plan_name(license_code)
    if name in NO_AUTOMATION_PLANS:
        return set(DEFAULT_FEATURES - AUTOMATION_FEATURES)
    if name in ROBOTS_ONLY_PLANS:
        return set(DEFAULT_FEATURES - {"bizproc"})
    return set(DEFAULT_FEATURES)


RATE_PRESETS: dict[str, tuple[float, float]] = {"standard": (50, 2.0), "enterprise": (250, 5.0)}
# The languages of a cloud portal: the label maps of crm.deal.userfield.get in the docs' example
# (reference §7.2, §13.4) list these 21. The portal's own language comes first.
CLOUD_LANGUAGES = (
    "ru", "ar", "br", "de", "en", "fr", "hi", "id", "in", "it", "ja", "kz", "la", "ms", "pl", "sc",
    "tc", "th", "tr", "ua", "vn",
)  # fmt: skip


@dataclass(frozen=True)
class Quirks:
    """Behaviours where the public PHP core and the docs disagree (reference §13), one switch each.

    Nobody can say today which reading the cloud runs, so the emulator can behave either way and the
    client's tests run against both. ``Quirks()`` is the docs' reading; ``QUIRK_PRESETS["core"]`` is
    the core's, the strictest for a client. Each field names its reference paragraph.
    """

    enum_xml_id: Literal["kept", "dropped", "dropped_on_add"] = "kept"
    """§13.1: enumeration items' XML_ID: kept and returned (docs), or dropped on add and never
    returned, update keeping one it is sent (core; its item rebuild also passes a single-value
    list's DEF only when some item is the default); "dropped_on_add": the core's add and update,
    the docs' get/list (the XML_ID add made up is returned)."""
    date_default: Literal["iso", "site"] = "iso"
    """§13.3: a date field's default comes back as sent (docs), or in the portal's site format,
    31.01.2025 (core)."""
    labels: Literal["as_sent", "fill"] = "as_sent"
    """§13.4: languages a label map does not name: left empty (docs) or filled with LABEL / the field code
    on add and set to '' on update (core)."""
    uf_settings: Literal["all", "core"] = "all"
    """§13.2: add keeps every type's settings (docs); or money/url/address/file get SHOW_FILTER=N and no
    settings, and update cannot change the default of date/money/url (core)."""
    success_stage_code: Literal["any", "WON"] = "any"
    """§13.7: whether a pipeline's success stage may have another code than WON (UNSETTLED). "WON":
    as the core's legacy semantic info (crm.status.entity.types names <prefix>WON as
    FINAL_SUCCESS_FIELD whatever the pipeline holds), and crm.status.add refuses a success stage
    with another code (the refusal and its words are UNVERIFIED)."""
    stage_order: Literal["free", "strict"] = "free"
    """§13.7: "strict": a failure stage sorted before the success stage is refused
    ("Cannot add semantics with the specified sort order"), as a third-party report says."""
    process_semantics: Literal["null", "P"] = "null"
    """§13.10: SEMANTICS of an in-progress stage on the wire: null (docs) or "P" (core)."""
    operating_reset_at: Literal["present", "absent"] = "present"
    """§13.8: whether a 429 OPERATION_TIME_LIMIT body carries operating_reset_at (undocumented)."""
    rest_plan_refusal: Literal["403", "401"] = "403"
    """§9.3: how a portal on a plan without REST refuses every call: the docs' system-errors table
    gives 403 ACCESS_DENIED "REST API is available only on commercial plans"; the core's auth
    handlers give ACCESS_DENIED "REST is available only on commercial plans." through an
    OAuthException, which answers 401 ("401")."""
    item_multiple_filter: Literal["values", "serialized"] = "values"
    """A ``crm.item.list`` condition on a *multiple* custom field of a smart process: met when one of
    the item's values meets it, as ``crm.deal.list``'s b_utm join does ("values"); or, as the D7 ORM
    may compare the field's one serialized column, ``=F: <id>`` meets no item while ``!F: ""`` still
    meets every item holding values ("serialized"). UNVERIFIED either way (entities/item_counts.py)."""
    dynamic_field_prefix: Literal["added", "required"] = "added"
    """docs/reference-entities.md: userfieldconfig.add with a field name lacking ``UF_CRM_<type id>_``:
    the prefix is put in front as the crm proxies do ("added") or the add is refused ("required");
    UNVERIFIED either way."""

    @classmethod
    def parse(cls, spec: str, base: Quirks | None = None) -> Quirks:
        """``"core"``/``"docs"`` (a preset) or ``"name=value"`` over ``base``.

        Raises ValueError naming what is wrong."""
        if spec in QUIRK_PRESETS:
            return QUIRK_PRESETS[spec]
        name, sep, value = spec.partition("=")
        known = sorted(f.name for f in fields(cls))
        if not sep or name not in known:
            raise ValueError(
                f"unknown quirk {spec!r}: use a preset ({', '.join(QUIRK_PRESETS)}) or NAME=VALUE, "
                f"NAME one of {', '.join(known)}"
            )
        allowed = get_args(get_type_hints(cls)[name])
        if value not in allowed:
            raise ValueError(f"quirk {name} takes one of {', '.join(map(str, allowed))}, got {value!r}")
        return replace(base or cls(), **{name: value})  # type: ignore[arg-type]  # checked against the Literal above


QUIRK_PRESETS: dict[str, Quirks] = {
    "docs": Quirks(),
    "core": Quirks(
        enum_xml_id="dropped",
        date_default="site",
        labels="fill",
        uf_settings="core",
        success_stage_code="WON",
        stage_order="strict",
        process_semantics="P",
        operating_reset_at="absent",
        rest_plan_refusal="401",
        dynamic_field_prefix="required",
        item_multiple_filter="serialized",
    ),
}


QUIRKS_VARIABLE = "B24P_TEST_QUIRKS"
"""An environment variable naming the quirks every new PortalSettings starts from (a preset, or
NAME=VALUE,NAME=VALUE): how a whole test suite runs against each reading (pytest --quirks core)."""


def default_quirks() -> Quirks:
    """``Quirks()`` (the docs' reading), or what QUIRKS_VARIABLE names."""
    quirks = Quirks()
    for spec in filter(None, os.environ.get(QUIRKS_VARIABLE, "").split(",")):
        quirks = Quirks.parse(spec.strip(), quirks)
    return quirks


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
    features: set[str] | None = None
    """Enabled Bitrix24 features (feature.get, method registration); None: what ``license`` gives
    (features_for_license), so ``emulator serve --license ru_project`` alone is a portal without
    robots. Read it through ``enabled_features()``."""
    rest_access: bool | None = None
    """Whether REST answers at all (§9.3); None: what ``license`` gives (not on the free plan).
    True on a free plan is a portal with a Market subscription, which opens REST whatever the plan."""
    limits: dict[str, int] = field(default_factory=dict)
    """Plan variables: crm_deal_category_limit (pipelines incl. the default), crm_user_field_limit."""
    rate_limit: str | None = "standard"
    """"standard" (burst 50, drain 2/s), "enterprise" (250, 5/s), "BURST/DRAIN" (e.g. "3/0.5"), None = off."""
    languages: tuple[str, ...] = CLOUD_LANGUAGES
    """Installed languages (userfield label maps have one entry each); the first one names default
    pipelines and stages. A cloud portal has about 20; a boxed one may have two."""
    domain: str = "b24-emulator.local"
    oauth_clients: dict[str, str] = field(default_factory=dict)
    """Registered applications: client_id -> client_secret."""
    access_token_ttl: int = 3600
    """Seconds an OAuth access token lives."""
    operating_window: float = 600.0
    """Seconds of the per-method operating-time window (reference §3.2: 10 minutes): how long a method
    blocked with 429 OPERATION_TIME_LIMIT stays blocked. Tests shorten it so that waits are short."""
    quirks: Quirks = field(default_factory=default_quirks)
    """Where the core and the docs disagree, which one this portal follows (see Quirks)."""
    scopes: tuple[str, ...] | None = None
    """The webhook's scopes as ``scope`` reports them (None: every scope the emulator has). Reported
    by ``scope`` and by method.get's isAvailable; methods of a missing scope still answer."""
    crm_settings_rights: bool = True
    """§13.9: the webhook's user may change CRM settings (CONFIG WRITE); False: userfield, status and
    category writes answer "Access denied." while reads work."""

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

    def enabled_features(self) -> set[str]:
        """The features on: the ones set explicitly, else those of the license."""
        return self.features if self.features is not None else features_for_license(self.license)

    def rest_open(self) -> bool:
        """Whether this portal's plan lets REST calls through (see ``rest_access``)."""
        if self.rest_access is not None:
            return self.rest_access
        return plan_name(self.license) not in NO_REST_PLANS

    def has_automation(self) -> bool:
        return bool(self.enabled_features() & AUTOMATION_FEATURES)
