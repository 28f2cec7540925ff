"""The plan: a pure comparison of a blueprint with a portal's live state, as ordered ops.

``diff(desired, live)`` makes a ``Plan``; ``levels(plan.ops)`` orders it for apply; the render
modules show it as text, JSON or Markdown; ``planfile`` saves it for ``apply --plan``. Nothing here
talks to a portal.
"""

from __future__ import annotations

from b24provision.plan.diff import diff
from b24provision.plan.ops import AnyOp, ObjectRef, Plan, blocked_by_deals
from b24provision.plan.order import level_of, levels

__all__ = ["AnyOp", "ObjectRef", "Plan", "blocked_by_deals", "diff", "level_of", "levels"]
