"""The fields a robot on a board can name: its own entity's, in that entity's field naming.

A robot on a deal stage sets and tests deal fields, one on a lead status lead fields, one on a smart
process's stage that smart process's fields (the core runs it on that entity's document). ``own_fields``
gives the entity's descriptor (``entities/types.py``: how a custom field's name reads as its code)
and the fields the blueprint declares for it, for the checks (``check_robots.py``) and the diagram.
"""

from __future__ import annotations

from b24provision.blueprint.check_common import STANDARD_DEAL_FIELDS
from b24provision.blueprint.model import Blueprint, FieldBase
from b24provision.entities.types import DEAL, LEAD, EntityType, any_smart_process

# Standard fields beyond the deal's that a robot may name on a lead (crm.lead.fields) or on a smart
# process's item (crm.item.fields, as the bizproc document names them: upper case). Kept generous:
# the lists are from the docs' field tables, so a name missing here would be a false error.
_LEAD_OWN = frozenset({
    "NAME", "SECOND_NAME", "LAST_NAME", "HONORIFIC", "BIRTHDATE", "COMPANY_TITLE", "POST", "ADDRESS",
    "STATUS_ID", "STATUS_DESCRIPTION", "STATUS_SEMANTIC_ID", "PHONE", "EMAIL", "WEB", "IM",
    "IS_RETURN_CUSTOMER", "HAS_PHONE", "HAS_EMAIL", "HAS_IMOL",
})  # fmt: skip
_ITEM_OWN = frozenset({
    "CREATED_BY", "UPDATED_BY", "MOVED_BY", "CREATED_TIME", "UPDATED_TIME", "MOVED_TIME", "MYCOMPANY_ID",
    "OBSERVERS", "WEBFORM_ID", "LAST_ACTIVITY_TIME", "LAST_ACTIVITY_BY", "PARENT_ID",
})  # fmt: skip


def standard_fields(entity: EntityType) -> frozenset[str]:
    """The standard field names of ``entity``'s document a robot may name."""
    if entity.key == DEAL.key:
        return STANDARD_DEAL_FIELDS
    return STANDARD_DEAL_FIELDS | (_LEAD_OWN if entity.key == LEAD.key else _ITEM_OWN)


def own_fields(bp: Blueprint, entity: str) -> tuple[EntityType, dict[str, FieldBase]]:
    """(descriptor, declared fields by code) of ``entity``: "deal", "lead" or a smart process's key."""
    if entity == DEAL.key:
        return DEAL, bp.fields_by_code()
    if entity == LEAD.key:
        return LEAD, {f.code: f for f in bp.fields_of(LEAD.key)}
    sp = next((sp for sp in bp.smart_processes if sp.key == entity), None)
    return any_smart_process(entity), {f.code: f for f in (sp.fields if sp is not None else [])}


__all__ = ["own_fields", "standard_fields"]
