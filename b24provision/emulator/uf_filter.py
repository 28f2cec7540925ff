"""Filtering deals by their custom (UF_) fields, as the core's SQL builder does it.

``crm.deal.list`` hands a UF_ condition to CUserTypeSQL, which compares it through CAllSQLWhere
(main/classes/general/usertypesql.php, main/classes/general/sqlwhere.php) by the field's BASE_TYPE:

- ``int`` (integer, boolean, employee, enumeration, file, iblock links): the value is intval'd;
  ``=F: 0`` or ``F: ""`` means "IS NULL OR = 0", ``!F: ""`` / ``!F: 0`` means "IS NOT NULL AND <> 0";
- ``double``: the same, with floats;
- ``string`` (string, url, money, address, crm, crm_status, ...): ``F: ""`` is IS NULL, ``!F: ""``
  IS NOT NULL; ``F: "x"`` (no prefix) is a case-insensitive LIKE, ``=F: "x"`` exact;
- ``date``/``datetime``: ``""`` is IS NULL / IS NOT NULL, otherwise equality.

A multiple field's values are rows of b_utm_* joined to the deal: a condition holds when one of the
deal's values meets it (a deal without values meets only the IS NULL forms).

The REST layer first drops every filter key naming a field the entity does not have
(CCrmRestProxyBase::internalizeFilterFields), so such a condition filters nothing.

UNVERIFIED: whether the core stores an empty string sent for a UF_ field as '' or NULL; here it is
no value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from b24provision.emulator.wire import as_list, parse_time

# BASE_TYPE by USER_TYPE_ID (the CUserType* classes of main and crm); anything else is "string".
_BASE_TYPES = {
    "integer": "int",
    "boolean": "int",
    "employee": "int",
    "enumeration": "int",
    "file": "int",
    "iblock_element": "int",
    "iblock_section": "int",
    "double": "double",
    "date": "date",
    "datetime": "date",
}

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">": lambda a, b: bool(a > b),
    "<": lambda a, b: bool(a < b),
    ">=": lambda a, b: bool(a >= b),
    "<=": lambda a, b: bool(a <= b),
}

# CAllSQLWhere::$operations that UF filters meet in practice, longest first.
PREFIXES = ("!@", "!=", ">=", "<=", "@", "=", "!", ">", "<")


def split_key(raw_key: str) -> tuple[str, str]:
    """("!", "UF_CRM_X") from "!UF_CRM_X"; no prefix gives ("", key)."""
    for prefix in PREFIXES:
        if raw_key.startswith(prefix):
            return prefix, raw_key[len(prefix) :].upper()
    return "", raw_key.upper()


def base_type(user_type_id: str) -> str:
    return _BASE_TYPES.get(user_type_id, "string")


def _number(value: Any) -> float:
    """PHP intval/doubleval-ish: junk and "" are 0; booleans sent as Y/N or true/false are 1/0."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.upper() in ("Y", "TRUE"):
        return 1.0
    match = re.match(r"[+-]?\d+(\.\d+)?", text)
    return float(match.group(0)) if match else 0.0


def _stored(value: Any, base: str) -> list[Any]:
    """The deal's values of one field, as the database holds them (NULLs left out)."""
    values = [v for v in as_list(value) if v is not None and v != ""]
    if base in ("int", "double"):
        return [_number(v) for v in values]
    if base == "date":
        return [t for v in values if (t := parse_time(v)) is not None]
    return [str(v) for v in values]


def _like(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=re.IGNORECASE | re.DOTALL) is not None


def uf_matches(value: Any, user_type_id: str, op: str, wanted: Any) -> bool:
    """Whether a deal whose field holds ``value`` meets the condition ``op`` + ``wanted``."""
    base = base_type(user_type_id)
    have = _stored(value, base)
    negative = op in ("!", "!=", "!@")
    if isinstance(wanted, list | dict) or op in ("@", "!@"):
        wanted_values = _stored(wanted, base)
        if base in ("int", "double") and 0.0 in wanted_values:
            hit = not have or any(v in wanted_values for v in have)  # _NumberIN adds "OR IS NULL"
        else:
            hit = any(v in wanted_values for v in have)
        return (bool(have) and not hit) if negative else hit
    if op in (">", "<", ">=", "<="):
        bound = _stored(wanted, base)
        if not bound:
            return False
        return any(_COMPARE[op](v, bound[0]) for v in have)
    if base in ("int", "double"):
        number = _number(wanted)
        if number == 0:  # "(F IS NULL OR F = 0)", negated "(F IS NOT NULL AND F <> 0)"
            return any(v != 0 for v in have) if negative else (not have or 0.0 in have)
        return any(v != number for v in have) if negative else number in have
    if wanted is None or wanted == "":  # _Empty / _NotEmpty
        return bool(have) if negative else not have
    if base == "date":
        moment = parse_time(wanted)
        return any(v != moment for v in have) if negative else moment in have
    text = str(wanted)
    if op == "!=":  # _StringNotEQ: "(F IS NULL OR F <> 'x')"
        return not have or any(v != text for v in have)
    if op == "!":  # "not like upper('x')"
        return any(not _like(text, v) for v in have)
    if op == "=":
        return text in have
    return any(_like(text, v) for v in have)
