"""A robot's settings both ways: the activity's ``Properties`` <-> the blueprint robot's attributes.

A robot on a stage is stored by the portal as one activity of a bizproc template (reference §8.6):
``{"Type": "CrmCopyDealActivity", "Name": "A12_34_56_78", "Properties": {...}}``. For each robot
type there is a reader (``Properties`` -> attributes, with notes on what it did not understand) and
a writer (a blueprint robot -> ``Properties``); the robot-kind table (``kinds.py``) names them.

Values come in the core's own forms: a person is ``{=Document:ASSIGNED_BY_ID}`` (the deal's
responsible), ``{=Document:CREATED_BY_ID}`` (its author) or ``user_12``, alone or in a one-element
list; a stage is its STATUS_ID (``C5:NEW``), a pipeline its category id; a task deadline is
``=dateadd({=System:Now},"3d")``. What a reader does not understand is reported as a note and the
attribute left out, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from b24provision.blueprint.model import (
    ChangeStageRobot,
    CopyDealRobot,
    CreateDealRobot,
    CreateTaskRobot,
    NotifyRobot,
    SetFieldRobot,
    WaitRobot,
    parse_duration,
)
from b24provision.entities.types import DEAL, EntityType
from b24provision.robots.words import STANDARD_FIELDS


@dataclass(frozen=True)
class Ids:
    """Portal ids <-> natural keys for one export: pipelines by category id, stages by STATUS_ID."""

    pipelines: Mapping[int, str] = field(default_factory=dict)
    """Category id -> pipeline key (0 is the default pipeline)."""
    entity: EntityType = DEAL
    """The entity whose document the robots run on: how their set_field and conditions name its
    custom fields, with the prefix of the entity's descriptor (a smart process's holds its type id)."""

    def pipeline_key(self, category: Any) -> str | None:
        try:
            return self.pipelines.get(int(category))
        except (TypeError, ValueError):
            return None

    def category_id(self, key: str) -> int | None:
        return next((cid for cid, k in self.pipelines.items() if k == key), None)

    def stage(self, status_id: Any) -> tuple[str | None, str]:
        """``C5:NEW`` -> (key of pipeline 5, "NEW"); ``NEW`` -> (default pipeline's key, "NEW")."""
        text = str(status_id or "")
        match = re.match(r"^C(\d+):(.*)$", text)
        if match:
            return self.pipeline_key(match.group(1)), match.group(2)
        # A smart-process stage (DT<type>_<category>:CODE): its pipelines are not the deal's.
        match = re.match(r"^DT\d+_\d+:(.*)$", text)
        if match:
            return None, match.group(1)
        return self.pipelines.get(0), text

    def status_id(self, key: str, code: str) -> str:
        category = self.category_id(key)
        return code if not category else f"C{category}:{code}"


Read = Callable[[Mapping[str, Any], Ids], tuple[dict[str, Any], list[str]]]
"""Properties -> (blueprint attributes, notes on what was not understood)."""
Write = Callable[[Any, Ids], dict[str, Any]]
"""A blueprint robot -> its Properties (without Title)."""


# ------------------------------------------------------------------------------ value forms

_PEOPLE = {
    "{=Document:ASSIGNED_BY_ID}": "responsible",
    "{=Document:CREATED_BY_ID}": "author",
    "{=Document:CREATED_BY}": "author",
}


def _one(value: Any) -> Any:
    """A one-element list is its element: user properties are stored as lists or as strings."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def read_person(value: Any) -> str | None:
    """``{=Document:ASSIGNED_BY_ID}`` -> responsible, ``user_12`` -> user:12; None when not one of these."""
    value = _one(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in _PEOPLE:
        return _PEOPLE[text]
    match = re.fullmatch(r"user_(\d+)", text)
    return f"user:{match.group(1)}" if match else None


def write_person(person: str) -> str:
    if person == "responsible":
        return "{=Document:ASSIGNED_BY_ID}"
    if person == "author":
        return "{=Document:CREATED_BY_ID}"
    return f"user_{person.removeprefix('user:')}"


# dateadd interval letters as the bizproc calculator reads them (i minutes, m months); the letters
# for weeks and years are UNVERIFIED beyond the calculator's source comments.
_DATEADD_UNITS = {"i": "minute", "h": "hour", "d": "day", "w": "week", "m": "month", "y": "year"}
_UNIT_LETTERS = {"minute": "i", "hour": "h", "day": "d", "week": "w", "month": "m", "year": "y"}
_DATEADD = re.compile(r'^=\s*dateadd\(\s*\{=System:Now\}\s*,\s*"(\d+)\s*([ihdwmy])"\s*\)$')


def read_deadline(value: Any) -> str | None:
    """``=dateadd({=System:Now},"3d")`` -> "3 days"; None for any other expression."""
    match = _DATEADD.match(str(_one(value) or "").strip())
    if not match:
        return None
    count, unit = int(match.group(1)), _DATEADD_UNITS[match.group(2)]
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def write_deadline(duration: str) -> str:
    count, unit = parse_duration(duration)
    if unit == "workday":  # no working-day letter in dateadd: days are the closest the UI offers
        unit = "day"
    return f'=dateadd({{=System:Now}},"{count}{_UNIT_LETTERS[unit]}")'


def _note_person(notes: list[str], name: str, value: Any) -> str | None:
    person = read_person(value)
    if person is None and value not in (None, "", []):
        notes.append(f"{name}={value!r} is not a person the blueprint can name (kept as the portal has it)")
    return person


def _field_name(code: str, entity: EntityType = DEAL) -> str:
    """A blueprint field code as ``entity``'s document names it: standard fields as is, others with
    the prefix."""
    return code if code in STANDARD_FIELDS or entity.is_custom_field(code) else entity.field_name(code)


def _scalar(value: Any) -> str | int | float | bool | None:
    value = _one(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# ------------------------------------------------------------------------------ per robot type


def read_copy_deal(props: Mapping[str, Any], ids: Ids) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    out: dict[str, Any] = {}
    pipeline = ids.pipeline_key(props.get("CategoryId"))
    if pipeline is None:
        notes.append(f"CategoryId={props.get('CategoryId')!r} is not a pipeline of this export")
    else:
        out["to_pipeline"] = pipeline
    if props.get("StageId"):
        stage_pipeline, code = ids.stage(props["StageId"])
        if stage_pipeline == pipeline:
            out["to_stage"] = code
        else:
            notes.append(f"StageId={props['StageId']!r} is not a stage of pipeline {pipeline!r}")
    if props.get("DealTitle"):
        out["deal_title"] = str(props["DealTitle"])
    person = _note_person(notes, "Responsible", props.get("Responsible"))
    if person:
        out["responsible"] = person
    return out, notes


def write_copy_deal(robot: CopyDealRobot, ids: Ids) -> dict[str, Any]:
    props: dict[str, Any] = {
        "CategoryId": ids.category_id(robot.to_pipeline),
        "Responsible": write_person(robot.responsible),
    }
    if robot.to_stage:
        props["StageId"] = ids.status_id(robot.to_pipeline, robot.to_stage)
    if robot.deal_title:
        props["DealTitle"] = robot.deal_title
    return props


def _entity_fields(props: Mapping[str, Any]) -> dict[str, Any]:
    """DynamicEntitiesFields without the ``<typeId>_`` prefix the designer puts on each key."""
    raw = props.get("DynamicEntitiesFields")
    prefix = f"{props.get('DynamicTypeId')}_"
    if not isinstance(raw, Mapping):
        return {}
    return {str(k).removeprefix(prefix): v for k, v in raw.items()}


def read_create_deal(props: Mapping[str, Any], ids: Ids) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    out: dict[str, Any] = {}
    if str(props.get("DynamicTypeId")) != "2":
        # Any other CRM item (a lead, a smart process) is not what create_deal says.
        return {}, [f"DynamicTypeId={props.get('DynamicTypeId')!r}: creates an item that is not a deal"]
    fields = _entity_fields(props)
    pipeline = ids.pipeline_key(fields.pop("CATEGORY_ID", 0) or 0)
    if pipeline is None:
        notes.append("CATEGORY_ID is not a pipeline of this export")
    else:
        out["pipeline"] = pipeline
    stage = fields.pop("STAGE_ID", None)
    if stage:
        stage_pipeline, code = ids.stage(stage)
        if stage_pipeline == pipeline:
            out["stage"] = code
        else:
            notes.append(f"STAGE_ID={stage!r} is not a stage of pipeline {pipeline!r}")
    out["deal_title"] = str(fields.pop("TITLE", "") or "")
    person = _note_person(notes, "ASSIGNED_BY_ID", fields.pop("ASSIGNED_BY_ID", None))
    if person:
        out["responsible"] = person
    amount = fields.pop("OPPORTUNITY", None)
    out["amount_from_deal"] = amount == "{=Document:OPPORTUNITY}"
    if amount not in (None, "", "{=Document:OPPORTUNITY}"):
        fields["OPPORTUNITY"] = amount
    out["set_fields"] = {
        DEAL.field_code(str(k)): _scalar(v) for k, v in fields.items() if v not in (None, "")
    }
    return out, notes


def write_create_deal(robot: CreateDealRobot, ids: Ids) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "TITLE": robot.deal_title,
        "CATEGORY_ID": ids.category_id(robot.pipeline),
        "ASSIGNED_BY_ID": write_person(robot.responsible),
    }
    if robot.stage:
        fields["STAGE_ID"] = ids.status_id(robot.pipeline, robot.stage)
    if robot.amount_from_deal:
        fields["OPPORTUNITY"] = "{=Document:OPPORTUNITY}"
    for code, value in robot.set_fields.items():
        fields[_field_name(code)] = value
    return {"DynamicTypeId": 2, "DynamicEntitiesFields": {f"2_{k}": v for k, v in fields.items()}}


def read_create_task(props: Mapping[str, Any], ids: Ids) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    raw = props.get("Fields")
    fields: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    out: dict[str, Any] = {"task_title": str(fields.get("TITLE") or "")}
    person = _note_person(notes, "RESPONSIBLE_ID", fields.get("RESPONSIBLE_ID"))
    if person:
        out["responsible"] = person
    deadline = fields.get("DEADLINE")
    if deadline not in (None, ""):
        duration = read_deadline(deadline)
        if duration is None:
            notes.append(f"DEADLINE={deadline!r} is not a time after the robot runs")
        else:
            out["deadline"] = duration
    if fields.get("DESCRIPTION"):
        out["description"] = str(fields["DESCRIPTION"])
    return out, notes


def write_create_task(robot: CreateTaskRobot, ids: Ids) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "TITLE": robot.task_title,
        "CREATED_BY": "{=Document:ASSIGNED_BY_ID}",
        "RESPONSIBLE_ID": write_person(robot.responsible),
    }
    if robot.deadline:
        fields["DEADLINE"] = write_deadline(robot.deadline)
    if robot.description:
        fields["DESCRIPTION"] = robot.description
    return {"Fields": fields, "HoldToClose": "N", "AUTO_LINK_TO_CRM_ENTITY": "Y"}


_TIMEOUT_UNITS = {"m": "minute", "h": "hour", "d": "day"}


def read_timeout(props: Mapping[str, Any]) -> str | None:
    """TimeoutDuration + TimeoutDurationType (m/h/d; ``i`` too) as a duration, e.g. "3 days"."""
    unit = _TIMEOUT_UNITS.get(str(props.get("TimeoutDurationType") or "").replace("i", "m"))
    try:
        count = int(str(props.get("TimeoutDuration")))
    except ValueError:
        return None
    if unit is None or count <= 0 or props.get("TimeoutTime"):
        return None
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


# What the robots' delay selector offers: minutes, hours, days (DelayInterval::setValueType takes
# i/h/d only). Longer units are written in days, as the UI would have them.
_UI_DAYS = {"week": 7, "month": 30, "year": 365}


def ui_duration(duration: str) -> str:
    """A delay as the portal's UI can set it: ``"1 month"`` -> ``"30 days"``, ``"2 hours"`` unchanged.

    A working day becomes a day: the selector counts calendar days (its "working time" switch is
    a separate setting the blueprint does not hold).
    """
    count, unit = parse_duration(duration)
    if unit == "workday":
        unit = "day"
    if unit in _UI_DAYS:
        count, unit = count * _UI_DAYS[unit], "day"
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def ui_can_hold(duration: str) -> bool:
    """True when the robots' delay selector holds ``duration`` as written (minutes, hours, days)."""
    return parse_duration(duration)[1] in ("minute", "hour", "day")


def write_timeout(duration: str) -> dict[str, Any]:
    """A duration as the delay's properties; only minutes, hours and days exist (DelayInterval)."""
    count, unit = parse_duration(ui_duration(duration))  # validate warns about other units (lint/delay-unit)
    return {"TimeoutDuration": count, "TimeoutDurationType": unit[0], "TimeoutTimeIsLocal": "N"}


def read_wait(props: Mapping[str, Any], ids: Ids) -> tuple[dict[str, Any], list[str]]:
    duration = read_timeout(props)
    if duration is None:
        return {}, [f"a pause the blueprint cannot express ({dict(props)!r})"]
    return {"duration": duration}, []


def write_wait(robot: WaitRobot, ids: Ids) -> dict[str, Any]:
    return write_timeout(robot.duration)


def read_set_field(props: Mapping[str, Any], ids: Ids) -> tuple[dict[str, Any], list[str]]:
    values = props.get("FieldValue")
    if not isinstance(values, Mapping) or len(values) != 1:
        return {}, [
            f"FieldValue sets {len(values) if isinstance(values, Mapping) else 0} fields (one expected)"
        ]
    ((name, value),) = values.items()
    return {"field": ids.entity.field_code(str(name)), "value": _scalar(value)}, []


def write_set_field(robot: SetFieldRobot, ids: Ids) -> dict[str, Any]:
    return {"FieldValue": {_field_name(robot.field, ids.entity): robot.value}}


def read_change_stage(props: Mapping[str, Any], ids: Ids) -> tuple[dict[str, Any], list[str]]:
    if not props.get("TargetStatus"):
        return {}, ["TargetStatus is empty"]
    return {"stage": ids.stage(props["TargetStatus"])[1]}, []


def write_change_stage(robot: ChangeStageRobot, ids: Ids) -> dict[str, Any]:
    # The stage's own pipeline prefix is added by the caller that knows the stage (see template.py).
    return {"TargetStatus": robot.stage}


def read_notify(props: Mapping[str, Any], ids: Ids) -> tuple[dict[str, Any], list[str]]:
    notes: list[str] = []
    out: dict[str, Any] = {"message": str(props.get("MessageText") or "")}
    person = _note_person(notes, "MessageUserTo", props.get("MessageUserTo"))
    if person:
        out["to"] = person
    return out, notes


def write_notify(robot: NotifyRobot, ids: Ids) -> dict[str, Any]:
    return {
        "MessageUserFrom": "",
        "MessageUserTo": write_person(robot.to),
        "MessageText": robot.message,
        "MessageFormat": "robot",
    }
