"""Plan ops -> REST commands, resolved against the ids of a freshly read portal.

A plan names objects by natural keys; only here, at the last moment, do they become portal ids,
taken from a LiveState read just before writing (``Ids``). Each function returns the commands for
one op, in the order they must run; apply puts them into batches that run in order and stop at the
first error (``halt``).

A new pipeline arrives with the portal's eight default stages (reference §5.1). ``reconcile_new``
turns the blueprint's stages of such a pipeline into commands against what the portal actually
created: a default stage the blueprint lists is kept and updated, the others are deleted
(system ones with FORCED=Y: they exist only because the tool just made the pipeline), and the
blueprint's own stages are added after that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never

from b24provision.blueprint.model import AppRobot, DealField, Stage
from b24provision.entities.stages import stage_code
from b24provision.entities.types import DEAL, EntityType, PipelineApi, entity_type
from b24provision.plan.ops import (
    AnyOp,
    CreateAppRobotOp,
    CreateFieldOp,
    CreatePipelineOp,
    CreateSmartProcessOp,
    CreateStageOp,
    CreateTriggerOp,
    DeleteAppRobotOp,
    DeleteFieldOp,
    DeletePipelineOp,
    DeleteSmartProcessOp,
    DeleteStageOp,
    DeleteTriggerOp,
    ManualRobotOp,
    NeedsAppContextOp,
    ReplaceFieldOp,
    ReplaceStageOp,
    UpdateAppRobotOp,
    UpdateFieldOp,
    UpdatePipelineOp,
    UpdateSmartProcessOp,
    UpdateStageOp,
    UpdateTriggerOp,
)
from b24provision.plan.ops_statuses import CreateStatusOp, DeleteStatusOp, ReplaceStatusOp, UpdateStatusOp
from b24provision.plan.settable import after_add
from b24provision.portal.client import Command
from b24provision.portal.mapping import (
    field_to_rest,
    field_update_to_rest,
    pipeline_to_rest,
    semantics_from_rest,
    stage_entity_id,
    stage_prefix,
    stage_to_rest,
)
from b24provision.portal.write_entity import field_params, smart_type_fields
from b24provision.portal.write_statuses import status_commands, status_ids
from b24provision.state.live import LiveState


@dataclass
class Ids:
    """Portal ids by natural key, from the last read plus what this apply has created."""

    pipelines: dict[str, int] = field(default_factory=dict)
    """Blueprint pipeline key -> category id."""
    stages: dict[tuple[str, str], int] = field(default_factory=dict)
    """(blueprint pipeline key, stage code) -> crm.status ID."""
    fields: dict[str, int] = field(default_factory=dict)
    items: dict[tuple[str, str], int] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    """The portal's languages, and each field's label texts in them (a label update keeps the texts
    of the languages a label map does not name)."""
    labels: dict[str, Mapping[str, str]] = field(default_factory=dict)
    text_keyed: frozenset[tuple[str, str]] = frozenset()
    """Items known by their text only (no XML_ID on the portal): addressed only as the plan paired them."""
    entity: EntityType = DEAL
    """The entity type the ids belong to: its pipeline, stage and field APIs (entities/types.py)."""
    type_id: int | None = None
    """A smart process's crm.type id (None for the deal)."""
    statuses: dict[tuple[str, str], int] = field(default_factory=dict)
    """(directory, code) -> crm.status ID of lead statuses and list items (portal/write_statuses.py)."""
    entities: dict[str, Ids] = field(default_factory=dict)
    """The field ids of the other entity types read (lead, contact, company), by entity key."""

    @classmethod
    def of(cls, live: LiveState, pipeline_keys: Mapping[str, str]) -> Ids:
        """Ids from ``live``; ``pipeline_keys`` maps live keys to the blueprint's keys."""
        ids = cls(
            fields=dict(live.field_ids),
            items=dict(live.enum_item_ids),
            languages=live.languages,
            labels=dict(live.label_texts),
            text_keyed=live.text_keyed_items,
            statuses=status_ids(live),
        )
        for key, entity in live.entities.items():
            f = entity.fields
            ids.entities[key] = cls(
                fields=dict(f.field_ids),
                items=dict(f.enum_item_ids),
                languages=live.languages,
                labels=dict(f.label_texts),
                text_keyed=f.text_keyed_items,
            )
        for live_key, category in live.pipeline_ids.items():
            ids.pipelines[pipeline_keys.get(live_key, live_key)] = category
        for (live_key, code), stage_id in live.stage_ids.items():
            ids.stages[(pipeline_keys.get(live_key, live_key), code)] = stage_id
        return ids

    def of_entity(self, entity: str) -> Ids:
        """The field ids of ``entity``: these for the deal, the entity's own for another."""
        return self if entity == DEAL.key else self.entities.get(entity) or Ids(languages=self.languages)


def _field_side(entity: str, ids: Ids) -> tuple[EntityType, Ids]:
    """The field API and ids of an op's entity: a smart process's engine has its own (``ids.entity``),
    the rest come from the descriptor table and ``Ids.entities``."""
    if ids.entity.key != DEAL.key:
        return ids.entity, ids
    return entity_type(entity), ids.of_entity(entity)


def commands_for(op: AnyOp, ids: Ids, n: int) -> list[Command]:
    """The commands that carry out ``op``; keys are ``op<n>`` and ``op<n>_<i>``."""
    key = f"op{n}"
    e = ids.entity
    _PIPELINES = e.pipelines or PipelineApi(DEAL.type_id)
    match op:
        case CreateFieldOp():
            fe, _ = _field_side(op.entity, ids)
            return _add_field(op.field, key, fe)
        case UpdateFieldOp():
            fe, own = _field_side(op.entity, ids)
            item_ids = _item_ids(op, own)
            fields = field_update_to_rest(
                op.field,
                item_ids,
                languages=own.languages,
                current_labels=own.labels.get(op.field.code),
                entity=fe,
            )
            return [
                Command(
                    key, fe.userfields.method("update"), field_params(fe, fields, own.fields[op.field.code])
                )
            ]
        case ReplaceFieldOp():
            fe, own = _field_side(op.entity, ids)
            return [
                Command(
                    f"{key}_0",
                    fe.userfields.method("delete"),
                    {**fe.userfields.params, "id": own.fields[op.field.code]},  # moduleId: smart process
                ),
                *_add_field(op.field, key, fe),
            ]
        case DeleteFieldOp():
            fe, own = _field_side(op.entity, ids)
            params = {**fe.userfields.params, "id": own.fields[op.code]}  # moduleId for a smart process's
            return [Command(key, fe.userfields.method("delete"), params)]
        case CreatePipelineOp():
            fields = pipeline_to_rest(op.pipeline)
            return [
                Command(key, _PIPELINES.method("add"), {**_PIPELINES.params, "fields": fields}),
                # The default stages the portal just made, read in the same request.
                Command(
                    f"{key}_stages",
                    "crm.status.list",
                    {
                        "filter": {"ENTITY_ID": _entity_id(e, f"$result[{key}][category][id]")},
                        "order": {"SORT": "ASC"},
                    },
                ),
            ]
        case UpdatePipelineOp():
            category = ids.pipelines[op.pipeline.key]
            rename = e.default_pipeline_rename
            if category == 0 and rename and not any(attr == "sort" for attr, _, _ in op.changes):
                # The deal's default pipeline is renamed through the legacy method made for it (§5.2).
                return [Command(key, rename, {"name": op.pipeline.name})]
            fields = pipeline_to_rest(op.pipeline)
            return [
                Command(
                    key, _PIPELINES.method("update"), {**_PIPELINES.params, "id": category, "fields": fields}
                )
            ]
        case DeletePipelineOp():
            return [
                Command(
                    key, _PIPELINES.method("delete"), {**_PIPELINES.params, "id": ids.pipelines[op.live_key]}
                )
            ]
        case CreateStageOp():
            category = ids.pipelines[op.pipeline_key]
            return [Command(key, "crm.status.add", {"fields": _stage(e, op.stage, op.sort, category)})]
        case UpdateStageOp():
            stage_id = ids.stages[(op.pipeline_key, op.stage.code)]
            return [
                Command(
                    key, "crm.status.update", {"id": stage_id, "fields": _stage_update(op.stage, op.sort)}
                )
            ]
        case ReplaceStageOp():
            category = ids.pipelines[op.pipeline_key]
            add = Command(key, "crm.status.add", {"fields": _stage(e, op.stage, op.sort, category)})
            replaced = ids.stages.get((op.pipeline_key, op.stage.code))
            if replaced is None:
                # Deleted already (an apply stopped between the delete and the add, then read the portal
                # again): only the add is left, as for a status (portal/write_statuses.py).
                return [add]
            return [Command(f"{key}_0", "crm.status.delete", _delete_params(replaced, op.system)), add]
        case DeleteStageOp():
            stage_id = ids.stages[(op.pipeline_key, op.code)]
            return [Command(key, "crm.status.delete", _delete_params(stage_id, op.system))]
        case CreateAppRobotOp():
            return [Command(key, "bizproc.robot.add", {"CODE": op.robot.code, **_app_robot(op.robot)})]
        case UpdateAppRobotOp():
            return [
                Command(key, "bizproc.robot.update", {"CODE": op.robot.code, "FIELDS": _app_robot(op.robot)})
            ]
        case DeleteAppRobotOp():
            return [Command(key, "bizproc.robot.delete", {"CODE": op.code})]
        case CreateTriggerOp() | UpdateTriggerOp():
            # add with an existing CODE renames the trigger (reference §8.5).
            return [
                Command(key, "crm.automation.trigger.add", {"CODE": op.trigger.code, "NAME": op.trigger.name})
            ]
        case DeleteTriggerOp():
            return [Command(key, "crm.automation.trigger.delete", {"CODE": op.code})]
        case CreateSmartProcessOp():
            return [Command(key, "crm.type.add", {"fields": smart_type_fields(op.smart)})]
        case UpdateSmartProcessOp():
            return [
                Command(key, "crm.type.update", {"id": ids.type_id, "fields": smart_type_fields(op.smart)})
            ]
        case DeleteSmartProcessOp():
            return [Command(key, "crm.type.delete", {"id": ids.type_id})]
        case CreateStatusOp() | UpdateStatusOp() | ReplaceStatusOp() | DeleteStatusOp():
            return status_commands(op, ids.statuses, key)
        case ManualRobotOp() | NeedsAppContextOp():
            return []
        case _:
            assert_never(op)


def reconcile_new(
    pipeline_key: str,
    category: int,
    defaults: list[Mapping[str, Any]],
    wanted: list[CreateStageOp],
    n: int,
    entity: EntityType = DEAL,
) -> list[Command]:
    """Commands that turn a new pipeline's default stages into the blueprint's stages."""
    by_code = {stage_code(str(row["STATUS_ID"])): row for row in defaults}
    wanted_codes = {op.stage.code: op for op in wanted}
    deletes: list[Command] = []
    updates: list[Command] = []
    creates: list[Command] = []
    for code, row in by_code.items():
        op = wanted_codes.get(code)
        if op is None or op.stage.semantics != semantics_from_rest(row.get("SEMANTICS")):
            params = _delete_params(int(row["ID"]), str(row.get("SYSTEM")) == "Y")
            deletes.append(Command(f"rec{n}_{len(deletes)}_del", "crm.status.delete", params))
    # Stages are added in-progress first, then success, then failure: a strict portal refuses a
    # failure stage added while no success stage sorts before it (reference §13.7).
    rank = {"process": 0, "success": 1, "failure": 2}
    for i, op in sorted(enumerate(wanted), key=lambda pair: rank[pair[1].stage.semantics]):
        existing = by_code.get(op.stage.code)
        key = f"rec{n}_{i}"
        if existing is not None and op.stage.semantics == semantics_from_rest(existing.get("SEMANTICS")):
            fields = _stage_update(op.stage, op.sort)
            updates.append(Command(key, "crm.status.update", {"id": int(existing["ID"]), "fields": fields}))
        else:
            creates.append(
                Command(key, "crm.status.add", {"fields": _stage(entity, op.stage, op.sort, category)})
            )
    return deletes + updates + creates


def _item_ids(op: UpdateFieldOp, ids: Ids) -> dict[str, int]:
    """Blueprint xml_id -> portal item id for the field's items; items nobody claims get DEL=Y.

    An item known only by its text is addressed only as the plan paired it (``op.item_keys``), so a
    blueprint xml_id that happens to equal a key made from some text never claims that item."""
    out: dict[str, int] = {}
    for (code, key), item_id in ids.items.items():
        if code == op.field.code:
            out["\0" + key if (code, key) in ids.text_keyed else key] = item_id
    for want, live_key in op.item_keys:
        found = "\0" + live_key if "\0" + live_key in out else live_key
        if found in out:
            out[want] = out.pop(found)
    return out


def _add_field(field: DealField, key: str, e: EntityType = DEAL) -> list[Command]:
    """<entity>.userfield.add, then an update of what add drops but update sets (plan/settable.py),
    addressed by ``$result`` to the new id in the same batch."""
    api = e.userfields
    commands = [Command(key, api.method("add"), field_params(e, field_to_rest(field)))]
    again = after_add(field)
    if again:
        new_id = f"$result[{key}]" if api.style == "crm" else f"$result[{key}][field][id]"
        commands.append(Command(f"{key}_again", api.method("update"), field_params(e, again, new_id)))
    return commands


def _entity_id(e: EntityType, category: int | str) -> str:
    return stage_entity_id(category) if e.stages is None else e.stages.entity_id(category)


def _stage(e: EntityType, stage: Stage, sort: int, category: int | str) -> dict[str, Any]:
    """crm.status.add's fields for a stage of ``e``'s pipeline ``category`` (its directory and prefix)."""
    fields = stage_to_rest(stage, sort, category)
    if e.stages is not None and e.key != DEAL.key:
        fields["ENTITY_ID"] = e.stages.entity_id(category)
        fields["STATUS_ID"] = f"{e.stages.status_prefix(category)}{stage.code}"
    return fields


def _stage_update(stage: Stage, sort: int) -> dict[str, Any]:
    fields: dict[str, Any] = {"NAME": stage.name, "SORT": sort}
    if stage.color:
        fields["COLOR"] = stage.color
    return fields


def _delete_params(stage_id: int, system: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"id": stage_id}
    if system:
        params["params"] = {"FORCED": "Y"}
    return params


def _app_robot(robot: AppRobot) -> dict[str, Any]:
    def props(items: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, prop in items.items():
            row: dict[str, Any] = {
                "Name": prop.name,
                "Type": prop.type,
                "Required": "Y" if prop.required else "N",
                "Multiple": "Y" if prop.multiple else "N",
            }
            if prop.description:
                row["Description"] = prop.description
            if prop.default is not None:
                row["Default"] = prop.default
            if prop.options:
                row["Options"] = dict(prop.options)
            out[name] = row
        return out

    fields: dict[str, Any] = {
        "HANDLER": robot.handler,
        "NAME": robot.name if isinstance(robot.name, str) else dict(robot.name),
        "USE_SUBSCRIPTION": "Y" if robot.use_subscription else "N",
        "DOCUMENT_TYPE": list(DEAL.document_type),
        "PROPERTIES": props(robot.properties),
        "RETURN_PROPERTIES": props(robot.return_properties),
    }
    if robot.description:
        fields["DESCRIPTION"] = robot.description
    if robot.auth_user_id:
        fields["AUTH_USER_ID"] = robot.auth_user_id
    return fields


__all__ = ["Ids", "commands_for", "reconcile_new", "stage_prefix"]
