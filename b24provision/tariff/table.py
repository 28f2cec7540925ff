"""The tariff table: the Bitrix24 plans and what each offers, read from ``data/tariffs.yaml``.

Bitrix24 gates features by plan ("tariff"): REST itself only on commercial plans, automation
rules (robots) from CRM+ / Basic up, the Workflow designer (business processes) only on the
higher plans. Nothing official lists the whole matrix (reference §9.3), so the facts live in a
data table where every fact says where it comes from and how sure it is (verified / seed /
unverified) and ``null`` means unknown. This module is the table's shape (:class:`TariffPlan`,
:class:`Fact`), its loading, and finding a plan by code, name or app.info LICENSE.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from b24provision.blueprint.source import parse_yaml
from b24provision.errors import B24ProvisionError, ConfigError

Certainty = Literal["verified", "seed", "unverified"]
Severity = Literal["error", "warning", "info", "ok"]
Lineup = Literal["current", "legacy", "on_premise", "special", "other"]

# Facts every plan row states (value may be null = unknown).
FACT_KEYS: tuple[str, ...] = (
    "rest",
    "robots",
    "business_processes",
    "app_robots_triggers",
    "max_pipelines",
    "max_custom_fields",
    "rate_class",
    # Leads and smart processes: :mod:`.allows` answers for them (no blueprint construct needs them yet).
    "leads",
    "lead_robots",
    "smart_processes",
    "max_smart_processes",
    "smart_process_robots",
)


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else tuple(value)


Sources = Annotated[tuple[str, ...], BeforeValidator(_as_tuple)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(_Row):
    """One fact about a plan: its value (None = unknown), where it comes from, how sure it is."""

    value: bool | int | str | None
    certainty: Certainty
    source: Sources

    @property
    def confirmed(self) -> bool:
        """A source we trust states it (official docs/source code, or first-hand seed practice)."""
        return self.certainty in ("verified", "seed")


class LicenseName(_Row):
    """A LICENSE name (the part after ``<lang>_``) that app.info reports for a plan."""

    name: str
    certainty: Certainty
    source: Sources
    numbered: bool = False
    """The name is followed by a user count: ent250, ent500, ... ent10000."""


class TariffPlan(_Row):
    """A Bitrix24 plan with what it offers a blueprint (named so to avoid a clash with plan/)."""

    code: str
    lineup: Lineup
    names: dict[str, str]
    license: tuple[LicenseName, ...] = ()
    source: Sources
    certainty: Certainty
    facts: dict[str, Fact]

    @model_validator(mode="after")
    def _all_facts(self) -> TariffPlan:
        missing = [k for k in FACT_KEYS if k not in self.facts]
        if missing:
            raise ValueError(f"plan {self.code}: facts missing: {', '.join(missing)}")
        return self

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or self.code

    def title(self) -> str:
        """Both names, e.g. "Standard (Стандартный)", "CRM+"."""
        en, ru = self.name("en"), self.name("ru")
        return en if en == ru else f"{en} ({ru})"

    def fact(self, key: str) -> Fact:
        return self.facts[key]


class TariffTable(_Row):
    """The whole data table: the sources every fact cites, and the plans in lineup order."""

    format_version: Literal[1]
    sources: dict[str, str]
    plans: tuple[TariffPlan, ...]

    @model_validator(mode="after")
    def _sources_exist(self) -> TariffTable:
        cited = {s for p in self.plans for s in p.source}
        cited |= {s for p in self.plans for f in p.facts.values() for s in f.source}
        cited |= {s for p in self.plans for lic in p.license for s in lic.source}
        unknown = sorted(cited - self.sources.keys())
        if unknown:
            raise ValueError(f"sources cited but not defined: {', '.join(unknown)}")
        codes = [p.code for p in self.plans]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate plan codes")
        return self

    def lineup(self, lineup: Lineup) -> list[TariffPlan]:
        return [p for p in self.plans if p.lineup == lineup]


@cache
def tariff_table() -> TariffTable:
    """The packaged tariff table (read once)."""
    text = resources.files("b24provision").joinpath("data/tariffs.yaml").read_text(encoding="utf-8")
    # The blueprint reader (libyaml): ruamel took 60 ms of every validate and plan for this file.
    doc, problems = parse_yaml(text, "b24provision/data/tariffs.yaml")
    if doc is None:
        raise B24ProvisionError(f"{problems[0]} (a packaging bug)")
    try:
        return TariffTable.model_validate(doc.data)
    except ValidationError as exc:  # a packaging bug, not a user error; still one clear line
        raise B24ProvisionError(f"b24provision/data/tariffs.yaml is invalid: {exc}") from exc


def source_text(key: str) -> str:
    """The full citation behind a source key of the table."""
    return tariff_table().sources.get(key, key)


# What kind of source a key of the table's `sources:` is, by its prefix (data/tariffs.yaml).
_SOURCE_KINDS = (
    ("ref-", "documented"),
    ("helpdesk-", "documented"),
    ("core-", "core source"),
    ("seed-", "seed"),
    ("web-", "third party"),
    ("inferred", "inferred"),
)


def source_kind(key: str) -> str:
    """ "documented", "core source", "seed", "third party" or "inferred" for a source key of the
    table; what a live portal or a profile said is named as it is ("method.get ...: exists")."""
    return next((kind for prefix, kind in _SOURCE_KINDS if key.startswith(prefix)), key)


def known_plan_codes() -> tuple[str, ...]:
    """Every plan code a blueprint's ``tariff:`` may name, in table order."""
    return tuple(p.code for p in tariff_table().plans)


# An app.info LICENSE, "<lang>_<name>" (ru_crm, de_ent250), or its bare name (crm, ent250).
_LICENSE = re.compile(r"^(?:[a-z]{2}_)?([a-z]+?)(\d*)$")


def find_plan(code: str) -> TariffPlan | None:
    """``plan_by_code`` that returns None for an unknown code."""
    wanted = code.strip().lower()
    table = tariff_table()
    for plan in table.plans:
        if wanted == plan.code or wanted in (n.lower() for n in plan.names.values()):
            return plan
    match = _LICENSE.match(wanted)
    if match is None:
        return None
    name, number = match.group(1), match.group(2)
    for plan in table.plans:
        for lic in plan.license:
            if lic.name == name + number or (lic.numbered and lic.name == name):
                return plan
    return None


def plan_by_code(code: str) -> TariffPlan:
    """A plan by our code (``crm_plus``), its name (``CRM+``, ``Команда``) or a LICENSE (``ru_crm``).

    Raises:
        ConfigError: the code names no plan in the table.
    """
    plan = find_plan(code)
    if plan is None:
        raise ConfigError(
            f"unknown tariff {code!r}: use one of {', '.join(known_plan_codes())} "
            "or an app.info LICENSE such as ru_std or de_ent250"
        )
    return plan
