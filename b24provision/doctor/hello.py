"""doctor's first batch: who the portal is, who we are, and whether the methods apply calls are there.

One batch request asks ``server.time``, ``scope``, ``profile``, ``user.current``, the lists where an
interrupted probe's objects would be (deal pipelines and fields, smart-process types), and
``method.get`` of each write method the blueprint needs (:mod:`.methods`) and of the feature-gated
methods the tariff detection reads. :func:`hello_checks` turns the answers into the portal,
credentials, scopes, methods, rights and leftovers checks, each with one next step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from b24provision.blueprint.model import Blueprint
from b24provision.doctor.checks import PROBE_PREFIX, Check
from b24provision.doctor.methods import WriteMethod, needed_scopes, write_methods
from b24provision.entities.types import DEAL, SMART_TYPES, PipelineApi
from b24provision.portal.client import Command, PortalClient
from b24provision.tariff import PROBED_METHODS

__all__ = ["Hello", "hello", "hello_checks"]

_PIPELINES = PipelineApi(DEAL.type_id)


@dataclass
class Hello:
    """The answers of the first batch."""

    server_time: str | None = None
    scopes: tuple[str, ...] | None = None
    admin: bool | None = None
    user_name: str | None = None
    writes: tuple[WriteMethod, ...] = ()
    """The write methods the blueprint needs, which method.get was asked about."""
    methods: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    """method -> (isExisting, isAvailable)."""
    leftovers: list[str] = field(default_factory=list)
    """Pipelines, fields and smart processes named B24P_PROBE_*: what an interrupted probe left."""


def hello(client: PortalClient, blueprint: Blueprint | None = None) -> Hello:
    """Who the portal is and who we are, in one batch request (raises PortalError if it fails)."""
    writes = write_methods(blueprint)
    names = (*(m.name for m in writes), *PROBED_METHODS)
    commands = [
        Command("time", "server.time", {}),
        Command("scope", "scope", {}),
        Command("profile", "profile", {}),
        Command("user", "user.current", {}),
        Command("pipelines", _PIPELINES.method("list"), _PIPELINES.params),
        Command("fields", DEAL.userfields.method("list"), {}),
        # A portal without smart processes answers this with an error: no leftovers there.
        Command("types", SMART_TYPES.method("list"), {}),
        *(Command(f"m{n}", "method.get", {"name": name}) for n, name in enumerate(names)),
    ]
    results = client.batch(commands).results
    profile = _map(results.get("profile"))
    user = results.get("user") if isinstance(results.get("user"), Mapping) else None
    scopes = results.get("scope")
    methods = {}
    for n, name in enumerate(names):
        answer = results.get(f"m{n}")
        if isinstance(answer, Mapping) and "isExisting" in answer:
            methods[name] = (bool(answer.get("isExisting")), bool(answer.get("isAvailable")))
    admin = profile.get("ADMIN") if profile else None
    leftovers = [
        str(p.get("name"))
        for p in _map(results.get("pipelines")).get("categories") or []
        if isinstance(p, Mapping) and str(p.get("name", "")).startswith(PROBE_PREFIX)
    ]
    fields = results.get("fields")
    leftovers += [
        str(f.get("FIELD_NAME"))
        for f in (fields if isinstance(fields, list) else [])
        if isinstance(f, Mapping) and str(f.get("FIELD_NAME", "")).startswith(DEAL.field_name(PROBE_PREFIX))
    ]
    leftovers += [
        str(t.get("title"))
        for t in _map(results.get("types")).get("types") or []
        if isinstance(t, Mapping) and str(t.get("title", "")).startswith(PROBE_PREFIX)
    ]
    return Hello(
        server_time=str(results["time"]) if results.get("time") else None,
        scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else None,
        admin=_yes(admin) if admin is not None else None,
        user_name=" ".join(str(user.get(k) or "") for k in ("NAME", "LAST_NAME")).strip() if user else None,
        writes=writes,
        methods=methods,
        leftovers=leftovers,
    )


def hello_checks(h: Hello, host: str, blueprint: Blueprint | None) -> list[Check]:
    """Portal, credentials, scopes, methods, rights and leftovers, from the first batch."""
    checks = [
        Check(
            "portal",
            "ok",
            f"{host} answers as a Bitrix24 REST API (server time {h.server_time or 'unknown'})",
        ),
        Check("credentials", "ok", "accepted" + (f" (user: {h.user_name})" if h.user_name else "")),
    ]
    writes = h.writes or write_methods(blueprint)
    needed = needed_scopes(writes)
    if blueprint is not None and blueprint.app_robots:
        needed["bizproc"] = "application robot types (bizproc.robot.*)"
    checks.append(_scopes(h, needed))
    checks.extend(_methods(h, writes))
    checks.append(_rights(h))
    if h.leftovers:
        checks.append(
            Check(
                "leftovers",
                "warning",
                f"objects an interrupted probe left: {', '.join(h.leftovers)}",
                "run `b24provision doctor --probe` again: it removes them first",
            )
        )
    return checks


def _scopes(h: Hello, needed: Mapping[str, str]) -> Check:
    if h.scopes is None:
        answer = "the portal did not answer `scope`: could not tell"
        return Check("scopes", "warning", answer, "check the webhook's scopes")
    missing = [s for s in needed if s not in h.scopes]
    if missing:
        return Check(
            "scopes",
            "problem",
            f"missing: {', '.join(f'{s} ({needed[s]})' for s in missing)}; "
            f"granted: {', '.join(h.scopes) or 'none'}",
            f"edit the webhook (Developer resources > Other) and tick {', '.join(missing)}",
        )
    if "user" not in h.scopes:
        return Check(
            "scopes",
            "warning",
            f"{', '.join(sorted(needed))} granted; without `user`, responsible users show as ids",
            "add the `user` scope for names",
        )
    return Check("scopes", "ok", f"{', '.join(sorted({*needed, 'user'}))} granted")


def _methods(h: Hello, writes: tuple[WriteMethod, ...]) -> list[Check]:
    """A problem per kind of missing write method; nothing when every one answered as callable."""
    absent = [m for m in writes if m.name in h.methods and not h.methods[m.name][0]]
    barred = [m for m in writes if m.name in h.methods and h.methods[m.name][0] and not h.methods[m.name][1]]
    checks = []
    if absent:
        checks.append(
            Check(
                "methods",
                "problem",
                "method.get: not on this portal: " + "; ".join(f"{m.name} ({m.purpose})" for m in absent),
                "the portal's Bitrix24 version or plan lacks them: update it, or leave those parts "
                "out of the blueprint",
            )
        )
    if barred:
        scopes = sorted({s for m in barred for s in m.scopes if h.scopes is None or s not in h.scopes})
        scopes = scopes or sorted({s for m in barred for s in m.scopes})
        checks.append(
            Check(
                "methods",
                "problem",
                "method.get: cannot be called with these credentials: "
                + "; ".join(f"{m.name} ({m.purpose})" for m in barred),
                f"give the webhook the {', '.join(scopes)} scope{'s' if len(scopes) > 1 else ''}",
            )
        )
    if not checks:
        asked = [m.name for m in writes if m.name in h.methods]
        if asked:
            checks.append(Check("methods", "ok", f"method.get: {', '.join(asked)} can be called"))
    return checks


def _rights(h: Hello) -> Check:
    # profile.ADMIN is CRestUtil::isAdmin() (rest_provider.php, profile), and CCrmPerms::HavePerm
    # grants an administrator every permission but "none" (crm/classes/general/crm_perms.php).
    if h.admin:
        return Check(
            "rights", "ok", "the user is an administrator (profile.ADMIN): every CRM right, settings included"
        )
    if h.admin is None:
        return Check(
            "rights",
            "warning",
            "profile did not say whether the user is an administrator: CRM settings rights unknown",
            "use an administrator's webhook, or run `doctor --probe` on staging (it tries a write)",
        )
    # Reference §13.9: changing fields, stages and pipelines needs CRM CONFIG WRITE; REST has no
    # read-only way to ask for it, so the honest answer for a non-administrator is "unknown".
    return Check(
        "rights",
        "warning",
        "the user is not an administrator; whether they may change CRM settings (CRM permission "
        "'settings: write') cannot be read over REST",
        "use an administrator's webhook, or run `doctor --probe` on a staging portal with the same user",
    )


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _yes(value: Any) -> bool:
    return value is True or str(value).upper() in ("Y", "TRUE", "1")
