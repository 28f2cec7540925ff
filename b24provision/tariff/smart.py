"""The plan's tariff warnings about the fields of smart processes, from ``allows.py``'s facts.

Whether the portal's plan has smart processes at all, and room for the new ones (the types it has,
unmanaged ones included, plus the new ones), is a need of the blueprint like robots or pipelines
(``needs.py`` ``smart_processes`` / ``smart_process_count``; ``check.py`` words it). What is left
here is the fields: one that creates fields on a smart process asks for room for that type's fields
(each CRM type counts its own, ``allows.allows_custom_fields``). A warning is given whenever the
answer is not a sure or probable yes; the facts' certainty is in its words.
"""

from __future__ import annotations

from collections import Counter

from b24provision.blueprint.smart_model import is_smart_entity
from b24provision.plan.ops import CreateFieldOp, Plan, UpdateSmartProcessOp
from b24provision.state.live import LiveState
from b24provision.tariff.allows import allows_custom_fields
from b24provision.tariff.table import TariffPlan


def smart_process_warnings(plan: Plan, live: LiveState, tariff: TariffPlan | None) -> list[str]:
    """Plan warnings for the new fields ``plan`` puts on smart processes."""
    if tariff is None:
        return []
    new_fields = Counter(
        op.entity for op in plan.ops if isinstance(op, CreateFieldOp) and is_smart_entity(op.entity)
    )
    # The portal's title of each matched type, by blueprint key, as the plan names them.
    titles = {
        r.key.removeprefix("smart_process:"): r.note for r in plan.unchanged if r.kind == "smart_process"
    }
    titles.update({op.entity: op.live_title for op in plan.ops if isinstance(op, UpdateSmartProcessOp)})
    fields_of = {sp.title: len(sp.state.field_ids) for sp in live.smart_processes.values()}
    found = [
        allows_custom_fields(tariff, "smart_process", fields_of.get(titles.get(entity, ""), 0) + count)
        for entity, count in sorted(new_fields.items())
    ]
    return [f"tariff: {a.message} [{', '.join(a.facts)}]" for a in found if a.allowed is not True]


__all__ = ["smart_process_warnings"]
