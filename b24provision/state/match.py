"""The one matcher: which portal object a blueprint object is, by natural keys only.

Every command that puts a blueprint next to a portal (plan's diff, compare, forecast, apply's
recovery) pairs objects by these rules, and only here:

- a pipeline marked ``default`` is the portal's default pipeline (id 0), whatever its name; any
  other pipeline is the portal's non-default pipeline of its ``name``, else of the first of its
  ``previous_names`` that the portal has (a rename). A portal may hold two pipelines of one name
  (Bitrix24 allows it); reading and exporting such a portal works (the two get distinct keys), but
  a blueprint that names that name cannot say which one it means: ``AmbiguousPipelineName``.
- stages pair by code within their pipeline; only when one side's code was made by the portal's
  UI (``UC_…``, random per portal) may a stage without a partner pair by its name instead
  (``ui_stage_pairs``: compare uses it; a plan does not, because apply addresses stages by code);
- a smart process is the portal's type of its ``title`` (exactly), else of the first of its
  ``previous_titles`` the portal has; titles are not unique on a portal either, and each caller
  refuses a title two types share in its own words (``types_titled``);
- enumeration items pair by ``xml_id``; an item whose xml_id has no partner may pair by its text
  (``items_by_value``; plan/field_compare.py applies the same rule to items the portal returned
  without an XML_ID).

Everything here is a pure function of model values: no portal, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from b24provision.blueprint.model import EnumItem, Pipeline, Stage
from b24provision.errors import PlanError

UI_CODE_PREFIX = "UC_"
"""Stage codes made by the portal's UI start with this and are random per portal."""


class AmbiguousPipelineName(PlanError):
    """The portal has several non-default pipelines with the name a blueprint pipeline gives."""

    def __init__(self, name: str, hits: Sequence[Pipeline], where: str = "") -> None:
        self.name, self.hits = name, tuple(hits)
        keys = " and ".join(p.key for p in hits)
        super().__init__(
            f"{where + ': ' if where else ''}the portal has {len(hits)} pipelines named {name!r} ({keys}), "
            "so the blueprint cannot tell which one it means; rename one of them on the portal, "
            "then run `b24provision plan` again"
        )


class _Titled(Protocol):
    @property
    def title(self) -> str: ...


def types_titled(live: Mapping[str, _Titled], title: str) -> list[str]:
    """The live keys of the portal's smart processes titled ``title``."""
    return [key for key, sp in live.items() if sp.title == title]


def pipelines_named(live: Iterable[Pipeline], name: str) -> list[Pipeline]:
    """The portal's non-default pipelines called ``name`` (the default one is never matched by name)."""
    return [p for p in live if not p.default and p.name == name]


def default_pipeline(live: Iterable[Pipeline]) -> Pipeline | None:
    return next((p for p in live if p.default), None)


def portal_pipeline(want: Pipeline, live: Sequence[Pipeline], where: str = "") -> Pipeline | None:
    """The portal's pipeline that ``want`` is, or None when the portal has none of its names.

    Raises:
        AmbiguousPipelineName: the first of ``want``'s names the portal has is held by several
            pipelines (``where`` prefixes the message: the blueprint location).
    """
    if want.default:
        return default_pipeline(live)
    for name in (want.name, *want.previous_names):
        hits = pipelines_named(live, name)
        if len(hits) > 1:
            raise AmbiguousPipelineName(name, hits, where)
        if hits:
            return hits[0]
    return None


def pair_pipelines(desired: Iterable[Pipeline], live: Sequence[Pipeline]) -> dict[str, Pipeline]:
    """Blueprint pipeline key -> the portal's pipeline, for the blueprint pipelines the portal has."""
    pairs: dict[str, Pipeline] = {}
    for want in desired:
        have = portal_pipeline(want, live)
        if have is not None:
            pairs[want.key] = have
    return pairs


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def ui_stage_pairs(have: Sequence[Stage], want: Sequence[Stage]) -> dict[str, str]:
    """Wanted stage code -> the portal's code, for stages without a partner by code that pair by
    name (once, unambiguously) because one of the two codes was made by the portal's UI."""
    have_codes = {s.code for s in have}
    want_codes = {s.code for s in want}
    free = [s for s in have if s.code not in want_codes]
    pairs: dict[str, str] = {}
    for stage in want:
        if stage.code in have_codes:
            continue
        hits = [
            s
            for s in free
            if _norm(s.name) == _norm(stage.name)
            and (s.code.startswith(UI_CODE_PREFIX) or stage.code.startswith(UI_CODE_PREFIX))
        ]
        if len(hits) == 1:
            free.remove(hits[0])
            pairs[stage.code] = hits[0].code
    return pairs


def items_by_value(have: Sequence[EnumItem], want: Sequence[EnumItem]) -> dict[str, str]:
    """Wanted item xml_id -> the other side's xml_id, for items without a partner by xml_id whose
    text matches exactly one item that has no partner either."""
    have_ids = {it.xml_id for it in have}
    want_ids = {it.xml_id for it in want}
    free = [it for it in have if it.xml_id not in want_ids]
    pairs: dict[str, str] = {}
    for item in want:
        if item.xml_id in have_ids:
            continue
        hits = [it for it in free if it.value == item.value]
        if len(hits) == 1:
            free.remove(hits[0])
            pairs[item.xml_id] = hits[0].xml_id
    return pairs


def pipeline_keys(pairs: Mapping[str, Pipeline]) -> dict[str, str]:
    """Blueprint key -> the portal pipeline's key in live state, from ``pair_pipelines``."""
    return {key: p.key for key, p in pairs.items()}
