"""Which filter and order keys ``crm.item.list`` takes, refusing the others as the core does.

The D7 item controller (``crm/lib/controller/item.php`` ``listAction``) turns the keys to upper case
and validates them (``crm/lib/controller/validator/filter.php``, ``validator/order.php``) against the
type's fields: its field collection and the columns of its data class. A key is a prefix out of
``CORRECT_PREFIXES`` followed by such a field name, ``logic``, or a number (a nested condition); a
value is a scalar, or an array after ``@``, ``!@``, ``!=``, ``=`` or no prefix. Anything else is
refused, 400 ``INVALID_ARG_VALUE`` "Invalid filter: field 'KEY' is not allowed in filter" (or "...
has invalid value"), the docs' words too (``api-reference/crm/universal/crm-item-list.md``). The
legacy ``crm.deal.list`` instead drops an unknown key (``emulator/uf_filter.py``).

The fields every item of a smart process has are the ``Item::FIELD_NAME_*`` columns
(``crm/lib/item.php``); which of them a type offers depends on its settings (clients, products,
begin/close dates, ...): UNVERIFIED, so all of them are taken here. Of several wrong keys the answer
names the first (the REST layer answers with the first error).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from b24provision.emulator.wire import RestError

ITEM_FIELDS = frozenset(
    "ID XML_ID TITLE CREATED_TIME UPDATED_TIME MOVED_TIME LAST_ACTIVITY_TIME CREATED_BY UPDATED_BY "
    "MOVED_BY LAST_ACTIVITY_BY ASSIGNED_BY_ID OPENED BEGINDATE CLOSEDATE COMPANY_ID CONTACT_ID "
    "CONTACT_IDS STAGE_ID PREVIOUS_STAGE_ID CATEGORY_ID OPPORTUNITY IS_MANUAL_OPPORTUNITY TAX_VALUE "
    "CURRENCY_ID OPPORTUNITY_ACCOUNT TAX_VALUE_ACCOUNT ACCOUNT_CURRENCY_ID MYCOMPANY_ID SOURCE_ID "
    "SOURCE_DESCRIPTION WEBFORM_ID STAGE_SEMANTIC_ID OBSERVERS".split()
)
"""The standard fields of a smart process's items a filter may name (``crm/lib/item.php``)."""

CORRECT_PREFIXES = frozenset(
    ["", "=", "%", ">", "<", "@", "!", "!@", "!=", "!%", "><", ">=", "<=", "=%", "%=", "!><", "!=%", "!%="]
)
ARRAY_PREFIXES = frozenset(["@", "!@", "!=", "=", ""])
_KEY = re.compile(r"^([=%><@!]*)(.*)$", re.DOTALL)
_WORD_KEY = re.compile(r"^([=%><@!]*)\w+$")


def split(key: str) -> tuple[str, str]:
    """("!=", "stageId") from "!=stageId"."""
    match = _KEY.match(key)
    assert match is not None
    return match.group(1), match.group(2)


def upper_filter(flt: Mapping[str, Any], upper: Callable[[str], str]) -> dict[str, Any]:
    """``flt`` with every field name as the core names it (``upper``), nested conditions too."""
    out: dict[str, Any] = {}
    for key, value in flt.items():
        if key.isdigit() or key.lower() == "logic":
            out[key] = upper_filter(value, upper) if isinstance(value, Mapping) else value
            continue
        prefix, name = split(key)
        out[prefix + upper(name)] = value
    return out


def check_filter(flt: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Raise the core's refusal for the first key or value of ``flt`` (upper-case names) it refuses."""
    errors: list[str] = []
    _validate(flt, frozenset(allowed), errors)
    if errors:
        raise RestError("INVALID_ARG_VALUE", errors[0])


def check_order(order: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Raise the core's refusal for the first key of ``order`` that names no field."""
    known = frozenset(allowed)
    for key in order:
        if key not in known:
            raise RestError("INVALID_ARG_VALUE", f"Invalid order: field '{key}' is not allowed in order")


def _validate(flt: Mapping[str, Any], allowed: frozenset[str], errors: list[str]) -> None:
    for key, value in flt.items():
        if isinstance(value, Mapping | list):  # PHP's arrays: a nested condition or a list of values
            nested = value if isinstance(value, Mapping) else {str(n): v for n, v in enumerate(value)}
            _validate(nested, allowed, errors)
        prefix, name = split(key)
        if key not in ("logic", "LOGIC") and not key.isdigit():
            if prefix not in CORRECT_PREFIXES or name not in allowed:
                errors.append(f"Invalid filter: field '{key}' is not allowed in filter")
        if not _value_fits(key, value):
            errors.append(f"Invalid filter: field '{key}' has invalid value")


def holds(flt: Mapping[str, Any], condition: Callable[[str, Any], bool | None]) -> bool:
    """Whether an item passes ``flt`` (upper-case names); ``condition`` tells one key's, None where it
    makes no condition (a field the filter cannot compare)."""
    return _tree(flt, condition) is not False


def _tree(flt: Mapping[str, Any], condition: Callable[[str, Any], bool | None]) -> bool | None:
    """The core hands the filter to the factory's getList with only its keys upper-cased
    (``crm/lib/controller/item.php`` ``listAction``: ``convertKeysToUpper``, ``prepareFilter``); the
    ORM's old array filter goes to CSQLWhere (``main/classes/general/sqlwhere.php`` ``GetQueryEx``):
    ``LOGIC`` exactly ``OR`` joins the conditions with OR, ``NOT`` is NOT (a AND b), anything else
    AND; a numeric key holds a nested filter, and one that makes no condition is left out (None),
    as is a whole filter with none. The docs' ``crm-item-list.md`` says the same ("unlimited
    nesting", "a special key ``logic`` with the value ``OR``")."""
    logic = next((value for key, value in flt.items() if key.upper() == "LOGIC"), "AND")
    found = [
        _tree(value, condition) if key.isdigit() and isinstance(value, Mapping) else condition(key, value)
        for key, value in flt.items()
        if key.upper() != "LOGIC"
    ]
    made = [f for f in found if f is not None]
    if not made:
        return None
    if logic == "OR":
        return any(made)
    return not all(made) if logic == "NOT" else all(made)


def _value_fits(key: str, value: Any) -> bool:
    match = _WORD_KEY.match(key)
    prefix = match.group(1) if match is not None and match.group(1) in CORRECT_PREFIXES else None
    if prefix is not None and prefix in ARRAY_PREFIXES and isinstance(value, Mapping | list):
        return True
    return value is None or isinstance(value, str | int | float | bool)


__all__ = ["ITEM_FIELDS", "check_filter", "check_order", "holds", "split", "upper_filter"]
