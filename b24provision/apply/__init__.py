"""Apply a plan to a portal: ``batches.py`` says what is sent (a pure value), ``engine.py`` sends it,
``recovery.py`` decides after an unknown outcome what is already done, ``safety.py`` refuses what
must not be done, ``smart.py`` writes the smart processes' own, ``explain.py`` shows every request
(``plan_requests.py`` lists them; ``plan --explain``)."""

from b24provision.apply.batches import BATCH_LIMIT, Batch, Step, plan_batches
from b24provision.apply.engine import MAX_RECOVERIES, ApplyResult, Progress, apply_plan
from b24provision.apply.safety import check_against_live, check_safety, read_for_plan, with_counts

__all__ = [
    "BATCH_LIMIT",
    "Batch",
    "Step",
    "plan_batches",
    "MAX_RECOVERIES",
    "ApplyResult",
    "Progress",
    "apply_plan",
    "check_against_live",
    "check_safety",
    "read_for_plan",
    "with_counts",
]
