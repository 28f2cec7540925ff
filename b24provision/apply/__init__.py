"""Apply a plan to a portal (see ``engine.py``)."""

from b24provision.apply.engine import (
    BATCH_LIMIT,
    MAX_RECOVERIES,
    ApplyResult,
    Progress,
    apply_plan,
    check_against_live,
    check_safety,
    read_for_plan,
    with_counts,
)

__all__ = [
    "BATCH_LIMIT",
    "MAX_RECOVERIES",
    "ApplyResult",
    "Progress",
    "apply_plan",
    "check_against_live",
    "check_safety",
    "read_for_plan",
    "with_counts",
]
