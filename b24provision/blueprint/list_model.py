"""Reference lists in a blueprint: ``lists: {source: [...], deal_type: [...], ...}``.

A reference list is a crm.status directory (``SOURCE``, ``DEAL_TYPE``, ...; the one table is
``entities/lists.py``) whose items a consultant names by their code. An item has a name and a
sort; it has no semantics and no robots (those are the lead statuses', ``LeadSection``). An item
the blueprint does not list is the portal's own (reported as unmanaged, never touched); one is
deleted only when named in ``removed.lists``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from b24provision.blueprint.model_types import Model, Name
from b24provision.entities.lists import LIST_CODE_LENGTH, ListName

ListItemCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1, max_length=LIST_CODE_LENGTH)
]
"""An item's STATUS_ID: A-Z, 0-9 and _, at most 50 characters (the column's length)."""


class ListItem(Model):
    """One item of a reference list."""

    code: ListItemCode
    """The item's STATUS_ID (what deals, contacts and companies store)."""
    name: Name
    """The item's name as the portal shows it."""
    sort: int | None = Field(default=None, ge=0)
    """Explicit sort; when not given the item's place in the list decides (as for stages)."""


class Lists(Model):
    """The reference lists a blueprint manages, by name; a list not given is left alone."""

    deal_type: list[ListItem] = Field(default_factory=list)
    """Deal types (DEAL_TYPE)."""
    source: list[ListItem] = Field(default_factory=list)
    """Sources of deals, leads and contacts (SOURCE)."""
    contact_type: list[ListItem] = Field(default_factory=list)
    """Contact types (CONTACT_TYPE)."""
    company_type: list[ListItem] = Field(default_factory=list)
    """Company types (COMPANY_TYPE)."""
    industry: list[ListItem] = Field(default_factory=list)
    """Industries of companies (INDUSTRY)."""
    employees: list[ListItem] = Field(default_factory=list)
    """Company sizes (EMPLOYEES)."""
    honorific: list[ListItem] = Field(default_factory=list)
    """Salutations of contacts (HONORIFIC)."""

    def named(self) -> dict[ListName, list[ListItem]]:
        """The lists the blueprint gives, by name, in the table's order."""
        return {name: items for name in _NAMES if (items := getattr(self, name))}


_NAMES: tuple[ListName, ...] = (
    "deal_type", "source", "contact_type", "company_type", "industry", "employees", "honorific"
)  # fmt: skip
