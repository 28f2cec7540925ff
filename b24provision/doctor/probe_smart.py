"""``doctor --probe``'s smart-process step: may this portal's plan create a smart process at all?

No read-only method says so: ``crm.type.add`` is refused with ``CREATE_DYNAMIC_TYPE_RESTRICTED``
when the plan lacks the Bitrix24 feature ``crm_smart_processes`` or its count limit
``crm_smart_processes_limit`` is reached (core ``Restriction\\DynamicTypesLimit`` and
``DynamicTypesQuantityRestriction``; ``data/tariffs.yaml`` source ``core-smart-processes``), and
which cloud plan has which value no source found says. So the probe creates a type
``B24P_PROBE_<tag>`` and deletes it again.

It does so only on a portal that holds no smart process yet. There an answer is unambiguous (a
refusal cannot be the count limit of types the portal already has), and nothing of the
consultant's is near: a new type adds a CRM section and an entity type id, which its delete takes
back (crm-type-delete.md: a type without items is deleted). On a portal with types the step says
"could not tell": those types already show the plan had the feature when they were made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from b24provision.doctor.answers import Answer, Say, as_map
from b24provision.entities.types import SMART_TYPES
from b24provision.errors import PortalError
from b24provision.keys import is_tool_object
from b24provision.portal.client import Command, PortalClient

__all__ = ["RESTRICTED", "probe_smart_process", "probe_types"]

RESTRICTED = "CREATE_DYNAMIC_TYPE_RESTRICTED"
KEY = "smart_processes"


def probe_smart_process(
    client: PortalClient, prefix: str, say: Say, found: dict[str, Any], denied: list[str]
) -> dict[str, Answer]:
    """Create and delete one probe type; ``found["smart_processes"]`` is "allowed" or "restricted"."""
    try:
        rows = client.call_all(SMART_TYPES.method("list"), {}, key="types")
    except PortalError as exc:
        return {KEY: Answer(KEY, "could not tell", f"crm.type.list answered: {exc.message}")}
    titles = [str(t.get("title", "")) for t in rows if isinstance(t, Mapping)]
    theirs = [title for title in titles if not is_tool_object(title)]
    if theirs:
        why = (
            f"the portal holds {len(theirs)} smart process(es); the probe makes one only where there is none"
        )
        return {KEY: Answer(KEY, "could not tell", why)}
    title = f"{prefix}_TYPE"
    try:
        made = client.call(SMART_TYPES.method("add"), {"fields": {"title": title}})
    except PortalError as exc:
        if exc.code == RESTRICTED:
            found[KEY] = "restricted"
            return {KEY: Answer(KEY, "differs", f"crm.type.add was refused: {RESTRICTED} ({exc.message})")}
        if "access denied" in exc.message.lower():
            denied.append(exc.message)
        return {KEY: Answer(KEY, "could not tell", f"crm.type.add was refused: {exc.message}")}
    say(f"probe: created the smart process {title}")
    found[KEY] = "allowed"
    type_id = as_map(as_map(made.result).get("type")).get("id")
    detail = "crm.type.add created one" + (f" (id {type_id})" if type_id is not None else "")
    return {KEY: Answer(KEY, "holds", detail)}


def probe_types(types: Any, prefix: str) -> list[tuple[str, Command]]:
    """What to delete of a crm.type.list answer: (what it is, its delete) per type titled ``prefix``…"""
    rows = as_map(types).get("types") if isinstance(types, Mapping) else types
    return [
        (f"smart process {t['title']}", Command(f"t{t['id']}", SMART_TYPES.method("delete"), {"id": t["id"]}))
        for t in rows or []
        if isinstance(t, Mapping) and str(t.get("title", "")).startswith(prefix) and t.get("id") is not None
    ]
