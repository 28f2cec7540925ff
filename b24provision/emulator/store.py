"""The portal's state in SQLite, and what a fresh portal holds.

One connection serves every server thread (requests are serialised by the app's lock), in
autocommit mode with explicit BEGIN/COMMIT per HTTP request and a SAVEPOINT per batch sub-call, so a
request that fails part-way leaves nothing half done.

A fresh portal (reference §5.1, §6, invariants from the real product): the default deal pipeline
(id 0, not a row of ``category``: Bitrix keeps it outside b_crm_deal_category too) with its eight
default stages, a few rows in the other CRM directories (lead statuses, sources, deal types...), and
no custom fields.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from b24provision.emulator.directories import DEFAULT_DIRECTORIES
from b24provision.emulator.directories import DIRECTORY_NAMES as DIRECTORY_NAMES

SCHEMA_VERSION = "3"  # 2: userfield.entity_id; leads, contacts, companies, smart processes; 3: deal.source_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS category (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, sort INTEGER NOT NULL,
    origin_id TEXT NOT NULL DEFAULT '', originator_id TEXT NOT NULL DEFAULT '',
    is_locked TEXT NOT NULL DEFAULT 'N', created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS status (
    id INTEGER PRIMARY KEY AUTOINCREMENT, entity_id TEXT NOT NULL, status_id TEXT NOT NULL,
    name TEXT NOT NULL, name_init TEXT NOT NULL DEFAULT '', sort INTEGER NOT NULL,
    system TEXT NOT NULL DEFAULT 'N', color TEXT, semantics TEXT, category_id INTEGER,
    UNIQUE (entity_id, status_id));
CREATE TABLE IF NOT EXISTS user_type (id TEXT PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS userfield (
    id INTEGER PRIMARY KEY AUTOINCREMENT, entity_id TEXT NOT NULL DEFAULT 'CRM_DEAL',
    field_name TEXT NOT NULL, user_type_id TEXT NOT NULL,
    xml_id TEXT, sort INTEGER NOT NULL, multiple TEXT NOT NULL, mandatory TEXT NOT NULL,
    show_filter TEXT NOT NULL, show_in_list TEXT NOT NULL, edit_in_list TEXT NOT NULL,
    is_searchable TEXT NOT NULL, settings TEXT NOT NULL, labels TEXT NOT NULL,
    UNIQUE (entity_id, field_name));
CREATE TABLE IF NOT EXISTS enum_item (
    id INTEGER PRIMARY KEY AUTOINCREMENT, field_id INTEGER NOT NULL, value TEXT NOT NULL,
    sort INTEGER NOT NULL, def TEXT NOT NULL, xml_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, category_id INTEGER NOT NULL,
    stage_id TEXT NOT NULL, opportunity REAL NOT NULL DEFAULT 0, currency_id TEXT NOT NULL,
    assigned_by_id INTEGER NOT NULL, date_create TEXT NOT NULL, date_modify TEXT NOT NULL,
    closedate TEXT, uf TEXT NOT NULL DEFAULT '{}', type_id TEXT NOT NULL DEFAULT 'SALE', source_id TEXT);
CREATE TABLE IF NOT EXISTS stage_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type_id INTEGER NOT NULL, owner_id INTEGER NOT NULL,
    created_time TEXT NOT NULL, category_id INTEGER NOT NULL, stage_semantic_id TEXT NOT NULL,
    stage_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS app_activity (
    client_id TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (client_id, kind, code));
CREATE TABLE IF NOT EXISTS app_trigger (
    client_id TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (client_id, code));
CREATE TABLE IF NOT EXISTS bp_template (
    id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS crm_type (
    id INTEGER PRIMARY KEY AUTOINCREMENT, entity_type_id INTEGER NOT NULL UNIQUE, title TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '', flags TEXT NOT NULL, relations TEXT NOT NULL, created TEXT NOT NULL,
    updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS item_category (
    id INTEGER PRIMARY KEY AUTOINCREMENT, entity_type_id INTEGER NOT NULL, name TEXT NOT NULL,
    sort INTEGER NOT NULL, is_default TEXT NOT NULL DEFAULT 'N', code TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS crm_item (
    id INTEGER PRIMARY KEY AUTOINCREMENT, entity_type_id INTEGER NOT NULL, category_id INTEGER,
    stage_id TEXT, title TEXT NOT NULL DEFAULT '', fields TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_token (
    token TEXT PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, expires REAL NOT NULL);
"""

TABLES = (
    "meta category status user_type userfield enum_item deal stage_history app_activity app_trigger "
    "bp_template oauth_token crm_type item_category crm_item"
).split()

DEFAULT_PIPELINE_NAME = {"ru": "Общее", "en": "General", "de": "Allgemein"}

# (code, sort, system, semantics, colour, EXTRA.SEMANTICS, {lang: name}).
# Sorts/SYSTEM/semantics: S18 CCrmStatus::GetDefaultDealStages; NEW's colour is in the reference's
# list example; the other colours are the ones the Bitrix UI shows for new pipelines (UNVERIFIED).
DEFAULT_DEAL_STAGES: tuple[tuple[str, int, str, str | None, str, str, dict[str, str]], ...] = (
    ("NEW", 10, "Y", None, "#39A8EF", "process", {"ru": "Новая", "en": "New"}),
    (
        "PREPARATION",
        20,
        "N",
        None,
        "#2FC6F6",
        "process",
        {"ru": "Подготовка документов", "en": "Create papers"},
    ),
    (
        "PREPAYMENT_INVOICE",
        30,
        "N",
        None,
        "#55D0E0",
        "process",
        {"ru": "Счёт на предоплату", "en": "Invoice"},
    ),
    ("EXECUTING", 40, "N", None, "#47E4C2", "process", {"ru": "В работе", "en": "In progress"}),
    ("FINAL_INVOICE", 50, "N", None, "#FFA900", "process", {"ru": "Финальный счёт", "en": "Final invoice"}),
    ("WON", 60, "Y", "S", "#7BD500", "success", {"ru": "Сделка успешна", "en": "Deal won"}),
    ("LOSE", 70, "Y", "F", "#FF5752", "failure", {"ru": "Сделка провалена", "en": "Deal lost"}),
    (
        "APOLOGY",
        80,
        "N",
        "F",
        "#FF5752",
        "apology",
        {"ru": "Анализ причины провала", "en": "Analyze failure"},
    ),
)

# The other directories a fresh portal has (lead statuses, sources, types...): emulator/directories.py.
OTHER_DIRECTORIES = DEFAULT_DIRECTORIES


def localized(names: dict[str, str], language: str) -> str:
    return names.get(language) or names.get("en") or next(iter(names.values()))


def connect(state: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the state database; shared across threads behind the app's lock."""
    db = sqlite3.connect(str(state), check_same_thread=False, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys = OFF")
    if str(state) != ":memory:":
        db.execute("PRAGMA journal_mode = WAL")
    return db


def is_initialised(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
    if row is None:
        return False
    return get_meta(db, "schema_version") == SCHEMA_VERSION


def get_meta(db: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row["value"])


def set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def create_default_stages(db: sqlite3.Connection, category_id: int, language: str) -> None:
    """The eight stages every new deal pipeline starts with (``C<id>:`` prefixed outside pipeline 0)."""
    entity = stage_entity(category_id)
    prefix = stage_prefix(category_id)
    for code, sort, system, semantics, color, _extra, names in DEFAULT_DEAL_STAGES:
        name = localized(names, language)
        db.execute(
            "INSERT INTO status (entity_id, status_id, name, name_init, sort, system, color, semantics,"
            " category_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entity, prefix + code, name, name, sort, system, color, semantics, category_id or None),
        )


def stage_entity(category_id: int) -> str:
    return "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"


def stage_prefix(category_id: int) -> str:
    return "" if category_id == 0 else f"C{category_id}:"


def initialise(db: sqlite3.Connection, language: str) -> None:
    """Drop everything and build a fresh portal."""
    for table in TABLES:
        db.execute(f"DROP TABLE IF EXISTS {table}")
    if _has_sequence(db):  # ids start again from 1, as on a new portal
        db.execute("DELETE FROM sqlite_sequence")
    db.executescript(SCHEMA)
    set_meta(db, "schema_version", SCHEMA_VERSION)
    set_meta(db, "default_category_name", localized(DEFAULT_PIPELINE_NAME, language))
    # DealCategory::getDefaultCategorySort(): 0 until someone sets it (reference §13.10; the real
    # capture's 100 is a portal where it was set).
    set_meta(db, "default_category_sort", "0")
    create_default_stages(db, 0, language)
    for entity, rows in OTHER_DIRECTORIES.items():
        for code, sort, system, semantics, color, names in rows:
            name = localized(names, language)
            db.execute(
                "INSERT INTO status (entity_id, status_id, name, name_init, sort, system, semantics, color)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (entity, code, name, name, sort, system, semantics, color),
            )


def _has_sequence(db: sqlite3.Connection) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'").fetchone()
        is not None
    )


def one(db: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(sql, args).fetchone()
    return row


def rows(db: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    return list(db.execute(sql, args).fetchall())
