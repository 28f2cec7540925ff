"""Saved plans: ``plan --out`` writes one, ``apply --plan`` carries one out, ``show`` shows one again.

Part of the :mod:`b24provision.api` facade; nothing here prints. The checks a plan must pass before
anything is asked or written (``--expect``'s digest, the safety rules) live here too, so the CLI
only renders and asks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from b24provision.api.plans import PlanResult
    from b24provision.plan.ops import Plan
    from b24provision.plan.planfile import SavedPlan


def check_out_file(out: Path | None, *, force: bool) -> None:
    """Refuse an ``--out`` file that cannot be written, before the portal is contacted."""
    if out is not None:
        from b24provision.output import check_writable  # noqa: PLC0415

        check_writable(out, force=force)


def save(
    result: PlanResult,
    out: Path,
    *,
    portal: str,
    portals_file: Path | None,
    blueprint_paths: Sequence[Path],
    variables: Mapping[str, str],
    force: bool = False,
) -> SavedPlan:
    """Write the plan of ``result`` to ``out`` for ``apply --plan``, with the portal it was made for."""
    from b24provision.plan.planfile import save_plan  # noqa: PLC0415
    from b24provision.portal.connect import portal_identity  # noqa: PLC0415

    return save_plan(
        result.plan,
        out,
        portal_spec=portal,
        portal_identity=portal_identity(portal, portals_file=portals_file),
        blueprint_paths=list(blueprint_paths),
        variables=variables,
        blueprint=result.blueprint,
        force=force,
    )


@dataclass(frozen=True)
class ToApply:
    """A saved plan read back, and the portal spec it goes to."""

    saved: SavedPlan
    portal: str


def load_for_apply(plan_file: Path, portal: str | None, *, portals_file: Path | None = None) -> ToApply:
    """The plan saved in ``plan_file`` and the portal to apply it to: ``portal`` if given (refused when
    it reaches another portal than the plan's), else the plan's own. Nothing is sent."""
    from b24provision.plan.planfile import load_plan, portal_for  # noqa: PLC0415
    from b24provision.portal.connect import portal_identity  # noqa: PLC0415

    saved = load_plan(plan_file)
    spec = portal_for(saved, portal, lambda spec: portal_identity(spec, portals_file=portals_file))
    return ToApply(saved=saved, portal=spec)


def check_before_apply(plan: Plan, *, expect: str | None, allow_delete: bool) -> None:
    """Refuse, before asking and before any write, what must not be applied: operations that are not
    the reviewed ones (``--expect DIGEST``), and what the safety rules forbid."""
    from b24provision.apply import check_safety  # noqa: PLC0415
    from b24provision.plan.digest import check_expected  # noqa: PLC0415

    if expect is not None:
        check_expected(plan, expect)
    check_safety(plan, allow_delete=allow_delete)


@dataclass(frozen=True)
class Shown:
    """``show``: a saved plan and its operations digest (what ``apply --expect`` checks)."""

    saved: SavedPlan
    digest: str


def show(plan_file: Path) -> Shown:
    """The plan saved in ``plan_file``; no portal is read."""
    from b24provision.plan.digest import operations_digest  # noqa: PLC0415
    from b24provision.plan.planfile import load_plan  # noqa: PLC0415

    saved = load_plan(plan_file)
    return Shown(saved=saved, digest=operations_digest(saved.plan))
