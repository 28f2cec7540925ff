"""Custom fields of a blueprint: one model per user type, chosen by ``type``.

A field is identified by its ``code``: the FIELD_NAME without the portal's field prefix.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from b24provision.blueprint.model_types import FieldCode, Flag, Label, Model, Name
from b24provision.entities.types import DEAL, ENTITY_TYPES, EntityType


class FieldBase(Model):
    """What every custom field has; the portal puts its prefix before the ``code``."""

    code: FieldCode
    """The field's code without the portal's prefix (the portal adds it): A-Z, 0-9 and _."""
    label: Label | None = None
    """The field's name in the card, list and filter; the code when not given. A string is the
    name in every portal language. A map ``{en: ..., ru: ...}`` sets the languages it names and
    leaves the others to the portal: a new field gets the map's English (else first) text there,
    a label change keeps what the portal has there, and the plan never compares them (nor a named
    language the portal does not have)."""
    multiple: Flag = False
    """The field holds several values; cannot be changed after creation (a replace)."""
    mandatory: Flag = False
    """A deal cannot be saved without a value."""
    show_in_filter: Flag = False
    """The field is offered in the deal list's filter."""
    sort: int = Field(default=100, gt=0)
    """The field's position among the custom fields (larger: later)."""

    @property
    def field_name(self) -> str:
        """The FIELD_NAME with the deal's prefix (the write path re-prefixes it per entity)."""
        return DEAL.field_name(self.code)

    def name_in(self, entity: EntityType) -> str:
        """What the field is called where its label is missing (plan, diagram, runbook, the label a
        "no label" update writes): its FIELD_NAME on a built-in entity, its code on a smart process,
        whose prefix holds its type id and so differs per portal (entities/types.py ``smart_process``)."""
        return entity.field_name(self.code) if entity.key in ENTITY_TYPES else self.code


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
    default: Flag = False
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
    default: Flag = False
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
