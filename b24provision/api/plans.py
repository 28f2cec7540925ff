"""plan and apply: read the portal, diff the blueprint against it, and carry the plan out under the lock.

Part of the :mod:`b24provision.api` facade; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from b24provision.api import saved
from b24provision.apply import ApplyResult, Progress, apply_plan, with_counts
from b24provision.apply.explain import render_explain
from b24provision.apply.plan_requests import plan_requests
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.doctor.facts import facts_for
from b24provision.plan.diff import diff
from b24provision.plan.ops import CreateSmartProcessOp, Plan, UpdateAppRobotOp
from b24provision.plan.order import order
from b24provision.plan.portal_checks import checked_against_portal
from b24provision.portal.client import PortalClient
from b24provision.portal.connect import describe_portal, open_portal
from b24provision.portal.lock import HeldLock, LockHolder, Say, portal_lock
from b24provision.state.live import LiveState
from b24provision.state.rest import read_after, read_portal
from b24provision.state.rest_smart import with_smart_processes_of
from b24provision.state.scope import ReadScope
from b24provision.state.zip import robots_from_export as _robots_from_export
from b24provision.tariff.entity_fields import entity_field_warnings
from b24provision.tariff.fit import (
    Declaration,
    PortalTariff,
    declaration_for,
    detect_tariff,
    needs_for,
    plan_warnings,
    refuse_unfit,
    tariff_findings,
)
from b24provision.tariff.smart import smart_process_warnings


@dataclass
class PlanResult:
    """A plan and what it was made from."""

    plan: Plan
    blueprint: Blueprint
    live: LiveState
    requests: int
    """HTTP requests it took to make the plan."""
    tariff: PortalTariff | None = None
    """The portal's plan as detected (its findings are among the plan's warnings)."""


@dataclass
class ApplyOutcome:
    """What apply did, and whether the portal now matches the blueprint."""

    applied: ApplyResult
    remaining: Plan | None
    """The plan after apply: no changes when the portal matches (None when not checked)."""
    requests: int


DEFAULT_LOCK_TIMEOUT = 60.0
"""Seconds apply waits for another run's lock on the portal before it refuses (``--lock-timeout``)."""


def plan_against(
    client: PortalClient,
    blueprint: Blueprint,
    *,
    lang: str = "en",
    declaration: Declaration | None = None,
    held: LockHolder | None = None,
    live: LiveState | None = None,
) -> PlanResult:
    """Read the portal and diff ``blueprint`` against it (one request; two when the plan deletes
    something, to count what each delete destroys).

    What the portal's plan cannot (or may not) hold is added to the plan's warnings; ``declaration``
    is the profile's declared tariff and limits, which win over detection. A portal locked by another
    run than ``held`` (this run's own lock) is a warning too. ``live``: the portal as just read (under
    the lock), instead of reading it here.
    """
    start = client.request_count
    if live is None:
        live = read_portal(client, ReadScope.of_blueprint(blueprint))
    live = with_smart_processes_of(client, live, blueprint)
    plan = diff(blueprint, live, lang=lang)
    counted = with_counts(client, live, plan)
    if counted is not live:
        live = counted
        plan = diff(blueprint, live, lang=lang)
    tariff = detect_tariff(live, declaration)
    warnings = plan_warnings(tariff_findings(needs_for(plan, live, blueprint), tariff), tariff)
    warnings += smart_process_warnings(plan, live, tariff.plan)
    warnings += entity_field_warnings(plan, live, tariff.plan)  # lead, contact, company fields
    if live.lock is not None and (held is None or live.lock.token != held.token):
        warnings.append(
            f"the portal is locked by {live.lock.describe()}: an apply is running, and this plan may be "
            "out of date when it ends (if that run was killed: `b24provision force-unlock`)"
        )
    facts, unusable = facts_for(live)  # what `doctor --probe` learnt about this portal
    warnings += unusable
    creates = sum(isinstance(op, CreateSmartProcessOp) for op in plan.ops)
    warnings += filter(None, [facts.smart_process_warning(creates) if facts else None])
    if warnings:
        plan = plan.model_copy(update={"warnings": (*plan.warnings, *warnings)})
    plan = checked_against_portal(plan, live, blueprint, facts)  # stage codes, rights, WON
    requests = client.request_count - start
    return PlanResult(plan=plan, blueprint=blueprint, live=live, requests=requests, tariff=tariff)


def explain(result: PlanResult, fmt: str = "text") -> str:
    """The requests an apply of ``result.plan`` would send, in ``fmt`` (``plan --explain``).
    Sends nothing: built from the plan and the read it was made from."""
    return render_explain(plan_requests(result.plan, result.live), fmt, portal=result.plan.portal)


def _named(plan: Plan, portal: str, portals_file: Path | None) -> Plan:
    """``plan`` naming the portal as ``Portal:`` does when it is the embedded one, whose HTTP host
    is a new loopback port every run (a webhook's or an application's host stays as read)."""
    where = describe_portal(portal, portals_file=portals_file)
    return plan.model_copy(update={"portal": where}) if where.startswith("local emulator") else plan


def make_plan(
    paths: Sequence[Path],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    lang: str = "en",
    reregister_app_robots: bool = False,
    robots_from: Path | None = None,
    out: Path | None = None,
    force: bool = False,
) -> PlanResult:
    """Load the blueprint at ``paths`` and plan it against ``portal``. Never writes to the portal.

    ``reregister_app_robots`` adds a re-registration of every declared application robot type the
    portal already has (see :func:`with_app_robots_reregistered`). ``robots_from``, the portal's
    configuration export, turns the robots' manual steps into what the export showed (read before
    the portal is contacted: a bad archive stops the plan at once). ``out``: save the plan there for
    ``apply --plan`` (refused before the portal is contacted if it cannot be written).
    """
    saved.check_out_file(out, force=force)
    variables = dict(variables or {})
    blueprint = load_blueprint(paths, variables=variables, values_files=values_files)
    robots = _robots_from_export(blueprint, robots_from)
    declaration = declaration_for(portal, portals_file)
    with open_portal(portal, portals_file=portals_file) as client:
        result = plan_against(client, blueprint, lang=lang, declaration=declaration)
    result.plan = _named(result.plan, portal, portals_file)
    if reregister_app_robots:
        result.plan = with_app_robots_reregistered(result.plan, blueprint)
    result.plan = robots(result.plan)
    if out is not None:
        saved.save(
            result,
            out,
            portal=portal,
            portals_file=portals_file,
            blueprint_paths=paths,
            variables=variables,
            force=force,
        )
    return result


def with_app_robots_reregistered(plan: Plan, blueprint: Blueprint) -> Plan:
    """``plan`` plus an UpdateAppRobotOp (bizproc.robot.update) for every declared application robot
    type the portal already has.

    bizproc.robot.list returns codes only (reference §8.2), so a changed handler or property cannot
    be seen; sending every declared type's settings again is idempotent and makes the portal match.
    Under a webhook the plan holds NeedsAppContextOps instead, and nothing is added.
    """
    existing = {ref.key for ref in plan.unchanged if ref.kind == "app_robot"}
    extra = [
        UpdateAppRobotOp(robot=robot, source=str(blueprint.locate("app_robots", i) or ""))
        for i, robot in enumerate(blueprint.app_robots)
        if robot.code in existing
    ]
    if not extra:
        return plan
    unchanged = tuple(ref for ref in plan.unchanged if not (ref.kind == "app_robot" and ref.key in existing))
    return plan.model_copy(update={"ops": order([*plan.ops, *extra]), "unchanged": unchanged})


def apply(
    result: PlanResult | Plan,
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    allow_delete: bool = False,
    ignore_tariff: bool = False,
    progress: Progress | None = None,
    verify_against: Blueprint | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    say: Say | None = None,
) -> ApplyOutcome:
    """Apply a plan made earlier: in this process without the lock (``PlanResult``) or a saved one (``Plan``).

    The portal's lock is taken first (waiting up to ``lock_timeout`` seconds for another run's; ``say``
    tells about the wait), then the portal is read and the plan refused if it changed since it was made:
    that read is the one the writes are based on, so it must come after the lock. After the writes the
    portal is read once more and the blueprint planned again (a PlanResult's own, or
    ``verify_against`` for a saved plan); the outcome's ``remaining`` plan says whether the portal now
    matches it. The lock is released however apply ends.

    Raises:
        LockError: another run holds the portal (see :mod:`b24provision.portal.lock`).
        TariffLimitError: before any write, when the portal's plan cannot hold what is applied and
            ``ignore_tariff`` is not set.
    """
    plan = result.plan if isinstance(result, PlanResult) else result
    declaration = declaration_for(portal, portals_file)
    with open_portal(portal, portals_file=portals_file) as client:
        start = client.request_count
        scope = ReadScope.of_plan(plan)
        if verify_against is not None:
            scope = scope.union(ReadScope.of_blueprint(verify_against))
        with _locked(client, portal, lock_timeout, say, scope) as lock:
            live = with_counts(client, lock.live, plan)
            if not ignore_tariff:
                check_portal_tariff(result, live, declaration)
            applied = apply_plan(plan, client, allow_delete=allow_delete, live=live, progress=progress)
            blueprint = result.blueprint if isinstance(result, PlanResult) else verify_against
            remaining = (
                plan_against(client, blueprint, held=lock.holder, live=lock.read_and_release()).plan
                if blueprint is not None
                else None
            )
        return ApplyOutcome(applied=applied, remaining=remaining, requests=client.request_count - start)


def _locked(
    client: PortalClient, portal: str, lock_timeout: float, say: Say | None, scope: ReadScope
) -> AbstractContextManager[HeldLock]:
    """The portal's lock, taken in the same request as the read (of ``scope``) the writes are based on."""
    return portal_lock(
        client,
        lambda first, last: read_after(client, first, last, scope),
        wait=lock_timeout,
        unlock_hint=unlock_command(portal),
        say=say,
    )


def plan_and_apply(
    paths: Sequence[Path],
    *,
    confirm: Callable[[PlanResult], bool],
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    allow_delete: bool = False,
    ignore_tariff: bool = False,
    reregister_app_robots: bool = False,
    robots_from: Path | None = None,
    progress: Progress | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    say: Say | None = None,
) -> ApplyOutcome | None:
    """``apply`` without a saved plan: lock, read and plan, ask ``confirm``, write, verify, unlock.

    The portal is read once before the writes and once after. That is safe because the read comes
    after the lock is taken: every other b24provision run must take the same lock before it writes, so
    nothing this tool does can change the portal between the read and the writes, and the plan need
    not be checked against a second read (a saved plan still is: its read was made without the lock,
    maybe days ago). ``confirm`` is called with the plan while the lock is held (as Terraform holds its
    state lock through the prompt); it shows the plan, may raise to refuse it, and returns False to
    apply nothing (the answer was no, or there is nothing to do). Returns None then.

    Raises:
        LockError: another run holds the portal after ``lock_timeout`` seconds.
        TariffLimitError, DestructiveChangeError, PlanError, ApplyError: as for :func:`apply`.
    """
    blueprint = load_blueprint(paths, variables=dict(variables or {}), values_files=values_files)
    robots = _robots_from_export(blueprint, robots_from)
    declaration = declaration_for(portal, portals_file)
    with open_portal(portal, portals_file=portals_file) as client:
        start = client.request_count
        with _locked(client, portal, lock_timeout, say, ReadScope.of_blueprint(blueprint)) as lock:
            # The read made with the lock is the plan's and the writes': no second read is needed
            # (why that is safe: see the docstring).
            result = plan_against(
                client, blueprint, declaration=declaration, held=lock.holder, live=lock.live
            )
            result.plan = _named(result.plan, portal, portals_file)
            if reregister_app_robots:
                result.plan = with_app_robots_reregistered(result.plan, blueprint)
            result.plan = robots(result.plan)
            if not confirm(result):
                return None
            if not ignore_tariff:
                check_portal_tariff(result, result.live, declaration)
            applied = apply_plan(
                result.plan, client, allow_delete=allow_delete, live=result.live, progress=progress
            )
            # The check after the writes and the lock's release: one request.
            remaining = plan_against(client, blueprint, held=lock.holder, live=lock.read_and_release()).plan
        return ApplyOutcome(applied=applied, remaining=remaining, requests=client.request_count - start)


def unlock_command(portal: str) -> str:
    """The force-unlock command for ``portal`` (a spec names a variable or a file, never a secret)."""
    return "b24provision force-unlock" + ("" if portal.strip() == "local" else f" --portal {portal.strip()}")


def check_portal_tariff(
    result: PlanResult | Plan, live: LiveState, declaration: Declaration | None = None
) -> PortalTariff:
    """Refuse what the portal's plan cannot hold (raises TariffLimitError); returns the detected plan."""
    plan = result.plan if isinstance(result, PlanResult) else result
    blueprint = result.blueprint if isinstance(result, PlanResult) else None
    tariff = detect_tariff(live, declaration)
    n = needs_for(plan, live, blueprint)
    refuse_unfit(tariff_findings(n, tariff), tariff, n)
    return tariff
