"""CRM settings rights: who may change pipelines, stages and fields (reference §13.9).

``CCrmUserFieldRestProxy`` (and the status and category controllers) need the CRM permission
``CONFIG WRITE`` for add/update/delete and only read rights for get/list; without it the legacy
proxies answer ``{"error": "", "error_description": "Access denied."}``. A portal whose
``PortalSettings.crm_settings_rights`` is False plays a webhook user without that permission.

Minimal on purpose (added for ``doctor --probe``'s tests): the status of the refusal is the legacy
proxies' 400; the D7 ``crm.category.*`` controller's own wording of it is UNVERIFIED.
"""

from __future__ import annotations

from b24provision.emulator.settings import PortalSettings
from b24provision.emulator.wire import RestError

_SETTINGS_WRITES = frozenset(
    {
        "crm.deal.userfield.add",
        "crm.deal.userfield.update",
        "crm.deal.userfield.delete",
        "crm.status.add",
        "crm.status.update",
        "crm.status.delete",
        "crm.category.add",
        "crm.category.update",
        "crm.category.delete",
        "crm.dealcategory.add",
        "crm.dealcategory.update",
        "crm.dealcategory.delete",
        "crm.dealcategory.default.set",
    }
)


def check_settings_rights(name: str, settings: PortalSettings) -> None:
    """Raise the portal's refusal when the user may not change CRM settings and ``name`` would."""
    if not settings.crm_settings_rights and name in _SETTINGS_WRITES:
        raise RestError("", "Access denied.")
