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

from b24provision.entities.types import DEAL

# Codes become STATUS_ID / FIELD_NAME on the portal; the portal accepts [A-Za-z0-9_-] for stages but
# we keep to one portable alphabet for both.
UpperCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1)]
# A stage code holds at most 22 − len("C<id>:") characters: 22 in the default pipeline, 19 in C1–C9,
# 18 in C10–C99, 17 from C100 (CCrmStatus::validateStatusId, reference §13.5). The model accepts 22,
# what some pipeline can hold (reading any portal must work: export, plan); validate warns above 17
# (check/stage-code-length) and plan refuses what the target pipeline cannot hold (plan/stage_codes.py).
StageCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1, max_length=22)]
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

    # Attribute docstrings become descriptions in the JSON Schema (editor hovers): schema.py reads
    # them from this file. Not use_attribute_docstrings=True, which parses this module's source on
    # every start of every command (about 20 ms), though only `schema` needs them.
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------- stages


class Condition(Model):
    """Run a robot only when a deal field compares true, e.g. ``OPPORTUNITY > 0``."""

    field: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    """A standard deal field (TITLE, OPPORTUNITY, ...) or a custom field's code."""
    op: Literal["=", "!=", ">", ">=", "<", "<=", "contains", "empty", "not_empty"] = "="
    """How the field is compared with ``value``; ``empty``/``not_empty`` need no value."""
    value: str | int | float | bool | None = None
    """The value the field is compared with."""


class RobotBase(Model):
    """What every robot on a stage has: an optional title, delay and condition."""

    title: str | None = None
    """The robot's title as shown on the stage; a default is made from its type."""
    delay: Duration | None = None
    """Wait this long after the deal enters the stage before running (RobotDelayActivity)."""
    condition: Condition | None = None
    """Run the robot only when this comparison of a deal field is true."""
    after_previous: bool = False
    """Run after the previous robot of the stage has finished, not when the deal enters."""


class CopyDealRobot(RobotBase):
    """Copy the deal into a pipeline and stage (CrmCopyDealActivity)."""

    type: Literal["copy_deal"]
    """Copy the deal into another pipeline (CrmCopyDealActivity)."""
    to_pipeline: PipelineKey
    """The ``key`` of the pipeline the copy goes to."""
    to_stage: StageCode | None = None
    """The stage of the copy; the pipeline's first stage when not given."""
    deal_title: str | None = None
    """The copy's title; the original's title when not given."""
    responsible: Person = "responsible"
    """Who is responsible for the copy: responsible, author or user:<id>."""
    keep_amount: bool = True
    """The copy keeps the amount (the robot always copies it; false adds a step that clears it)."""
    store_id_in: FieldCode | None = None
    """A custom field of this deal that receives the new deal's id (the "Child deals" link)."""


class CreateDealRobot(RobotBase):
    """Create a new deal in a pipeline and stage (CrmCreateDynamicActivity, deal type)."""

    type: Literal["create_deal"]
    """Create a new deal (CrmCreateDynamicActivity)."""
    pipeline: PipelineKey
    """The ``key`` of the pipeline the new deal goes to."""
    stage: StageCode | None = None
    """The new deal's stage; the pipeline's first stage when not given."""
    deal_title: str
    """The new deal's title."""
    responsible: Person = "responsible"
    """Who is responsible for the new deal: responsible, author or user:<id>."""
    amount_from_deal: bool = False
    """Take the amount of this deal into the new one (duplicates sums in analytics)."""
    set_fields: dict[str, str | int | float | bool] = Field(default_factory=dict)
    """Deal fields of the new deal and their values, e.g. ``{SOURCE_ID: REPEAT}``."""
    store_id_in: FieldCode | None = None
    """A custom field of this deal that receives the new deal's id."""


class CreateTaskRobot(RobotBase):
    """Create a task for a person with a deadline (Task2Activity)."""

    type: Literal["create_task"]
    """Create a task (Task2Activity)."""
    task_title: Name
    """The task's title."""
    responsible: Person = "responsible"
    """Who the task is for: responsible, author or user:<id>."""
    deadline: Duration | None = None
    """The deadline, counted from when the robot runs."""
    description: str | None = None
    """The task's description."""
    checklist: list[str] = Field(default_factory=list)
    """Checklist items of the task, in order."""
    store_id_in: FieldCode | None = None
    """A custom field of the deal that receives the task's id."""


class WaitRobot(RobotBase):
    """Pause the stage's robot chain for a time (RobotDelayActivity)."""

    type: Literal["wait"]
    """Pause the stage's robots (RobotDelayActivity)."""
    duration: Duration
    """How long to wait, e.g. '3 days' or '1 month'."""


class SetFieldRobot(RobotBase):
    """Set a deal field to a value (SetFieldActivity)."""

    type: Literal["set_field"]
    """Set a deal field (SetFieldActivity)."""
    field: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    """The deal field to set: a standard field (TITLE, OPPORTUNITY, ...) or a custom field's code."""
    value: str | int | float | bool | None
    """The value to set; null clears the field."""


class ChangeStageRobot(RobotBase):
    """Move the deal to another stage of its pipeline (CrmChangeStatusActivity)."""

    type: Literal["change_stage"]
    """Move the deal to another stage (CrmChangeStatusActivity)."""
    stage: StageCode
    """The ``code`` of a stage of the same pipeline."""


class NotifyRobot(RobotBase):
    """Send a notification to a person ("Add notification", SocNetMessageActivity)."""

    type: Literal["notify"]
    """Send a notification (SocNetMessageActivity)."""
    to: Person = "responsible"
    """Who receives it: responsible, author or user:<id>."""
    message: Annotated[str, StringConstraints(min_length=1)]
    """The notification's text."""


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
    """The stage's STATUS_ID without the ``C<id>:`` prefix: A-Z, 0-9 and _, at most 18 characters."""
    name: Name
    """The stage's name as shown in the pipeline."""
    semantics: Semantics = "process"
    """process (in progress), success (won: exactly one per pipeline) or failure (lost)."""
    color: Color | None = None
    """#RRGGBB; when not given the portal's colour is left as it is."""
    sort: int | None = Field(default=None, ge=0)
    """Explicit sort; when not given the stage's place in the list decides: it keeps the portal's sort
    when that keeps the order, else gets one that does (plan/sorts.py; 10, 20, ... in a new pipeline)."""
    robots: list[Robot] = Field(default_factory=list)
    """Robots that run when a deal enters the stage (set up by hand: REST cannot write them)."""


class Pipeline(Model):
    """A deal pipeline ("direction"): a deal category with its ordered stages."""

    key: PipelineKey
    """How the rest of the blueprint refers to this pipeline; never sent to the portal."""
    name: Name
    """The pipeline's name on the portal; how it is matched (except the default one)."""
    default: bool = False
    """The portal's default pipeline (id 0). Matched by being the default, not by name."""
    sort: int | None = Field(default=None, ge=0)
    """The pipeline's sort; left as the portal has it when not given."""
    previous_names: list[Name] = Field(default_factory=list)
    """Names this pipeline had before, so a rename is an update and not delete + create."""
    stages: list[Stage] = Field(min_length=1)
    """The stages in order: process stages, then one success stage, then failure stages."""

    def stage_sorts(self) -> dict[str, int]:
        """The sort of every stage: its explicit ``sort`` or 10 times its position."""
        return {s.code: s.sort if s.sort is not None else (i + 1) * 10 for i, s in enumerate(self.stages)}

    def stages_by_code(self) -> dict[str, Stage]:
        return {s.code: s for s in self.stages}


# ---------------------------------------------------------------------------------------- fields


class FieldBase(Model):
    """What every custom deal field has; its ``code`` becomes ``UF_CRM_<code>``."""

    code: FieldCode
    """The field's code without ``UF_CRM_`` (the portal adds it): A-Z, 0-9 and _."""
    label: Label | None = None
    """The field's name in the card, list and filter; the code when not given. A string is the
    name in every portal language. A map ``{en: ..., ru: ...}`` sets the languages it names and
    leaves the others to the portal: a new field gets the map's English (else first) text there,
    a label change keeps what the portal has there, and the plan never compares them (nor a named
    language the portal does not have)."""
    multiple: bool = False
    """The field holds several values; cannot be changed after creation (a replace)."""
    mandatory: bool = False
    """A deal cannot be saved without a value."""
    show_in_filter: bool = False
    """The field is offered in the deal list's filter."""
    sort: int = Field(default=100, gt=0)
    """The field's position among the custom fields (larger: later)."""

    @property
    def field_name(self) -> str:
        return DEAL.field_name(self.code)


class StringField(FieldBase):
    """A text field (string)."""

    type: Literal["string"]
    """Text."""
    default: str | None = None
    """The value of a new deal."""
    rows: int = Field(default=1, ge=1, le=50)
    """Lines of the input box (1: a one-line input)."""


class IntegerField(FieldBase):
    """A whole-number field (integer)."""

    type: Literal["integer"]
    """A whole number."""
    default: int | None = None
    """The value of a new deal."""


class DoubleField(FieldBase):
    """A number field with a fractional part (double)."""

    type: Literal["double"]
    """A number with a fractional part."""
    default: float | None = None
    """The value of a new deal."""
    precision: int = Field(default=2, ge=0, le=12)
    """Digits after the decimal point."""


class BooleanField(FieldBase):
    """A yes/no field (boolean)."""

    type: Literal["boolean"]
    """Yes or no."""
    default: bool = False
    """The value of a new deal."""
    display: Literal["checkbox", "radio", "dropdown"] = "checkbox"
    """How it is shown: a checkbox, radio buttons or a drop-down."""


class DateField(FieldBase):
    """A date field (date)."""

    type: Literal["date"]
    """A date."""
    default: Literal["now"] | Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    """None, "now", or a fixed date YYYY-MM-DD."""


class DateTimeField(FieldBase):
    """A date-and-time field (datetime)."""

    type: Literal["datetime"]
    """A date and time."""
    default: (
        Literal["now"] | Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}[T ].+$")] | None
    ) = None
    """None, "now", or a fixed 'YYYY-MM-DD HH:MM:SS'."""


class MoneyField(FieldBase):
    """An amount-with-currency field (money)."""

    type: Literal["money"]
    """An amount with a currency."""
    default: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+)?\|[A-Z]{3}$")] | None = None
    """An amount and currency, e.g. "100|RUB"."""


class UrlField(FieldBase):
    """A link field (url)."""

    type: Literal["url"]
    """A link."""
    default: str | None = None
    """The value of a new deal."""


class AddressField(FieldBase):
    """A postal address field (address)."""

    type: Literal["address"]
    """A postal address."""


class FileField(FieldBase):
    """A file field (file)."""

    type: Literal["file"]
    """Files attached to the deal."""


class EmployeeField(FieldBase):
    """A portal user field (employee)."""

    type: Literal["employee"]
    """A user of the portal."""


class EnumItem(Model):
    """One value of an enumeration field; ``xml_id`` keeps its identity across portals."""

    xml_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]+$", min_length=1, max_length=255)]
    """The item's identity across portals (its XML_ID): letters, digits, _, . or -."""
    value: Name
    """The item's text as shown in the list."""
    sort: int | None = Field(default=None, ge=0)
    """Explicit sort; 10 times the item's position when not given."""
    default: bool = False
    """A new deal gets this item."""


class EnumerationField(FieldBase):
    """A list field (enumeration): the deal takes one (or, multiple, several) of its items."""

    type: Literal["enumeration"]
    """A list of items to choose from."""
    items: list[EnumItem] = Field(min_length=1)
    """The items, in order; matched to the portal's by ``xml_id``."""
    display: Literal["list", "ui", "checkbox", "dialog"] = "list"
    """How it is shown: a list, the UI selector, checkboxes or a dialog."""
    list_height: int = Field(default=1, ge=1)
    """Visible rows of the list."""

    def item_sorts(self) -> dict[str, int]:
        return {
            it.xml_id: it.sort if it.sort is not None else (i + 1) * 10 for i, it in enumerate(self.items)
        }


class CrmStatusField(FieldBase):
    """A field whose values come from a CRM directory (crm_status)."""

    type: Literal["crm_status"]
    """A value from a CRM directory (crm.status)."""
    entity_type: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    """The directory whose values the field offers, e.g. SOURCE or DEAL_TYPE."""


CrmTarget = Literal["deal", "contact", "company", "lead"]


class CrmField(FieldBase):
    """A link to CRM items, e.g. the "Child deals" field that holds the ids of child deals."""

    type: Literal["crm"]
    """Links to CRM items."""
    targets: list[CrmTarget] = Field(min_length=1)
    """Which items it links to: deal, contact, company, lead."""


class IblockSectionField(FieldBase):
    """A field linking to information block sections (iblock_section)."""

    type: Literal["iblock_section"]
    """A section of an information block."""
    iblock_type_id: str | None = None
    """The information block's type, e.g. lists."""
    iblock_id: int | None = Field(default=None, ge=1)
    """The information block's id (it differs between portals)."""


class IblockElementField(FieldBase):
    """A field linking to information block elements (iblock_element)."""

    type: Literal["iblock_element"]
    """An element of an information block."""
    iblock_type_id: str | None = None
    """The information block's type, e.g. lists."""
    iblock_id: int | None = Field(default=None, ge=1)
    """The information block's id (it differs between portals)."""


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
    """The property's name in the robot's settings."""
    type: Literal["bool", "date", "datetime", "double", "file", "int", "select", "string", "text", "user"] = (
        "string"
    )
    """The property's type (bizproc.robot.add PROPERTIES.Type)."""
    description: str | None = None
    """A hint shown under the property."""
    required: bool = False
    """The robot cannot be saved without a value."""
    multiple: bool = False
    """The property holds several values."""
    default: str | int | float | bool | None = None
    """The value of a new robot."""
    options: dict[str, str] = Field(default_factory=dict)
    """For type select: value -> shown text."""


class AppRobot(Model):
    """A robot type an application registers (bizproc.robot.*); needs an OAuth application."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9.\-_]+$", min_length=1)]
    """The robot type's CODE, unique within the application."""
    name: Label
    """The robot type's name in the designer, one text or per language."""
    handler: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    """The URL of the application that runs the robot."""
    description: str | None = None
    """A description shown in the designer."""
    use_subscription: bool = False
    """The robot waits for the handler's answer (USE_SUBSCRIPTION)."""
    auth_user_id: int | None = Field(default=None, ge=1)
    """The portal user the handler acts as (AUTH_USER_ID; differs between portals)."""
    properties: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*$")], AppRobotProperty
    ] = Field(default_factory=dict)
    """The robot's inputs, by name (letters, digits and _)."""
    return_properties: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*$")], AppRobotProperty
    ] = Field(default_factory=dict)
    """What the robot returns, by name."""


class Trigger(Model):
    """An application trigger (crm.automation.trigger.*); binding it to a stage is done by hand."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.\-_]+$", min_length=1)]
    """The trigger's CODE: a-z, 0-9, ., - or _."""
    name: Name
    """The trigger's name in the automation settings."""


# ---------------------------------------------------------------------------------------- whole


class Removed(Model):
    """Objects to delete from the portal, named explicitly (like Terraform's ``removed`` block)."""

    pipelines: list[Name] = Field(default_factory=list)
    """Pipeline names."""
    fields: list[FieldCode] = Field(default_factory=list)
    """Custom field codes, without ``UF_CRM_``."""
    app_robots: list[str] = Field(default_factory=list)
    """Application robot type codes."""
    triggers: list[str] = Field(default_factory=list)
    """Application trigger codes."""


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
    """The blueprint format version; 1."""
    description: str | None = None
    """What the blueprint is for; not sent to the portal."""
    tariff: str | None = None
    """The plan the blueprint targets (a code from the tariff table, e.g. "crm_plus")."""
    variables: dict[Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")], Scalar] = Field(
        default_factory=dict
    )
    """Variables that ``${name}`` refers to, with their defaults (null: must be given)."""
    pipelines: list[Pipeline] = Field(default_factory=list)
    """Deal pipelines, each with its stages and their robots."""
    fields: list[DealField] = Field(default_factory=list)
    """Custom deal fields (UF_CRM_*)."""
    app_robots: list[AppRobot] = Field(default_factory=list)
    """Robot types an application registers (needs an OAuth application)."""
    triggers: list[Trigger] = Field(default_factory=list)
    """Triggers an application registers (needs an OAuth application)."""
    removed: Removed = Field(default_factory=Removed)
    """What to delete from the portal, named explicitly; nothing else is ever deleted."""

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
