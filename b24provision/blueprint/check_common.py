"""What every cross-object check of a blueprint uses: located findings, hints, standard fields."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from b24provision.blueprint.model import Blueprint
from b24provision.entities.types import DEAL
from b24provision.errors import Problem

Loc = tuple[str | int, ...]

# Deal fields every portal has, which robots may read or set (crm.deal.fields).
STANDARD_DEAL_FIELDS: frozenset[str] = frozenset({
    "TITLE", "TYPE_ID", "CATEGORY_ID", "STAGE_ID", "OPPORTUNITY", "CURRENCY_ID", "IS_MANUAL_OPPORTUNITY",
    "TAX_VALUE", "PROBABILITY", "COMPANY_ID", "CONTACT_ID", "CONTACT_IDS", "BEGINDATE", "CLOSEDATE",
    "OPENED", "CLOSED", "COMMENTS", "ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE",
    "DATE_MODIFY", "SOURCE_ID", "SOURCE_DESCRIPTION", "ADDITIONAL_INFO", "LOCATION_ID", "ORIGINATOR_ID",
    "ORIGIN_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM", "LEAD_ID",
    "QUOTE_ID",
})  # fmt: skip


UF_PREFIX = DEAL.field_prefix


def finding(bp: Blueprint, loc: Loc, message: str, code: str, severity: str = "error") -> Problem:
    """A problem at the YAML position of ``loc`` (or of its nearest located parent)."""
    where = bp.locate(*loc)
    if where is None:
        return Problem("<blueprint>", 0, 0, message, severity, code)
    return Problem(where.path, where.line, where.col, message, severity, code)


def where_line(bp: Blueprint, loc: Loc) -> str:
    where = bp.locate(*loc)
    return f"line {where.line}" if where and where.line else "above"


def prefixed(bp: Blueprint, loc: Loc, code: str) -> Problem:
    # The portal adds its prefix itself: a prefixed code here would be prefixed twice there, a field that
    # does not exist (a delete that silently does nothing) or a new one with a doubled prefix.
    return finding(
        bp, loc, f"field code '{code}' starts with {UF_PREFIX}, which the portal adds itself — write "
        f"'{code.removeprefix(UF_PREFIX)}'", "check/field-prefix",
    )  # fmt: skip


def suggest(name: str, known: Iterable[str]) -> str:
    options = sorted(known)
    close = difflib.get_close_matches(name, options, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}known: {', '.join(options) or 'none'}"
