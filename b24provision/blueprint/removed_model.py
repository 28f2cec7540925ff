"""``removed:``: what a blueprint deletes from the portal, named explicitly (like Terraform's
``removed`` block); nothing else is ever deleted.

The lead's statuses are named as ``removed: {lead: {statuses: [...], fields: [...]}}``, next to its
fields, as ``entities.lead`` holds both. The first spelling, ``removed.lead_statuses``, still works:
while the model is built its codes are moved to ``lead.statuses`` (after the ones given there), so
the rest of the tool knows one form; how many there were is kept for the deprecation warning that
validate and plan give (blueprint/check_statuses.py, plan/diff/statuses.py) and for locating them.
"""

from __future__ import annotations

from pydantic import Field, PrivateAttr, model_validator

from b24provision.blueprint.list_model import ListItemCode
from b24provision.blueprint.model_types import FieldCode, Model, Name, StageCode
from b24provision.entities.lists import ListName

DEPRECATED_LEAD_STATUSES = ("removed", "lead_statuses")
"""Where the deprecated spelling is written."""
LEAD_STATUSES = ("removed", "lead", "statuses")
DEPRECATION = (
    "removed.lead_statuses is deprecated: write `removed: {lead: {statuses: [...]}}` instead (it still works)"
)
"""What validate and plan say of it (after its file:line:col)."""


class RemovedSection(Model):
    """What to delete from one entity type besides the deal (``removed: {contact: {fields: [...]}}``)."""

    fields: list[FieldCode] = Field(default_factory=list)
    """Custom field codes of the entity, without the field prefix."""


class RemovedLead(RemovedSection):
    """What to delete from the lead: ``removed: {lead: {statuses: [...], fields: [...]}}``."""

    statuses: list[StageCode] = Field(default_factory=list)
    """Lead status codes (crm.status ENTITY_ID ``STATUS``); refused while leads are in one."""


class Removed(Model):
    """Objects to delete from the portal, named explicitly (like Terraform's ``removed`` block)."""

    pipelines: list[Name] = Field(default_factory=list)
    """Pipeline names."""
    fields: list[FieldCode] = Field(default_factory=list)
    """Custom deal field codes, without the portal's prefix."""
    lead: RemovedLead = Field(default_factory=RemovedLead)
    """Lead statuses and lead fields to delete."""
    contact: RemovedSection = Field(default_factory=RemovedSection)
    """Contact fields to delete."""
    company: RemovedSection = Field(default_factory=RemovedSection)
    """Company fields to delete."""
    app_robots: list[str] = Field(default_factory=list)
    """Application robot type codes."""
    triggers: list[str] = Field(default_factory=list)
    """Application trigger codes."""
    smart_processes: list[Name] = Field(default_factory=list)
    """Smart process titles (the type and everything in it; refused while it holds items)."""
    lead_statuses: list[StageCode] = Field(default_factory=list, json_schema_extra={"deprecated": True})
    """Deprecated: write ``lead: {statuses: [...]}`` instead (still read, with a warning)."""
    lists: dict[ListName, list[ListItemCode]] = Field(default_factory=dict)
    """Reference list items by list name and code (``source: [TRADE_SHOW]``)."""

    # How many codes came in the deprecated removed.lead_statuses (now the last of lead.statuses).
    _deprecated_count: int = PrivateAttr(default=0)

    @model_validator(mode="after")
    def _one_lead_form(self) -> Removed:
        """``lead_statuses`` moved to ``lead.statuses``, so that only one form is read."""
        if not self.lead_statuses:
            return self
        # The model is frozen; this runs once, while it is being built.
        self._deprecated_count = len(self.lead_statuses)
        statuses = [*self.lead.statuses, *self.lead_statuses]
        object.__setattr__(self, "lead", self.lead.model_copy(update={"statuses": statuses}))
        object.__setattr__(self, "lead_statuses", [])
        return self

    @property
    def deprecated_lead_statuses(self) -> int:
        """How many lead statuses were named in the deprecated ``removed.lead_statuses``."""
        return self._deprecated_count

    def lead_status_paths(self) -> dict[tuple[str | int, ...], tuple[str | int, ...]]:
        """Each ``removed.lead.statuses`` entry that came from ``removed.lead_statuses``: the path
        where it is written (for its location), by the path where it now is."""
        first = len(self.lead.statuses) - self._deprecated_count
        return {
            (*LEAD_STATUSES, first + i): (*DEPRECATED_LEAD_STATUSES, i) for i in range(self._deprecated_count)
        }

    def others(self) -> dict[str, RemovedSection]:
        """The entity types besides the deal whose fields are removed, by key (the lead's statuses
        are the lead's directory, read and planned with the lists: plan/diff/statuses.py)."""
        named: dict[str, RemovedSection] = {
            "lead": self.lead,
            "contact": self.contact,
            "company": self.company,
        }
        return {key: section for key, section in named.items() if section.fields}

    def fields_of(self, entity: str) -> list[str]:
        """The field codes removed from ``entity`` ("deal" is the top-level ``fields``)."""
        if entity == "deal":
            return self.fields
        section = self.others().get(entity)
        return section.fields if section is not None else []
