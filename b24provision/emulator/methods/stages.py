"""CRM directories, deal stages among them: ``crm.status.*`` (reference §6).

A directory is an ENTITY_ID: ``DEAL_STAGE`` for the default pipeline, ``DEAL_STAGE_<id>`` for the
others (stage codes there are ``C<id>:CODE``), ``DYNAMIC_<t>_STAGE_<c>`` for a smart process's
pipeline (codes ``DT<t>_<c>:CODE``, emulator/methods/smart_types.py), and plain lists such as STATUS
(lead statuses), SOURCE, DEAL_TYPE (emulator/directories.py). What ``crm.status.entity.types`` tells
about them is in emulator/methods/status_entities.py.
Rules a provisioner meets: STATUS_ID gets the ``C<id>:`` prefix on add; its code (without the prefix)
holds 22 − len("C<id>:") characters (``CCrmStatus::validateStatusId``, reference §13.5); SYSTEM is
forced to N; an in-progress stage cannot be sorted after the success stage; a SYSTEM stage is deleted
only with ``params[FORCED]=Y``; a stage holding deals (a lead status holding leads, a smart-process
stage holding items) is never deleted. Validation errors come with the
empty code and the core's English texts (§13.10). Every scalar goes out as a string. Where the core
and the docs disagree (SEMANTICS "P", a strict stage order, a success stage other than WON) the
portal's ``Quirks`` decide.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.directories import REFERENCE_LISTS
from b24provision.emulator.methods.smart_types import StageDirectory, dynamic_directory, stage_directories
from b24provision.emulator.registry import Call, method
from b24provision.emulator.wire import (
    Paged,
    as_dict,
    crm_error,
    field_description,
    order_items,
    param,
    to_int,
)

_DEAL_STAGE = re.compile(r"^DEAL_STAGE(?:_(\d+))?$")
_EXTRA_SEMANTICS = {None: "process", "": "process", "S": "success", "F": "failure"}
_STAGE_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


def deal_category_of(entity_id: str) -> int | None:
    """The pipeline id of a deal-stage directory, None for other directories."""
    match = _DEAL_STAGE.match(entity_id)
    if not match:
        return None
    return int(match.group(1) or 0)


def supported_entities(db: sqlite3.Connection) -> list[str]:
    """Every directory this portal has: reference lists, deal stages, smart-process stages."""
    ids = [*REFERENCE_LISTS, "DEAL_STAGE"]
    ids += [f"DEAL_STAGE_{r['id']}" for r in store.rows(db, "SELECT id FROM category ORDER BY id")]
    ids += [d.entity_id for d in stage_directories(db)]
    return ids


def stage_directory(entity_id: str) -> StageDirectory | None:
    """The pipeline behind a stage directory (deal or smart process), None for plain lists."""
    deal_category = deal_category_of(entity_id)
    if deal_category is not None:
        return StageDirectory(entity_id, 2, deal_category, store.stage_prefix(deal_category))
    return dynamic_directory(entity_id)


def holds_items(db: sqlite3.Connection, entity_id: str, status_id: str) -> bool:
    """Whether any deal, lead or smart-process item sits in this stage or status."""
    directory = stage_directory(entity_id)
    args: tuple[Any, ...]
    if directory is not None and directory.entity_type_id == 2:
        sql = "SELECT 1 FROM deal WHERE category_id = ? AND stage_id = ? LIMIT 1"
        args = (directory.category_id, status_id)
    elif directory is not None:
        sql = "SELECT 1 FROM crm_item WHERE entity_type_id = ? AND stage_id = ? LIMIT 1"
        args = (directory.entity_type_id, status_id)
    elif entity_id == "STATUS":  # leads (entity type 1) keep their STATUS_ID as stage_id
        sql, args = "SELECT 1 FROM crm_item WHERE entity_type_id = 1 AND stage_id = ? LIMIT 1", (status_id,)
    else:
        return False
    return db.execute(sql, args).fetchone() is not None


def status_to_wire(row: sqlite3.Row, process: str | None = None) -> dict[str, Any]:
    """A directory row as crm.status.get/list print it: strings, EXTRA for stage-like directories.

    ``process``: what SEMANTICS shows for an in-progress stage of a stage-like directory: null (the
    docs' examples) or "P" (the core stores an empty SEMANTICS as PhaseSemantics::PROCESS; quirk
    ``process_semantics``, reference §13.10)."""
    item: dict[str, Any] = {
        "ID": str(row["id"]),
        "ENTITY_ID": row["entity_id"],
        "STATUS_ID": row["status_id"],
        "NAME": row["name"],
        "NAME_INIT": row["name_init"],
        "SORT": str(row["sort"]),
        "SYSTEM": row["system"],
        "CATEGORY_ID": None if row["category_id"] is None else str(row["category_id"]),
        "COLOR": row["color"],
        "SEMANTICS": row["semantics"] or None,
    }
    if dynamic_directory(row["entity_id"]) is not None:
        # The docs' example answer for a smart-process pipeline: SEMANTICS, no EXTRA.
        item["SEMANTICS"] = row["semantics"] or process
    if row["entity_id"] in ("STATUS", "QUOTE_STATUS") or deal_category_of(row["entity_id"]) is not None:
        item["SEMANTICS"] = row["semantics"] or process
        semantics = _EXTRA_SEMANTICS.get(row["semantics"], "process")
        if row["semantics"] == "F" and row["status_id"].rsplit(":", 1)[-1] == "APOLOGY":
            semantics = "apology"
        item["EXTRA"] = {"SEMANTICS": semantics, "COLOR": row["color"]}
    return item


def stage_semantic(db: sqlite3.Connection, stage_id: str, category_id: int) -> str:
    """P (in progress), S (won) or F (lost): the STAGE_SEMANTIC_ID of a deal in this stage."""
    row = db.execute(
        "SELECT semantics FROM status WHERE entity_id = ? AND status_id = ?",
        (store.stage_entity(category_id), stage_id),
    ).fetchone()
    return (row["semantics"] if row and row["semantics"] else "P") if row else "P"


def _process(call: Call) -> str | None:
    return "P" if call.settings.quirks.process_semantics == "P" else None


def _status_id(call: Call) -> int:
    value = to_int(param(call.params, "id", "ID"))
    if value is None or value <= 0:
        raise crm_error("ID is not defined or invalid.")
    return value


def _row(db: sqlite3.Connection, status_id: int) -> sqlite3.Row | None:
    return store.one(db, "SELECT * FROM status WHERE id = ?", (status_id,))


def _color(fields: dict[str, Any]) -> str | None:
    color = param(fields, "COLOR")
    if color is None:
        color = param(as_dict(param(fields, "EXTRA")), "COLOR")
    return None if color is None else str(color)


@method("crm.status.fields")
def status_fields(call: Call) -> dict[str, Any]:
    fdesc = field_description

    return {
        "ID": fdesc("integer", "ID", readonly=True),
        "ENTITY_ID": fdesc("string", "Entity ID", required=True, immutable=True),
        "STATUS_ID": fdesc("string", "Status ID", required=True, immutable=True),
        "SORT": fdesc("integer", "Sort"),
        "NAME": fdesc("string", "Name", required=True),
        "NAME_INIT": fdesc("string", "Default name", readonly=True),
        "SYSTEM": fdesc("char", "System", readonly=True),
        "CATEGORY_ID": fdesc("integer", "Pipeline", immutable=True),
        "COLOR": fdesc("string", "Color"),
        "SEMANTICS": fdesc("char", "Semantics", immutable=True),
        "EXTRA": fdesc("crm_status_extra", "Extra"),
    }


@method("crm.status.get")
def status_get(call: Call) -> dict[str, Any]:
    row = _row(call.db, _status_id(call))
    if row is None:
        raise crm_error("CRM Status is not found.")
    return status_to_wire(row, _process(call))


@method("crm.status.list")
def status_list(call: Call) -> Paged:
    flt = param(call.params, "filter", default={})
    if not isinstance(flt, dict | list):
        raise crm_error("Parameter 'filter' must be array.")
    flt = as_dict(flt)
    order = param(call.params, "order", default={})
    if not isinstance(order, dict | list):
        raise crm_error("Parameter 'order' must be array.")
    process = _process(call)
    items = [status_to_wire(r, process) for r in store.rows(call.db, "SELECT * FROM status ORDER BY id")]
    for key, value in flt.items():
        upper = key.upper()
        if isinstance(value, dict | list) and upper in ("ENTITY_ID", "STATUS_ID", "SORT", "SEMANTICS"):
            raise crm_error(f"Filter by {upper} must be a string")
        items = [i for i in items if str(i.get(upper)) == str(value)]
    items = order_items(items, as_dict(order) or {"SORT": "ASC"}, {"ID", "SORT", "CATEGORY_ID"})
    return Paged(items, total=len(items))


@method("crm.status.add", write=True)
def status_add(call: Call) -> int:
    fields = param(call.params, "fields", "arFields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
    entity_id = str(param(fields, "ENTITY_ID", default="") or "")
    code = str(param(fields, "STATUS_ID", default="") or "")
    missing = [
        f"The field {name} is required."
        for name, v in (("ENTITY_ID", entity_id), ("STATUS_ID", code))
        if not v
    ]
    if missing:
        raise crm_error(*missing)
    if entity_id not in supported_entities(call.db):
        raise crm_error("Specified entity type is not supported.")
    name = str(param(fields, "NAME", default="") or "")
    if not name.strip():
        raise crm_error("The field Title is required.")
    sort = to_int(param(fields, "SORT"), 10) or 0
    if sort <= 0:
        sort = 10  # CCrmStatus::Add
    semantics = str(param(fields, "SEMANTICS", default="") or "").upper() or None
    if semantics not in (None, "S", "F"):
        semantics = None
    directory = stage_directory(entity_id)
    category_id = None if directory is None else directory.category_id
    prefix = "" if directory is None else directory.prefix
    code = prefix + code.split(":", 1)[-1]  # removePrefixFromStatusId + addPrefixToStatusId
    _validate_status_id(call.db, entity_id, code, prefix)
    if directory is not None:
        won = call.db.execute(
            "SELECT sort FROM status WHERE entity_id = ? AND semantics = 'S'", (entity_id,)
        ).fetchone()
        if semantics is None and won is not None and sort > int(won["sort"]):
            raise crm_error(
                "Cannot create more stages after the final stage because the final successful stage "
                "already exists. Try using sort order values less than that of the final stage."
            )
        _check_quirks(call, entity_id, code[len(prefix) :], semantics, sort, won)
    cursor = call.db.execute(
        "INSERT INTO status (entity_id, status_id, name, name_init, sort, system, color, semantics,"
        " category_id) VALUES (?, ?, ?, '', ?, 'N', ?, ?, ?)",
        (entity_id, code, name, sort, _color(fields), semantics, category_id or None),
    )
    return int(cursor.lastrowid or 0)


def max_status_id_length(entity_id: str, prefix: str) -> int:
    """``CCrmStatus::validateStatusId``: how long a STATUS_ID (without its ``C<id>:``) may be.

    Deal stages, lead and quote statuses end up in ``b_crm_entity_perms.ATTR`` (varchar(30)) as
    ``STAGE_ID<prefix><code>``, so a deal stage's code has 30 − len("C<id>:") − len("STAGE_ID")
    characters: 22 in the default pipeline, 19 in C1–C9, 18 in C10–C99, 17 in C100–C999. Every other
    directory has the 50 of the STATUS_ID column, less its prefix (reference §13.5).
    """
    permission_length = 30 - len(prefix)
    if entity_id == "STATUS":
        return permission_length - len("STATUS_ID")
    if entity_id == "QUOTE_STATUS":
        return permission_length - len("QUOTE_ID")
    if deal_category_of(entity_id) is not None:
        return permission_length - len("STAGE_ID")
    return 50 - len(prefix)


def _validate_status_id(db: sqlite3.Connection, entity_id: str, status_id: str, prefix: str) -> None:
    """The core's three checks in its order, with its texts (crm/lang/en/classes/general/crm_status.php);
    the REST proxy passes them on with the empty error code (``CCrmStatusRestProxy::innerAdd``)."""
    bare = status_id[len(prefix) :]
    longest = max_status_id_length(entity_id, prefix)
    if len(bare) > longest:
        raise crm_error(f"Exceeded maximum length of status ID: {longest}.")
    # Smart-process stage codes: the same character check assumed (UNVERIFIED).
    checked = entity_id in ("STATUS", "QUOTE_STATUS") or stage_directory(entity_id) is not None
    if checked and not _STAGE_CODE.match(bare):
        raise crm_error(
            "Status ID may include Latin characters, numbers, minus and underscore characters only"
        )
    if db.execute(
        "SELECT 1 FROM status WHERE entity_id = ? AND status_id = ?", (entity_id, status_id)
    ).fetchone():
        raise crm_error("The specified status ID already exists.")


def _check_quirks(
    call: Call, entity_id: str, bare: str, semantics: str | None, sort: int, won: sqlite3.Row | None
) -> None:
    """Rules only some readings of the core have (reference §13.7; settings.Quirks)."""
    quirks = call.settings.quirks
    deal_stage = entity_id.startswith(
        "DEAL_STAGE"
    )  # smart processes: their own SUCCESS (GetDealStageSemanticInfo)
    if quirks.success_stage_code == "WON" and deal_stage and semantics == "S" and bare != "WON":
        # The core's legacy semantic info (CCrmStatus::GetDealStageSemanticInfo) names <prefix>WON as
        # the final success stage whatever the pipeline holds; a portal that relies on it cannot take
        # another success stage. Refusing is the loud form of that (a portal that stored the stage as
        # in progress would be the silent one); the wording is UNVERIFIED.
        raise crm_error("The successful stage of a pipeline must have the code WON.")
    if quirks.stage_order == "strict":
        # A third-party report: a failure stage sorted before the success stage is refused. The same
        # words for a success stage sorted after a failure stage (inferred).
        failures = call.db.execute(
            "SELECT MIN(sort) AS low FROM status WHERE entity_id = ? AND semantics = 'F'", (entity_id,)
        ).fetchone()
        if (semantics == "F" and won is not None and sort < int(won["sort"])) or (
            semantics == "S" and failures["low"] is not None and sort > int(failures["low"])
        ):
            raise crm_error("Cannot add semantics with the specified sort order")


@method("crm.status.update", write=True)
def status_update(call: Call) -> bool:
    status_id = _status_id(call)
    fields = param(call.params, "fields", "arFields")
    if not isinstance(fields, dict):
        raise crm_error("Parameter 'fields' must be array.")
    row = _row(call.db, status_id)
    if row is None:
        raise crm_error("Status is not found.")
    # ENTITY_ID, STATUS_ID, CATEGORY_ID, SEMANTICS are immutable: silently ignored (reference §6).
    name = param(fields, "NAME")
    sort = param(fields, "SORT")
    color = _color(fields)
    if name is not None and not str(name).strip():
        raise crm_error("The field Title is required.")
    call.db.execute(
        "UPDATE status SET name = ?, sort = ?, color = ? WHERE id = ?",
        (
            row["name"] if name is None else str(name),
            row["sort"] if sort is None else (to_int(sort, row["sort"]) or 0),
            row["color"] if color is None else color,
            status_id,
        ),
    )
    return True


@method("crm.status.delete", write=True)
def status_delete(call: Call) -> bool:
    status_id = _status_id(call)
    row = _row(call.db, status_id)
    if row is None:
        raise crm_error("Status is not found.")
    params = as_dict(param(call.params, "params"))
    if row["system"] == "Y" and str(param(params, "FORCED", default="")).upper() != "Y":
        raise crm_error(
            'CRM System Status can be deleted only if parameter FORCED is specified and equal to "Y".'
        )
    # Deal stages holding deals are refused; the same words for lead statuses holding leads and
    # smart-process stages holding items (UNVERIFIED for those two: the core's check is per entity).
    if holds_items(call.db, row["entity_id"], row["status_id"]):
        raise crm_error("There are active items in this status.")
    call.db.execute("DELETE FROM status WHERE id = ?", (status_id,))
    return True
