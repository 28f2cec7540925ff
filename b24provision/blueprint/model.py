"""The blueprint model: the desired CRM configuration of a portal, with no portal ids anywhere.

A blueprint says, per CRM entity type (``entities:``; today the deal), which pipelines exist
(each with its ordered stages) and which custom fields exist, which robots sit on which stages,
and which application robot types and triggers an application registers. Top-level
``pipelines:`` and ``fields:`` are shorthand for ``entities: {deal: {pipelines:, fields:}}``:
every blueprint written before the entity level loads unchanged, and a loaded blueprint keeps
the deal's pipelines and fields at the top level (``Blueprint.section("deal")`` gives them as a
section). Everything is identified by a natural key that reads the same on every portal: a
pipeline by its ``key`` (matched to the portal by name, or by being the default one), a stage by
its ``code`` within its pipeline (the STATUS_ID without the portal's ``C<id>:`` prefix), a field
by its ``code`` (the FIELD_NAME without the portal's field prefix).

The same types describe the live portal (see ``b24provision.state.live``), so a plan is a
comparison of two values of one type. The models here check only the shape of single values
(patterns, ranges, literals, unknown keys); rules that span several objects (exactly one success
stage, a robot's reference to a stage) live in ``blueprint/check.py`` so that each finding can
point at its own line in the YAML. Value types are in ``model_types.py``, fields in
``field_model.py``, application objects in ``app_model.py``; all are importable from here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from b24provision.blueprint.app_model import (
    AppRobot,
    AppRobotProperty,
    Trigger,
)
from b24provision.blueprint.field_model import (
    FIELD_TYPES,
    AddressField,
    BooleanField,
    CrmField,
    CrmStatusField,
    CrmTarget,
    DateField,
    DateTimeField,
    DealField,
    DoubleField,
    EmployeeField,
    EnumerationField,
    EnumItem,
    FieldBase,
    FileField,
    IblockElementField,
    IblockSectionField,
    IntegerField,
    MoneyField,
    StringField,
    UrlField,
    label_map,
)
from b24provision.blueprint.list_model import ListItem, Lists
from b24provision.blueprint.model_types import (
    Color,
    Duration,
    FieldCode,
    Flag,
    Label,
    LangCode,
    Model,
    Name,
    Person,
    PipelineKey,
    Semantics,
    StageCode,
    UpperCode,
    duration_days,
    parse_duration,
)
from b24provision.blueprint.removed_model import Removed, RemovedLead, RemovedSection
from b24provision.blueprint.robot_model import (
    ChangeStageRobot,
    Condition,
    CopyDealRobot,
    CreateDealRobot,
    CreateTaskRobot,
    NotifyRobot,
    Robot,
    RobotBase,
    SetFieldRobot,
    WaitRobot,
)
from b24provision.blueprint.smart_model import SmartProcessSettings

# ---------------------------------------------------------------------------------------- stages


# The blueprint's robot types, in the union's order. Everything else about a type (its activity
# class, UI names, entities, settings) is its row in the robot-kind table, robots/kinds.py.
ROBOT_TYPES: tuple[str, ...] = tuple(
    str(get_args(member.model_fields["type"].annotation)[0]) for member in get_args(get_args(Robot)[0])
)


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
    default: Flag = False
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


# -------------------------------------------------------------------------------------- entities


class EntitySection(Model):
    """What every CRM entity type of a blueprint can have: its custom fields."""

    fields: list[DealField] = Field(default_factory=list)
    """Custom fields of the entity (the portal prefixes their codes)."""

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in type(self).model_fields)


class PipelineSection(EntitySection):
    """An entity type with pipelines of stages (deals; smart processes next)."""

    pipelines: list[Pipeline] = Field(default_factory=list)
    """Pipelines, each with its stages and their robots."""


class LeadSection(EntitySection):
    """The lead: one list of statuses (crm.status ENTITY_ID ``STATUS``) and custom fields."""

    statuses: list[Stage] = Field(default_factory=list)
    """Lead statuses, in board order, with their semantics and robots."""


class SmartProcessRemoved(Model):
    """What to delete from one smart process (``removed:`` under it), as the top-level ``removed:``
    names the deal's: what each delete destroys is counted on the type's items first."""

    pipelines: list[Name] = Field(default_factory=list)
    """Pipeline names of the type."""
    fields: list[FieldCode] = Field(default_factory=list)
    """Custom field codes of the type, without the prefix its descriptor puts in front."""


class SmartProcess(SmartProcessSettings, PipelineSection):
    """A smart process (``smart_processes:``): its settings (blueprint/smart_model.py), pipelines
    and custom fields in the deal's language, and what to delete from it."""

    removed: SmartProcessRemoved = Field(default_factory=SmartProcessRemoved)
    """Its pipelines and fields to delete (the type itself: the top-level ``removed.smart_processes``)."""


class Entities(Model):
    """The blueprint per CRM entity type (today: deal), by the names plans use (``deal:sales/NEW``)."""

    # A new entity type is one more entry here with its section type, not a new code path: the
    # lead a section with statuses and fields, contacts and companies an EntitySection (fields),
    # smart processes PipelineSections (issue 16).

    deal: PipelineSection = Field(default_factory=PipelineSection)
    """Deals: pipelines and custom fields (the same as top-level ``pipelines:`` and ``fields:``)."""
    lead: LeadSection = Field(default_factory=LeadSection)
    """Leads: their statuses (one list, no pipelines) and custom fields."""
    contact: EntitySection = Field(default_factory=EntitySection)
    """Contacts: custom fields."""
    company: EntitySection = Field(default_factory=EntitySection)
    """Companies: custom fields."""

    def others(self) -> dict[str, EntitySection]:
        """The entity types besides the deal that the blueprint says something about, by key."""
        named = {"lead": self.lead, "contact": self.contact, "company": self.company}
        return {key: section for key, section in named.items() if not section.is_empty()}


# ---------------------------------------------------------------------------------------- whole


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
    """Custom deal fields (the portal prefixes their codes)."""
    app_robots: list[AppRobot] = Field(default_factory=list)
    """Robot types an application registers (needs an OAuth application)."""
    triggers: list[Trigger] = Field(default_factory=list)
    """Triggers an application registers (needs an OAuth application)."""
    smart_processes: list[SmartProcess] = Field(default_factory=list)
    """Smart processes (crm.type): each by its key, matched on the portal by its title."""
    entities: Entities = Field(default_factory=Entities)
    """Per CRM entity type: ``deal: {pipelines:, fields:}``. Top-level ``pipelines:`` and
    ``fields:`` are shorthand for the deal's; give one of the two forms."""
    lists: Lists = Field(default_factory=Lists)
    """Reference lists (crm.status directories: deal types, sources, ...): items by their code."""
    removed: Removed = Field(default_factory=Removed)
    """What to delete from the portal, named explicitly; nothing else is ever deleted."""

    # Where each value came from, by its path in the merged document, e.g.
    # ("pipelines", 0, "stages", 2, "code"). Filled by the loader; empty for live state.
    _locations: dict[tuple[str | int, ...], Location] = PrivateAttr(default_factory=dict)
    # True when the deal was given both at the top level and under entities.deal (check.py says so).
    _both_forms: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _fold_entities(self) -> Blueprint:
        """Keep the deal's section at the top level, where the shorthand puts it."""
        deal = self.entities.deal
        if deal.is_empty():
            return self
        if self.pipelines or self.fields:
            self._both_forms = True
            return self
        # The model is frozen; this runs once, while it is being built.
        object.__setattr__(self, "pipelines", deal.pipelines)
        object.__setattr__(self, "fields", deal.fields)
        # The other entity types stay where they were given.
        object.__setattr__(self, "entities", self.entities.model_copy(update={"deal": PipelineSection()}))
        return self

    @property
    def both_deal_forms(self) -> bool:
        """The deal was given both as top-level pipelines/fields and under ``entities.deal``."""
        return self._both_forms

    def section(self, entity: Literal["deal"]) -> PipelineSection:
        """The blueprint of one CRM entity type, as a section."""
        return PipelineSection(pipelines=self.pipelines, fields=self.fields)

    def fields_of(self, entity: str) -> list[DealField]:
        """The custom fields declared for ``entity`` ("deal": the top-level ``fields``)."""
        if entity == "deal":
            return self.fields
        section = self.entities.others().get(entity)
        return section.fields if section is not None else []

    @staticmethod
    def fields_path(entity: str) -> tuple[str, ...]:
        """Where an entity's fields are in the document (for locations): ``fields`` for the deal."""
        return ("fields",) if entity == "deal" else ("entities", entity, "fields")

    def locate(self, *loc: str | int) -> Location | None:
        """The location of the value at ``loc``, or of its nearest located parent."""
        key: tuple[str | int, ...] = tuple(loc)
        while key:
            if key in self._locations:
                return self._locations[key]
            key = key[:-1]
        return self._locations.get(())

    def with_locations(self, locations: dict[tuple[str | int, ...], Location]) -> Blueprint:
        # A value under entities.deal is also found by its shorthand path ("pipelines", 0, ...),
        # the one the checks use, so both forms are located alike.
        self._locations = dict(locations)
        for path, where in locations.items():
            if path[:2] == ("entities", "deal") and len(path) > 2:
                self._locations.setdefault(path[2:], where)
        # A lead status named in the deprecated removed.lead_statuses is found where it is written.
        for now, written in self.removed.lead_status_paths().items():
            if written in locations:
                self._locations.setdefault(now, locations[written])
        return self

    def pipelines_by_key(self) -> dict[str, Pipeline]:
        return {p.key: p for p in self.pipelines}

    def fields_by_code(self) -> dict[str, FieldBase]:
        return {f.code: f for f in self.fields}

    def default_pipeline(self) -> Pipeline | None:
        return next((p for p in self.pipelines if p.default), None)

    def robot_count(self) -> int:
        return sum(len(s.robots) for p in self.pipelines for s in p.stages)


def dump(value: Any) -> Any:
    """A JSON-ready dump of a model, without defaults that were not set."""
    return value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value


# Everything a blueprint is made of is importable from here.
__all__ = [
    "AddressField", "AppRobot", "AppRobotProperty", "Blueprint", "BooleanField", "ChangeStageRobot",
    "Color", "Condition", "CopyDealRobot", "CreateDealRobot", "CreateTaskRobot", "CrmField",
    "CrmStatusField", "CrmTarget", "DateField", "DateTimeField", "DealField", "DoubleField", "dump",
    "Duration", "duration_days", "EmployeeField", "Entities", "EntitySection", "EnumerationField",
    "EnumItem", "FIELD_TYPES", "FieldBase", "FieldCode", "FileField", "IblockElementField",
    "IblockSectionField", "IntegerField", "Label", "label_map", "LangCode", "Location", "Model",
    "ListItem", "Lists",
    "MoneyField", "Name", "NotifyRobot", "parse_duration", "Person", "Pipeline", "PipelineKey",
    "LeadSection", "PipelineSection", "Removed", "RemovedLead", "RemovedSection", "Robot", "ROBOT_TYPES",
    "RobotBase",
    "Scalar", "Semantics",
    "SetFieldRobot", "SmartProcess", "Stage", "StageCode", "StringField", "Trigger", "UpperCode", "UrlField",
    "WaitRobot",
]  # fmt: skip
