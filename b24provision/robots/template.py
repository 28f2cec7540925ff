"""A stage's bizproc template -> its robots, the way the core reads it (``Template::convertTemplate``).

A stage's robots are one template (``AUTO_EXECUTE`` 8, ``DOCUMENT_STATUS`` = the stage). Its tree::

    [{Type: SequentialWorkflowActivity, Children: [
        {Type: ParallelActivity, Children: [          # one child: anything else is "edited in the designer"
            {Type: SequenceActivity, Children: [      # one chain of robots
                {Type: DelayActivity, ...},           # optional: the delay of the robot that follows
                {Type: IfElseActivity, Children: [    # optional: the condition around the robot
                    {Type: IfElseBranchActivity, Properties: {mixedcondition: [...]}, Children: [robot]},
                    {Type: IfElseBranchActivity, Properties: {truecondition: "1"}}]},
                {Type: CrmCopyDealActivity, ...},     # a robot; the next robots of the chain run after it
            ]}, ...]}]}]

The delay node: older cores write and read ``DelayActivity``; the newest ``convertTemplate`` reads
``DelayActivity`` or ``RobotDelayActivity`` as the delay of the robot that follows, and
``unConvertTemplate`` writes ``RobotDelayActivity``. Both are read so. A ``RobotDelayActivity`` with
no robot after it in its chain is read as what older cores made of it: a robot of its own,
"Automation rule pause" (the blueprint's ``wait``). A blueprint's pause followed by a robot that
runs after it is the same thing to the portal as that robot with a delay (``check.py`` folds it).

A template that is not this shape (more children at
the root, a node with children that is not a condition, a malformed condition) was edited in the
bizproc designer: the core shows it as "external modified" and so does this reader, never guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from b24provision.blueprint.model import Robot
from b24provision.entities.types import EntityType
from b24provision.robots.kinds import ROBOT_KINDS, Ids, kind_of_activity, read_timeout

_ROBOT = TypeAdapter(Robot)

# The core calls a node a robot when its class is in the portal's robot catalogue for the document
# type (Template::isRobot), which an export does not carry. These classes are the designer's own
# (bizproc activities without the robot_activity type): one in a chain means the template was edited
# in the designer. Any other childless activity is read as a robot, of a type the blueprint may
# not describe.
DESIGNER_ONLY = frozenset(
    {
        "SequentialWorkflowActivity",
        "StateMachineWorkflowActivity",
        "StateActivity",
        "StateInitializationActivity",
        "StateFinalizationActivity",
        "SetStateActivity",
        "SetStateTitleActivity",
        "SetPermissionsActivity",
        "SetVariableActivity",
        "ApproveActivity",
        "ReviewActivity",
        "RequestInformationActivity",
        "RequestInformationOptionalActivity",
        "WhileActivity",
        "ForEachActivity",
        "ListenActivity",
        "EventDrivenActivity",
        "HandleExternalEventActivity",
        "CodeActivity",
        "SequenceActivity",
        "ParallelActivity",
        "IfElseBranchActivity",
    }
)

# Condition operators: the core's codes (Bizproc\Activity\Operator\*) -> the blueprint's.
_OPERATORS = {
    "=": "=",
    "!=": "!=",
    ">": ">",
    ">=": ">=",
    "<": "<",
    "<=": "<=",
    "contain": "contains",
    "empty": "empty",
    "!empty": "not_empty",
}
OPERATOR_CODES = {ours: theirs for theirs, ours in _OPERATORS.items()}


@dataclass(frozen=True)
class PortalRobot:
    """One robot as the export has it, and as much of it as the blueprint language can say."""

    position: int
    """Its place among the stage's robots (0-based, in the order the stage shows them)."""
    activity: str
    name: str
    """The activity's Name: random (``A12_34_56_78``), never matched on."""
    title: str
    type: str | None
    """The blueprint robot type, or None when the language has no type for this activity."""
    robot: Robot | None
    """The robot in blueprint terms; None when its type is not described or it did not validate."""
    properties: Mapping[str, Any]
    """The activity's Properties, verbatim."""
    notes: tuple[str, ...] = ()
    """What could not be understood (kept verbatim, never guessed)."""


@dataclass(frozen=True)
class StageTemplate:
    robots: tuple[PortalRobot, ...] = ()
    designer_edited: str = ""
    """Why the template is not the robots' shape ("" when it is)."""


class _Edited(Exception):
    pass


def read_template(tree: Any, ids: Ids) -> StageTemplate:
    """The robots of one stage's template tree (``TEMPLATE_DATA.TEMPLATE``)."""
    try:
        return StageTemplate(robots=tuple(_robots(tree, ids)))
    except _Edited as why:
        return StageTemplate(designer_edited=str(why))


def _children(node: Any) -> list[Any]:
    children = node.get("Children") if isinstance(node, Mapping) else None
    return children if isinstance(children, list) else []


def _robots(tree: Any, ids: Ids) -> list[PortalRobot]:
    if not isinstance(tree, list) or not tree or not isinstance(tree[0], Mapping):
        raise _Edited("the template has no root activity")
    top = _children(tree[0])
    if not top:
        return []
    if len(top) > 1:
        raise _Edited(f"the root holds {len(top)} activities, not one parallel block")
    parallel = top[0]
    if not isinstance(parallel, Mapping) or parallel.get("Type") != "ParallelActivity":
        kind = parallel.get("Type") if isinstance(parallel, Mapping) else type(parallel).__name__
        raise _Edited(f"the root holds a {kind}, not a ParallelActivity")
    out: list[PortalRobot] = []
    for sequence in _children(parallel):
        if not isinstance(sequence, Mapping) or sequence.get("Type") != "SequenceActivity":
            raise _Edited("a branch of the parallel block is not a SequenceActivity")
        delay: Mapping[str, Any] | None = None
        in_chain = 0
        nodes = _children(sequence)
        for at, node in enumerate(nodes):
            if not isinstance(node, Mapping):
                raise _Edited("a chain holds something that is not an activity")
            if node.get("Type") == "DelayActivity" or (
                node.get("Type") == "RobotDelayActivity" and at < len(nodes) - 1
            ):
                delay = node
                continue
            condition: Mapping[str, Any] | None = None
            if node.get("Type") == "IfElseActivity":
                condition, node = _condition(node)
            if _children(node):
                raise _Edited(f"{node.get('Type')} {node.get('Name')!r} holds other activities")
            if node.get("Type") in DESIGNER_ONLY or node.get("Type") == "IfElseActivity":
                raise _Edited(f"{node.get('Type')} {node.get('Name')!r} is a designer activity, not a robot")
            out.append(
                _robot(node, len(out), after_previous=in_chain > 0, delay=delay, condition=condition, ids=ids)
            )
            delay = None
            in_chain += 1
    return out


def _condition(node: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(the condition branch's properties, the robot inside) of an IfElseActivity, as the core accepts it."""
    branches = _children(node)
    ok = (
        len(branches) == 2
        and all(isinstance(b, Mapping) and b.get("Type") == "IfElseBranchActivity" for b in branches)
        and isinstance(branches[0].get("Properties"), Mapping)
        and (
            branches[0]["Properties"].get("mixedcondition") or branches[0]["Properties"].get("fieldcondition")
        )
        and isinstance(branches[1].get("Properties"), Mapping)
        and branches[1]["Properties"].get("truecondition")
        and len(_children(branches[0])) == 1
        and isinstance(_children(branches[0])[0], Mapping)
    )
    if not ok:
        raise _Edited(f"IfElseActivity {node.get('Name')!r} is not a robot's condition")
    return branches[0]["Properties"], _children(branches[0])[0]


def _condition_value(props: Mapping[str, Any], notes: list[str], entity: EntityType) -> dict[str, Any] | None:
    """The condition's one part; its field named by ``entity``'s document (the robots' own entity)."""
    mixed = props.get("mixedcondition")
    items: list[Any] = mixed if isinstance(mixed, list) else []
    if not mixed:
        legacy = props.get("fieldcondition")
        items = [
            {"object": "Document", "field": c[0], "operator": c[1], "value": c[2]}
            for c in (legacy if isinstance(legacy, list) else [])
            if isinstance(c, list) and len(c) >= 3
        ]
    if len(items) != 1 or not isinstance(items[0], Mapping):
        notes.append(f"a condition of {len(items)} parts (the blueprint holds one): {items!r}")
        return None
    item = items[0]
    op = _OPERATORS.get(str(item.get("operator")))
    if item.get("object", "Document") != "Document" or op is None:
        notes.append(f"a condition the blueprint cannot express: {dict(item)!r}")
        return None
    value = item.get("value")
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    out: dict[str, Any] = {"field": entity.field_code(str(item.get("field", ""))), "op": op}
    if op not in ("empty", "not_empty"):
        out["value"] = None if value is None else str(value)
    return out


def _robot(
    node: Mapping[str, Any],
    position: int,
    *,
    after_previous: bool,
    delay: Mapping[str, Any] | None,
    condition: Mapping[str, Any] | None,
    ids: Ids,
) -> PortalRobot:
    activity = str(node.get("Type", ""))
    raw = node.get("Properties")
    props: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    title = str(props.get("Title") or "")
    type_ = kind_of_activity(activity)
    notes: list[str] = []
    robot: Robot | None = None
    if type_ is not None:
        attrs, notes = ROBOT_KINDS[type_].read(props, ids)
        attrs = {"type": type_, **attrs, "after_previous": after_previous}
        kind = ROBOT_KINDS[type_]
        if title and title not in (kind.en, kind.ru):
            attrs["title"] = title
        if delay is not None:
            found = delay.get("Properties")
            delay_props: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
            duration = read_timeout(delay_props)
            now = str(delay_props.get("TimeoutDuration", "0")) == "0" and not delay_props.get("TimeoutTime")
            if duration is not None and not delay_props.get("WaitWorkDayUser"):
                attrs["delay"] = duration
            elif not now or delay_props.get("WaitWorkDayUser"):  # a zero delay is "immediately"
                notes.append(f"a delay the blueprint cannot express: {dict(delay_props)!r}")
        if condition is not None:
            parsed = _condition_value(condition, notes, ids.entity)
            if parsed is not None:
                attrs["condition"] = parsed
        try:
            robot = _ROBOT.validate_python(attrs)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "robot"
            notes.append(f"{where}: {first['msg']}")
    return PortalRobot(
        position=position,
        activity=activity,
        name=str(node.get("Name", "")),
        title=title,
        type=type_,
        robot=robot,
        properties=props,
        notes=tuple(notes),
    )
