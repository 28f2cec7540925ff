"""Status ops -> crm.status commands: lead statuses (ENTITY_ID ``STATUS``) and reference list items.

A directory's items are addressed by the crm.status ID the last read gave (``Ids.statuses``, by
directory name and code: ``("lead", "NEW")``, ``("source", "CALL")``); a new one is added under its
directory's ENTITY_ID with its plain code (no prefix, ``entities/lists.py``). A SYSTEM item is
deleted with FORCED=Y (reference §6). SEMANTICS travels only for a lead status: a list item has
none, and crm.status.update ignores it, which is why a semantics change is a replace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

from b24provision.entities.lists import LEAD_STATUS, REFERENCE_LISTS
from b24provision.plan.ops_statuses import CreateStatusOp, DeleteStatusOp, ReplaceStatusOp, UpdateStatusOp
from b24provision.portal.client import Command
from b24provision.portal.mapping import semantics_to_rest
from b24provision.state.live import LiveState

StatusOp = CreateStatusOp | UpdateStatusOp | ReplaceStatusOp | DeleteStatusOp


def directory_of(op: StatusOp) -> str:
    """The op's directory by the blueprint's name: "lead" for lead statuses, else the list's name."""
    return op.entity if op.list_name is None else op.list_name


def entity_id_of(directory: str) -> str:
    """The crm.status ENTITY_ID of a directory named as ``directory_of`` names it."""
    return LEAD_STATUS if directory == "lead" else REFERENCE_LISTS[directory]  # type: ignore[index]


def status_ids(live: LiveState) -> dict[tuple[str, str], int]:
    """(directory, code) -> crm.status ID, of the lead statuses and every reference list read."""
    ids: dict[tuple[str, str], int] = {}
    lead = live.entities.get("lead")
    if lead is not None and lead.statuses is not None:
        ids.update((("lead", code), i) for code, i in lead.statuses.ids.items())
    for name, directory in live.lists.items():
        ids.update(((name, code), i) for code, i in directory.ids.items())
    return ids


def status_commands(op: StatusOp, ids: Mapping[tuple[str, str], int], key: str) -> list[Command]:
    """The commands that carry out one status op."""
    directory = directory_of(op)
    match op:
        case CreateStatusOp():
            return [Command(key, "crm.status.add", {"fields": _add_fields(op, directory)})]
        case UpdateStatusOp():
            fields: dict[str, Any] = {"NAME": op.status.name, "SORT": op.sort}
            if op.status.color:
                fields["COLOR"] = op.status.color
            return [
                Command(key, "crm.status.update", {"id": ids[(directory, op.status.code)], "fields": fields})
            ]
        case ReplaceStatusOp():
            if (directory, op.status.code) not in ids:
                # Deleted already (an apply stopped between the delete and the add): only the add is left.
                return [Command(key, "crm.status.add", {"fields": _add_fields(op, directory)})]
            return [
                Command(
                    f"{key}_0", "crm.status.delete", _delete(ids[(directory, op.status.code)], op.system)
                ),
                Command(key, "crm.status.add", {"fields": _add_fields(op, directory)}),
            ]
        case DeleteStatusOp():
            return [Command(key, "crm.status.delete", _delete(ids[(directory, op.code)], op.system))]
        case _:
            assert_never(op)


def _add_fields(op: CreateStatusOp | ReplaceStatusOp, directory: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ENTITY_ID": entity_id_of(directory),
        "STATUS_ID": op.status.code,
        "NAME": op.status.name,
        "SORT": op.sort,
    }
    if op.list_name is None:
        fields["SEMANTICS"] = semantics_to_rest(op.status.semantics)
    if op.status.color:
        fields["COLOR"] = op.status.color
    return fields


def _delete(status_id: int, system: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"id": status_id}
    if system:
        params["params"] = {"FORCED": "Y"}
    return params


__all__ = ["StatusOp", "directory_of", "entity_id_of", "status_commands", "status_ids"]
