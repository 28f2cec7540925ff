"""The emulator's public test API: arrange and check the ground truth of an emulated portal.

A test talks to the portal the way the provisioner does, over HTTP. Some things it needs are not a
REST call away, and this module is where they live, so that tests never reach into the emulator's
store (its SQLite schema) or its private methods:

* arrange: :func:`by_hand` runs a method as a person working in the portal's UI would (no request
  log, no faults, no webhook rights), for pipelines, stages, fields and deals "made by hand";
  :func:`seed_rewritten` loads a seed as another portal would hold it (other random codes);
  ``Emulator.put_stage_robots``/``put_stage_template``/``seed`` place robots and whole portals;
* check: :func:`deals`, :func:`pipeline_names`, :func:`stage_codes`, :func:`field_names`,
  :func:`enum_items`, :func:`app_robot`, :func:`robot_template_count` read what the portal holds
  straight from its state, not through our reader (a bug there must not hide a duplicate it made);
* faults the switchboard (emulator.faults) cannot express, because they strike inside a request:
  :class:`EmulatorUnderTest` crashes at the n-th write sub-call of a batch, or holds the first write;
* serving: :class:`PortalPool` keeps running servers for a whole test session and hands out a fresh
  portal each time (stopping a server costs up to 0.5 s, its poll interval; a reset almost nothing).

Like the rest of the emulator, this module imports nothing from the rest of b24provision.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from b24provision.emulator import store
from b24provision.emulator.app import Emulator
from b24provision.emulator.faults import Faults
from b24provision.emulator.registry import is_write
from b24provision.emulator.seeds import SEEDS
from b24provision.emulator.server import RunningServer, serve_in_thread
from b24provision.emulator.settings import PortalSettings

__all__ = [
    "Deal",
    "EmulatorUnderTest",
    "PortalPool",
    "ServerCrash",
    "app_robot",
    "by_hand",
    "deals",
    "default_deal_stages",
    "enum_items",
    "field_names",
    "pipeline_ids",
    "pipeline_names",
    "robot_template_count",
    "seed_rewritten",
    "stage_codes",
    "stage_ids",
]

LOCK_FIELD = "B24P_LOCK"  # FIELD_NAME of the portal lock (UF_CRM_B24P_LOCK), prefixed or not


# --- arrange ------------------------------------------------------------------------------------


def by_hand(emulator: Emulator, method: str, params: dict[str, Any] | None = None) -> Any:
    """Run ``method`` as a person in the portal's UI would: not logged, no faults, no webhook rights.

    Returns the method's ``result`` (the first page of a list). Like a request, it waits for the one
    in flight and is all or nothing."""
    with emulator._lock, emulator._transaction():
        return emulator._internal_call(method, params or {})


def seed_rewritten(emulator: Emulator, name: str, replace: dict[str, str]) -> None:
    """Load the seed ``name`` as another portal's UI would have made it: every text of ``replace``
    (a random stage code, an XML_ID) swapped in every call the seed makes."""

    def rewrite(method: str, params: dict[str, Any]) -> Any:
        text = json.dumps(params, ensure_ascii=False)
        for old, new in replace.items():
            text = text.replace(old, new)
        return emulator._internal_call(method, json.loads(text))

    with emulator._lock, emulator._transaction():
        SEEDS[name](rewrite, emulator.db)


# --- check: the portal's ground truth -------------------------------------------------------------


@dataclass(frozen=True)
class Deal:
    id: int
    category_id: int
    stage_id: str


def deals(emulator: Emulator) -> list[Deal]:
    """Every deal on the portal, in id order."""
    rows = _rows(emulator, "SELECT id, category_id, stage_id FROM deal ORDER BY id")
    return [Deal(int(r[0]), int(r[1]), str(r[2])) for r in rows]


def pipeline_names(emulator: Emulator) -> list[str]:
    """The names of the portal's deal pipelines besides the default one, duplicates kept, in id order."""
    return [str(r[0]) for r in _rows(emulator, "SELECT name FROM category ORDER BY id")]


def pipeline_ids(emulator: Emulator) -> dict[str, int]:
    """Pipeline name -> id, besides the default pipeline (id 0)."""
    return {str(r[1]): int(r[0]) for r in _rows(emulator, "SELECT id, name FROM category ORDER BY id")}


def stage_ids(emulator: Emulator, category_id: int | None = None) -> list[tuple[int, str]]:
    """(pipeline id, STATUS_ID) of every deal stage (of one pipeline if given), duplicates kept."""
    rows = _rows(
        emulator,
        "SELECT entity_id, status_id FROM status WHERE entity_id LIKE 'DEAL_STAGE%' ORDER BY sort, id",
    )
    found = [(_category_of(str(r[0])), str(r[1])) for r in rows]
    return [s for s in found if category_id is None or s[0] == category_id]


def stage_codes(emulator: Emulator, category_id: int) -> list[str]:
    """A pipeline's stage codes in board order, without the ``C<id>:`` prefix."""
    return [status_id.split(":", 1)[-1] for _, status_id in stage_ids(emulator, category_id)]


def field_names(emulator: Emulator) -> list[str]:
    """FIELD_NAME of every deal user field, duplicates kept (the portal lock's field too)."""
    return [str(r[0]) for r in _rows(emulator, "SELECT field_name FROM userfield ORDER BY id")]


def enum_items(emulator: Emulator) -> list[tuple[str, str]]:
    """(FIELD_NAME, XML_ID) of every list item of every enumeration field, duplicates kept."""
    rows = _rows(
        emulator,
        "SELECT u.field_name, e.xml_id FROM enum_item e JOIN userfield u ON u.id = e.field_id ORDER BY e.id",
    )
    return [(str(r[0]), str(r[1])) for r in rows]


def enum_item_ids(emulator: Emulator, field_name: str) -> dict[str, int]:
    """Text (VALUE) -> id of the list items of one enumeration field (by FIELD_NAME). By text, not
    XML_ID: a portal following the core's reading keeps no XML_ID it was sent (reference §13.1)."""
    rows = _rows(
        emulator,
        "SELECT e.value, e.id FROM enum_item e JOIN userfield u ON u.id = e.field_id WHERE u.field_name = ?",
        (field_name,),
    )
    return {str(r[0]): int(r[1]) for r in rows}


def app_robot(emulator: Emulator, code: str) -> dict[str, Any]:
    """What the portal stored for an application's robot (bizproc.robot.add's fields, as saved)."""
    found = _rows(emulator, "SELECT data FROM app_activity WHERE kind = 'robot' AND code = ?", (code,))
    if not found:
        raise LookupError(f"no app robot {code!r} on the portal")
    data: dict[str, Any] = json.loads(str(found[0][0]))
    return data


def robot_template_count(emulator: Emulator) -> int:
    """Robot (bizproc) templates the portal holds: one per stage that has robots."""
    return int(_rows(emulator, "SELECT count(*) FROM bp_template")[0][0])


def default_deal_stages() -> list[tuple[str, str | None]]:
    """(code, semantics: None, "S" or "F") of the stages a fresh portal's default pipeline has."""
    return [(row[0], row[3]) for row in store.DEFAULT_DEAL_STAGES]


def _rows(emulator: Emulator, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
    """The rows of a query on the portal's state, read between requests (never half-way through one)."""
    with emulator._lock:
        return list(emulator.db.execute(sql, args).fetchall())


def _category_of(entity_id: str) -> int:
    return 0 if entity_id == "DEAL_STAGE" else int(entity_id.rsplit("_", 1)[1])


# --- faults inside a request ----------------------------------------------------------------------


class ServerCrash(Exception):
    """The portal's PHP process died part-way through a batch."""


class EmulatorUnderTest(Emulator):
    """The emulator, plus two faults its switchboard lacks, both inside a write:

    * :meth:`crash_at_write`: the n-th write sub-call (counted from when it was armed) finds the
      server dying: the sub-calls before it stay done (a real portal commits each command on its
      own), the rest of the batch never runs, and the client gets HTTP 500;
    * :meth:`hold_first_write`: the first write besides the portal lock's field sleeps a while (a
      slow portal's batch); ``in_write`` is set when it starts.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crash_at: int | None = None
        self.write_sub_calls = 0
        self.hold = 0.0
        self.in_write = threading.Event()

    def crash_at_write(self, n: int | None) -> None:
        """Crash at the n-th write sub-call from now (None: never); restarts the count."""
        self.crash_at = n
        self.write_sub_calls = 0

    def hold_first_write(self, seconds: float) -> None:
        self.hold = seconds
        self.in_write.clear()

    def reset(self, seed: str | None = None) -> None:
        super().reset(seed)
        self.crash_at_write(None)
        self.hold_first_write(0.0)

    def _sub_call(self, name: str, params: dict[str, Any], auth: Any, base_url: str) -> Any:
        if is_write(name.strip().lower()):
            self.write_sub_calls += 1
            if self.write_sub_calls == self.crash_at:
                self.db.execute("COMMIT")  # what ran before the crash stays
                self.db.execute("BEGIN")
                raise ServerCrash(f"crash at write sub-call {self.crash_at} ({name})")
            # The lock's field (the first write of every apply) is not one of the plan's writes.
            if self.hold and LOCK_FIELD not in str(params) and not self.in_write.is_set():
                self.in_write.set()
                time.sleep(self.hold)
        return super()._sub_call(name, params, auth, base_url)


# --- serving ----------------------------------------------------------------------------------------


class PortalPool:
    """Running servers kept for a test session; :meth:`take` hands out a fresh portal on one of them.

    A server handed out is the caller's until :meth:`release`: a test that takes two portals gets
    two servers. Each hand-out is what a new ``Emulator(":memory:", settings)`` would be — the
    settings (a copy: what a test changes on ``emulator.settings`` stays with that test), an empty
    portal (optionally seeded), an empty request log, no faults, no rate-limit history — without
    starting a server. (The emulator reads its settings on every request, so any server will do.)
    """

    def __init__(self) -> None:
        self._free: list[RunningServer] = []
        self._taken: list[RunningServer] = []

    def take(self, settings: PortalSettings, seed: str | None = None) -> RunningServer:
        """A fresh portal with (a copy of) ``settings``, served over HTTP."""
        if self._free:
            server = self._free.pop()
            server.app.settings = copy.deepcopy(settings)
            server.app.faults = Faults()
        else:
            server = serve_in_thread(EmulatorUnderTest(":memory:", copy.deepcopy(settings)))
        server.app.reset(seed)
        self._taken.append(server)
        return server

    def release(self, server: RunningServer) -> None:
        """The test is done with ``server``: the next :meth:`take` may hand it out again."""
        if server in self._taken:
            self._taken.remove(server)
            self._free.append(server)

    def close(self) -> None:
        for server in self._free + self._taken:
            server.shutdown()
        self._free.clear()
        self._taken.clear()
