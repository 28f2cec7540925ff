"""The portal lock: one apply at a time on a portal, with the portal itself as the arbiter.

Two applies at once (two people, or CI racing a laptop) would both read the portal, both see a
pipeline missing and both create it: pipeline names are not unique on a portal, so the result is
duplicates. Apply therefore holds a lock on the portal from before the read its writes are based on
until after its last write. No server of our own is involved and a plain webhook is enough: the lock
is an object whose creation the portal makes unique.

**The lock is a deal user field, ``LOCK_FIELD`` (``portal/lock_record.py``).** The core keeps a
unique index on ``ENTITY_ID + FIELD_NAME`` and ``CUserTypeEntity::Add`` refuses a second field of one
name with ``ERROR_CORE`` "The field <name> for entity <entity> already exists." (reference §2.4; two
adds at the same instant are stopped by the index itself, as an SQL error). So of two runs that add
it at once, exactly one succeeds: that run holds the portal. The field records who holds it (user@host,
pid, tool version) and since when, in its XML_ID and its label, so the other run, ``plan`` and
``force-unlock`` can say so. Apply deletes the field when it is done, whatever the outcome.

Taking and releasing the lock cost no request of their own: the add goes first in the batch that
reads the portal (the portal runs a batch in order, so that read is made under the lock; it is the
read the plan and the writes use), the delete last in the batch of the check after the writes.

- Taking the lock is a write whose outcome may be unknown (a timeout, a dropped answer): it is never
  resent blindly. The lock field is read back, and the run holds the portal only if the field there
  carries this run's own random token.
- A run that is waiting reads the lock every few seconds and tries again once it is gone, up to a
  bounded time (``apply --lock-timeout``), then refuses, naming the holder and since when.
- A run that was killed (kill -9, a lost CI runner) leaves its field behind: ``b24provision
  force-unlock`` shows the holder, asks, and deletes it (as ``terraform force-unlock`` does).
- ``plan`` never takes the lock (it only reads), but says when the portal is locked.
- Fields named with ``RESERVED_PREFIX`` (the tool's prefix) are its own temporary objects: the
  reader leaves them out of the live state, so they never show as unmanaged fields in plan, export
  or diff.

The lock serialises b24provision runs. A person creating a pipeline in the portal's UI meanwhile is
not stopped by it: apply also reads the pipeline names again right before creating pipelines (see
``apply.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from b24provision.errors import B24ProvisionError, LockError, OutcomeUnknown, PortalAuthError, PortalError
from b24provision.portal.client import PortalClient
from b24provision.portal.envelope import Command
from b24provision.portal.lock_record import (
    LOCK_ENTITY,
    LOCK_FIELD,
    RESERVED_PREFIX,
    LockHolder,
    holder_from_rows,
    is_reserved,
    lock_fields,
)

if TYPE_CHECKING:
    from b24provision.state.live import LiveState

_FIELDS = LOCK_ENTITY.userfields
_ATTEMPTS = 5
"""Tries to take a free lock in a row (each after a re-read) before giving up."""

Say = Callable[[str], None]


def read_lock(client: PortalClient) -> LockHolder | None:
    """Who holds the portal's lock now (one request), or None when it is free."""
    # The filter keeps the answer to one row; were a portal to ignore it, every page is read and the
    # rows are searched here anyway. LANG brings the labels (a second place the record is kept).
    rows = client.call_all(_FIELDS.method("list"), {"filter": {"FIELD_NAME": LOCK_FIELD, "LANG": "en"}})
    return holder_from_rows(rows)


ReadAfter = Callable[[Sequence[Command], Sequence[Command]], tuple["LiveState", Mapping[str, PortalError]]]
"""Sends commands, reads the portal, sends more commands, in one request (``state.rest.read_after``)."""


def acquire(
    client: PortalClient,
    holder: LockHolder,
    read: ReadAfter,
    *,
    wait: float,
    unlock_hint: str,
    say: Say | None = None,
    poll: float = 5.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[LockHolder, LiveState]:
    """Take the portal's lock for ``holder`` and read the portal under it, waiting up to ``wait``
    seconds while another run holds it.

    The lock's add and the read travel in one batch, the add first: the portal runs a batch in order,
    so when the read shows this run's own lock, it was made under the lock (and costs no request of
    its own). Returns ``holder`` with the lock field's id, and that read.

    Raises:
        LockError: another run holds the portal after ``wait`` seconds (the message names it and since
            when, and gives ``unlock_hint``, the force-unlock command), or the portal refused to create
            the lock field for another reason (its own words).
        PortalError: the portal could not be read.
    """
    deadline = clock() + wait
    add = Command("b24p_lock", _FIELDS.method("add"), {"fields": lock_fields(holder)})
    told = False
    tries = 0
    while True:
        try:
            try:
                live, errors = read([add], ())
                refused = errors.get(add.key)
            except OutcomeUnknown:
                # The add may have happened: it is not resent blindly; a read alone says whose lock it is.
                live, _ = read((), ())
                refused = None
        except B24ProvisionError:
            # The batch ran but what it read cannot be used (e.g. two pipelines of one name): the lock
            # it may have taken must not stay behind.
            _drop_if_ours(client, holder)
            raise
        current = live.lock
        if current is not None and current.token == holder.token:
            return current, live
        tries += 1
        if current is None:
            # Free now. Either the holder let go between our add and our read ("already exists"), or
            # the add's outcome was unknown and it did not happen: adding again cannot duplicate
            # anything (the name is unique). Any other refusal is the portal's word on why not.
            if isinstance(refused, PortalAuthError):
                raise refused
            if refused is not None and not _lost_the_race(refused):
                raise LockError(
                    f"cannot take the portal lock (a deal field {LOCK_FIELD}): {refused.message} — "
                    "apply needs the right to change CRM settings, and one free custom field"
                ) from None
            if tries >= _ATTEMPTS:
                raise LockError(
                    f"cannot take the portal lock (a deal field {LOCK_FIELD}): {tries} tries did not "
                    "leave it created — check the portal, then re-run apply"
                )
            continue
        tries = 0
        if deadline - clock() <= 0:
            raise LockError(
                f"the portal is locked by {current.describe()}: another apply is running on it — wait for "
                f"it to finish (or give --lock-timeout SECONDS to wait), then re-run; if that run was "
                f"killed, remove its lock with `{unlock_hint}`"
            )
        if say is not None and not told:
            say(f"The portal is locked by {current.describe()}; waiting up to {wait:.0f} s for it...")
            told = True
        # Wait while it is held (one small read each time, sooner at first, then every ``poll`` s:
        # the waiting run must not eat the rate limit of the one that is writing), then try again.
        pause = min(0.5, poll)
        while (left := deadline - clock()) > 0:
            sleep(min(pause, left))
            pause = min(pause * 2, poll)
            if read_lock(client) is None:
                break


def release(client: PortalClient, held: LockHolder) -> None:
    """Delete this run's lock field. Never deletes another run's lock (ids are never reused).

    Raises:
        LockError: the lock could not be removed (the message says how to remove it by hand).
    """
    for _ in range(3):
        try:
            client.call(_FIELDS.method("delete"), {"id": held.field_id})
            return
        except PortalError:
            pass  # refused, or an unknown outcome: whether the field is still there decides
        current = read_lock(client)
        if current is None or current.field_id != held.field_id:
            return  # gone (someone may have run force-unlock)
    raise LockError(
        f"the portal lock ({LOCK_FIELD}) could not be removed; remove it with `b24provision force-unlock`"
    )


@dataclass
class HeldLock:
    """This run's hold on the portal: who (``holder``), the portal as read under the lock (``live``)."""

    client: PortalClient
    holder: LockHolder
    live: LiveState
    read: ReadAfter
    released: bool = False

    def read_and_release(self) -> LiveState:
        """Read the portal once more and release the lock, in one request (the read comes first)."""
        delete = Command("b24p_unlock", _FIELDS.method("delete"), {"id": self.holder.field_id})
        try:
            live, errors = self.read((), [delete])
            done = delete.key not in errors
        except OutcomeUnknown:  # the delete may have happened: read again, and let release() decide
            live, _ = self.read((), ())
            done = False
        if not done:
            release(self.client, self.holder)  # re-reads whose lock is there, never deletes blindly
        self.released = True
        return live

    def release(self) -> None:
        if not self.released:
            release(self.client, self.holder)
            self.released = True


@contextmanager
def portal_lock(
    client: PortalClient, read: ReadAfter, *, wait: float, unlock_hint: str, say: Say | None = None
) -> Iterator[HeldLock]:
    """Hold the portal's lock for the body of a ``with``, which gets the holder and the portal as read
    under the lock (see :func:`acquire`); released however the body ends."""
    holder, live = acquire(
        client, LockHolder.for_this_run(), read, wait=wait, unlock_hint=unlock_hint, say=say
    )
    held = HeldLock(client, holder, live, read)
    try:
        yield held
    except BaseException:
        try:
            held.release()
        except B24ProvisionError as exc:  # the body's own error is the one to report
            if say is not None:
                say(f"Warning: {exc.message}")
        raise
    held.release()


def _drop_if_ours(client: PortalClient, holder: LockHolder) -> None:
    try:
        current = read_lock(client)
        if current is not None and current.token == holder.token:
            release(client, current)
    except B24ProvisionError:
        pass  # the portal cannot be reached now: the error being raised says more than this one


def remove_lock(client: PortalClient, lock: LockHolder) -> bool:
    """Delete the lock field ``lock`` names (force-unlock); False when it was already gone."""
    current = read_lock(client)
    if current is None or current.field_id != lock.field_id:
        return False
    release(client, current)
    return True


# ------------------------------------------------------------------------------------ helpers


def _lost_the_race(refused: PortalError) -> bool:
    """The add was refused because another run's lock field was there: by the core's own check
    ("already exists"), or by the unique index when both adds ran at the same instant (an SQL error)."""
    words = refused.message.lower()
    return "already exists" in words or "sql query error" in words


__all__ = [
    "LOCK_FIELD",
    "RESERVED_PREFIX",
    "HeldLock",
    "LockHolder",
    "Say",
    "acquire",
    "holder_from_rows",
    "is_reserved",
    "portal_lock",
    "read_lock",
    "release",
    "remove_lock",
]
