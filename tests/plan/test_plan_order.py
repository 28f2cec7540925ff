"""levels(): ops in dependency levels for apply; plan order puts blockers first and manual steps last."""

from __future__ import annotations

from plan_factories import blueprint, default_pipeline, live, pipeline, stage

from b24provision.plan import diff, levels
from b24provision.plan.ops import AnyOp


def _keys(level: list[AnyOp]) -> list[str]:
    return [f"{op.action} {op.kind} {op.key}" for op in level]


def test_levels_put_fields_first_pipelines_before_stages_and_deletes_last() -> None:
    new = pipeline(
        "repeat",
        "Repeat sales",
        stage("NEW", robots=[{"type": "wait", "duration": "1 day"}]),
        stage("WON", semantics="success"),
    )
    sales = pipeline("sales", "Sales", stage("NEW", "Fresh"), stage("MID"), stage("WON", semantics="success"))
    have = pipeline(
        "sales",
        "Sales",
        stage("NEW", "New"),
        stage("WON", semantics="success", sort=20),
        stage("OLD", sort=30),
    )
    bp = blueprint(
        [new, sales],
        [{"type": "string", "code": "NOTE"}],
        removed={"pipelines": ["Service"], "fields": ["LEGACY"]},
    )
    state = live(
        [default_pipeline(), have, pipeline("service", "Service")],
        [{"type": "string", "code": "LEGACY"}],
    )
    plan = diff(bp, state)
    assert [_keys(level) for level in levels(plan.ops)] == [
        ["create field deal:field/NOTE"],
        ["create pipeline deal:repeat"],
        ["delete stage deal:sales/OLD"],
        ["update stage deal:sales/NEW"],
        ["create stage deal:repeat/NEW", "create stage deal:repeat/WON", "create stage deal:sales/MID"],
        ["delete pipeline deal:service"],
        ["delete field deal:field/LEGACY"],
    ]
    # Manual steps are never executed, so they are in no level; they close the plan.
    assert plan.ops[-1].action == "manual"
    assert sum(len(level) for level in levels(plan.ops)) == len(plan.ops) - 1


def test_what_needs_an_application_comes_before_every_write() -> None:
    bp = blueprint(
        [pipeline("sales", "Sales")],
        app_robots=[{"code": "r", "name": "R", "handler": "https://app.example.com/h"}],
    )
    plan = diff(bp, live())
    assert plan.ops[0].action == "needs_app"
    assert all(op.action != "needs_app" for level in levels(plan.ops) for op in level)
