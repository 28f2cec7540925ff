"""The blueprint model: the desired CRM configuration of a portal, with no portal ids anywhere.

A blueprint says which deal pipelines exist (each with its ordered stages), which custom deal
fields exist, which robots sit on which stages, and which application robot types and triggers an
application registers. Everything is identified by a natural key that reads the same on every
portal: a pipeline by its ``key`` (matched to the portal by name, or by being the default one), a
stage by its ``code`` within its pipeline (the STATUS_ID without the portal's ``C<id>:`` prefix),
a field by its ``code`` (the FIELD_NAME without ``UF_CRM_``).

The same types describe the live portal (see ``b24provision.state``), so a plan is a comparison of
two values of one type. The models here check only the shape of single values (patterns, ranges,
literals, unknown keys); rules that span several objects (exactly one success stage, a robot's
reference to a stage) live in ``blueprint/check.py`` so that each finding can point at its own
line in the YAML.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

# Codes become STATUS_ID / FIELD_NAME on the portal; the portal accepts [A-Za-z0-9_-] for stages but
# we keep to one portable alphabet for both.
UpperCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1)]
# STATUS_ID holds at most 22 characters for DEAL_STAGE and "depends on the pipeline id" for
# DEAL_STAGE_<id> (reference §6). The prefix C<id>: takes up to 5 of them for ids below 1000, so a
# code of 17 fits every pipeline on every portal (inferred: the exact rule is UNVERIFIED). The
# portal's own default stage PREPAYMENT_INVOICE has 18, and a new pipeline gets it too, so 18 is
# accepted: reading any portal must work (export, plan).
StageCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1, max_length=18)]
# FIELD_NAME is at most 50 characters including the 7 of "UF_CRM_" (reference §7.3).
FieldCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1, max_length=43)]
PipelineKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
# A label is one string for every language, or a map of language -> text.
Label = str | dict[LangCode, str]
# A duration such as "1 month", "3 days", "10 minutes".
Duration = Annotated[
    str,
    StringConstraints(pattern=r"^\d+\s*(minute|hour|day|workday|week|month|year)s?$", strip_whitespace=True),
]
# Who a robot acts for: the deal's responsible person, its author, or one user by portal id
# (user ids differ between portals: put them in environment values, see blueprint/variables.py).
Person = Annotated[str, StringConstraints(pattern=r"^(responsible|author|user:\d+)$")]
Semantics = Literal["process", "success", "failure"]

_DURATION = re.compile(r"^(\d+)\s*(minute|hour|day|workday|week|month|year)s?$")
_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "workday": 1.4, "week": 7, "month": 30, "year": 365}


def parse_duration(text: str) -> tuple[int, str]:
    """Split a duration such as ``"1 month"`` into ``(1, "month")``."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return int(match.group(1)), match.group(2)


def duration_days(text: str) -> float:
    """The approximate length of a duration in days (a month counts as 30)."""
    count, unit = parse_duration(text)
    return count * _DAYS[unit]


class Model(BaseModel):
    """Base of every blueprint model: immutable, and unknown keys are errors."""

    # Attribute docstrings become descriptions in the JSON Schema (editor hovers, see schema.py).
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


# ---------------------------------------------------------------------------------------- stages


class Condition(Model):
    """Run a robot only when a deal field compares true, e.g. ``OPPORTUNITY > 0``."""

    field: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    """A standard deal field (TITLE, OPPORTUNITY, ...) or a custom field's code."""
    op: Literal["=", "!=", ">", ">=", "<", "<=", "contains", "empty", "not_empty"] = "="
    value: str | int | float | bool | None = None


class RobotBase(Model):
    """What every robot on a stage has: an optional title, delay and condition."""

    title: str | None = None
    """The robot's title as shown on the stage; a default is made from its type."""
    delay: Duration | None = None
    """Wait this long after the deal enters the stage before running (RobotDelayActivity)."""
    condition: Condition | None = None
    after_previous: bool = False
    """Run after the previous robot of the stage has finished, not when the deal enters."""


class CopyDealRobot(RobotBase):
    """Copy the deal into a pipeline and stage (CrmCopyDealActivity)."""

    type: Literal["copy_deal"]
    to_pipeline: PipelineKey
    to_stage: StageCode | None = None
    """The stage of the copy; the pipeline's first stage when not given."""
    deal_title: str | None = None
    responsible: Person = "responsible"
    keep_amount: bool = True
    """The copy keeps the amount (the robot always copies it; false adds a step that clears it)."""
    store_id_in: FieldCode | None = None
    """A custom field of this deal that receives the new deal's id (the "Child deals" link)."""


class CreateDealRobot(RobotBase):
    """Create a new deal in a pipeline and stage (CrmCreateDynamicActivity, deal type)."""

    type: Literal["create_deal"]
    pipeline: PipelineKey
    stage: StageCode | None = None
    deal_title: str
    responsible: Person = "responsible"
    amount_from_deal: bool = False
    """Take the amount of this deal into the new one (duplicates sums in analytics)."""
    set_fields: dict[str, str | int | float | bool] = Field(default_factory=dict)
    store_id_in: FieldCode | None = None


class CreateTaskRobot(RobotBase):
    """Create a task for a person with a deadline (Task2Activity)."""

    type: Literal["create_task"]
    task_title: Name
    responsible: Person = "responsible"
    deadline: Duration | None = None
    """The deadline, counted from when the robot runs."""
    description: str | None = None
    checklist: list[str] = Field(default_factory=list)
    store_id_in: FieldCode | None = None


class WaitRobot(RobotBase):
    """Pause the stage's robot chain for a time (RobotDelayActivity)."""

    type: Literal["wait"]
    duration: Duration


class SetFieldRobot(RobotBase):
    """Set a deal field to a value (SetFieldActivity)."""

    type: Literal["set_field"]
    field: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    value: str | int | float | bool | None


class ChangeStageRobot(RobotBase):
    """Move the deal to another stage of its pipeline (CrmChangeStatusActivity)."""

    type: Literal["change_stage"]
    stage: StageCode


class NotifyRobot(RobotBase):
    """Send a notification to a person ("Add notification", SocNetMessageActivity)."""

    type: Literal["notify"]
    to: Person = "responsible"
    message: Annotated[str, StringConstraints(min_length=1)]


Robot = Annotated[
    CopyDealRobot
    | CreateDealRobot
    | CreateTaskRobot
    | WaitRobot
    | SetFieldRobot
    | ChangeStageRobot
    | NotifyRobot,
    Field(discriminator="type"),
]

# The real activity class behind each robot type (reference §8.6).
ROBOT_ACTIVITIES: dict[str, str] = {
    "copy_deal": "CrmCopyDealActivity",
    "create_deal": "CrmCreateDynamicActivity",
    "create_task": "Task2Activity",
    "wait": "RobotDelayActivity",
    "set_field": "SetFieldActivity",
    "change_stage": "CrmChangeStatusActivity",
    "notify": "SocNetMessageActivity",
}


class Stage(Model):
    """A stage of a pipeline; its ``code`` is the STATUS_ID without the ``C<id>:`` prefix."""

    code: StageCode
    name: Name
    semantics: Semantics = "process"
    color: Color | None = None
    """#RRGGBB; when not given the portal's colour is left as it is."""
    sort: int | None = Field(default=None, ge=0)
    """Explicit sort; when not given it is 10 times the stage's position (10, 20, ...)."""
    robots: list[Robot] = Field(default_factory=list)


class Pipeline(Model):
    """A deal pipeline ("direction"): a deal category with its ordered stages."""

    key: PipelineKey
    """How the rest of the blueprint refers to this pipeline; never sent to the portal."""
    name: Name
    default: bool = False
    """The portal's default pipeline (id 0). Matched by being the default, not by name."""
    sort: int | None = Field(default=None, ge=0)
    """The pipeline's sort; left as the portal has it when not given."""
    previous_names: list[Name] = Field(default_factory=list)
    """Names this pipeline had before, so a rename is an update and not delete + create."""
    stages: list[Stage] = Field(min_length=1)

    def stage_sorts(self) -> dict[str, int]:
        """The sort of every stage: its explicit ``sort`` or 10 times its position."""
        return {s.code: s.sort if s.sort is not None else (i + 1) * 10 for i, s in enumerate(self.stages)}

    def stages_by_code(self) -> dict[str, Stage]:
        return {s.code: s for s in self.stages}


# ---------------------------------------------------------------------------------------- fields


class FieldBase(Model):
    """What every custom deal field has; its ``code`` becomes ``UF_CRM_<code>``."""

    code: FieldCode
    label: Label | None = None
    """The field's name in the card, list and filter; the code when not given. A string is the
    name in every portal language. A map ``{en: ..., ru: ...}`` sets the languages it names and
    leaves the others to the portal: a new field gets the map's English (else first) text there,
    a label change keeps what the portal has there, and the plan never compares them (nor a named
    language the portal does not have)."""
    multiple: bool = False
    mandatory: bool = False
    show_in_filter: bool = False
    sort: int = Field(default=100, gt=0)

    @property
    def field_name(self) -> str:
        return f"UF_CRM_{self.code}"


class StringField(FieldBase):
    type: Literal["string"]
    default: str | None = None
    rows: int = Field(default=1, ge=1, le=50)


class IntegerField(FieldBase):
    type: Literal["integer"]
    default: int | None = None


class DoubleField(FieldBase):
    type: Literal["double"]
    default: float | None = None
    precision: int = Field(default=2, ge=0, le=12)


class BooleanField(FieldBase):
    type: Literal["boolean"]
    default: bool = False
    display: Literal["checkbox", "radio", "dropdown"] = "checkbox"


class DateField(FieldBase):
    type: Literal["date"]
    default: Literal["now"] | Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    """None, "now", or a fixed date YYYY-MM-DD."""


class DateTimeField(FieldBase):
    type: Literal["datetime"]
    default: (
        Literal["now"] | Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}[T ].+$")] | None
    ) = None


class MoneyField(FieldBase):
    type: Literal["money"]
    default: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?\|[A-Z]{3}$")] | None = None
    """An amount and currency, e.g. "100|RUB"."""


class UrlField(FieldBase):
    type: Literal["url"]
    default: str | None = None


class AddressField(FieldBase):
    type: Literal["address"]


class FileField(FieldBase):
    type: Literal["file"]


class EmployeeField(FieldBase):
    type: Literal["employee"]


class EnumItem(Model):
    """One value of an enumeration field; ``xml_id`` keeps its identity across portals."""

    xml_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]+$", min_length=1, max_length=255)]
    value: Name
    sort: int | None = Field(default=None, ge=0)
    """Explicit sort; 10 times the item's position when not given."""
    default: bool = False


class EnumerationField(FieldBase):
    type: Literal["enumeration"]
    items: list[EnumItem] = Field(min_length=1)
    display: Literal["list", "ui", "checkbox", "dialog"] = "list"
    list_height: int = Field(default=1, ge=1)

    def item_sorts(self) -> dict[str, int]:
        return {
            it.xml_id: it.sort if it.sort is not None else (i + 1) * 10 for i, it in enumerate(self.items)
        }


class CrmStatusField(FieldBase):
    type: Literal["crm_status"]
    entity_type: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    """The directory whose values the field offers, e.g. SOURCE or DEAL_TYPE."""


CrmTarget = Literal["deal", "contact", "company", "lead"]


class CrmField(FieldBase):
    """A link to CRM items, e.g. the "Child deals" field that holds the ids of child deals."""

    type: Literal["crm"]
    targets: list[CrmTarget] = Field(min_length=1)


class IblockSectionField(FieldBase):
    type: Literal["iblock_section"]
    iblock_type_id: str | None = None
    iblock_id: int | None = Field(default=None, ge=1)


class IblockElementField(FieldBase):
    type: Literal["iblock_element"]
    iblock_type_id: str | None = None
    iblock_id: int | None = Field(default=None, ge=1)


DealField = Annotated[
    StringField
    | IntegerField
    | DoubleField
    | BooleanField
    | DateField
    | DateTimeField
    | MoneyField
    | UrlField
    | AddressField
    | FileField
    | EmployeeField
    | EnumerationField
    | CrmStatusField
    | CrmField
    | IblockSectionField
    | IblockElementField,
    Field(discriminator="type"),
]

FIELD_TYPES: tuple[str, ...] = (
    "string", "integer", "double", "boolean", "date", "datetime", "money", "url", "address",
    "file", "employee", "enumeration", "crm_status", "crm", "iblock_section", "iblock_element",
)  # fmt: skip


# ------------------------------------------------------------------- application robots, triggers


class AppRobotProperty(Model):
    """An input or output of an application robot type (bizproc.robot.add PROPERTIES)."""

    name: Name
    type: Literal["bool", "date", "datetime", "double", "file", "int", "select", "string", "text", "user"] = (
        "string"
    )
    description: str | None = None
    required: bool = False
    multiple: bool = False
    default: str | int | float | bool | None = None
    options: dict[str, str] = Field(default_factory=dict)


class AppRobot(Model):
    """A robot type an application registers (bizproc.robot.*); needs an OAuth application."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9.\-_]+$", min_length=1)]
    name: Label
    handler: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    description: str | None = None
    use_subscription: bool = False
    auth_user_id: int | None = Field(default=None, ge=1)
    properties: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*$")], AppRobotProperty
    ] = Field(default_factory=dict)
    return_properties: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*$")], AppRobotProperty
    ] = Field(default_factory=dict)


class Trigger(Model):
    """An application trigger (crm.automation.trigger.*); binding it to a stage is done by hand."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.\-_]+$", min_length=1)]
    name: Name


# ---------------------------------------------------------------------------------------- whole


class Removed(Model):
    """Objects to delete from the portal, named explicitly (like Terraform's ``removed`` block)."""

    pipelines: list[Name] = Field(default_factory=list)
    """Pipeline names."""
    fields: list[FieldCode] = Field(default_factory=list)
    app_robots: list[str] = Field(default_factory=list)
    triggers: list[str] = Field(default_factory=list)


class Location(BaseModel):
    """Where a value came from: a file and a 1-based line and column."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}" if self.line else self.path


Scalar = str | int | float | bool | None


class Blueprint(Model):
    """The whole desired state: pipelines, fields, app robots and triggers, and what to remove."""

    version: Literal[1] = 1
    description: str | None = None
    tariff: str | None = None
    """The plan the blueprint targets (a code from the tariff table, e.g. "crm_plus")."""
    variables: dict[Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")], Scalar] = Field(
        default_factory=dict
    )
    """Variables that ``${name}`` refers to, with their defaults (null: must be given)."""
    pipelines: list[Pipeline] = Field(default_factory=list)
    fields: list[DealField] = Field(default_factory=list)
    app_robots: list[AppRobot] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    removed: Removed = Field(default_factory=Removed)

    # Where each value came from, by its path in the merged document, e.g.
    # ("pipelines", 0, "stages", 2, "code"). Filled by the loader; empty for live state.
    _locations: dict[tuple[str | int, ...], Location] = PrivateAttr(default_factory=dict)

    def locate(self, *loc: str | int) -> Location | None:
        """The location of the value at ``loc``, or of its nearest located parent."""
        key: tuple[str | int, ...] = tuple(loc)
        while key:
            if key in self._locations:
                return self._locations[key]
            key = key[:-1]
        return self._locations.get(())

    def with_locations(self, locations: dict[tuple[str | int, ...], Location]) -> Blueprint:
        self._locations = dict(locations)
        return self

    def pipelines_by_key(self) -> dict[str, Pipeline]:
        return {p.key: p for p in self.pipelines}

    def fields_by_code(self) -> dict[str, FieldBase]:
        return {f.code: f for f in self.fields}

    def default_pipeline(self) -> Pipeline | None:
        return next((p for p in self.pipelines if p.default), None)

    def robot_count(self) -> int:
        return sum(len(s.robots) for p in self.pipelines for s in p.stages)


def label_map(label: Label | None, languages: tuple[str, ...], fallback: str) -> dict[str, str]:
    """The per-language texts a label holds on a portal with ``languages``.

    A string applies to every language; a map gives the languages it names and "" for the others
    (the languages a blueprint's map does not name are not compared: plan/field_compare.py). No
    label means the fallback (the portal shows the field name) in every language.
    """
    if label is None:
        return {lang: fallback for lang in languages}
    if isinstance(label, str):
        return {lang: label for lang in languages}
    return {lang: label.get(lang, "") for lang in sorted(set(languages) | set(label))}


def dump(value: Any) -> Any:
    """A JSON-ready dump of a model, without defaults that were not set."""
    return value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value
