"""Read a live portal into a LiveState: the blueprint's own model types, keyed by natural keys.

Everything a plan needs comes back in ONE batch request for a portal with up to 30 custom fields,
in TWO above that: the pipeline list, every deal stage (crm.status.list without a filter returns
all directories at once and is not paged, reference §3.3), every deal field, the full record of the
first 30 fields (the userfield ``get``, by ``$result`` reference to the list), the licence,
the application's robot types and triggers (which fail harmlessly under a webhook), and method.get
probes of feature-gated methods, which tell what the portal's plan offers.

Labels: ``list`` has none unless ``filter[LANG]`` names one language (§7.2), while ``get`` gives a
field's labels as a map over every installed language. So the records' maps tell the
portal's own languages (about 20 on a cloud portal, §13.4) and the 30 records carry every label;
only a portal with more fields needs the second request: the field list once per portal language
(never for languages the portal does not have). What a plan's deletes would destroy costs one more
batch, only when the plan deletes something (``state/counts.py``).

Leads, contacts and companies (``state/scope.py``: only those the blueprint names) ride in the same
first request: each one's field list and its first full records, the 30 records' room shared among
the entities; one whose fields outnumber its records gets its labels in the second request, together
with the others' (``state/rest_fields.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from b24provision.blueprint.model import Blueprint, Pipeline, Stage, Trigger
from b24provision.entities.stages import stage_code
from b24provision.entities.types import DEAL, EntityType
from b24provision.errors import PlanError, PortalError
from b24provision.keys import is_tool_object, make_key
from b24provision.portal.client import BATCH_LIMIT, Command, PortalClient
from b24provision.portal.envelope import BatchReply
from b24provision.portal.lock import holder_from_rows
from b24provision.portal.mapping import (
    category_of_entity,
    pipeline_from_rest,
    stage_from_rest,
    stage_prefix,
)
from b24provision.state.entity_live import EntityLive
from b24provision.state.live import LiveState
from b24provision.state.rest_fields import (
    _fields,
    _labels_by_language,
    _labels_of_records,
    _languages,
    as_list,
    fields_live,
    labels_by_language,
    records_of,
)
from b24provision.state.rest_fields import command_prefix as _prefix
from b24provision.state.rest_statuses import with_directories
from b24provision.state.scope import DEAL_ONLY, ReadScope
from b24provision.tariff import PROBED_METHODS

# The languages of a cloud portal (the label map of a deal userfield get in the docs, §7.2); a
# portal has its own list, read from that map (``_languages``).
ALL_LANGUAGES = (
    "ar", "br", "de", "en", "fr", "hi", "id", "in", "it", "ja", "kz", "la", "ms", "pl", "ru", "sc",
    "tc", "th", "tr", "ua", "vn",
)  # fmt: skip
FULL_RECORDS = 30
"""Fields whose full record (labels in every language) the first batch reads; the other commands
take 10 of the batch's 50, and some room is left."""


SENT_WITH_READ = 8
"""Room the first round leaves for the commands sent in its batch (the lock's add and delete)."""


def full_records(entities: Sequence[EntityType] = (DEAL,)) -> int:
    """Full field records each entity gets in the first round: FULL_RECORDS while they fit in one
    batch, fewer when more entities share it (their other labels come in the second round)."""
    room = BATCH_LIMIT - SENT_WITH_READ - len(_read_commands(entities, records=0))
    return max(0, min(FULL_RECORDS, room // max(len(entities), 1)))


def _read_commands(entities: Sequence[EntityType] = (DEAL,), records: int | None = None) -> list[Command]:
    """The first round of the read: every entity's pipelines and fields, all stages, the portal's
    licence, robots, triggers, profile and tariff probes, then the entities' first full field records
    (``records`` each, by default as many as fit: ``full_records``)."""
    count = full_records(entities) if records is None else records
    commands = [
        Command(f"{_prefix(e)}pipelines", e.pipelines.method("list"), e.pipelines.params)
        for e in entities
        if e.pipelines is not None
    ]
    # crm.status.list without a filter returns every directory at once, unpaged (§3.3).
    commands.append(Command("stages", "crm.status.list", {"order": {"SORT": "ASC"}}))
    commands += [
        Command(f"{_prefix(e)}fields", e.userfields.method("list"), {"order": {"SORT": "ASC", "ID": "ASC"}})
        for e in entities
    ]
    commands += [
        Command("license", "app.info", {}),
        Command("app_robots", "bizproc.robot.list", {}),
        Command("triggers", "crm.automation.trigger.list", {}),
        # ADMIN says whether the user may surely change CRM settings (portal/permissions.py).
        Command("profile", "profile", {}),
    ]
    # Tariff probes: feature-gated methods exist only on plans with the feature (reference §9.2).
    commands += [Command(f"method_{n}", "method.get", {"name": m}) for n, m in enumerate(PROBED_METHODS)]
    # Full records of the first fields: labels in every portal language, and so the languages too.
    # A reference past the end of the list answers "ID is not defined" harmlessly.
    commands += [
        Command(
            f"{(p := _prefix(e))}uf_{i}", e.userfields.method("get"), {"id": f"$result[{p}fields][{i}][ID]"}
        )
        for e in entities
        for i in range(count)
    ]
    return commands


@dataclass(frozen=True)
class RestSource:
    """The portal read over REST (a StateSource, ``state/sources.py``): ``read_portal``."""

    client: PortalClient

    @property
    def provenance(self) -> str:
        return self.client.host  # the host only: a webhook's secret is never part of it

    scope: ReadScope = DEAL_ONLY

    def read(self) -> LiveState:
        return read_portal(self.client, self.scope)


def read_portal(client: PortalClient, scope: ReadScope = DEAL_ONLY) -> LiveState:
    """Read pipelines, stages, fields, licence, app robot types and triggers in one request (and
    the fields of the entity types ``scope`` names, in the same request)."""
    return read_after(client, (), scope=scope)[0]


def read_after(
    client: PortalClient, first: Sequence[Command], last: Sequence[Command] = (), scope: ReadScope = DEAL_ONLY
) -> tuple[LiveState, Mapping[str, PortalError]]:
    """Send ``first``, the portal read, then ``last``, in one batch request; the state, and the errors
    of ``first`` and ``last``.

    The portal runs a batch's commands in order, so the state is read after ``first`` ran and before
    ``last`` does: the portal lock's add goes first, its delete last (see ``portal/lock.py``). A write
    among them makes an unanswered request an OutcomeUnknown, never resent.
    """
    live, reply = _read(client, first, last, scope)
    return live, {c.key: reply.errors[c.key] for c in (*first, *last) if c.key in reply.errors}


def read_with(
    client: PortalClient, extra: Sequence[Command], scope: ReadScope = DEAL_ONLY
) -> tuple[LiveState, Mapping[str, Any]]:
    """The portal read with ``extra`` reads in the same request; the state, and their results
    (export and diff ask for the smart processes so: state/rest_smart.py)."""
    live, reply = _read(client, (), extra, scope)
    return live, {c.key: reply.results[c.key] for c in extra if c.key in reply.results}


def _read(
    client: PortalClient, first: Sequence[Command], last: Sequence[Command], scope: ReadScope
) -> tuple[LiveState, BatchReply]:
    if len(first) + len(last) > SENT_WITH_READ:
        raise ValueError(f"at most {SENT_WITH_READ} commands travel with the portal read")
    entities = (DEAL, *scope.entity_types())
    reply = client.batch([*first, *_read_commands(entities), *last])
    for key in ("pipelines", "stages", *(f"{_prefix(e)}fields" for e in entities)):
        if key in reply.errors:
            raise reply.errors[key]
    results = reply.results
    categories = as_list(results.get("pipelines"), "categories")
    statuses = as_list(results.get("stages"))
    fields = as_list(results.get("fields"))
    each = full_records(entities)
    records = records_of(results, DEAL, each)
    others = {e.key: records_of(results, e, each) for e in entities[1:]}
    languages = _languages([*records, *(r for rs in others.values() for r in rs)])
    labels = _labels_of_records(records)
    entity_lives: dict[str, EntityLive] = {}
    if entities[1:]:
        rows = {e.key: as_list(results.get(f"{_prefix(e)}fields")) for e in entities}
        more = [e for e in entities if len(rows[e.key]) > len(records_of(results, e, each))]
        by_entity = labels_by_language(client, languages, more) if more else {}
        labels = by_entity.get(DEAL.key, labels)
        entity_lives = {
            e.key: EntityLive(
                fields=fields_live(
                    e, rows[e.key], by_entity.get(e.key) or _labels_of_records(others[e.key]), languages
                )
            )
            for e in entities[1:]
        }
    elif len(fields) > len(records):
        labels = _labels_by_language(client, languages)

    blueprint, pipeline_ids, stage_ids, system = _pipelines(categories, statuses)
    parsed_fields, unsupported, field_ids, item_ids, text_keyed = _fields(fields, labels, languages)
    blueprint = blueprint.model_copy(update={"fields": parsed_fields})

    license_info = results.get("license")
    app_codes = results.get("app_robots")
    triggers = results.get("triggers")
    live = LiveState(
        blueprint=blueprint,
        languages=languages,
        pipeline_ids=pipeline_ids,
        stage_ids=stage_ids,
        system_stages=frozenset(system),
        field_ids=field_ids,
        enum_item_ids=item_ids,
        text_keyed_items=frozenset(text_keyed),
        label_texts={
            code: {lang: labels.get(DEAL.field_name(code), {}).get(lang) or "" for lang in languages}
            for code in field_ids
        },
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
        admin=_admin(results.get("profile")),
        methods=_probed_methods(results),
        portal=client.host,
        lock=holder_from_rows(fields),
        entities=entity_lives,
    )
    live = with_directories(live, statuses)  # lead statuses and reference lists: no request of their own
    return live, reply


def _admin(profile: Any) -> bool | None:
    """profile ADMIN (true, "Y", 1...), or None when the profile could not be read."""
    if not isinstance(profile, Mapping) or "ADMIN" not in profile:
        return None
    value = profile["ADMIN"]
    return value is True or str(value).upper() in ("Y", "1", "TRUE")


# ------------------------------------------------------------------------------------ helpers


def _probed_methods(results: Mapping[str, Any]) -> dict[str, bool] | None:
    """isExisting of each tariff probe that answered (method.get may be missing on some installs)."""
    found = {
        name: bool(reply.get("isExisting"))
        for n, name in enumerate(PROBED_METHODS)
        if isinstance(reply := results.get(f"method_{n}"), Mapping) and "isExisting" in reply
    }
    return found or None


def _pipelines(
    categories: list[Any],
    statuses: list[Any],
    category_of: Callable[[str], int | None] = category_of_entity,
) -> tuple[Blueprint, dict[str, int], dict[tuple[str, str], int], set[tuple[str, str]]]:
    """Pipelines with their stages; ``category_of`` tells an entity's stage directories (the deal's
    by default; a smart process's scheme, state/rest_smart.py)."""
    by_category: dict[int, list[Mapping[str, Any]]] = {}
    for row in statuses:
        category = category_of(str(row.get("ENTITY_ID", "")))
        if category is not None:
            by_category.setdefault(category, []).append(row)

    # Two pipelines may share a name (Bitrix24 allows it): each gets its own key (make_key), so
    # reading and exporting such a portal works; a blueprint naming that name is refused by the
    # matcher (state/match.py), which is where pairing by name happens.
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


def status_id(live: LiveState, pipeline_key: str, code: str) -> str:
    """The STATUS_ID of a stage on this portal (``C<id>:CODE``)."""
    return f"{stage_prefix(live.pipeline_ids[pipeline_key])}{code}"


__all__ = [
    "ALL_LANGUAGES",
    "PortalError",
    "ReadScope",
    "RestSource",
    "as_list",
    "read_portal",
    "stage_code",
    "status_id",
]
