"""What a trace needs to be replayed against the same emulator: its seed, plan and quirks.

A trace recorded against ``emulator serve --seed handmade`` (or ``--license``, ``--quirks``) cannot be
replayed against a fresh, unseeded emulator: every answer about the hand-made pipelines would
differ. So the emulator names what it was started with in each answer's ``X-B24-Emulator-Replay``
header (compact JSON, the form of a trace header's ``"replay"``: ``seed``, ``license``, ``quirks``,
``rest_access``; only what differs from a default emulator). It is the emulator's own header, which
no real portal sends, and it holds no secret. The trace recorder copies it into the trace's header
(portal/trace.py), and :func:`.replay.settings_from_header` and the seed step of replay read it.

The seed is kept in the state's ``meta`` table, so a ``--state`` file seeded once still says so.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields

from b24provision.emulator import store
from b24provision.emulator.settings import PortalSettings, Quirks

HEADER = "X-B24-Emulator-Replay"
_SEED_KEY = "seeds"
_DEFAULT_LICENSE = PortalSettings.__dataclass_fields__["license"].default


def remember_seed(db: sqlite3.Connection, name: str) -> None:
    """Note that seed ``name`` was loaded (seeds add up: "a,b")."""
    seeds = [s for s in (store.get_meta(db, _SEED_KEY) or "").split(",") if s]
    store.set_meta(db, _SEED_KEY, ",".join([*seeds, name]))


def replay_hint(settings: PortalSettings, db: sqlite3.Connection) -> str:
    """The header's value: what differs from ``emulator serve`` with no options ("" if nothing)."""
    hint: dict[str, object] = {}
    if seeds := store.get_meta(db, _SEED_KEY):
        hint["seed"] = seeds
    if settings.license != _DEFAULT_LICENSE:
        hint["license"] = settings.license
    docs = Quirks()
    quirks = [
        f"{f.name}={getattr(settings.quirks, f.name)}"
        for f in fields(Quirks)
        if getattr(settings.quirks, f.name) != getattr(docs, f.name)
    ]
    if quirks:
        hint["quirks"] = quirks
    if settings.rest_access is not None:
        hint["rest_access"] = settings.rest_access
    return json.dumps(hint, separators=(",", ":")) if hint else ""
