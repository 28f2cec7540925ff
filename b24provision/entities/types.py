"""The entity-type descriptor table: what Bitrix24 does differently for deals, leads, contacts,
companies and smart processes, in one place.

Every per-entity REST fact the tool relies on lives in an ``EntityType``: the CRM type id, how its
items are grouped (pipelines with stages, one status list, or no stages at all), the pipeline API,
the stage naming scheme (``stages.py``), the user-field API and names, the bizproc document type of
its robots and the list method that counts its items. The rest of the code names an entity by a
plain key (``"deal"``) and looks its descriptor up with ``entity_type(key)``.

Sources are the reference file's sections (``/work/shared/reference/bitrix24-rest.md``); a fact it
does not settle says UNVERIFIED. Pure values; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from b24provision.entities.stages import DealStages, DynamicStages, LeadStatuses, StageScheme

Structure = Literal["pipelines", "statuses", "fields"]
"""pipelines: categories with stages (deal, smart process); statuses: one stage list (lead);
fields: custom fields only, no stages the tool manages (contact, company)."""


@dataclass(frozen=True)
class UserFieldApi:
    """The methods that manage an entity's custom fields.

    ``style`` "crm": ``crm.<x>.userfield.*`` with UPPER_CASE keys (§7.1); "userfieldconfig":
    ``userfieldconfig.*`` with ``moduleId: crm`` and camelCase keys under ``field`` (the docs' smart
    process settings page; portal/write_entity.py shapes the calls)."""

    style: Literal["crm", "userfieldconfig"]
    prefix: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def method(self, op: Literal["add", "get", "list", "update", "delete"]) -> str:
        return f"{self.prefix}.{op}"


@dataclass(frozen=True)
class PipelineApi:
    """crm.category.* with ``entityTypeId`` (§5.1: deal 2, contact 3, company 4, smart processes;
    leads answer ENTITY_TYPE_NOT_SUPPORTED)."""

    entity_type_id: int

    def method(self, op: Literal["list", "get", "add", "update", "delete", "fields"]) -> str:
        return f"crm.category.{op}"

    @property
    def params(self) -> dict[str, Any]:
        return {"entityTypeId": self.entity_type_id}


@dataclass(frozen=True)
class EntityType:
    """One CRM entity type's REST facts."""

    key: str
    """The tool's plain name of the entity: "deal", "lead", "contact", "company", "smart_process_1032"."""
    type_id: int
    """CCrmOwnerType id (§5.1 "Deal = entityTypeId 2 (also contact 3, company 4 ...)", §12: lead 1)."""
    structure: Structure
    pipelines: PipelineApi | None
    stages: StageScheme | None
    userfields: UserFieldApi
    field_prefix: str
    """What the portal puts before a custom field's code (§7.3: ``X`` -> ``UF_CRM_X``)."""
    userfield_entity_id: str
    """The ENTITY_ID of the entity's rows in b_user_field (§7.1: ``CRM_DEAL``)."""
    document_type: tuple[str, str, str]
    """The bizproc document type of its robots and templates (§8.2, §8.3)."""
    list_method: str
    list_params: Mapping[str, Any]
    """The item list that counts its items (a delete's losses): crm.deal.list; crm.item.list with
    entityTypeId for a smart process."""
    automation: bool
    """Whether the entity has stage robots (automation rules) the tool can manage."""
    default_pipeline_rename: str | None = None
    """The method that renames the default pipeline, where crm.category.update does not (§5.2)."""
    default_stages: Mapping[str, str] = field(default_factory=dict)
    """The stages the portal makes in every new pipeline itself, code -> semantics."""
    field_prefix_read: str = ""
    """A pattern of the prefixes a field name read back may carry where ``field_prefix`` is a guess
    (a smart process whose type id is not read: ``UF_CRM_<any id>_``); "" when it is the one."""

    @property
    def type_param(self) -> dict[str, Any]:
        """The universal methods' name for the type (crm.category.*, crm.item.*, crm.stagehistory.list:
        ``entityTypeId``, §5.1, §12)."""
        return {"entityTypeId": self.type_id}

    def field_name(self, code: str) -> str:
        """A custom field's FIELD_NAME from its code: ``CHILD_DEALS`` -> ``UF_CRM_CHILD_DEALS``."""
        return f"{self.field_prefix}{code}"

    def field_code(self, field_name: str) -> str:
        """The code of a FIELD_NAME (the prefix removed; a name without it is kept as it is)."""
        if self.field_prefix_read:
            return re.sub(self.field_prefix_read, "", field_name, count=1)
        return field_name.removeprefix(self.field_prefix)

    def is_custom_field(self, name: str) -> bool:
        if self.field_prefix_read:
            return re.match(self.field_prefix_read, name) is not None
        return name.startswith(self.field_prefix)

    @property
    def max_field_code_length(self) -> int:
        """FIELD_NAME holds at most 50 characters, the prefix included (§7.3)."""
        return FIELD_NAME_LIMIT - len(self.field_prefix)


FIELD_NAME_LIMIT = 50

TYPE_ID_KEY = "entityTypeId"
"""How crm.type rows, their relations and the crm.category.* / crm.item.* parameters name a CRM
type's id (reference §5.1)."""

# The crm.<x>.userfield.* entities: prefix UF_CRM_ (CCrmUserFieldRestProxy namePrefix "CRM", §7.1).
CRM_FIELD_PREFIX = "UF_CRM_"

DEAL = EntityType(
    key="deal",
    type_id=2,
    structure="pipelines",
    pipelines=PipelineApi(2),
    stages=DealStages(),
    userfields=UserFieldApi("crm", "crm.deal.userfield"),
    field_prefix=CRM_FIELD_PREFIX,
    userfield_entity_id="CRM_DEAL",
    document_type=("crm", "CCrmDocumentDeal", "DEAL"),
    list_method="crm.deal.list",
    list_params={},
    automation=True,
    default_pipeline_rename="crm.dealcategory.default.set",  # legacy, still registered (§5.2)
    # CCrmStatus::GetDefaultDealStages (§6's default pipeline example, §13.11: eight stages), made
    # with no length check: PREPAYMENT_INVOICE has 18 characters and exists in C100 too.
    default_stages={
        "NEW": "process",
        "PREPARATION": "process",
        "PREPAYMENT_INVOICE": "process",
        "EXECUTING": "process",
        "FINAL_INVOICE": "process",
        "WON": "success",
        "LOSE": "failure",
        "APOLOGY": "failure",
    },
)

LEAD = EntityType(
    key="lead",
    type_id=1,
    structure="statuses",
    pipelines=None,  # crm.category.* answers ENTITY_TYPE_NOT_SUPPORTED for leads (§5.1)
    stages=LeadStatuses(),
    # crm.lead.userfield.*: the docs' leads/userfield pages and the onCrmLeadUserFieldAdd event.
    userfields=UserFieldApi("crm", "crm.lead.userfield"),
    field_prefix=CRM_FIELD_PREFIX,
    userfield_entity_id="CRM_LEAD",
    document_type=("crm", "CCrmDocumentLead", "LEAD"),  # §8.3
    list_method="crm.lead.list",
    list_params={},
    automation=True,
)

CONTACT = EntityType(
    key="contact",
    type_id=3,
    structure="fields",  # contacts have categories (§5.1) but no stages
    pipelines=None,
    stages=None,
    userfields=UserFieldApi("crm", "crm.contact.userfield"),  # §7.4 cites crm-contact-userfield-update
    field_prefix=CRM_FIELD_PREFIX,
    userfield_entity_id="CRM_CONTACT",
    document_type=("crm", "CCrmDocumentContact", "CONTACT"),  # §8.3
    list_method="crm.contact.list",
    list_params={},
    automation=False,  # UNVERIFIED: newer portals may have robots for contacts
)

COMPANY = EntityType(
    key="company",
    type_id=4,
    structure="fields",
    pipelines=None,
    stages=None,
    userfields=UserFieldApi("crm", "crm.company.userfield"),
    field_prefix=CRM_FIELD_PREFIX,
    userfield_entity_id="CRM_COMPANY",
    document_type=("crm", "CCrmDocumentCompany", "COMPANY"),  # §8.3
    list_method="crm.company.list",
    list_params={},
    automation=False,  # UNVERIFIED, as for contacts
)

ENTITY_TYPES: Mapping[str, EntityType] = {e.key: e for e in (DEAL, LEAD, CONTACT, COMPANY)}
"""The built-in entity types by key."""

SMART_PROCESS_KEY = "smart_process_{}"
_DYNAMIC_DOCUMENT = "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic"


@dataclass(frozen=True)
class SmartTypeApi:
    """crm.type.*: the smart-process types themselves (``D:api-reference/crm/universal/
    user-defined-object-types/``; scope crm, an administrator's right)."""

    prefix: str = "crm.type"

    def method(self, op: Literal["add", "update", "delete", "get", "list"]) -> str:
        return f"{self.prefix}.{op}"


SMART_TYPES = SmartTypeApi()
SMART_FIELDS = UserFieldApi("userfieldconfig", "userfieldconfig", {"moduleId": "crm"})
"""A smart process's custom fields: userfieldconfig.* with ``moduleId: crm`` (every type alike)."""


def is_smart_process_id(entity_type_id: int) -> bool:
    """Whether a CRM type id can be a smart process's: 128..192 or from 1030 (CCrmOwnerType's dynamic
    ranges; the reference says only "SPA ≥128", §5.1: the exact bounds are UNVERIFIED)."""
    return 128 <= entity_type_id <= 192 or entity_type_id >= 1030


def smart_process(entity_type_id: int, type_id: int | None = None) -> EntityType:
    """The descriptor of smart process ``entity_type_id``.

    Its custom fields belong to ``CRM_<type id>`` and are named ``UF_CRM_<type id>_<code>``, where
    the type id is the smart process's own id (crm.type ``id``), not its entityTypeId (the core's
    TypeFactory::getUserFieldEntityId(int $typeId); the docs' ``UF_CRM_10_5186744711``). Unknown
    (None) until crm.type.list is read: then the entityTypeId stands in, which is only right on a
    portal where both are equal — so the tool writes a smart process's fields only with the type id
    read from the portal (state/rest_smart.py ``smart_descriptor``), and reads a name with any type
    id (``UF_CRM_<n>_X`` -> ``X``): a bizproc template on ``DYNAMIC_<entityTypeId>`` names the field
    by its FIELD_NAME (the core's Document\\Item::getEntityFields adds the user fields by
    CCrmUserType::AddBPFields, keyed by FIELD_NAME), and an export does not carry the type id."""
    if not is_smart_process_id(entity_type_id):
        raise ValueError(f"{entity_type_id} is not a smart process type id (128..192 or 1030 and above)")
    own = entity_type_id if type_id is None else type_id
    return EntityType(
        key=SMART_PROCESS_KEY.format(entity_type_id),
        type_id=entity_type_id,
        structure="pipelines",
        pipelines=PipelineApi(entity_type_id),
        stages=DynamicStages(entity_type_id),
        userfields=SMART_FIELDS,
        field_prefix=f"UF_CRM_{own}_",
        userfield_entity_id=f"CRM_{own}",
        document_type=("crm", _DYNAMIC_DOCUMENT, f"DYNAMIC_{entity_type_id}"),  # §8.3
        list_method="crm.item.list",
        list_params={"entityTypeId": entity_type_id},
        automation=True,
        field_prefix_read=r"^UF_CRM_\d+_" if type_id is None else "",
    )


def any_smart_process(key: str) -> EntityType:
    """The field naming of a blueprint's smart process ``key``, whose ids are not read (validate, the
    diagram): a custom field is ``UF_CRM_<its type id>_<code>``, a name with any id reads as its
    code. Only its field naming is meant to be used: its other REST facts are a placeholder type's."""
    return replace(smart_process(_FIRST_DYNAMIC), key=key)


_FIRST_DYNAMIC = 1030


def entity_type(key: str) -> EntityType:
    """The descriptor of an entity key: "deal", "lead", "contact", "company", "smart_process_<id>"."""
    if key in ENTITY_TYPES:
        return ENTITY_TYPES[key]
    found = re.fullmatch(r"smart_process_(\d+)", key)
    if found:
        return smart_process(int(found[1]))
    raise KeyError(f"unknown entity {key!r}: one of {', '.join(ENTITY_TYPES)} or smart_process_<id>")


__all__ = [
    "COMPANY",
    "CONTACT",
    "CRM_FIELD_PREFIX",
    "DEAL",
    "ENTITY_TYPES",
    "FIELD_NAME_LIMIT",
    "LEAD",
    "SMART_FIELDS",
    "SMART_TYPES",
    "EntityType",
    "PipelineApi",
    "SmartTypeApi",
    "Structure",
    "UserFieldApi",
    "any_smart_process",
    "entity_type",
    "is_smart_process_id",
    "smart_process",
]
