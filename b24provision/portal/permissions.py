"""May the credentials' user change CRM settings? What can be known before apply, and what not.

Pipelines, stages and deal fields are CRM settings: their write methods need the CRM permission
``CONFIG WRITE`` ("Allow to modify settings") and answer "Access denied." without it, while reads
work (reference §5.1, §6, §13.9). A plan should say so before apply meets it.

What REST tells, read-only (researched in the docs and the core):

* ``profile`` → ``ADMIN``: a portal administrator has every CRM right, so ``true`` settles it.
  ``false`` does not: a CRM role can grant the right to anyone.
* ``user.access`` only answers whether the user holds given access codes (groups, departments); the
  CRM roles and their permission matrix are not readable over REST, and no method reports
  ``CCrmPerms`` or ``CCrmAuthorizationHelper::CheckConfigurationUpdatePermission``.

So a plan that writes settings warns when ``ADMIN`` is false (or unread), saying that it cannot
tell; apply then finds out on its first write. That is safe: every settings write is refused
alike, apply sends its batches with ``halt`` and the first refusal stops the batch, so nothing is
half done, and the error names the right that is missing (``envelope.portal_error``).
"""

from __future__ import annotations

from b24provision.plan.ops import Plan
from b24provision.state.live import LiveState

_SETTINGS_KINDS = ("pipeline", "stage", "field")


def writes_settings(plan: Plan) -> bool:
    """The plan changes pipelines, stages or fields (manual steps and app robots are not settings)."""
    return any(op.kind in _SETTINGS_KINDS and op.action not in ("manual", "blocked") for op in plan.ops)


def settings_rights_warnings(plan: Plan, live: LiveState) -> list[str]:
    """A plan warning when the user may lack CRM settings rights and the plan needs them."""
    if live.admin is True or not writes_settings(plan):
        return []
    known = (
        "is not a portal administrator (profile ADMIN: false)"
        if live.admin is False
        else ("could not be checked (profile unread)")
    )
    return [
        f"permissions: the webhook's user {known}; changing pipelines, stages and fields needs the CRM "
        "right 'Allow to modify settings', which no REST method reports — without it apply stops at its "
        "first write with 'Access denied.' and changes nothing; use an administrator's webhook to be sure"
    ]
