"""How long a stage code may be in a pipeline, and refusing a plan whose codes a pipeline cannot hold.

The core keeps a deal stage's STATUS_ID in the permission table too, as ``STAGE_ID<C<id>:><code>``
in a 30-character column, so ``CCrmStatus::validateStatusId`` allows a code of
``30 − len("C<id>:") − len("STAGE_ID")`` characters (reference §13.5): 22 in the default pipeline,
19 in C1–C9, 18 in C10–C99, 17 in C100–C999, 16 from C1000. A longer code is refused with
"Exceeded maximum length of status ID: N.", and in the middle of an apply that means a half-done
pipeline; so the plan refuses it before anything is written.

A pipeline that the plan creates has no id yet. Its id will be higher than every id in use (the
portal never reuses one), but how much higher is unknown: pipelines deleted since took ids too.
The rule here is to assume the new id has as many digits as the largest id in use, and at least
three (real portals have ids of 100 and more). That keeps 17 characters safe on any portal whose
ids are below 1000 — the same 17 that ``validate`` recommends, knowing no portal at all.

Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from b24provision.entities.stages import STATUS_ID_LIMIT, DealStages
from b24provision.entities.types import DEAL
from b24provision.errors import PlanError
from b24provision.plan.ops import CreateStageOp, Plan, ReplaceStageOp
from b24provision.state.live import LiveState

# The portal creates these in every new pipeline itself, with no length check (entities/types.py).
# Kept (not re-created) when the blueprint lists them with the same semantics.
_DEFAULT_STAGES = DEAL.default_stages
_STAGES = DealStages()

CORE_STAGE_ID_BUDGET = STATUS_ID_LIMIT
"""Characters a STATUS_ID may have with its ``C<id>:`` prefix, by the core's rule (22)."""


def stage_code_limit(category_id: int, budget: int = CORE_STAGE_ID_BUDGET) -> int:
    """The longest stage code pipeline ``category_id`` can hold (0: the default pipeline).

    ``budget``: the STATUS_ID length the portal allows: the core's, or what ``doctor --probe``
    measured on this portal (``doctor/facts.py``)."""
    return budget - len(_STAGES.status_prefix(category_id))


def new_pipeline_id_assumed(ids_in_use: Iterable[int]) -> int:
    """The id a new pipeline is assumed to get, for its code limit: the largest one with as many
    digits as the largest id in use, and at least three (see the module docstring)."""
    digits = max(3, len(str(max(ids_in_use, default=0) + 1)))
    return int(10**digits) - 1


def refuse_long_stage_codes(
    plan: Plan, live: LiveState, *, budget: int | None = None, measured: str = ""
) -> None:
    """Raise when a stage the plan creates has a code its pipeline cannot hold.

    ``budget``/``measured``: the STATUS_ID length ``doctor --probe`` measured on this portal and
    when (None: the core's rule).

    Raises:
        PlanError: one line naming each such stage, its length, the limit and why.
    """
    budget = CORE_STAGE_ID_BUDGET if budget is None else budget
    ids: Mapping[str, int] = live.pipeline_ids
    assumed = new_pipeline_id_assumed(ids.values())
    problems: list[str] = []
    for op in plan.ops:
        if not isinstance(op, CreateStageOp | ReplaceStageOp):
            continue
        code = op.stage.code
        if isinstance(op, CreateStageOp) and op.new_pipeline:
            if _DEFAULT_STAGES.get(code) == op.stage.semantics:
                continue  # the portal made it with the pipeline; apply keeps it
            limit = stage_code_limit(assumed, budget)
            if len(code) <= limit:
                continue
            highest = max(ids.values(), default=0)
            in_use = f"the highest id in use is {highest}" if highest else "only the default pipeline exists"
            why = (
                f"pipeline '{op.pipeline_key}' is new, and its id is known only once the portal creates "
                f"it; with an id below {assumed + 1} ({in_use}) it holds at most {limit} characters"
            )
        else:
            category = ids.get(op.live_key or "", 0)
            limit = stage_code_limit(category, budget)
            if len(code) <= limit:
                continue
            where = "the default pipeline" if category == 0 else f"C{category}"
            why = f"pipeline '{op.pipeline_key}' is {where} on this portal"
        at = op.source or "the blueprint"
        problems.append(
            f"stage {op.key} ({at}): code '{code}' has {len(code)} characters, more than {limit}: {why}"
        )
    if problems:
        source = f" (this portal's limit, measured by `doctor --probe` on {measured})" if measured else ""
        raise PlanError(
            "; ".join(problems)
            + source
            + " — a pipeline's id takes room from its stage codes: the portal allows 22 characters in the "
            "default pipeline, 19 in C1–C9, 18 in C10–C99, 17 in C100–C999 and 16 from C1000, and "
            "refuses a longer code; shorten the code"
        )
