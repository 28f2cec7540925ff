"""Field names between the legacy upper-case form and the D7 controllers' camelCase.

``crm.item.*`` and ``userfieldconfig.*`` speak camelCase: ``STAGE_ID`` is ``stageId`` and a smart
process's field ``UF_CRM_5_1623456789`` is ``ufCrm5_1623456789``, ``UF_CRM_32_CODE`` is ``ufCrm32Code``
(real client code quotes these forms; the core's converter was not read, so the rule here — a part
starting with a digit keeps its underscore and its case, except the type id right after CRM — is
inferred from them, UNVERIFIED for unusual names).
"""

from __future__ import annotations


def to_camel(name: str) -> str:
    parts = name.split("_")
    out = parts[0].lower()
    for index, part in enumerate(parts[1:], start=1):
        if not part:
            continue
        if part[0].isdigit():
            type_id = index == 2 and parts[0] == "UF" and parts[1] == "CRM" and part.isdigit()
            out += part if type_id else "_" + part
        else:
            out += part[0].upper() + part[1:].lower()
    return out


def to_upper(name: str) -> str:
    """A camelCase name back to upper snake case (``stageId`` -> ``STAGE_ID``)."""
    out = ""
    for position, char in enumerate(name):
        if char.isupper() and position > 0 and out[-1:] != "_":
            out += "_"
        elif char.isdigit() and position > 0 and out[-1:].isalpha():
            out += "_"
        out += char.upper()
    return out


def upper_keys(fields: dict[str, object], known: dict[str, str]) -> dict[str, object]:
    """Keys of a camelCase mapping in upper case; ``known`` maps camel names that need it exactly."""
    return {known.get(key, to_upper(key)): value for key, value in fields.items()}
