"""Tariff warnings for the custom fields a plan adds to leads, contacts and companies.

The custom-field limit counts each CRM type's fields on its own (``allows.py``), so every entity
type the plan adds fields to is judged apart: the fields it will hold after the apply (those it has,
unmanaged ones included, plus creates minus deletes) against the portal's plan. A plan adding none
to an entity asks nothing for it. The deal's fields stay with ``tariff/fit.needs_for``.
"""

from __future__ import annotations

from b24provision.plan.ops import CreateFieldOp, DeleteFieldOp, Plan
from b24provision.state.live import LiveState
from b24provision.tariff.allows import FieldHost, allows_custom_fields
from b24provision.tariff.table import TariffPlan


def entity_field_warnings(plan: Plan, live: LiveState, tariff: TariffPlan | None) -> list[str]:
    """One plan warning per entity type whose fields after the apply the portal's plan may not hold."""
    if tariff is None:
        return []
    out: list[str] = []
    hosts: tuple[FieldHost, ...] = ("lead", "contact", "company")
    for entity in hosts:
        new = sum(isinstance(op, CreateFieldOp) and op.entity == entity for op in plan.ops)
        if not new:
            continue
        gone = sum(isinstance(op, DeleteFieldOp) and op.entity == entity for op in plan.ops)
        have = live.fields_of(entity)
        count = len(have.field_ids) + len(have.unsupported) + new - gone
        allowance = allows_custom_fields(tariff, entity, count)
        if allowance.status in ("no", "probably_not"):
            out.append(f"tariff: {allowance.message} [{', '.join(allowance.facts)}]")
    return out


__all__ = ["entity_field_warnings"]
