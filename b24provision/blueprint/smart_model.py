"""Smart processes in a blueprint (``smart_processes:``): a CRM type of the consultant's own.

A smart process (``crm.type.*``) is named in plans by its ``key`` (``measurement:main/NEW``,
``measurement:field/SIZE``), which holds across portals while its numeric ids differ; on the portal
it is matched by its ``title``, like a pipeline by its name (``previous_titles`` makes a rename an
update). Its ``pipelines`` and ``fields`` are the deal's language: a new type's default pipeline
(``default: true``) and the stages the portal gives it are reconciled as a new deal pipeline's are.

The switches are what a consultant chooses in the type's settings; each maps to one ``is...Enabled``
flag of crm.type (``SWITCHES``). A switch left out is left as the portal has it (a new type gets the
portal's default for it: off).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from b24provision.blueprint.model_types import Flag, Model, Name, PipelineKey

BUILT_IN_ENTITIES = frozenset({"deal", "lead", "contact", "company", "quote", "invoice", "list"})
"""Entity names a smart process's key may not take: plan refs start with the entity's name ("list":
the reference lists' items)."""


def is_smart_entity(entity: str) -> bool:
    """Whether an op's ``entity`` is a smart process's key (not a built-in entity's name)."""
    return entity not in BUILT_IN_ENTITIES


SWITCHES: dict[str, str] = {
    "categories": "isCategoriesEnabled",
    "stages": "isStagesEnabled",
    "begin_close_dates": "isBeginCloseDatesEnabled",
    "client": "isClientEnabled",
    "products": "isLinkWithProductsEnabled",
    "my_company": "isMycompanyEnabled",
    "documents": "isDocumentsEnabled",
    "source": "isSourceEnabled",
    "observers": "isObserversEnabled",
    "recycle_bin": "isRecyclebinEnabled",
    "automation": "isAutomationEnabled",
    "business_processes": "isBizProcEnabled",
    "use_in_userfield": "isUseInUserfieldEnabled",
}
"""The blueprint's switch -> crm.type's flag (the crm.type.add docs' field table)."""


class SmartProcessSettings(Model):
    """A smart process's own settings: key, title and switches. ``model.SmartProcess`` adds the
    pipelines and fields (a PipelineSection, as the deal's)."""

    key: PipelineKey
    """How plans and the rest of the blueprint name it (``measurement``); never sent to the portal."""

    @field_validator("key")
    @classmethod
    def _not_built_in(cls, key: str) -> str:
        if key in BUILT_IN_ENTITIES:
            raise ValueError(f"{key!r} is a built-in entity's name: give the smart process another key")
        return key

    title: Name
    """The type's title on the portal; how it is matched."""
    previous_titles: list[Name] = Field(default_factory=list)
    """Titles it had before, so a rename is an update and not a new type."""
    categories: Flag | None = None
    """More pipelines than the default one (isCategoriesEnabled)."""
    stages: Flag | None = None
    """Stages on the items' board (isStagesEnabled)."""
    begin_close_dates: Flag | None = None
    """Start and end dates (isBeginCloseDatesEnabled)."""
    client: Flag | None = None
    """Link to a contact and company (isClientEnabled)."""
    products: Flag | None = None
    """Products in items (isLinkWithProductsEnabled)."""
    my_company: Flag | None = None
    """Your company details (isMycompanyEnabled)."""
    documents: Flag | None = None
    """Documents from templates (isDocumentsEnabled)."""
    source: Flag | None = None
    """Source fields (isSourceEnabled)."""
    observers: Flag | None = None
    """Observers (isObserversEnabled)."""
    recycle_bin: Flag | None = None
    """Deleted items go to the recycle bin (isRecyclebinEnabled)."""
    automation: Flag | None = None
    """Robots and triggers (isAutomationEnabled)."""
    business_processes: Flag | None = None
    """Business processes (isBizProcEnabled)."""
    use_in_userfield: Flag | None = None
    """Usable in "CRM item" fields of other entities (isUseInUserfieldEnabled)."""

    parents: list[str] | None = None
    """What its items hang under, by entity name (deal, lead, contact, company) or smart process key:
    ``[deal]`` links each item to a deal, shown in the deal's card. Left out: left as it is."""
    children: list[str] | None = None
    """What hangs under its items, likewise."""

    def relations(self) -> dict[str, list[str]]:
        """The relations the blueprint sets: "parent" / "child" -> entity names or keys."""
        named = {"parent": self.parents, "child": self.children}
        return {side: list(names) for side, names in named.items() if names is not None}

    def switches(self) -> dict[str, bool]:
        """The switches the blueprint sets, by crm.type flag."""
        return {flag: value for name, flag in SWITCHES.items() if (value := getattr(self, name)) is not None}


__all__ = ["BUILT_IN_ENTITIES", "SWITCHES", "SmartProcessSettings", "is_smart_entity"]
