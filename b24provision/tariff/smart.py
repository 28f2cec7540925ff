"""The plan's tariff warnings about smart processes, from ``allows.py``'s facts.

A plan that creates smart processes asks the portal's plan for smart processes and room for all
of them (the types it has, unmanaged ones included, plus the new ones); one that creates fields
on a smart process asks for room for that type's fields (each CRM type counts its own,
``allows.allows_custom_fields``). A warning is given whenever the answer is not a sure or probable
yes; the facts' certainty is in its words.
"""

from __future__ import annotations

from collections import Counter

from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.plan.ops import CreateFieldOp, CreateSmartProcessOp, Plan, UpdateSmartProcessOp
from b24provision.state.live import LiveState
from b24provision.tariff.allows import Allowance, allows_custom_fields, allows_smart_processes
from b24provision.tariff.table import TariffPlan


def smart_process_warnings(plan: Plan, live: LiveState, tariff: TariffPlan | None) -> list[str]:
    """Plan warnings for the smart processes ``plan`` creates and their new fields."""
    if tariff is None:
        return []
    found: list[Allowance] = []
    new_types = sum(isinstance(op, CreateSmartProcessOp) for op in plan.ops)
    if new_types:
        found.append(allows_smart_processes(tariff, len(live.smart_processes) + new_types))
    new_fields = Counter(
        op.entity for op in plan.ops if isinstance(op, CreateFieldOp) and is_smart_entity(op.entity)
    )
    # The portal's title of each matched type, by blueprint key, as the plan names them.
    titles = {
        r.key.removeprefix("smart_process:"): r.note for r in plan.unchanged if r.kind == "smart_process"
    }
    titles.update({op.entity: op.live_title for op in plan.ops if isinstance(op, UpdateSmartProcessOp)})
    fields_of = {sp.title: len(sp.state.field_ids) for sp in live.smart_processes.values()}
    for entity, count in sorted(new_fields.items()):
        have = fields_of.get(titles.get(entity, ""), 0)
        found.append(allows_custom_fields(tariff, "smart_process", have + count))
    return [f"tariff: {a.message} [{', '.join(a.facts)}]" for a in found if a.allowed is not True]


__all__ = ["smart_process_warnings"]
