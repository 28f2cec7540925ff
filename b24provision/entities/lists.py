"""The crm.status directories a blueprint manages besides pipeline stages: lead statuses and the
reference lists, each by the name a blueprint gives it and the ENTITY_ID the portal keeps it under.

The one table (``REFERENCE_LISTS``) maps a blueprint's ``lists:`` name to its ENTITY_ID; the lead's
statuses are ENTITY_ID ``STATUS`` (``entities.stages.LeadStatuses``). The directory list is the
docs' ``api-reference/crm/status/index.md`` (STATUS, SOURCE, CONTACT_TYPE, COMPANY_TYPE, EMPLOYEES,
INDUSTRY, DEAL_TYPE, HONORIFIC); items are plain codes, no prefix (docs/reference-entities.md).
An item's code may be 50 characters less its prefix (none here) in a reference list (the STATUS_ID
column, ``CCrmStatus::validateStatusId``, reference §13.5); a lead status's 21 (``LeadStatuses``).
A SYSTEM=Y item is deleted only with ``params[FORCED]=Y`` (reference §6). Pure values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

ListName = Literal[
    "deal_type", "source", "contact_type", "company_type", "industry", "employees", "honorific"
]  # fmt: skip
"""The reference lists a blueprint names under ``lists:``."""

REFERENCE_LISTS: Mapping[ListName, str] = {
    "deal_type": "DEAL_TYPE",
    "source": "SOURCE",
    "contact_type": "CONTACT_TYPE",
    "company_type": "COMPANY_TYPE",
    "industry": "INDUSTRY",
    "employees": "EMPLOYEES",
    "honorific": "HONORIFIC",
}
"""Blueprint list name -> crm.status ENTITY_ID."""

LIST_USERS: Mapping[ListName, tuple[tuple[str, str], ...]] = {
    "deal_type": (("deal", "TYPE_ID"),),
    "source": (("deal", "SOURCE_ID"), ("lead", "SOURCE_ID"), ("contact", "SOURCE_ID")),
    "contact_type": (("contact", "TYPE_ID"),),
    "company_type": (("company", "COMPANY_TYPE"),),
    "industry": (("company", "INDUSTRY"),),
    "employees": (("company", "EMPLOYEES"),),
    "honorific": (("lead", "HONORIFIC"), ("contact", "HONORIFIC")),
}
"""Which items store a list's code, and in which field: (entity key, field) pairs. From the
``statusType`` of the crm_status fields in the docs' ``crm.<entity>.fields`` answers (deal TYPE_ID
and SOURCE_ID, lead SOURCE_ID and HONORIFIC, contact TYPE_ID, SOURCE_ID and HONORIFIC, company
COMPANY_TYPE, INDUSTRY and EMPLOYEES). Deleting an item these still name loses that value."""

LEAD_STATUS = "STATUS"
"""The ENTITY_ID of the lead's statuses."""

LEAD_STATUS_FILTER = "STATUS_ID"
"""The crm.lead.list filter that names a lead's status (the leads in a status, a delete's losses)."""

LEAD_STATUS_COLORS: Mapping[str, str] = {
    "NEW": "#39A8EF",
    "IN_PROCESS": "#2FC6F6",
    "PROCESSED": "#55D0E0",
    "CONVERTED": "#7BD500",
    "JUNK": "#FF5752",
}
"""The colours a fresh portal gives its lead statuses (``CCrmStatus::GetDefaultLeadStatusName`` /
InstallDefault, docs/reference-entities.md): an export writes no ``color:`` for these."""

LIST_CODE_LENGTH = 50
"""The STATUS_ID column's length: a reference list item's code holds at most this (§13.5)."""


def list_of_entity(entity_id: str) -> ListName | None:
    """The blueprint's name of the reference list kept under ``entity_id``, or None."""
    return next((name for name, eid in REFERENCE_LISTS.items() if eid == entity_id), None)


__all__ = [
    "LEAD_STATUS", "LEAD_STATUS_COLORS", "LEAD_STATUS_FILTER", "LIST_CODE_LENGTH", "LIST_USERS",
    "REFERENCE_LISTS", "ListName", "list_of_entity",
]  # fmt: skip
