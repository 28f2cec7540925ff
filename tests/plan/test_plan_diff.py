"""diff(): blueprint vs live state -> typed ops, table by table. No portal involved."""

from __future__ import annotations

from typing import Any

import pytest
from plan_factories import blueprint, default_pipeline, live, pipeline, stage, summary

from b24provision.blueprint.model import Location, Trigger
from b24provision.errors import PlanError
from b24provision.plan import diff
from b24provision.plan.ops import (
    CreatePipelineOp,
    CreateStageOp,
    DeleteFieldOp,
    DeletePipelineOp,
    DeleteStageOp,
    ManualRobotOp,
    NeedsAppContextOp,
    ObjectRef,
    ReplaceFieldOp,
    ReplaceStageOp,
    UpdateFieldOp,
    UpdatePipelineOp,
    UpdateStageOp,
    blocked_by_deals,
    data_lost,
)
from b24provision.state.live import UnsupportedField

SALES = pipeline(
    "sales",
    "Sales",
    stage("NEW", "New", robots=[{"type": "wait", "duration": "1 day"}]),
    stage("WON", "Won", semantics="success"),
    stage("LOSE", "Lost", semantics="failure"),
)
# What the portal holds once SALES was applied: no robots (REST cannot read them).
SALES_LIVE = pipeline(
    "sales",
    "Sales",
    stage("NEW", "New", sort=10),
    stage("WON", "Won", semantics="success", sort=20),
    stage("LOSE", "Lost", semantics="failure", sort=30),
)
CHILD = {"type": "crm", "code": "CHILD_DEALS", "label": "Child deals", "multiple": True, "targets": ["deal"]}


def test_empty_portal_gets_everything_created_in_dependency_order() -> None:
    plan = diff(blueprint([SALES], [CHILD]), live())
    assert summary(plan) == [
        ("create", "field", "deal:field/CHILD_DEALS"),
        ("create", "pipeline", "deal:sales"),
        ("create", "stage", "deal:sales/NEW"),
        ("create", "stage", "deal:sales/WON"),
        ("create", "stage", "deal:sales/LOSE"),
        ("manual", "robot", "deal:sales/NEW/robot[wait:1 day]"),
    ]
    stages = [op for op in plan.ops if isinstance(op, CreateStageOp)]
    assert [(op.live_key, op.new_pipeline, op.sort) for op in stages] == [
        (None, True, 10),
        (None, True, 20),
        (None, True, 30),
    ]
    assert plan.counts() == {"add": 5, "change": 0, "delete": 0, "replace": 0, "manual": 1, "needs_app": 0}
    assert plan.unmanaged == (ObjectRef(kind="pipeline", key="deal:general", note="General"),)


def test_converged_portal_has_no_changes_but_robots_still_to_check_by_hand() -> None:
    plan = diff(blueprint([SALES], [CHILD]), live([default_pipeline(), SALES_LIVE], [CHILD]))
    assert not plan.has_changes
    assert summary(plan) == [("manual", "robot", "deal:sales/NEW/robot[wait:1 day]")]
    assert plan.counts()["manual"] == 1
    assert ObjectRef(kind="stage", key="deal:sales/WON", note="Won") in plan.unchanged


def test_pipeline_matches_by_name_whatever_the_portal_key() -> None:
    on_portal = {**SALES_LIVE, "key": "sales_2"}
    plan = diff(blueprint([{**SALES, "stages": [*SALES["stages"], stage("EXTRA")]}]), live([on_portal]))
    [create] = [op for op in plan.ops if isinstance(op, CreateStageOp)]
    assert (create.key, create.live_key, create.new_pipeline) == ("deal:sales/EXTRA", "sales_2", False)


def test_rename_via_previous_names_is_an_update_not_delete_and_create() -> None:
    renamed = {**SALES, "name": "Retail", "previous_names": ["Sales"]}
    plan = diff(blueprint([renamed]), live([default_pipeline(), SALES_LIVE]))
    [op] = [op for op in plan.ops if op.action != "manual"]
    assert isinstance(op, UpdatePipelineOp)
    assert (op.key, op.live_key, op.live_name, op.changes) == (
        "deal:sales",
        "sales",
        "Sales",
        (("name", "Sales", "Retail"),),
    )


def test_default_pipeline_matches_the_portals_default_whatever_its_name() -> None:
    main = pipeline(
        "main", "Main deals", stage("NEW", "New"), stage("WON", "Won", semantics="success"), default=True
    )
    plan = diff(blueprint([main]), live([default_pipeline("General")]))
    assert summary(plan) == [("update", "pipeline", "deal:main")]
    assert plan.ops[0].changes == (("name", "General", "Main deals"),)


def test_two_portal_pipelines_with_the_blueprints_name_is_an_error_naming_both() -> None:
    twins = [default_pipeline(), SALES_LIVE, {**SALES_LIVE, "key": "sales_2"}]
    with pytest.raises(PlanError, match=r"2 pipelines named 'Sales' \(sales and sales_2\).*rename one"):
        diff(blueprint([SALES]), live(twins))


def test_objects_the_blueprint_does_not_mention_are_unmanaged_and_left_alone() -> None:
    service = pipeline("service", "Service")
    legacy = {"type": "string", "code": "LEGACY", "label": "Legacy"}
    odd = UnsupportedField(code="APP_TYPE", user_type_id="rest_1_thing", label="App value")
    plan = diff(
        blueprint([SALES]), live([default_pipeline(), SALES_LIVE, service], [legacy], unsupported=(odd,))
    )
    assert not plan.has_changes
    assert plan.unmanaged == (
        ObjectRef(kind="pipeline", key="deal:general", note="General"),
        ObjectRef(kind="pipeline", key="deal:service", note="Service"),
        ObjectRef(kind="field", key="deal:field/LEGACY", note="Legacy"),
        ObjectRef(kind="field", key="deal:field/APP_TYPE", note="App value (rest_1_thing)"),
    )


def test_removed_pipeline_and_field_are_deletes_that_lose_what_the_portal_counted() -> None:
    service = pipeline("service", "Service", stage("NEW"), stage("WON", semantics="success"))
    legacy = {"type": "string", "code": "LEGACY", "label": "Legacy"}
    bp = blueprint(
        [SALES],
        removed={"pipelines": ["Service", "Never existed"], "fields": ["LEGACY"]},
        locations={("removed", "pipelines", 0): Location(path="deals.yaml", line=12, col=5)},
    )
    state = live(
        [default_pipeline(), SALES_LIVE, service],
        [legacy],
        deal_counts={("service", "WON"): 2, ("service", "NEW"): 1},
        field_value_counts={"LEGACY": 37},
    )
    plan = diff(bp, state)
    assert summary(plan) == [
        ("delete", "pipeline", "deal:service"),
        ("delete", "field", "deal:field/LEGACY"),
        ("manual", "robot", "deal:sales/NEW/robot[wait:1 day]"),
    ]
    delete = plan.ops[0]
    assert isinstance(delete, DeletePipelineOp)
    assert (delete.destructive, delete.blocked_by_deals, delete.stages) == (True, 3, ("NEW", "WON"))
    assert delete.source == "deals.yaml:12:5"
    field = plan.ops[1]
    assert isinstance(field, DeleteFieldOp)
    assert (field.destructive, field.deals_with_value, data_lost(field)) == (
        True,
        37,
        "37 deals hold a value",
    )
    assert plan.unmanaged == (ObjectRef(kind="pipeline", key="deal:general", note="General"),)
    assert plan.blocked_by_data_ops() == [delete]  # refused even with --allow-delete
    assert plan.allow_delete_ops() == [field]  # needs --allow-delete


def test_deletes_that_destroy_nothing_are_ordinary_changes() -> None:
    extra = {**SALES_LIVE, "stages": [*SALES_LIVE["stages"], stage("OLD", "Old", sort=40)]}
    bp = blueprint([SALES], removed={"pipelines": ["Service"], "fields": ["LEGACY"]})
    state = live(
        [default_pipeline(), extra, pipeline("service", "Service", stage("NEW"))],
        [{"type": "string", "code": "LEGACY", "label": "Legacy"}],
        deal_counts={("sales", "OLD"): 0, ("service", "NEW"): 0},
        field_value_counts={"LEGACY": 0},
    )
    plan = diff(bp, state)
    deletes = [op for op in plan.ops if op.action == "delete"]
    assert sorted((op.kind, op.key) for op in deletes) == [
        ("field", "deal:field/LEGACY"),
        ("pipeline", "deal:service"),
        ("stage", "deal:sales/OLD"),
    ]
    assert not any(op.destructive for op in deletes)
    assert plan.destructive_ops() == plan.allow_delete_ops() == plan.blocked_by_data_ops() == []


@pytest.mark.parametrize(
    ("removed", "message"),
    [
        ({"pipelines": ["Sales"]}, "pipeline 'Sales' is both declared and removed"),
        ({"fields": ["CHILD_DEALS"]}, "field 'CHILD_DEALS' is both declared and removed"),
        ({"pipelines": ["General"]}, "default pipeline, which cannot be deleted"),
    ],
)
def test_contradictory_removals_are_errors(removed: dict[str, Any], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        diff(blueprint([SALES], [CHILD], removed=removed), live([default_pipeline(), SALES_LIVE], [CHILD]))


def test_stage_the_blueprint_no_longer_lists_is_deleted_and_deals_block_it() -> None:
    extra = {
        **SALES_LIVE,
        "stages": [*SALES_LIVE["stages"], stage("OLD", "Old", sort=40, semantics="failure")],
    }
    state = live([extra], deal_counts={("sales", "OLD"): 4}, system_stages=frozenset({("sales", "OLD")}))
    plan = diff(blueprint([SALES]), state)
    [op] = [op for op in plan.ops if op.action != "manual"]
    assert isinstance(op, DeleteStageOp)
    assert (op.key, op.name, op.destructive, op.blocked_by_deals, op.system) == (
        "deal:sales/OLD",
        "Old",
        True,
        4,
        True,
    )


@pytest.mark.parametrize(
    ("want", "have", "changes"),
    [
        (stage("NEW", "Fresh"), stage("NEW", "New"), (("name", "New", "Fresh"),)),
        (stage("NEW", "New", sort=5), stage("NEW", "New", sort=10), (("sort", 10, 5),)),
        (
            stage("NEW", "New", color="#FF0000"),
            stage("NEW", "New", color="#00ff00"),
            (("color", "#00ff00", "#FF0000"),),
        ),
        # no colour in the blueprint: the portal's colour is left alone; case does not matter
        (stage("NEW", "New"), stage("NEW", "New", color="#00ff00"), ()),
        (stage("NEW", "New", color="#00FF00"), stage("NEW", "New", color="#00ff00"), ()),
        # no sort in the blueprint: the order is what it asks for, not 10 times the position
        (stage("NEW", "New"), stage("NEW", "New", sort=10), ()),
        (stage("NEW", "New"), stage("NEW", "New", sort=15), ()),
    ],
)
def test_stage_attributes(want: dict[str, Any], have: dict[str, Any], changes: tuple[Any, ...]) -> None:
    won = stage("WON", "Won", semantics="success", sort=20)
    plan = diff(
        blueprint([pipeline("sales", "Sales", want, won)]), live([pipeline("sales", "Sales", have, won)])
    )
    ops = [op for op in plan.ops if isinstance(op, UpdateStageOp)]
    assert (ops[0].changes if ops else ()) == changes
    assert plan.has_changes == bool(changes)


def test_stage_semantics_change_is_a_destructive_replace() -> None:
    want = pipeline("sales", "Sales", stage("NEW", "New"), stage("PAID", "Paid", semantics="success"))
    have = pipeline("sales", "Sales", stage("NEW", "New", sort=10), stage("PAID", "Paid", sort=20))
    plan = diff(blueprint([want]), live([have], deal_counts={("sales", "PAID"): 1}))
    [op] = plan.ops
    assert isinstance(op, ReplaceStageOp)
    assert op.changes == (("semantics", "process", "success"),)
    assert (op.destructive, op.blocked_by_deals) == (True, 1)
    [empty] = diff(blueprint([want]), live([have])).ops
    assert (empty.destructive, blocked_by_deals(empty)) == (False, 0)


def test_pipeline_sort_is_compared_only_when_the_blueprint_gives_one() -> None:
    state = live([{**SALES_LIVE, "sort": 300}])
    assert not diff(blueprint([SALES]), state).has_changes
    plan = diff(blueprint([{**SALES, "sort": 200}]), state)
    assert [op.changes for op in plan.ops if isinstance(op, UpdatePipelineOp)] == [(("sort", 300, 200),)]


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        ({"type": "string"}, (("type", "crm", "string"),)),
        ({"multiple": False}, (("multiple", True, False),)),
    ],
)
def test_field_type_or_multiple_change_is_a_destructive_replace(
    change: dict[str, Any], replaced: tuple[Any, ...]
) -> None:
    want = {
        k: v
        for k, v in {**CHILD, **change}.items()
        if not (change.get("type") == "string" and k == "targets")
    }
    plan = diff(blueprint(fields=[want]), live(fields=[CHILD]))
    [op] = plan.ops
    assert isinstance(op, ReplaceFieldOp)
    assert op.changes == replaced
    assert not op.destructive  # no deal holds a value: nothing is lost
    [held] = diff(blueprint(fields=[want]), live(fields=[CHILD], field_value_counts={"CHILD_DEALS": 2})).ops
    assert held.destructive and data_lost(held) == "2 deals hold a value"


def test_field_attributes_are_updates_with_before_and_after() -> None:
    want = {**CHILD, "mandatory": True, "targets": ["deal", "contact"]}
    [op] = diff(blueprint(fields=[want]), live(fields=[CHILD])).ops
    assert isinstance(op, UpdateFieldOp)
    assert op.changes == (("mandatory", False, True), ("targets", ["deal"], ["deal", "contact"]))
    assert not op.destructive


@pytest.mark.parametrize(
    ("want", "have", "languages", "changes"),
    [
        ("Child deals", {"en": "Child deals", "ru": "Child deals"}, ("en", "ru"), ()),
        ({"en": "Child deals", "ru": "Дочерние"}, {"en": "Child deals", "ru": "Дочерние"}, ("en", "ru"), ()),
        ({"en": "X"}, "X", ("en",), ()),
        # a string means every language: only the one that differs is shown
        ("Дочерние", {"en": "Child deals", "ru": "Дочерние"}, ("en", "ru"),
         (("label[en]", "Child deals", "Дочерние"),)),
        ("New", "Old", ("en", "ru"), (("label", "Old", "New"),)),
        # a map is compared in the languages it names only (the portal fills or empties the others)
        ({"ru": "Дочерние"}, "Дочерние", ("en", "ru"), ()),
        ({"ru": "Дочерние"}, {"en": "UF_CRM_CHILD_DEALS", "ru": "Дочерние"}, ("en", "ru"), ()),
        ({"ru": "Новые", "en": "Child deals"}, "Child deals", ("en", "ru"),
         (("label[ru]", "Child deals", "Новые"),)),
    ],
)  # fmt: skip
def test_labels_compare_as_per_language_texts(
    want: Any, have: Any, languages: tuple[str, ...], changes: Any
) -> None:
    plan = diff(
        blueprint(fields=[{**CHILD, "label": want}]),
        live(fields=[{**CHILD, "label": have}], languages=languages),
    )
    assert (plan.ops[0].changes if plan.ops else ()) == changes


def test_enumeration_items_are_added_changed_and_removed_by_xml_id() -> None:
    def field(*items: dict[str, Any]) -> dict[str, Any]:
        return {"type": "enumeration", "code": "SIZE", "items": list(items)}

    have = field(
        {"xml_id": "s", "value": "Small"},
        {"xml_id": "m", "value": "Medium"},
        {"xml_id": "x", "value": "Huge"},
    )
    want = field(
        {"xml_id": "s", "value": "Small"},
        {"xml_id": "m", "value": "Mid", "default": True},
        {"xml_id": "l", "value": "Large"},
    )
    [op] = diff(blueprint(fields=[want]), live(fields=[have], item_use_counts={("SIZE", "x"): 3})).ops
    assert isinstance(op, UpdateFieldOp)
    assert (op.items_added, op.items_changed, op.items_removed) == (("l",), ("m",), ("x",))
    assert op.items_in_use == (("x", 3),) and data_lost(op) == "3 deals use item x"
    assert op.changes == (
        ("items[m].value", "Medium", "Mid"),
        ("items[m].default", False, True),
        ("items[l]", None, "Large"),
        ("items[x]", "Huge", None),
    )
    assert op.destructive  # deals lose the removed value
    [unused] = diff(blueprint(fields=[want]), live(fields=[have], item_use_counts={("SIZE", "x"): 0})).ops
    assert not unused.destructive  # no deal uses the removed item
    [uncounted] = diff(blueprint(fields=[want]), live(fields=[have])).ops
    assert uncounted.destructive  # an item the read does not name cannot be counted: taken as in use
    assert data_lost(uncounted) == "deals may use item x (it could not be counted)"

    [added_only] = diff(blueprint(fields=[have]), live(fields=[field(*have["items"][:2])])).ops
    assert isinstance(added_only, UpdateFieldOp) and not added_only.destructive


def test_manual_robots_describe_every_robot_and_never_count_as_changes() -> None:
    robots = [
        {"type": "wait", "duration": "1 month"},
        {"type": "copy_deal", "to_pipeline": "sales", "title": "Repeat"},
    ]
    won = stage("WON", "Won", semantics="success", robots=robots)
    bp = blueprint(
        [{**SALES, "stages": [stage("NEW", "New"), won, stage("LOSE", "Lost", semantics="failure")]}]
    )
    plan = diff(bp, live([SALES_LIVE]))
    manual = plan.manual_ops()
    assert [(m.key, m.activity, m.stage_name, m.pipeline_name) for m in manual] == [
        ("deal:sales/WON/robot[wait:1 month]", "RobotDelayActivity", "Won", "Sales"),
        ("deal:sales/WON/robot[copy_deal:Repeat]", "CrmCopyDealActivity", "Won", "Sales"),
    ]
    assert all(m.settings for m in manual)
    assert not plan.has_changes
    assert plan.counts()["manual"] == 2


def test_app_robots_and_triggers_with_an_application_context() -> None:
    robot = {"code": "notify.me", "name": "Notify", "handler": "https://app.example.com/h"}
    bp = blueprint(
        app_robots=[robot, {**robot, "code": "new.one"}],
        triggers=[{"code": "paid", "name": "Paid"}, {"code": "new", "name": "New"}],
        removed={"app_robots": ["old.robot"], "triggers": ["gone"]},
    )
    state = live(
        app_robot_codes=frozenset({"notify.me", "old.robot", "someone.else"}),
        triggers=(
            Trigger(code="paid", name="Was paid"),
            Trigger(code="gone", name="Gone"),
            Trigger(code="x", name="X"),
        ),
    )
    plan = diff(bp, state)
    assert summary(plan) == [
        ("create", "app_robot", "new.one"),
        ("update", "trigger", "paid"),
        ("create", "trigger", "new"),
        ("delete", "app_robot", "old.robot"),
        ("delete", "trigger", "gone"),
    ]
    assert ObjectRef(kind="app_robot", key="someone.else") in plan.unmanaged
    assert ObjectRef(kind="trigger", key="x", note="X") in plan.unmanaged
    assert any("compared by code only" in w for w in plan.warnings)


def test_app_robots_and_triggers_without_an_application_context_block_the_plan() -> None:
    robot = {"code": "notify.me", "name": "Notify", "handler": "https://app.example.com/h"}
    bp = blueprint(app_robots=[robot], removed={"triggers": ["gone"]})
    plan = diff(bp, live())  # a webhook: app_robot_codes and triggers are None
    assert summary(plan) == [("needs_app", "app_robot", "notify.me"), ("needs_app", "trigger", "gone")]
    assert all(isinstance(op, NeedsAppContextOp) for op in plan.ops)
    assert plan.has_changes  # never "no changes" for what could not be read
    assert len(plan.needs_app_ops()) == 2


def test_plan_records_fingerprint_portal_and_sources() -> None:
    bp = blueprint([SALES], locations={("pipelines", 0): Location(path="b.yaml", line=3, col=3)})
    state = live()
    plan = diff(bp, state)
    assert (plan.live_fingerprint, plan.portal) == (state.fingerprint(), "example.bitrix24.com")
    assert isinstance(plan.ops[0], CreatePipelineOp) and plan.ops[0].source == "b.yaml:3:3"
    assert plan.ops[1].source == "b.yaml:3:3"  # a stage without its own location: its pipeline's
    assert isinstance(plan.ops[-1], ManualRobotOp)


def test_stages_listed_in_the_portals_order_ask_for_no_renumbering() -> None:
    have = pipeline("sales", "Sales", stage("NEW", sort=10), stage("UC_1", sort=25), stage("WON", sort=60))
    same_order = pipeline("sales", "Sales", stage("NEW"), stage("UC_1"), stage("WON"))
    plan = diff(blueprint([same_order]), live([have]))
    assert not plan.has_changes, plan.ops


def test_one_moved_stage_is_one_update_not_a_renumbering() -> None:
    have = pipeline(
        "sales",
        "Sales",
        *(stage(code, sort=(i + 1) * 10) for i, code in enumerate(["NEW", "A", "B", "C", "D"])),
    )
    moved = pipeline("sales", "Sales", stage("NEW"), stage("B"), stage("A"), stage("C"), stage("D"))
    plan = diff(blueprint([moved]), live([have]))
    updates = [(op.key, op.changes) for op in plan.ops if op.action == "update"]
    assert updates == [("deal:sales/A", (("sort", 20, 35),))]
