"""A small plan built op by op, for exact-text render tests and plan-file round trips."""

from __future__ import annotations

from b24provision.blueprint.model import EnumerationField, Pipeline, Stage, WaitRobot
from b24provision.plan.ops import (
    CreateStageOp,
    DeleteStageOp,
    ManualRobotOp,
    ObjectRef,
    Plan,
    UpdateFieldOp,
    UpdatePipelineOp,
)

SALES = Pipeline(
    key="sales", name="Sales", stages=[Stage(code="NEW", name="New"), Stage(code="PAID", name="Paid")]
)
SIZE = EnumerationField.model_validate(
    {"type": "enumeration", "code": "SIZE", "label": "Size", "items": [{"xml_id": "s", "value": "Small"}]}
)


def small_plan() -> Plan:
    common = {"pipeline_key": "sales", "pipeline_name": "Sales", "live_key": "old_sales"}
    return Plan(
        ops=(
            UpdateFieldOp(
                field=SIZE,
                items_removed=("x",),
                items_in_use=(("x", 3),),
                changes=(("items[x]", "Huge", None),),
            ),
            UpdatePipelineOp(
                pipeline=SALES,
                live_key="old_sales",
                live_name="Old sales",
                changes=(("name", "Old sales", "Sales"),),
                source="deals.yaml:3:5",
            ),
            DeleteStageOp(code="OLD", name="Old", blocked_by_deals=2, **common),
            CreateStageOp(stage=SALES.stages[1], sort=20, source="deals.yaml:9:9", **common),
            ManualRobotOp(
                pipeline_key="sales",
                pipeline_name="Sales",
                stage_code="PAID",
                stage_name="Paid",
                index=0,
                robot=WaitRobot(type="wait", duration="1 month"),
                title="Wait",
                settings=(("Wait for", "1 month"), ("Run", "immediately")),
                source="deals.yaml:12:13",
            ),
        ),
        unmanaged=(ObjectRef(kind="pipeline", key="deal:general", note="General"),),
        live_fingerprint="0123456789abcdef",
        portal="example.bitrix24.com",
    )
