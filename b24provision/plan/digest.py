"""The digest of a plan's operations: what a reviewer approved, as one comparable string.

"Apply the reviewed plan on merge" must not trust the bytes of a file made before the merge (the
portal, the main branch or the tool may have moved since). CI instead plans the merged blueprint
afresh and applies it only when its *operations* are the ones reviewed: ``apply --expect DIGEST``.

The digest covers the operations only, in order, each with its full content (the desired objects,
the changes, deal counts): not when, by which tool version or from which portal state the plan
was made, so two plans that would do the same thing have one digest, and any difference in what
would be done (another op, another value, another order) gives another one. It is printed in the
Markdown plan (the pull-request comment), in the JSON plan and by ``show``.
"""

from __future__ import annotations

import hashlib
import json
import re

from b24provision.errors import PlanError
from b24provision.plan.ops import Plan

__all__ = ["DIGEST_PATTERN", "check_expected", "operations_digest"]

DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
"""A digest as written: ``sha256:`` and 64 hex digits."""


def operations_digest(plan: Plan) -> str:
    """``sha256:<hex>`` of the plan's operations in canonical JSON (sorted keys, no whitespace)."""
    ops = [op.model_dump(mode="json") for op in plan.ops]
    canonical = json.dumps(ops, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_expected(plan: Plan, expected: str) -> None:
    """Refuse ``plan`` unless its operations are the reviewed ones (``apply --expect DIGEST``).

    Raises:
        PlanError: ``expected`` is not a digest, or the plan would do something else than the
            reviewed one did; nothing has been written.
    """
    expected = expected.strip()
    if not DIGEST_PATTERN.fullmatch(expected):
        raise PlanError(
            f"--expect {expected[:80]!r}: not a plan digest (sha256: and 64 hex digits, as the Markdown "
            "plan's last line and `b24provision show PLAN` give it)"
        )
    actual = operations_digest(plan)
    if actual != expected:
        raise PlanError(
            f"this plan is not the reviewed one: its operations digest is {actual}, the reviewed plan's "
            f"{expected}; nothing applied — review this plan (`b24provision show PLAN --format markdown`) "
            "and apply it once approved"
        )
