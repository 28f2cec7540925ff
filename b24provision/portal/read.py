"""Read a live portal into a LiveState: the blueprint's own model types, keyed by natural keys.

Everything a plan needs comes back in ONE batch request, whatever the portal's size: the pipeline
list, every deal stage (crm.status.list without a filter returns all directories at once and is not
paged, reference §3.3), every deal field, one field's full record (its label map names the portal's
languages), the field list once per language (labels come only with ``filter[LANG]``, §7.2), the
licence, the application's robot types and triggers (which fail harmlessly under a webhook), and
method.get probes of feature-gated methods, which tell what the portal's plan offers.
Deal counts, needed only for stages and pipelines a plan would delete, cost one more batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from b24provision.blueprint.model import Blueprint, Pipeline, Stage, Trigger
from b24provision.errors import PlanError, PortalError
from b24provision.keys import is_tool_object, make_key
from b24provision.portal.client import Command, PortalClient
from b24provision.portal.mapping import (
    category_of_entity,
    field_from_rest,
    pipeline_from_rest,
    stage_code,
    stage_from_rest,
    stage_prefix,
)
from b24provision.state import LiveState, UnsupportedField
from b24provision.tariffs import PROBED_METHODS

# Every language a Bitrix24 portal can have (the label map of crm.deal.userfield.get, §7.2).
ALL_LANGUAGES = (
    "ar", "br", "de", "en", "fr", "hi", "id", "in", "it", "ja", "kz", "la", "ms", "pl", "ru", "sc",
    "tc", "th", "tr", "ua", "vn",
)  # fmt: skip


def _read_commands() -> list[Command]:
    commands = [
        Command("pipelines", "crm.category.list", {"entityTypeId": 2}),
        Command("stages", "crm.status.list", {"order": {"SORT": "ASC"}}),
        Command("fields", "crm.deal.userfield.list", {"order": {"SORT": "ASC", "ID": "ASC"}}),
        # The first field's full record carries labels in every portal language: that is how the
        # portal's languages are learnt without another request.
        Command("probe", "crm.deal.userfield.get", {"id": "$result[fields][0][ID]"}),
        Command("license", "app.info", {}),
        Command("app_robots", "bizproc.robot.list", {}),
        Command("triggers", "crm.automation.trigger.list", {}),
    ]
    # Tariff probes: feature-gated methods exist only on plans with the feature (reference §9.2).
    commands += [Command(f"method_{n}", "method.get", {"name": m}) for n, m in enumerate(PROBED_METHODS)]
    commands += [
        Command(f"lang_{lang}", "crm.deal.userfield.list", {"filter": {"LANG": lang}})
        for lang in ALL_LANGUAGES
    ]
    return commands


def read_portal(client: PortalClient) -> LiveState:
    """Read pipelines, stages, fields, licence, app robot types and triggers in one request."""
    reply = client.batch(_read_commands())
    for key in ("pipelines", "stages", "fields"):
        if key in reply.errors:
            raise reply.errors[key]
    results = reply.results
    categories = _as_list(results.get("pipelines"), "categories")
    statuses = _as_list(results.get("stages"))
    fields = _as_list(results.get("fields"))
    probe = results.get("probe") if isinstance(results.get("probe"), Mapping) else None
    languages = _languages(probe)
    labels = {lang: _labels_by_name(results.get(f"lang_{lang}")) for lang in languages}

    blueprint, pipeline_ids, stage_ids, system = _pipelines(categories, statuses)
    parsed_fields, unsupported, field_ids, item_ids = _fields(fields, labels)
    blueprint = blueprint.model_copy(update={"fields": parsed_fields})

    license_info = results.get("license")
    app_codes = results.get("app_robots")
    triggers = results.get("triggers")
    return LiveState(
        blueprint=blueprint,
        languages=languages,
        pipeline_ids=pipeline_ids,
        stage_ids=stage_ids,
        system_stages=frozenset(system),
        field_ids=field_ids,
        enum_item_ids=item_ids,
        unsupported_fields=tuple(unsupported),
        app_robot_codes=frozenset(str(c) for c in app_codes) if isinstance(app_codes, list) else None,
        triggers=tuple(
            Trigger(code=str(t["CODE"]), name=str(t.get("NAME") or t["CODE"]))
            for t in triggers
            if isinstance(t, Mapping)
        )
        if isinstance(triggers, list) and "triggers" not in reply.errors
        else None,
        license=str(license_info.get("LICENSE")) if isinstance(license_info, Mapping) else None,
        methods=_probed_methods(results),
        portal=client.host,
    )


def count_deals(client: PortalClient, live: LiveState, stages: Iterable[tuple[str, str]]) -> LiveState:
    """``live`` with the number of deals in each of ``stages`` ((pipeline key, stage code) pairs).

    Pairs whose pipeline is not on the portal (any more) are not counted: a saved plan naming them
    was made against another state, and its fingerprint will say so.
    """
    wanted = sorted(k for k in set(stages) - set(live.deal_counts) if k[0] in live.pipeline_ids)
    if not wanted:
        return live
    commands = []
    for n, (pipeline, code) in enumerate(wanted):
        category = live.pipeline_ids[pipeline]
        commands.append(
            Command(
                f"c{n}",
                "crm.deal.list",
                {"filter": {"STAGE_ID": f"{stage_prefix(category)}{code}"}, "select": ["ID"]},
            )
        )
    reply = client.batch_all(commands)
    counts = dict(live.deal_counts)
    for n, key in enumerate(wanted):
        if f"c{n}" in reply.errors:
            raise reply.errors[f"c{n}"]
        total = reply.totals.get(f"c{n}")
        counts[key] = int(total if total is not None else len(_as_list(reply.results.get(f"c{n}"))))
    return replace(live, deal_counts=counts)


# ------------------------------------------------------------------------------------ helpers


def _as_list(value: Any, key: str | None = None) -> list[Any]:
    if key and isinstance(value, Mapping):
        value = value.get(key)
    if isinstance(value, Mapping):  # PHP arrays with integer keys may arrive as objects
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def _probed_methods(results: Mapping[str, Any]) -> dict[str, bool] | None:
    """isExisting of each tariff probe that answered (method.get may be missing on some installs)."""
    found = {
        name: bool(reply.get("isExisting"))
        for n, name in enumerate(PROBED_METHODS)
        if isinstance(reply := results.get(f"method_{n}"), Mapping) and "isExisting" in reply
    }
    return found or None


def _languages(probe: Mapping[str, Any] | None) -> tuple[str, ...]:
    labels = probe.get("EDIT_FORM_LABEL") if probe else None
    if isinstance(labels, Mapping) and labels:
        return tuple(sorted(str(lang) for lang in labels))
    return ("en",)


def _labels_by_name(rows: Any) -> dict[str, str | None]:
    return {str(r["FIELD_NAME"]): r.get("EDIT_FORM_LABEL") for r in _as_list(rows) if isinstance(r, Mapping)}


def _pipelines(
    categories: list[Any], statuses: list[Any]
) -> tuple[Blueprint, dict[str, int], dict[tuple[str, str], int], set[tuple[str, str]]]:
    by_category: dict[int, list[Mapping[str, Any]]] = {}
    for row in statuses:
        category = category_of_entity(str(row.get("ENTITY_ID", "")))
        if category is not None:
            by_category.setdefault(category, []).append(row)

    names: dict[str, list[int]] = {}
    for cat in categories:
        if str(cat.get("isDefault")) != "Y" and str(cat.get("id")) != "0":
            names.setdefault(str(cat.get("name")), []).append(int(cat["id"]))
    for name, ids in names.items():
        if len(ids) > 1:
            raise PlanError(
                f"the portal has {len(ids)} pipelines named {name!r} (ids {', '.join(map(str, ids))}); "
                "pipelines are matched by name — rename one of them in the portal, then plan again"
            )

    pipelines: list[Pipeline] = []
    pipeline_ids: dict[str, int] = {}
    stage_ids: dict[tuple[str, str], int] = {}
    system: set[tuple[str, str]] = set()
    ordered = sorted(
        categories, key=lambda c: (str(c.get("isDefault")) != "Y", int(c.get("sort") or 0), int(c["id"]))
    )
    for cat in ordered:
        if is_tool_object(str(cat.get("name") or "")):
            continue  # the tool's own (a doctor probe's, maybe half made): neither managed nor unmanaged
        category = int(cat["id"])
        key = make_key(str(cat.get("name") or "pipeline"), taken=pipeline_ids)
        rows = sorted(
            by_category.get(category, []), key=lambda r: (int(r.get("SORT") or 0), int(r.get("ID") or 0))
        )
        stages: list[Stage] = []
        for row in rows:
            try:
                stage = stage_from_rest(row)
            except ValidationError:
                raise PlanError(
                    f"pipeline {cat.get('name')!r}: stage {row.get('STATUS_ID')!r} ({row.get('NAME')!r}) has "
                    "a code b24provision cannot manage (it uses A-Z, 0-9 and _, at most 18 characters) — "
                    "a stage code cannot be changed in place: in the portal, move its deals to a new stage "
                    "and delete it, then plan again"
                ) from None
            stages.append(stage)
            stage_ids[(key, stage.code)] = int(row["ID"])
            if str(row.get("SYSTEM")) == "Y":
                system.add((key, stage.code))
        pipelines.append(pipeline_from_rest(cat, key, stages))
        pipeline_ids[key] = category
    return Blueprint(pipelines=pipelines), pipeline_ids, stage_ids, system


def _fields(
    rows: list[Any], labels: Mapping[str, Mapping[str, str | None]]
) -> tuple[list[Any], list[UnsupportedField], dict[str, int], dict[tuple[str, str], int]]:
    fields: list[Any] = []
    unsupported: list[UnsupportedField] = []
    field_ids: dict[str, int] = {}
    item_ids: dict[tuple[str, str], int] = {}
    for row in rows:
        name = str(row.get("FIELD_NAME", ""))
        texts = {lang: by_name.get(name) for lang, by_name in labels.items()}
        parsed = field_from_rest(row, texts)
        if isinstance(parsed, UnsupportedField):
            unsupported.append(parsed)
            continue
        fields.append(parsed)
        field_ids[parsed.code] = int(row["ID"])
        for item in _as_list(row.get("LIST")):
            xml_id = str(item.get("XML_ID") or item.get("ID"))
            item_ids[(parsed.code, xml_id)] = int(item["ID"])
    return fields, unsupported, field_ids, item_ids


def status_id(live: LiveState, pipeline_key: str, code: str) -> str:
    """The STATUS_ID of a stage on this portal (``C<id>:CODE``)."""
    return f"{stage_prefix(live.pipeline_ids[pipeline_key])}{code}"


__all__ = ["ALL_LANGUAGES", "PortalError", "count_deals", "read_portal", "stage_code", "status_id"]
