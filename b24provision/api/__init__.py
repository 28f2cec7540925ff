"""The facade behind the commands (its functions now live in :mod:`.plans`)."""

from b24provision.api.plans import *  # noqa: F403
from b24provision.api.plans import (  # noqa: F401
    DEFAULT_LOCK_TIMEOUT,
    ApplyOutcome,
    PlanResult,
    UnlockOutcome,
    apply,
    check_portal_tariff,
    check_robots_against_export,
    force_unlock,
    make_plan,
    plan_against,
    plan_and_apply,
    unlock_command,
    with_app_robots_reregistered,
)
