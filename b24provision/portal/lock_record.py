"""The portal lock's record: the field that is the lock, and who holds it as the field says.

The lock is a deal user field, ``LOCK_FIELD``, named with the tool's own prefix (keys.TOOL_PREFIX;
the field prefix from the entity table), whose XML_ID and label keep the holder (user@host, pid,
tool version, since when, a random token) so that a waiting run, ``plan`` and ``force-unlock`` can
name it. How the lock is taken and released is in ``portal/lock.py``.
"""

from __future__ import annotations

import getpass
import os
import secrets
import socket
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from b24provision import __version__
from b24provision.entities.types import DEAL
from b24provision.keys import TOOL_PREFIX

LOCK_ENTITY = DEAL
"""The entity whose user field is the lock (its ``userfields`` methods take and release it)."""
LOCK_FIELD = LOCK_ENTITY.field_name(f"{TOOL_PREFIX}LOCK")
RESERVED_PREFIX = LOCK_ENTITY.field_name(TOOL_PREFIX)
"""Fields the tool itself creates for a while (the lock, doctor's probes): never managed, never
reported as unmanaged."""
_MARK = "b24provision-lock:"


def is_reserved(field_name: str) -> bool:
    """A field the tool creates for itself (named with ``RESERVED_PREFIX``)."""
    return field_name.upper().startswith(RESERVED_PREFIX)


@dataclass(frozen=True)
class LockHolder:
    """Who holds a portal's lock, as its field records it."""

    who: str
    """user@host of the run."""
    pid: int
    tool: str
    """The b24provision version of the run."""
    since: str
    """When it took the lock, UTC, ISO 8601."""
    token: str
    """Random per run: tells a run its own lock from another's."""
    field_id: int | None = None

    @classmethod
    def for_this_run(cls, now: datetime | None = None) -> LockHolder:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no user name in some containers
            user = "unknown"
        who = os.environ.get("B24_LOCK_HOLDER") or f"{user}@{socket.gethostname()}"
        return cls(
            who=who[:80],
            pid=os.getpid(),
            tool=__version__,
            since=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
            token=secrets.token_hex(8),
        )

    def describe(self, now: datetime | None = None) -> str:
        """``alice@laptop (pid 4242, b24provision 0.1.0) since 2026-12-01 08:33:31 UTC (5 min ago)``."""
        when = self.since
        age = ""
        try:
            started = datetime.fromisoformat(self.since)
            when = started.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            age = f" ({_age((now or datetime.now(UTC)) - started)})"
        except ValueError:
            pass
        return f"{self.who} (pid {self.pid}, b24provision {self.tool}) since {when}{age}"

    def running_here(self) -> bool:
        """The holder is a process that still runs on this machine (so its lock is not stale)."""
        if not self.who.endswith(f"@{socket.gethostname()}") or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # it exists, as another user's process
            return True
        return True

    def encode(self) -> str:
        """The record kept in the field's XML_ID and label (under 255 characters, the column size)."""
        record = {
            "who": self.who,
            "pid": self.pid,
            "tool": self.tool,
            "since": self.since,
            "token": self.token,
        }
        return _MARK + urlencode(record)

    @classmethod
    def decode(cls, text: str, field_id: int | None = None) -> LockHolder | None:
        """The holder a record names; None when ``text`` is not a lock record."""
        start = text.find(_MARK)
        if start < 0:
            return None
        record = dict(parse_qsl(text[start + len(_MARK) :].strip()))
        try:
            pid = int(record.get("pid", "0"))
        except ValueError:
            pid = 0
        return cls(
            who=record.get("who", "unknown"),
            pid=pid,
            tool=record.get("tool", "?"),
            since=record.get("since", "?"),
            token=record.get("token", ""),
            field_id=field_id,
        )


def holder_from_rows(rows: Sequence[Any]) -> LockHolder | None:
    """The lock among the lock entity's userfield list rows, if the portal is locked.

    A lock field whose record cannot be read (someone edited it) still locks the portal: its holder is
    "unknown", and its token matches no run.
    """
    for row in rows:
        if not isinstance(row, Mapping) or str(row.get("FIELD_NAME", "")).upper() != LOCK_FIELD:
            continue
        field_id = _int(row.get("ID"))
        for text in _texts(row):
            holder = LockHolder.decode(text, field_id)
            if holder is not None:
                return holder
        return LockHolder(
            who="unknown (the lock's record is unreadable)", pid=0, tool="?", since="?", token=""
        )
    return None


def lock_fields(holder: LockHolder) -> dict[str, Any]:
    record = holder.encode()
    return {
        "FIELD_NAME": LOCK_FIELD,
        "USER_TYPE_ID": "string",
        "XML_ID": record,
        "LABEL": f"b24provision lock (an apply is running) {record}"[:255],
        "SORT": 99999,  # last: never the field the reader probes for the portal's languages
        "SHOW_FILTER": "N",
        "SHOW_IN_LIST": "N",
        "EDIT_IN_LIST": "N",
        "IS_SEARCHABLE": "N",
    }


def _texts(row: Mapping[str, Any]) -> Iterator[str]:
    """Where a lock record may be: XML_ID, then the labels (strings in a list, maps in a get)."""
    for key in ("XML_ID", "EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL"):
        value = row.get(key)
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            yield from (str(v) for v in value.values() if v)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _age(delta: Any) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


__all__ = [
    "LOCK_ENTITY",
    "LOCK_FIELD",
    "RESERVED_PREFIX",
    "LockHolder",
    "holder_from_rows",
    "is_reserved",
    "lock_fields",
]
