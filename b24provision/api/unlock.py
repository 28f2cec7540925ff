"""force-unlock: remove the portal's lock left by an apply that was killed.

Part of the :mod:`b24provision.api` facade; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from b24provision.portal.connect import open_portal
from b24provision.portal.lock import LockHolder, read_lock, remove_lock


@dataclass
class UnlockOutcome:
    """What force-unlock found and did."""

    holder: LockHolder | None
    """Who held the portal (None: it was not locked)."""
    removed: bool


def force_unlock(
    *, confirm: Callable[[LockHolder], bool], portal: str = "local", portals_file: Path | None = None
) -> UnlockOutcome:
    """Remove the portal's lock left by a run that was killed, if ``confirm`` (shown the holder) agrees.

    Only the lock that was shown is removed: if it was released meanwhile (and maybe taken by a new
    run), nothing is deleted.
    """
    with open_portal(portal, portals_file=portals_file) as client:
        holder = read_lock(client)
        if holder is None or not confirm(holder):
            return UnlockOutcome(holder=holder, removed=False)
        return UnlockOutcome(holder=holder, removed=remove_lock(client, holder))
