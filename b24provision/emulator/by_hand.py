"""Changes a portal's people make by hand, for tests and fixtures: backdated deals, stage robots.

On a real portal these come from the UI (the robots editor, the designer) or from time passing; the
emulator offers them as Python methods of ``Emulator`` so that tests can build such portals.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from typing import Any, Protocol

from b24provision.emulator import configuration
from b24provision.emulator.wire import PORTAL_TZ, parse_time


class _Transactional(Protocol):
    def __enter__(self) -> None: ...
    def __exit__(self, exc_type: object, exc: object, tb: object) -> None: ...


class HandMadeState:
    """Mixed into ``Emulator``: needs its lock, database and per-call transaction."""

    _lock: threading.RLock
    _db: sqlite3.Connection

    def _transaction(self) -> _Transactional:
        raise NotImplementedError

    def set_stage_history_time(self, deal_id: int, when: datetime | str, stage_id: str | None = None) -> int:
        """Backdate a deal's stage-history rows (only those for ``stage_id`` if given); returns rows changed.

        Moving to a final stage also sets CLOSEDATE, so it moves along; forecasts over a year of won
        deals are built from REST-created deals backdated this way.
        """
        moment = parse_time(when)
        if moment is None:
            raise ValueError(f"not a date: {when!r}")
        stamp = moment.astimezone(PORTAL_TZ).replace(microsecond=0).isoformat()
        with self._lock, self._transaction():
            sql = "UPDATE stage_history SET created_time = ? WHERE owner_id = ?"
            args: tuple[Any, ...] = (stamp, deal_id)
            if stage_id is not None:
                sql += " AND stage_id = ?"
                args += (stage_id,)
            changed = self._db.execute(sql, args).rowcount
            if stage_id is not None:
                self._db.execute(
                    "UPDATE deal SET closedate = ? WHERE id = ? AND stage_id = ?", (stamp, deal_id, stage_id)
                )
            return int(changed)

    def set_deal_dates(
        self,
        deal_id: int,
        *,
        date_create: datetime | str | None = None,
        closedate: datetime | str | None = None,
    ) -> None:
        """Backdate a deal's DATE_CREATE / CLOSEDATE (a creation history row moves with DATE_CREATE)."""
        with self._lock, self._transaction():
            for column, value in (("date_create", date_create), ("closedate", closedate)):
                moment = parse_time(value) if value is not None else None
                if moment is None:
                    continue
                stamp = moment.astimezone(PORTAL_TZ).replace(microsecond=0).isoformat()
                self._db.execute(f"UPDATE deal SET {column} = ? WHERE id = ?", (stamp, deal_id))
                if column == "date_create":
                    self._db.execute(
                        "UPDATE stage_history SET created_time = ? WHERE owner_id = ? AND type_id = 1",
                        (stamp, deal_id),
                    )

    def put_stage_robots(
        self, status_id: str, robots: list[dict[str, Any]], entity_id: str | None = None
    ) -> None:
        """Put robots on a stage "by hand" (emulator-only: on a portal it is the UI's robots editor):
        a deal stage, or of directory ``entity_id`` ("STATUS": a lead status, "DYNAMIC_<t>_STAGE_<c>").
        ``robots`` are in the core's array form, see emulator/configuration.py."""
        with self._lock, self._transaction():
            configuration.put_stage_robots(self._db, status_id, robots, entity_id)

    def put_stage_template(self, status_id: str, tree: list[dict[str, Any]]) -> None:
        """Store any bizproc tree as a stage's robot template (e.g. one edited in the designer)."""
        with self._lock, self._transaction():
            configuration.put_stage_template(self._db, status_id, tree)
