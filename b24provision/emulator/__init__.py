"""A Bitrix24 portal of our own: the REST wire format over real HTTP, state in SQLite.

The emulator is a standalone system: it imports nothing from the rest of b24provision, and the
provisioner reaches it only over HTTP. Start it in a test with::

    emulator = Emulator(settings=PortalSettings(token="t"))
    with serve_in_thread(emulator) as server:
        httpx.post(server.webhook_url + "crm.category.list", json={"entityTypeId": 2})
"""

from __future__ import annotations

from b24provision.emulator.app import Emulator
from b24provision.emulator.faults import Faults, LoggedRequest
from b24provision.emulator.server import RunningServer, serve_forever, serve_in_thread
from b24provision.emulator.settings import QUIRK_PRESETS, PortalSettings, Quirks

__all__ = [
    "Emulator",
    "Faults",
    "LoggedRequest",
    "PortalSettings",
    "QUIRK_PRESETS",
    "Quirks",
    "RunningServer",
    "serve_forever",
    "serve_in_thread",
]
