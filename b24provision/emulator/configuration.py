"""Robots placed "by hand" on stages, and the portal's configuration export of its own state.

On a real portal an administrator puts robots on stages in the Automation rules UI and exports the
CRM configuration as a ZIP (CRM -> settings -> solution presets -> export); neither is REST
(reference §8.3, §8.8). The emulator offers both as emulator-only doors:

- ``put_stage_robots(db, "C5:NEW", robots)`` (or ``…, entity_id="STATUS"`` for a lead status,
  ``"DYNAMIC_<t>_STAGE_<c>"`` for a smart-process stage) stores a stage's robots the way the robots editor
  saves them: ``robots`` in the core's array form (the shape of the demo robot sets,
  ``crm/lib/automation/demo/robots/deal_*.php``: ``Type``, ``Name``, ``Properties``, ``Delay``,
  ``ExecuteAfterPrevious``, ``Condition``), turned into one bizproc template (``AUTO_EXECUTE`` 8,
  ``DOCUMENT_STATUS`` the stage) by this module's copy of ``Template::unConvertTemplate``;
- ``put_stage_template(db, status, tree)`` stores any tree, e.g. one edited in the bizproc designer;
- ``configuration_zip(db)`` writes the export as the core does: ``manifest.json``,
  ``CRM_STATUS/<ENTITY_ID>.json`` per directory (``crm/.../configuration/entity/status.php``) and
  ``BIZPROC_MAIN/<step>.json`` per crm template in ID order (bizproc ``AppConfiguration::exportBizproc``).

This is the emulator's own writer: it shares no code with b24provision's reader, so the reader's
tests also run on hand-written exports.
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
import zipfile
from typing import Any

from b24provision.emulator import store

AUTOMATION = 8
_DELAY_UNITS = {"i": "m", "h": "h", "d": "d"}


def _name(rng: random.Random) -> str:
    """Robot::generateName: 'A' and four random numbers joined by '_'."""
    return "A" + "_".join(str(rng.randint(10000, 99999)) for _ in range(4))


def build_tree(robots: list[dict[str, Any]], rng: random.Random | None = None) -> list[dict[str, Any]]:
    """The template tree for ``robots`` (core's array form), as Template::unConvertTemplate builds it."""
    rng = rng or random.Random()
    root: dict[str, Any] = {
        "Type": "SequentialWorkflowActivity",
        "Name": "Template",
        "Properties": {"Title": "Bizproc Automation template"},
        "Children": [],
    }
    if not robots:
        return [root]

    def sequence() -> dict[str, Any]:
        return {
            "Type": "SequenceActivity",
            "Name": _name(rng),
            "Properties": {"Title": "Automation sequence"},
            "Children": [],
        }

    parallel: dict[str, Any] = {
        "Type": "ParallelActivity",
        "Name": _name(rng),
        "Properties": {"Title": "Параллельное выполнение"},
        "Children": [],
    }
    chain = sequence()
    for i, robot in enumerate(robots):
        if i and not robot.get("ExecuteAfterPrevious"):
            parallel["Children"].append(chain)
            chain = sequence()
        delay = robot.get("Delay") or {}
        if delay and int(delay.get("value") or 0) > 0:
            chain["Children"].append(
                {  # the newest core's createDelayActivity (older cores wrote DelayActivity)
                    "Type": "RobotDelayActivity",
                    "Name": robot.get("DelayName") or _name(rng),
                    "Properties": {
                        "TimeoutTimeIsLocal": "N",
                        "TimeoutDuration": int(delay["value"]),
                        "TimeoutDurationType": _DELAY_UNITS[str(delay.get("valueType") or "i")],
                        "Title": "Пауза робота",
                    },
                    "Children": [],
                }
            )
        activity: dict[str, Any] = {
            "Type": robot["Type"],
            "Name": robot.get("Name") or _name(rng),
            "Activated": "Y",
            "Properties": dict(robot.get("Properties") or {}),
            "Children": [],
        }
        condition = robot.get("Condition") or {}
        if condition.get("items"):
            mixed = []
            joiner = 0
            for item, next_joiner in condition["items"]:
                mixed.append({**item, "joiner": joiner})
                joiner = 1 if next_joiner == "OR" else 0
            activity = {
                "Type": "IfElseActivity",
                "Name": _name(rng),
                "Activated": "Y",
                "Properties": {"Title": "Условие"},
                "Children": [
                    {
                        "Type": "IfElseBranchActivity",
                        "Name": _name(rng),
                        "Properties": {"Title": "Условие", "mixedcondition": mixed},
                        "Children": [activity],
                        "Activated": "Y",
                    },
                    {
                        "Type": "IfElseBranchActivity",
                        "Name": _name(rng),
                        "Properties": {"Title": "Условие", "truecondition": "1"},
                        "Children": [],
                        "Activated": "Y",
                    },
                ],
            }
        chain["Children"].append(activity)
    parallel["Children"].append(chain)
    if len(parallel["Children"]) < 2:
        parallel["Children"].append(sequence())
    root["Children"].append(parallel)
    return [root]


_DYNAMIC_DOCUMENT = "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic"


def document_type(entity_id: str) -> list[str]:
    """The bizproc DOCUMENT_TYPE of a stage directory's robots (reference §8: DOCUMENT_TYPE values):
    deals ``CCrmDocumentDeal``/DEAL, lead statuses ``CCrmDocumentLead``/LEAD, smart processes
    ``…\\Document\\Dynamic``/``DYNAMIC_<entityTypeId>``."""
    if entity_id == "STATUS":
        return ["crm", "CCrmDocumentLead", "LEAD"]
    if entity_id.startswith("DYNAMIC_"):
        return ["crm", _DYNAMIC_DOCUMENT, "DYNAMIC_" + entity_id.split("_")[1]]
    return ["crm", "CCrmDocumentDeal", "DEAL"]


def put_stage_template(
    db: sqlite3.Connection, status_id: str, tree: list[dict[str, Any]], entity_id: str = "DEAL_STAGE"
) -> int:
    """Store ``tree`` as the robot template of stage ``status_id`` of directory ``entity_id`` (a deal
    stage unless told; replacing its old one)."""
    kind = document_type(entity_id)
    data = {
        "MODULE_ID": "crm",
        "ENTITY": kind[1],
        "DOCUMENT_TYPE": kind,
        "DOCUMENT_STATUS": status_id,
        "AUTO_EXECUTE": str(AUTOMATION),
        "NAME": f"Шаблон для статуса {status_id}",
        "DESCRIPTION": "",
        "SYSTEM_CODE": "bitrix_bizproc_automation",
        "USER_ID": "1",
        "TEMPLATE": tree,
    }
    for row in store.rows(db, "SELECT id, data FROM bp_template ORDER BY id"):
        old = json.loads(row["data"])
        same_kind = old.get("DOCUMENT_TYPE", kind) == kind
        if (
            same_kind
            and old.get("DOCUMENT_STATUS") == status_id
            and int(old.get("AUTO_EXECUTE", 0)) == AUTOMATION
        ):
            db.execute(
                "UPDATE bp_template SET data = ? WHERE id = ?",
                (json.dumps(data, ensure_ascii=False), row["id"]),
            )
            return int(row["id"])
    cursor = db.execute(
        "INSERT INTO bp_template (client_id, data) VALUES (NULL, ?)", (json.dumps(data, ensure_ascii=False),)
    )
    return int(cursor.lastrowid or 0)


def put_stage_robots(
    db: sqlite3.Connection, status_id: str, robots: list[dict[str, Any]], entity_id: str | None = None
) -> int:
    """Put ``robots`` (core's array form) on stage ``status_id`` as the robots editor saves them: a deal
    stage, or with ``entity_id`` "STATUS" a lead status, "DYNAMIC_<t>_STAGE_<c>" a smart-process stage."""
    if entity_id is None:
        sql = "SELECT entity_id FROM status WHERE status_id = ? AND entity_id LIKE 'DEAL_STAGE%'"
        row = store.one(db, sql, (status_id,))
        if row is None:
            raise ValueError(f"no deal stage {status_id!r} on this portal")
    else:
        if not (entity_id == "STATUS" or entity_id.startswith(("DEAL_STAGE", "DYNAMIC_"))):
            raise ValueError(f"{entity_id!r} is not a directory robots are put on")
        sql = "SELECT entity_id FROM status WHERE status_id = ? AND entity_id = ?"
        row = store.one(db, sql, (status_id, entity_id))
        if row is None:
            raise ValueError(f"no stage {status_id!r} in {entity_id!r} on this portal")
    tree = build_tree(robots, random.Random(status_id))
    return put_stage_template(db, status_id, tree, str(row["entity_id"]))


def stage_template(db: sqlite3.Connection, status_id: str) -> list[dict[str, Any]] | None:
    for row in store.rows(db, "SELECT data FROM bp_template ORDER BY id"):
        data = json.loads(row["data"])
        if data.get("DOCUMENT_STATUS") == status_id and int(data.get("AUTO_EXECUTE", 0)) == AUTOMATION:
            tree = data.get("TEMPLATE")
            return tree if isinstance(tree, list) else None
    return None


# ------------------------------------------------------------------------------------- export

_SEMANTICS = {"S": "S", "F": "F"}
LEAD_STATUSES_NAME = "Статусы лидов"
"""GetMessage('CRM_STATUS_TYPE_STATUS'): the lead directory's name (wording UNVERIFIED)."""
STAGES_WITH_CATEGORY = "Стадии «{name}» ({category})"
"""CRM_STATUS_TYPE_STATUS_WITH_CATEGORY with #NAME# and #CATEGORY# (wording UNVERIFIED)."""


def _status_files(db: sqlite3.Connection) -> dict[str, Any]:
    default_name = store.get_meta(db, "default_category_name") or ""
    names = {int(r["id"]): str(r["name"]) for r in store.rows(db, "SELECT id, name FROM category")}
    types = {
        int(r["entity_type_id"]): str(r["title"])
        for r in store.rows(db, "SELECT entity_type_id, title FROM crm_type")
    }
    categories = {int(r["id"]): str(r["name"]) for r in store.rows(db, "SELECT id, name FROM item_category")}
    out: dict[str, Any] = {}
    entities = [
        str(r["entity_id"])
        for r in store.rows(db, "SELECT DISTINCT entity_id FROM status ORDER BY entity_id")
    ]
    for entity in entities:
        items = [
            {
                "ID": str(r["id"]),
                "ENTITY_ID": r["entity_id"],
                "STATUS_ID": r["status_id"],
                "NAME": r["name"],
                "NAME_INIT": r["name_init"],
                "SORT": str(r["sort"]),
                "SYSTEM": r["system"],
                "COLOR": r["color"],
                "SEMANTICS": _SEMANTICS.get(str(r["semantics"] or "")),
                "CATEGORY_ID": None if r["category_id"] is None else str(r["category_id"]),
            }
            for r in store.rows(db, "SELECT * FROM status WHERE entity_id = ? ORDER BY id", (entity,))
        ]
        head: dict[str, Any] = {"ID": entity, "NAME": entity}
        if entity == "DEAL_STAGE":
            head = {"ID": entity, "NAME": default_name, "ENTITY_TYPE_ID": 2, "CATEGORY_ID": 0}
        elif entity.startswith("DEAL_STAGE_"):
            category = int(entity.removeprefix("DEAL_STAGE_"))
            head = {
                "ID": entity,
                "NAME": names.get(category, entity),
                "PARENT_ID": "DEAL_STAGE",
                "ENTITY_TYPE_ID": 2,
                "CATEGORY_ID": category,
                "PREFIX": f"C{category}",
            }
        elif entity == "STATUS":  # CCrmStatus::GetEntityTypes()['STATUS'] (SEMANTIC_INFO left out)
            head = {"ID": entity, "NAME": LEAD_STATUSES_NAME, "ENTITY_TYPE_ID": 1}
        elif entity.startswith("DYNAMIC_"):
            # CCrmStatus::getDynamicEntities(): NAME is the message CRM_STATUS_TYPE_STATUS_WITH_CATEGORY
            # with #NAME# the type's title and #CATEGORY# the pipeline's name — the only place the
            # export names the type (the vertical_crm export has no smart-process types of its own).
            # The message's wording is UNVERIFIED (the lang file is not in the mirrors): readers
            # find the two names in it, whatever words surround them.
            type_id, category = (int(part) for part in entity.split("_")[1::2])
            head = {
                "ID": entity,
                "NAME": STAGES_WITH_CATEGORY.format(
                    name=types.get(type_id, entity), category=categories.get(category, "")
                ),
                "SEMANTIC_INFO": [],
                "PREFIX": f"DT{type_id}_{category}",
                "ENTITY_TYPE_ID": type_id,
                "IS_ENABLED": True,
                "CATEGORY_ID": category,
            }
        out[f"CRM_STATUS/{entity}.json"] = {"ENTITY": head, "ITEMS": items, "COLOR_SETTING": []}
    return out


def _bizproc_files(db: sqlite3.Connection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    step = 0
    for row in store.rows(db, "SELECT id, data FROM bp_template ORDER BY id"):
        data = json.loads(row["data"])
        if data.get("MODULE_ID") != "crm":
            continue
        document_type = data.get("DOCUMENT_TYPE")
        out[f"BIZPROC_MAIN/{step}.json"] = {
            "ID": str(row["id"]),
            "MODULE_ID": "crm",
            "ENTITY": data.get("ENTITY"),
            "DOCUMENT_TYPE": document_type[2] if isinstance(document_type, list) else document_type,
            "DOCUMENT_STATUS": data.get("DOCUMENT_STATUS"),
            "NAME": data.get("NAME"),
            "AUTO_EXECUTE": data.get("AUTO_EXECUTE"),
            "DESCRIPTION": data.get("DESCRIPTION"),
            "SYSTEM_CODE": data.get("SYSTEM_CODE"),
            "ORIGINATOR_ID": None,
            "ORIGIN_ID": None,
            # Bpt::makePackageData: plain JSON here (serialize/gzip belong to .bpt files only).
            "TEMPLATE_DATA": {
                "VERSION": 2,
                "TEMPLATE": data.get("TEMPLATE") or [],
                "PARAMETERS": [],
                "VARIABLES": [],
                "CONSTANTS": [],
                "DOCUMENT_FIELDS": {},
            },
        }
        step += 1
    return out


def configuration_zip(db: sqlite3.Connection) -> bytes:
    """The portal's configuration export (the "vertical_crm" manifest) as a ZIP."""
    files: dict[str, Any] = {
        "manifest.json": {
            "CODE": "vertical_crm",
            "VERSION": 1,
            "MANIFEST_VERSION": 1,
            "USES": ["app", "crm", "bizproc_crm", "landing"],
        },
        **_status_files(db),
        **_bizproc_files(db),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, doc in files.items():
            archive.writestr(name, json.dumps(doc, ensure_ascii=False))
    return buffer.getvalue()
