"""A smart process's relations (crm.type ``relations``): entity names and keys <-> CRM type ids.

A blueprint names what a type hangs under (``parents: [deal]``) or holds (``children:``) by a
built-in entity's name or another smart process's key; the portal keeps CRM type ids. A key
resolves to the type it was matched to on this portal; a type the portal does not have yet has no
id until it is made (apply sets relations after the types exist). Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from b24provision.entities.types import ENTITY_TYPES
from b24provision.state.entity_live import SmartProcessLive

BUILT_IN_IDS: Mapping[str, int] = {e.key: e.type_id for e in ENTITY_TYPES.values()}
"""deal 2, lead 1, contact 3, company 4 (entities/types.py)."""
SIDES = {"parent": "parents", "child": "children"}
"""crm.type's relation side -> the blueprint's attribute."""


def resolve(names: Iterable[str], types: Mapping[str, SmartProcessLive]) -> set[int] | None:
    """The CRM type ids of ``names``; None when one is a smart process the portal lacks yet.

    ``types``: the blueprint's smart process keys -> the portal types they are matched to."""
    ids: set[int] = set()
    for name in names:
        if name in BUILT_IN_IDS:
            ids.add(BUILT_IN_IDS[name])
        elif name in types:
            ids.add(types[name].entity_type_id)
        else:
            return None
    return ids


def names_of(ids: Iterable[int], types: Mapping[str, SmartProcessLive]) -> list[str]:
    """``ids`` by the names a blueprint gives them (an id nothing names stays a number)."""
    by_id = {v: k for k, v in BUILT_IN_IDS.items()} | {sp.entity_type_id: k for k, sp in types.items()}
    return sorted(by_id.get(i, str(i)) for i in ids)


__all__ = ["BUILT_IN_IDS", "SIDES", "names_of", "resolve"]
