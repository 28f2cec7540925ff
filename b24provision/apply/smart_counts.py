"""What deleting in a smart process destroys is counted in the plan's count batch now
(``state/counts_smart.py``, asked by ``plan/safety.what_to_count`` and judged as the deal's by
``plan/safety.with_live_facts``): this is only the old entry point, left for its callers.
"""

from __future__ import annotations

from b24provision.plan.ops import Plan
from b24provision.portal.client import PortalClient
from b24provision.state.live import LiveState


def with_smart_counts(client: PortalClient, plan: Plan, live: LiveState) -> Plan:
    """``plan`` as it is: its smart-process facts come from the count batch and the live read
    (``apply/safety.with_counts``, ``plan/safety.live_safety``); sends nothing.

    Kept importable until the lead's merge (api/plans.py and apply/engine.py call it); it can go then."""
    return plan


__all__ = ["with_smart_counts"]
