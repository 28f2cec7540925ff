"""The write methods an apply of a blueprint calls, and the webhook scopes each of them needs.

``doctor`` asks ``method.get`` about each one in its first batch: ``isExisting`` says whether the
method is on this portal at all, ``isAvailable`` whether it may be called with the webhook's scopes
(dev.1c-bitrix.ru/rest_help/general/method_get.php). The list follows the entities the blueprint
names, from the descriptor table (``entities/types.py``): the deal's pipeline, stage and field adds
always (a deal-only blueprint asks exactly what it always asked); a lead's or contact's or company's
fields their ``crm.<entity>.userfield.add``; lead statuses and reference lists ``crm.status.add``;
smart processes ``crm.type.add``, ``crm.category.add``, ``crm.status.add`` and, for their fields,
``userfieldconfig.add``.

Scopes: every ``crm.*`` method is in the ``crm`` scope (the docs' method pages, e.g. crm.type.add:
"Scope: crm"); ``userfieldconfig.*`` needs the ``userfieldconfig`` scope and the module's own, ``crm``
(``D:api-reference/crm/universal/userfieldconfig/userfieldconfig-add.md``). Pure; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from b24provision.blueprint.model import Blueprint
from b24provision.entities.types import DEAL, ENTITY_TYPES, SMART_FIELDS, SMART_TYPES, PipelineApi

__all__ = ["STATUS_ADD", "WriteMethod", "needed_scopes", "write_methods"]

STATUS_ADD = "crm.status.add"
"""Stages, lead statuses and reference-list items alike are crm.status rows."""
_PIPELINE_ADD = PipelineApi(DEAL.type_id).method("add")
_CRM = ("crm",)


@dataclass(frozen=True)
class WriteMethod:
    """One method apply calls, what it writes for this blueprint, and the scopes it needs."""

    name: str
    purposes: tuple[str, ...]
    """What it writes, e.g. ("deal pipelines", "smart-process pipelines")."""
    scopes: tuple[str, ...] = _CRM

    @property
    def purpose(self) -> str:
        return ", ".join(self.purposes)


def write_methods(blueprint: Blueprint | None) -> tuple[WriteMethod, ...]:
    """The write methods an apply of ``blueprint`` calls, the deal's first (None: the deal's only)."""
    wanted: dict[str, tuple[list[str], tuple[str, ...]]] = {}

    def want(name: str, purpose: str, scopes: tuple[str, ...] = _CRM) -> None:
        purposes, _ = wanted.setdefault(name, ([], scopes))
        if purpose not in purposes:
            purposes.append(purpose)

    want(_PIPELINE_ADD, "deal pipelines")
    want(STATUS_ADD, "deal stages")
    want(DEAL.userfields.method("add"), "deal fields")
    if blueprint is not None:
        for key, section in blueprint.entities.others().items():
            if getattr(section, "statuses", None):
                want(STATUS_ADD, f"{key} statuses")
            if section.fields:
                want(ENTITY_TYPES[key].userfields.method("add"), f"{key} fields")
        if blueprint.lists.named():
            want(STATUS_ADD, "reference list items")
        if blueprint.smart_processes:
            want(SMART_TYPES.method("add"), "smart processes")
            want(_PIPELINE_ADD, "smart-process pipelines")
            want(STATUS_ADD, "smart-process stages")
            if any(sp.fields for sp in blueprint.smart_processes):
                want(SMART_FIELDS.method("add"), "smart-process fields", ("userfieldconfig", *_CRM))
    return tuple(WriteMethod(name, tuple(p), scopes) for name, (p, scopes) in wanted.items())


def needed_scopes(methods: tuple[WriteMethod, ...]) -> dict[str, str]:
    """Scope -> what the blueprint needs it for, in the order the methods name them."""
    needed: dict[str, list[str]] = {}
    for m in methods:
        for scope in m.scopes:
            what = needed.setdefault(scope, [])
            what += [p for p in m.purposes if p not in what]
    return {scope: ", ".join(what) for scope, what in needed.items()}
