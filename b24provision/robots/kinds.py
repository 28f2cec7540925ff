"""The one robot-kind table: blueprint type <-> activity class <-> UI names <-> entities <-> settings.

Each row of ``ROBOT_KINDS`` says, for one robot type the blueprint language has: its model class
(whose ``type`` literal is the row's key), the activity class the portal stores (reference §8.6),
what the robot catalogue calls it in English and Russian, which CRM entities it exists for (the
activity's ``FILTER`` in its ``.description.php``), what of the tariff it needs, how to read its
``Properties`` into the blueprint's attributes and write them back (``properties.py``), how to
describe its settings in the UI's words (``settings.py``), what the runbook checks once it ran
(``runbook_checks.py``) and how the diagram draws it (``sketches.py``), plus the few facts other
modules ask about a robot: the deal it creates, the stage it moves to, the pause it makes.

Every robot-type dispatch in robots/, lint, forecast, graph and runbook goes through this table, so
adding a robot type is one model class plus one row here and its functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from b24provision.blueprint.model import (
    ChangeStageRobot,
    CopyDealRobot,
    CreateDealRobot,
    CreateTaskRobot,
    NotifyRobot,
    Robot,
    RobotBase,
    SetFieldRobot,
    WaitRobot,
)
from b24provision.robots import properties as props
from b24provision.robots import runbook_checks as checks
from b24provision.robots import settings, sketches
from b24provision.robots.properties import (
    Ids,
    Read,
    Write,
    read_person,
    read_timeout,
    ui_can_hold,
    ui_duration,
    write_person,
)
from b24provision.robots.sketches import Sketch
from b24provision.robots.words import Entity, Lang

__all__ = [
    "ROBOT_KINDS",
    "Ids",
    "NewDeal",
    "RobotKind",
    "kind_of",
    "kind_of_activity",
    "new_deal",
    "pause_of",
    "read_person",
    "read_timeout",
    "robot_kind_name",
    "ui_can_hold",
    "ui_duration",
    "write_person",
    "write_properties",
]

# Entity (words.py): the CRM entities with stage robots: deals, leads and smart processes.
ALL_ENTITIES: tuple[Entity, ...] = ("deal", "lead", "smart")

Describe = Callable[[Any, Any, Lang, Entity], list[tuple[str, str]]]
"""(robot, blueprint, lang, the entity it works on) -> its own settings as (label, value) pairs."""
Checks = Callable[[Any, Any, Any, Lang, Entity], list[str]]
"""(robot, its pipeline, blueprint, lang, the entity it works on) -> what must be seen once it ran."""
Draw = Callable[[Any, Any, Lang, Entity], Sketch]
"""(robot, blueprint, lang, the entity it works on) -> its side node in the diagram."""


@dataclass(frozen=True)
class NewDeal:
    """The deal a robot creates: its pipeline key, stage code (None: the first stage) and title."""

    pipeline: str
    stage: str | None
    title: str | None
    """The new deal's title (template); None: the portal's default."""


@dataclass(frozen=True)
class RobotKind:
    """One robot type: names, activity, entities, tariff need, and its settings in every direction."""

    model: type[RobotBase]
    en: str
    ru: str
    activity: str
    """The activity class the portal stores (reference §8.6)."""
    entities: tuple[Entity, ...]
    read: Read
    write: Write
    describe: Describe
    checks: Checks
    label: Callable[[Any], str] = lambda robot: ""
    """What names an untitled robot of this kind among its stage's robots (see keys.py)."""
    sketch: Draw | None = None
    """Its side node in the diagram; None for robots drawn as arrows (or not at all, a pause)."""
    new_deal: Callable[[Any], NewDeal] | None = None
    """The deal it creates (copy_deal, create_deal); None for every other kind."""
    moves_to: Callable[[Any], str] | None = None
    """The stage of its own pipeline it moves the deal to (change_stage)."""
    pause: Callable[[Any], str] | None = None
    """The pause it makes in its stage's chain (wait)."""
    result: Literal["deal", "item", "task"] | None = None
    """What its ``store_id_in`` receives: the ID of a new deal, CRM item or task."""
    tariff: str = "robots"
    """The tariff need it adds (tariff/needs.py's key): every kind is a plain automation rule."""

    @property
    def type(self) -> str:
        """The blueprint type, the ``type`` literal of its model class."""
        annotation = self.model.model_fields["type"].annotation
        return str(get_args(annotation)[0])


# One row for every robot type. Names are the UI titles from the activities' language files;
# entities from each activity's .description.php FILTER in the core mirrors: CrmCopyDealActivity
# includes CCrmDocumentDeal only; CrmChangeStatusActivity deals, leads, Dynamic (smart processes)
# and more; CrmCreateDynamicActivity all of crm; SetFieldActivity excludes only tasks;
# Task2Activity, RobotDelayActivity and SocNetMessageActivity have no FILTER at all.
_ROWS: tuple[RobotKind, ...] = (
    RobotKind(
        CopyDealRobot,
        "Copy deal",
        "Копировать сделку",
        "CrmCopyDealActivity",
        ("deal",),
        props.read_copy_deal,
        props.write_copy_deal,
        settings.copy_deal_settings,
        checks.copy_deal_checks,
        label=lambda r: r.to_pipeline + (f"/{r.to_stage}" if r.to_stage else ""),
        new_deal=lambda r: NewDeal(r.to_pipeline, r.to_stage, r.deal_title),
        result="deal",
    ),
    # CRM_CDA_NAME_1 of CrmCreateDynamicActivity: the one robot that creates any CRM item, deals too.
    RobotKind(
        CreateDealRobot,
        "Create CRM item",
        "Создать элемент CRM",
        "CrmCreateDynamicActivity",
        ALL_ENTITIES,
        props.read_create_deal,
        props.write_create_deal,
        settings.create_deal_settings,
        checks.create_deal_checks,
        label=lambda r: r.pipeline + (f"/{r.stage}" if r.stage else ""),
        new_deal=lambda r: NewDeal(r.pipeline, r.stage, r.deal_title),
        result="item",
    ),
    RobotKind(
        CreateTaskRobot,
        "Create task",
        "Создать задачу",
        "Task2Activity",
        ALL_ENTITIES,
        props.read_create_task,
        props.write_create_task,
        settings.create_task_settings,
        checks.create_task_checks,
        label=lambda r: r.task_title,
        sketch=sketches.create_task_sketch,
        result="task",
    ),
    # BPRDA_DESCR_NAME of RobotDelayActivity: a robot of its own in the catalogue. The delay *of* a
    # robot is a DelayActivity in front of it instead (Template::$delayActivityType).
    RobotKind(
        WaitRobot,
        "Automation rule pause",
        "Пауза робота",
        "RobotDelayActivity",
        ALL_ENTITIES,
        props.read_wait,
        props.write_wait,
        settings.wait_settings,
        checks.wait_checks,
        label=lambda r: r.duration,
        pause=lambda r: r.duration,
    ),
    # BPSFA_DESCR_ROBOT_TITLE of SetFieldActivity; the English helpdesk (22396442) says "Modify item".
    RobotKind(
        SetFieldRobot,
        "Modify item",
        "Изменить элемент",
        "SetFieldActivity",
        ALL_ENTITIES,
        props.read_set_field,
        props.write_set_field,
        settings.set_field_settings,
        checks.set_field_checks,
        label=lambda r: f"{r.field}={r.value}",
        sketch=sketches.set_field_sketch,
    ),
    RobotKind(
        ChangeStageRobot,
        "Change stage",
        "Сменить стадию",
        "CrmChangeStatusActivity",
        ALL_ENTITIES,
        props.read_change_stage,
        props.write_change_stage,
        settings.change_stage_settings,
        checks.change_stage_checks,
        label=lambda r: r.stage,
        moves_to=lambda r: r.stage,
    ),
    # Not CrmControlNotifyActivity: its UI name is "Notify supervisor" and it only writes to the
    # responsible person's head. A message to any chosen person is "Add notification"
    # (SocNetMessageActivity, BPSNMA_DESCR_ROBOT_TITLE_1).
    RobotKind(
        NotifyRobot,
        "Add notification",
        "Добавить уведомление",
        "SocNetMessageActivity",
        ALL_ENTITIES,
        props.read_notify,
        props.write_notify,
        settings.notify_settings,
        checks.notify_checks,
        label=lambda r: r.message,
        sketch=sketches.notify_sketch,
    ),
)

ROBOT_KINDS: dict[str, RobotKind] = {kind.type: kind for kind in _ROWS}

_BY_ACTIVITY = {kind.activity: type_ for type_, kind in ROBOT_KINDS.items()}
_BY_MODEL = {kind.model: kind for kind in _ROWS}


def kind_of(robot: RobotBase) -> RobotKind:
    """The row of ``robot``'s type (found by its model class)."""
    return _BY_MODEL[type(robot)]


def kind_of_activity(activity: str) -> str | None:
    """The blueprint robot type stored as ``activity``, or None when the language has none."""
    return _BY_ACTIVITY.get(activity)


def robot_kind_name(robot_type: str, lang: Lang = "en") -> str:
    """The catalogue name of a robot type, e.g. ``copy_deal`` -> "Копировать сделку"."""
    kind = ROBOT_KINDS[robot_type]
    return kind.ru if lang == "ru" else kind.en


def new_deal(robot: RobotBase) -> NewDeal | None:
    """Where the deal ``robot`` creates lands, or None when it creates none."""
    make = kind_of(robot).new_deal
    return make(robot) if make else None


def pause_of(robot: RobotBase) -> str | None:
    """The pause ``robot`` makes in its stage's chain (a wait robot's duration), or None."""
    pause = kind_of(robot).pause
    return pause(robot) if pause else None


def write_properties(robot: Robot, ids: Ids) -> dict[str, Any]:
    """The activity Properties of ``robot`` (Title included), as the robot's settings dialog saves them."""
    kind = kind_of(robot)
    out = kind.write(robot, ids)
    out["Title"] = robot.title or kind.en
    return out
