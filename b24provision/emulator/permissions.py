"""Who may change CRM settings: a webhook of a user without the right gets "Access denied.".

Pipelines, stages and deal fields are CRM settings. Their write methods check the CRM permission
``CONFIG WRITE`` ("Allow to modify settings"; portal administrators always have it) and refuse
without it, while reads need only read access (reference §5.1, §6, §13.9):

* the legacy proxies (``crm.status.*``: ``CCrmStatus::CheckCreatePermission`` and friends in
  ``CCrmStatusRestProxy``; ``crm.dealcategory.*``: ``CCrmDealCategoryProxy``; ``crm.deal.userfield.*``:
  ``CCrmUserFieldRestProxy``) collect the words "Access denied." and answer with the empty code;
* the D7 controller (``crm.category.*``) answers with its error code ``ACCESS_DENIED``
  (``ErrorCode::getAccessDeniedError``; the English text of CRM_COMMON_ERROR_ACCESS_DENIED is
  UNVERIFIED, "Access denied." assumed).

``PortalSettings.crm_settings_rights = False`` (``emulator serve --no-crm-settings-rights``) makes the
webhook's user such a user: the check runs before any handler, so nothing is changed, and
``profile`` says the user is no administrator.
"""

from __future__ import annotations

from b24provision.emulator.settings import PortalSettings
from b24provision.emulator.wire import RestError, crm_error

LEGACY_SETTINGS_WRITES = frozenset(
    {
        "crm.status.add",
        "crm.status.update",
        "crm.status.delete",
        "crm.dealcategory.add",
        "crm.dealcategory.update",
        "crm.dealcategory.delete",
        "crm.dealcategory.default.set",
    }
    | {
        f"crm.{entity}.userfield.{verb}"
        for entity in ("deal", "lead", "contact", "company")
        for verb in ("add", "update", "delete")
    }
)
D7_SETTINGS_WRITES = frozenset(
    {"crm.category.add", "crm.category.update", "crm.category.delete"}
    | {f"{area}.{verb}" for area in ("crm.type", "userfieldconfig") for verb in ("add", "update", "delete")}
)


def settings_write_refusal(method: str, crm_settings_rights: bool) -> RestError | None:
    """The error ``method`` answers to a user without CRM settings rights; None when it may run."""
    if crm_settings_rights:
        return None
    if method in LEGACY_SETTINGS_WRITES:
        return crm_error("Access denied.")
    if method in D7_SETTINGS_WRITES:
        return RestError("ACCESS_DENIED", "Access denied.")
    return None


def check_settings_rights(name: str, settings: PortalSettings) -> None:
    """Raise the portal's refusal when the user may not change CRM settings and ``name`` would."""
    refusal = settings_write_refusal(name, settings.crm_settings_rights)
    if refusal is not None:
        raise refusal
