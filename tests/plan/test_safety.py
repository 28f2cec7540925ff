"""Safety facts come from the live state, never from the plan: what to count, and what an edit hides."""

from __future__ import annotations

from plan_factories import blueprint, default_pipeline, live, pipeline, stage

from b24provision.blueprint.model import Trigger
from b24provision.plan import diff
from b24provision.plan.ops import CreateTriggerOp, DeletePipelineOp, DeleteStageOp
from b24provision.plan.safety import live_safety, what_to_count
from b24provision.state.live import DealCountQuery

SERVICE = pipeline("service", "Service", stage("NEW"), stage("WON", semantics="success"))


def test_what_to_count_names_every_stage_a_pipeline_delete_takes_as_the_portal_has_them() -> None:
    state = live([default_pipeline(), SERVICE])
    plan = diff(blueprint(removed={"pipelines": ["Service"]}), state)
    [op] = [op for op in plan.ops if isinstance(op, DeletePipelineOp)]
    edited = op.model_copy(update={"stages": ("NEW",)})  # WON left out of the file
    assert what_to_count([edited], state) == DealCountQuery(
        stages=frozenset({("service", "NEW"), ("service", "WON")})
    )


def test_an_edited_count_is_found_and_the_portals_count_is_what_apply_uses() -> None:
    state = live([default_pipeline(), SERVICE], deal_counts={("service", "NEW"): 0, ("service", "WON"): 2})
    plan = diff(blueprint(removed={"pipelines": ["Service"]}), state)
    assert not live_safety(plan, state).edited
    [op] = plan.ops
    tampered = plan.model_copy(update={"ops": (op.model_copy(update={"blocked_by_deals": 0}),)})
    checked = live_safety(tampered, state)
    assert checked.edited == (
        "pipeline deal:service: the plan says it destroys nothing (stages NEW, WON), "
        "the portal says it holds 2 deals (stages NEW, WON)",
    )
    assert checked.plan.blocked_by_data_ops() == [op]


def test_a_stage_flag_edited_in_the_file_is_found() -> None:
    extra = pipeline("sales", "Sales", stage("NEW"), stage("OLD"), stage("WON", semantics="success"))
    state = live([extra], system_stages=frozenset({("sales", "OLD")}))
    plan = diff(
        blueprint([pipeline("sales", "Sales", stage("NEW"), stage("WON", semantics="success"))]), state
    )
    [op] = [op for op in plan.ops if isinstance(op, DeleteStageOp)]
    assert op.system
    ops = tuple(o.model_copy(update={"system": False}) if o is op else o for o in plan.ops)
    assert live_safety(plan.model_copy(update={"ops": ops}), state).edited == (
        "stage deal:sales/OLD: the plan says it destroys nothing, "
        "the portal says it destroys nothing (a system stage)",
    )


def test_app_ops_without_an_application_context_are_refused_whatever_the_file_says() -> None:
    plan = diff(blueprint(), live()).model_copy(
        update={"ops": (CreateTriggerOp(trigger=Trigger(code="paid", name="Paid")),)}
    )
    assert live_safety(plan, live()).needs_app == ("trigger paid",)  # a webhook: triggers unreadable
    assert live_safety(plan, live(triggers=())).needs_app == ()
