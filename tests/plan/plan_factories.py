"""Small builders of blueprints and live states for the plan tests (no portal, no YAML)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from b24provision.blueprint.model import Blueprint, Location, Trigger
from b24provision.state.live import LiveState, UnsupportedField


def stage(code: str, name: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"code": code, "name": name or code.title(), **kw}


def pipeline(key: str, name: str, *stages: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "stages": list(stages) or [stage("NEW"), stage("WON", semantics="success")],
        **kw,
    }


def blueprint(
    pipelines: list[dict[str, Any]] | None = None,
    fields: list[dict[str, Any]] | None = None,
    locations: Mapping[tuple[str | int, ...], Location] | None = None,
    **kw: Any,
) -> Blueprint:
    bp = Blueprint.model_validate({"pipelines": pipelines or [], "fields": fields or [], **kw})
    return bp.with_locations(dict(locations or {}))


def live(
    pipelines: list[dict[str, Any]] | None = None,
    fields: list[dict[str, Any]] | None = None,
    *,
    languages: tuple[str, ...] = ("en",),
    deal_counts: Mapping[tuple[str, str], int] | None = None,
    system_stages: frozenset[tuple[str, str]] = frozenset(),
    unsupported: tuple[UnsupportedField, ...] = (),
    app_robot_codes: frozenset[str] | None = None,
    triggers: tuple[Trigger, ...] | None = None,
    portal: str = "example.bitrix24.com",
    field_value_counts: Mapping[str, int] | None = None,
    item_use_counts: Mapping[tuple[str, str], int] | None = None,
) -> LiveState:
    """A portal's state; by default it has only the default pipeline (and no deals anywhere)."""
    if pipelines is None:
        pipelines = [default_pipeline()]
    return LiveState(
        blueprint=blueprint(pipelines, fields),
        languages=languages,
        deal_counts=dict(deal_counts or {}),
        field_value_counts=dict(field_value_counts or {}),
        item_use_counts=dict(item_use_counts or {}),
        system_stages=system_stages,
        unsupported_fields=unsupported,
        app_robot_codes=app_robot_codes,
        triggers=triggers,
        portal=portal,
    )


def default_pipeline(name: str = "General", *stages: dict[str, Any]) -> dict[str, Any]:
    return pipeline("general", name, *stages, default=True)


def summary(plan: Any) -> list[tuple[str, str, str]]:
    """(action, kind, key) of every op, in plan order."""
    return [(op.action, op.kind, op.key) for op in plan.ops]
