"""Rules that span several objects of a blueprint: uniqueness, stage order, references.

The model checks single values; a blueprint can still be impossible on a portal: two stages with
one code, a pipeline without a success stage, a robot copying deals into a pipeline that does not
exist. Every rule here is an error that would make ``apply`` fail part-way or do something else
than intended, so it is reported before anything is sent, at the line of the offending value.

The robots' references to pipelines, stages and fields are checked in ``check_robots.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from b24provision.blueprint.check_common import (
    STANDARD_DEAL_FIELDS,
    UF_PREFIX,
    Loc,
    finding,
    prefixed,
    where_line,
)
from b24provision.blueprint.check_fields import deal_field_problems, entity_field_problems
from b24provision.blueprint.check_removed import check_removed_twice
from b24provision.blueprint.check_robots import check_robots, robots_of
from b24provision.blueprint.check_smart import check_smart_processes
from b24provision.blueprint.check_statuses import check_statuses
from b24provision.blueprint.model import (
    Blueprint,
    Pipeline,
)
from b24provision.errors import Problem
from b24provision.robots.keys import ambiguous_robots

# Importable from here as before (lint.py and others use them).
__all__ = ["PORTAL_RISKS", "STANDARD_DEAL_FIELDS", "check_blueprint", "finding", "portal_risks", "robots_of"]

PORTABLE_STAGE_CODE = 17
"""The longest stage code every pipeline holds on a portal whose pipeline ids are below 1000
(reference §13.5; plan/stage_codes.py knows the real limit of each pipeline)."""

_RANK = {"process": 0, "success": 1, "failure": 2}


def check_blueprint(bp: Blueprint) -> list[Problem]:
    """Every cross-object error of ``bp``; empty when it can be applied as written."""
    return [
        *_entity_forms(bp),
        *_pipelines(bp),
        *_stages(bp),
        *_fields(bp),
        *entity_field_problems(bp),  # the same rules for lead, contact and company fields
        *check_robots(bp),
        *check_statuses(bp),  # lead statuses and reference lists (check_statuses.py)
        *(finding(bp, loc, message, "check/ambiguous-robot") for loc, message in ambiguous_robots(bp)),
        *_removed(bp),
        *check_removed_twice(bp),  # each object named once under removed: (check_removed.py)
        *_prefixed_codes(bp),
        *_unique(bp, "app_robots", [r.code for r in bp.app_robots], "application robot code"),
        *_unique(bp, "triggers", [t.code for t in bp.triggers], "trigger code"),
        *check_smart_processes(bp, check_blueprint),
    ]


def _entity_forms(bp: Blueprint) -> Iterator[Problem]:
    if bp.both_deal_forms:
        yield finding(
            bp,
            ("entities", "deal"),
            "entities.deal: the deal is given twice, under entities.deal and as top-level pipelines:/"
            "fields: (which are shorthand for entities.deal) — keep one of the two",
            "check/entity-twice",
        )


PORTAL_RISKS = ("check/success-stage-code",)
"""Warnings that depend on how a portal behaves: plan repeats them next to the portal's answers."""


def portal_risks(bp: Blueprint) -> list[str]:
    """The PORTAL_RISKS warnings of ``bp`` as plan warnings, each with its place."""
    return [f"{p.message} ({p.path}:{p.line}:{p.col})" for p in check_blueprint(bp) if p.code in PORTAL_RISKS]


def _unique(bp: Blueprint, section: str, codes: list[str], what: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        if code in seen:
            yield finding(
                bp,
                (section, i, "code"),
                f"{section}[{i}]: {what} '{code}' is used twice "
                f"(first at {where_line(bp, (section, seen[code]))}) — codes must be unique; "
                "rename or remove one",
                "check/duplicate",
            )
        else:
            seen[code] = i


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def _pipelines(bp: Blueprint) -> Iterator[Problem]:
    keys: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}  # normalised name -> (pipeline index, current or previous)
    default_at: int | None = None
    for i, p in enumerate(bp.pipelines):
        if p.key in keys:
            yield finding(
                bp,
                ("pipelines", i, "key"),
                f"pipelines[{i}]: pipeline key '{p.key}' is used twice (first at "
                f"{where_line(bp, ('pipelines', keys[p.key]))}) — give each pipeline its own key",
                "check/duplicate-pipeline-key",
            )
        keys.setdefault(p.key, i)
        if p.default:
            if default_at is not None:
                yield finding(
                    bp,
                    ("pipelines", i, "default"),
                    f"pipelines[{i}]: '{p.key}' is marked default, but so is "
                    f"'{bp.pipelines[default_at].key}' — a portal has one default pipeline; "
                    "keep one default: true",
                    "check/two-defaults",
                )
            else:
                default_at = i
    for i, p in enumerate(bp.pipelines):
        for j, name in [(-1, p.name), *enumerate(p.previous_names)]:
            loc: Loc = ("pipelines", i, "name") if j < 0 else ("pipelines", i, "previous_names", j)
            other = names.get(_norm(name))
            if other is not None and other[0] != i:
                owner = bp.pipelines[other[0]].key
                kind = "name" if other[1] == "name" else "a previous name"
                yield finding(
                    bp,
                    loc,
                    f"pipelines[{i}]: '{name}' is also {kind} of pipeline '{owner}' — pipelines are matched "
                    "to the portal by name, so names and previous_names must all differ",
                    "check/duplicate-pipeline-name",
                )
            names.setdefault(_norm(name), (i, "name" if j < 0 else "previous"))


def _stages(bp: Blueprint) -> Iterator[Problem]:
    for pi, p in enumerate(bp.pipelines):
        base: Loc = ("pipelines", pi, "stages")
        codes: dict[str, int] = {}
        for si, s in enumerate(p.stages):
            if s.code in codes:
                yield finding(
                    bp,
                    (*base, si, "code"),
                    f"pipeline '{p.key}': stage code '{s.code}' is used twice (first at "
                    f"{where_line(bp, (*base, codes[s.code]))}) — stage codes must be unique within a "
                    "pipeline",
                    "check/duplicate-stage-code",
                )
            codes.setdefault(s.code, si)
            if len(s.code) > PORTABLE_STAGE_CODE and s.code != "PREPAYMENT_INVOICE":  # a default stage
                yield finding(
                    bp,
                    (*base, si, "code"),
                    f"pipeline '{p.key}': stage code '{s.code}' has {len(s.code)} characters — a pipeline "
                    "holds 22 − len('C<id>:') (19 in C1–C9, 18 in C10–C99, 17 in C100–C999, 16 from "
                    "C1000; 22 only in the default one), and which id the pipeline gets is known only on "
                    f"the portal; {PORTABLE_STAGE_CODE} characters fit in every pipeline below C1000 "
                    "(`plan` checks the real limit)",
                    "check/stage-code-length",
                    severity="warning",
                )
            if not s.name.strip():
                yield finding(
                    bp, (*base, si, "name"), f"stage '{s.code}': the name is blank — give the stage a name",
                    "check/blank-name",
                )  # fmt: skip
        successes = [si for si, s in enumerate(p.stages) if s.semantics == "success"]
        if not successes:
            yield finding(
                bp,
                base,
                f"pipeline '{p.key}' has no success stage — mark the won stage with semantics: success "
                "(the portal keeps exactly one per pipeline)",
                "check/success-stage",
            )
        if successes and p.stages[successes[0]].code != "WON":
            yield finding(
                bp,
                (*base, successes[0], "code"),
                f"pipeline '{p.key}': the success stage is '{p.stages[successes[0]].code}', not WON — the "
                "portal's own metadata names C<id>:WON as a pipeline's final success stage, and whether "
                "every part of a portal accepts another code is not confirmed; name it WON (any title)",
                "check/success-stage-code",
                severity="warning",
            )
        for si in successes[1:]:
            yield finding(
                bp,
                (*base, si, "semantics"),
                f"pipeline '{p.key}': stage '{p.stages[si].code}' is a second success stage — a pipeline has "
                "exactly one; make the others process or failure stages",
                "check/success-stage",
            )
        if not any(s.semantics == "failure" for s in p.stages):
            yield finding(
                bp,
                base,
                f"pipeline '{p.key}' has no failure stage — add one with semantics: failure (the portal "
                "needs at least one, e.g. LOSE)",
                "check/failure-stage",
            )
        yield from _stage_order(bp, p, base)


def _stage_order(bp: Blueprint, p: Pipeline, base: Loc) -> Iterator[Problem]:
    highest = 0
    for si, s in enumerate(p.stages):
        rank = _RANK[s.semantics]
        if rank < highest:
            later = "the success stage" if highest == 1 else "a failure stage"
            yield finding(
                bp,
                (*base, si, "semantics") if s.semantics != "process" else (*base, si),
                f"pipeline '{p.key}': {s.semantics} stage '{s.code}' comes after {later} — the portal orders "
                "stages: process stages, then the success stage, then failure stages; move it up",
                "check/stage-order",
            )
        highest = max(highest, rank)
    previous: tuple[str, int] | None = None
    for si, s in enumerate(p.stages):
        sort = s.sort if s.sort is not None else (si + 1) * 10  # as Pipeline.stage_sorts()
        if previous is not None and sort <= previous[1]:
            yield finding(
                bp,
                (*base, si, "sort") if s.sort is not None else (*base, si),
                f"pipeline '{p.key}': stage '{s.code}' sorts at {sort}, not after '{previous[0]}' at "
                f"{previous[1]} — sorts must increase down the list (a stage without sort: gets 10 × its "
                "position); fix the sort: values",
                "check/stage-sort",
            )
        previous = (s.code, sort)


def _fields(bp: Blueprint) -> Iterator[Problem]:
    yield from deal_field_problems(bp)  # one set of field rules for every entity (check_fields.py)


def _removed(bp: Blueprint) -> Iterator[Problem]:
    names = {_norm(n): p.key for p in bp.pipelines for n in (p.name, *p.previous_names)}
    declared: list[tuple[str, Iterable[str], set[str], str]] = [
        ("fields", bp.removed.fields, set(bp.fields_by_code()), "field"),
        ("app_robots", bp.removed.app_robots, {r.code for r in bp.app_robots}, "application robot"),
        ("triggers", bp.removed.triggers, {t.code for t in bp.triggers}, "trigger"),
    ]
    for i, name in enumerate(bp.removed.pipelines):
        if _norm(name) in names:
            yield finding(
                bp, ("removed", "pipelines", i), f"removed: pipeline '{name}' is also declared (pipeline "
                f"'{names[_norm(name)]}') — remove it from one of the two", "check/removed-declared",
            )  # fmt: skip
    keys = {p.key: p.name for p in bp.pipelines}
    for i, name in enumerate(bp.removed.pipelines):
        if name in keys and _norm(name) not in names:
            yield finding(
                bp, ("removed", "pipelines", i), f"removed: '{name}' is the key of the declared pipeline "
                f"'{keys[name]}' — removed: names a pipeline by its name on the portal, and a blueprint "
                "cannot both keep and delete it", "check/removed-declared",
            )  # fmt: skip
    for section, listed, present, what in declared:
        for i, code in enumerate(listed):
            if section == "fields" and code.startswith(UF_PREFIX):
                yield prefixed(bp, ("removed", section, i), code)
            elif code in present:
                yield finding(
                    bp, ("removed", section, i), f"removed: {what} '{code}' is also declared — a blueprint "
                    "cannot both keep and delete it; remove it from one of the two", "check/removed-declared",
                )  # fmt: skip


def _prefixed_codes(bp: Blueprint) -> Iterator[Problem]:
    for i, f in enumerate(bp.fields):
        if f.code.startswith(UF_PREFIX):
            yield prefixed(bp, ("fields", i, "code"), f.code)
