"""The diff: what must change on a portal so that it holds what a blueprint declares.

``diff(desired, live)`` is a pure function of two values of one type, done the Alembic way with
key sets: ``want - have`` is created, ``want & have`` is compared attribute by attribute, and
``have - want`` is deleted only where the blueprint owns it:

- a pipeline is matched to the portal's default pipeline (``default: true``), or by name, or by one
  of its ``previous_names`` (a rename, so an update); stages by code within their pipeline; fields
  by code; enumeration items by xml_id, else by their text (plan/field_compare.py); application
  robot types and triggers by code;
- a field setting REST cannot change (plan/settable.py) is a manual step of the plan, not a change;
- stages a declared pipeline no longer lists are deleted; pipelines and fields are deleted only
  when named in ``removed:``; everything else the portal has is reported as unmanaged;
- ``None`` in the blueprint (a pipeline's sort, a stage's colour) means "leave as it is";
- what the API cannot change in place (a stage's semantics, a field's type or multiple) is a
  replace: delete and create again;
- what each delete or replace destroys (deals in a stage, deals with a value in a field, deals
  using an enumeration item) comes from the counts in ``live`` (``plan/safety.py``): one that
  destroys nothing is an ordinary change, one that loses data is destructive;
- robots on stages cannot be read or written over REST, so every one becomes a manual step.
"""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint
from b24provision.plan.diff.app_objects import AppObjectComparer
from b24provision.plan.diff.fields import FieldComparer
from b24provision.plan.diff.pipelines import PipelineComparer
from b24provision.plan.diff.robots import RobotComparer
from b24provision.plan.diff.smart_processes import SmartProcessComparer
from b24provision.plan.diff.statuses import StatusComparer, plan_scope
from b24provision.plan.ops import Plan
from b24provision.plan.order import order
from b24provision.plan.safety import with_live_facts
from b24provision.state.live import LiveState

__all__ = ["diff"]


class _Diff(
    PipelineComparer, FieldComparer, AppObjectComparer, RobotComparer, StatusComparer, SmartProcessComparer
):
    """One comparer per concern (pipelines with their stages, fields, app objects, robots)."""


def diff(desired: Blueprint, live: LiveState, *, lang: str = "en") -> Plan:
    """The plan that makes ``live`` hold what ``desired`` declares.

    Args:
        desired: The blueprint, as loaded (its locations become each op's ``source``).
        live: The portal as read, in the same model types.
        lang: The language manual robot steps are described in.

    Returns:
        The plan, its ops in dependency order.

    Raises:
        PlanError: the blueprint cannot be matched to the portal unambiguously (two portal pipelines
            with one name, two blueprint pipelines matching one portal pipeline, an object both
            declared and removed, the default pipeline removed).
    """
    d = _Diff(desired, live)
    d.pipelines()
    d.fields()
    d.app_robots()
    d.triggers()
    d.statuses()
    d.lead_robots(lang)
    d.robots(lang)
    d.smart_processes(lang)
    titles = {k: sp.title for k, sp in getattr(d, "sp_types", {}).items()}  # smart processes matched
    return Plan(
        ops=order(with_live_facts(d.ops, live, titles)),
        unmanaged=tuple(d.unmanaged),
        unchanged=tuple(d.unchanged),
        warnings=tuple(d.warnings),
        manual_fields=tuple(d.manual_fields),
        live_fingerprint=live.fingerprint(scope := plan_scope(desired)),
        scope=scope,
        portal=live.portal,
    )
