"""Smart processes (dynamic CRM types) as the portal stores them: types, their pipelines, stages.

A type has two ids (``crm.type.*``, ``api-reference/crm/universal/user-defined-object-types/``):
``id``, the row of ``b_crm_dynamic_type`` (1, 2, 3 ... on every portal), which names its fields
(entity ``CRM_<id>``, field names ``UF_CRM_<id>_...``), and ``entityTypeId``, the CRM type id every
other method takes (``crm.item.*``, ``crm.category.*``, stage directories). The docs: an
``entityTypeId`` sent must be unique and either even and at least 1030 or within 128..192; when none
is sent one is generated: here the lowest free even number from 1030 (new portals' range; older
portals got 128+, UNVERIFIED which range the cloud draws from today).

Every type has a default pipeline, also when ``isCategoriesEnabled`` is N (the switch only allows
more of them); its pipelines' ids come from one sequence shared by all types (``b_crm_item_category``;
the docs' example has type 177 with pipeline 39). Each new pipeline gets five stages
(``tutorials/crm/how-to-add-crm-objects/how-to-add-category-to-spa.md``): NEW (Start, SYSTEM),
PREPARATION, CLIENT (Approval), SUCCESS (S, SYSTEM), FAIL (F, SYSTEM), in the directory
``DYNAMIC_<entityTypeId>_STAGE_<categoryId>`` with codes ``DT<entityTypeId>_<categoryId>:<CODE>``.
Whether a type with ``isStagesEnabled`` N still has these stages is UNVERIFIED (kept: items need a
stage).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from b24provision.emulator import store

SWITCHES = (
    "isCategoriesEnabled",
    "isStagesEnabled",
    "isBeginCloseDatesEnabled",
    "isClientEnabled",
    "isUseInUserfieldEnabled",
    "isLinkWithProductsEnabled",
    "isMycompanyEnabled",
    "isDocumentsEnabled",
    "isSourceEnabled",
    "isObserversEnabled",
    "isRecyclebinEnabled",
    "isAutomationEnabled",
    "isBizProcEnabled",
    "isSetOpenPermissions",
    "isPaymentsEnabled",
    "isCountersEnabled",
)
"""The Y/N switches of a type, in the order crm.type.get prints them; all N by default except
isSetOpenPermissions (Y), as the crm.type.add docs' table says."""
DEFAULT_ON = frozenset({"isSetOpenPermissions"})
FIRST_NEW_RANGE_ID = 1030
OLD_RANGE = range(128, 193)

# (code, sort, system, semantics, colour, {lang: name}) of a new smart-process pipeline.
DEFAULT_STAGES: tuple[tuple[str, int, str, str | None, str, dict[str, str]], ...] = (
    ("NEW", 10, "Y", None, "#22B9FF", {"ru": "Начало", "en": "Start"}),
    ("PREPARATION", 20, "N", None, "#88B9FF", {"ru": "Подготовка", "en": "Preparation"}),
    ("CLIENT", 30, "N", None, "#10e5fc", {"ru": "Согласование", "en": "Approval"}),
    ("SUCCESS", 40, "Y", "S", "#00ff00", {"ru": "Успех", "en": "Success"}),
    ("FAIL", 50, "Y", "F", "#ff0000", {"ru": "Провал", "en": "Failure"}),
)
DEFAULT_CATEGORY_NAME = {"ru": "Общая", "en": "General"}  # UNVERIFIED wording
_DYNAMIC_STAGE = re.compile(r"^DYNAMIC_(\d+)_STAGE_(\d+)$")


@dataclass(frozen=True)
class StageDirectory:
    """A stage-like directory: deal pipeline stages, or a smart-process pipeline's stages."""

    entity_id: str
    entity_type_id: int
    category_id: int
    prefix: str


def dynamic_directory(entity_id: str) -> StageDirectory | None:
    """``DYNAMIC_<t>_STAGE_<c>`` parsed (whether it exists is the caller's question)."""
    match = _DYNAMIC_STAGE.match(entity_id)
    if not match:
        return None
    type_id, category_id = int(match.group(1)), int(match.group(2))
    return StageDirectory(entity_id, type_id, category_id, dynamic_prefix(type_id, category_id))


def dynamic_entity(entity_type_id: int, category_id: int) -> str:
    return f"DYNAMIC_{entity_type_id}_STAGE_{category_id}"


def dynamic_prefix(entity_type_id: int, category_id: int) -> str:
    return f"DT{entity_type_id}_{category_id}:"


def type_row(db: sqlite3.Connection, entity_type_id: int) -> sqlite3.Row | None:
    return store.one(db, "SELECT * FROM crm_type WHERE entity_type_id = ?", (entity_type_id,))


def type_row_by_id(db: sqlite3.Connection, type_id: int) -> sqlite3.Row | None:
    return store.one(db, "SELECT * FROM crm_type WHERE id = ?", (type_id,))


def flags(row: sqlite3.Row) -> dict[str, str]:
    stored: dict[str, str] = json.loads(row["flags"])
    return stored


def next_entity_type_id(db: sqlite3.Connection) -> int:
    taken = {int(r["entity_type_id"]) for r in store.rows(db, "SELECT entity_type_id FROM crm_type")}
    candidate = FIRST_NEW_RANGE_ID
    while candidate in taken:
        candidate += 2
    return candidate


def valid_entity_type_id(value: int) -> bool:
    return (value >= FIRST_NEW_RANGE_ID and value % 2 == 0) or value in OLD_RANGE


def create_category(
    db: sqlite3.Connection, entity_type_id: int, name: str, sort: int, language: str, *, default: bool
) -> int:
    """A smart-process pipeline with its five default stages."""
    cursor = db.execute(
        "INSERT INTO item_category (entity_type_id, name, sort, is_default) VALUES (?, ?, ?, ?)",
        (entity_type_id, name, max(sort, 0), "Y" if default else "N"),
    )
    category_id = int(cursor.lastrowid or 0)
    entity, prefix = dynamic_entity(entity_type_id, category_id), dynamic_prefix(entity_type_id, category_id)
    for code, stage_sort, system, semantics, color, names in DEFAULT_STAGES:
        title = store.localized(names, language)
        db.execute(
            "INSERT INTO status (entity_id, status_id, name, name_init, sort, system, color, semantics,"
            " category_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entity, prefix + code, title, title, stage_sort, system, color, semantics, category_id),
        )
    return category_id


def categories(db: sqlite3.Connection, entity_type_id: int) -> list[sqlite3.Row]:
    return store.rows(
        db, "SELECT * FROM item_category WHERE entity_type_id = ? ORDER BY sort, id", (entity_type_id,)
    )


def category_row(db: sqlite3.Connection, entity_type_id: int, category_id: int) -> sqlite3.Row | None:
    return store.one(
        db,
        "SELECT * FROM item_category WHERE entity_type_id = ? AND id = ?",
        (entity_type_id, category_id),
    )


def default_category(db: sqlite3.Connection, entity_type_id: int) -> int | None:
    row = store.one(
        db,
        "SELECT id FROM item_category WHERE entity_type_id = ? AND is_default = 'Y'",
        (entity_type_id,),
    )
    return None if row is None else int(row["id"])


def stage_directories(db: sqlite3.Connection) -> list[StageDirectory]:
    """Every smart-process pipeline's stage directory, by type then pipeline."""
    out = []
    for row in store.rows(db, "SELECT * FROM item_category ORDER BY entity_type_id, sort, id"):
        type_id, category_id = int(row["entity_type_id"]), int(row["id"])
        out.append(
            StageDirectory(
                dynamic_entity(type_id, category_id),
                type_id,
                category_id,
                dynamic_prefix(type_id, category_id),
            )
        )
    return out


def delete_type_rows(db: sqlite3.Connection, row: sqlite3.Row) -> None:
    """A type and everything that belongs to it: pipelines, stages, fields (callers check for items)."""
    entity_type_id = int(row["entity_type_id"])
    for category in categories(db, entity_type_id):
        db.execute(
            "DELETE FROM status WHERE entity_id = ?", (dynamic_entity(entity_type_id, category["id"]),)
        )
    db.execute("DELETE FROM item_category WHERE entity_type_id = ?", (entity_type_id,))
    for field in store.rows(db, "SELECT id FROM userfield WHERE entity_id = ?", (f"CRM_{row['id']}",)):
        db.execute("DELETE FROM enum_item WHERE field_id = ?", (field["id"],))
    db.execute("DELETE FROM userfield WHERE entity_id = ?", (f"CRM_{row['id']}",))
    db.execute("DELETE FROM crm_type WHERE id = ?", (row["id"],))


def type_to_wire(row: sqlite3.Row) -> dict[str, Any]:
    """A type as crm.type.get/list/add print it (the docs' example answer's keys)."""
    out: dict[str, Any] = {
        "id": int(row["id"]),
        "title": row["title"],
        "code": row["code"],
        "createdBy": 1,
        "entityTypeId": int(row["entity_type_id"]),
        "customSectionId": None,
    }
    out.update(flags(row))
    out.update(
        {
            "createdTime": row["created"],
            "updatedTime": row["updated"],
            "updatedBy": 1,
            "isInitialized": "Y",
            "relations": json.loads(row["relations"]),
            "linkedUserFields": {},
            "customSections": [],
        }
    )
    return out
