"""``b24provision doctor``: the read-only checks, then (with ``--probe``) the write probes.

:func:`run_doctor` opens the portal once. It first asks who the portal is (a failure there is the
answer: wrong address, not Bitrix24, wrong credentials), then plans the blueprint against it — which
is also how the request budget is measured — and, when asked and approved, probes the portal and
saves what it learnt (:mod:`.facts`) where plan and apply find it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from b24provision.blueprint.model import Blueprint
from b24provision.doctor.checks import Check, lock_check, portal_checks, smart_process_check, worst
from b24provision.doctor.facts import DEFAULT_STATE_DIR, facts_path, load_facts, save_facts
from b24provision.doctor.hello import hello, hello_checks
from b24provision.doctor.probe import Answer, ProbeResult, run_probe
from b24provision.errors import (
    BlueprintError,
    PlanError,
    PortalAuthError,
    PortalError,
    PortalNotFound,
    PortalPlanNoRest,
)
from b24provision.portal.connect import describe_portal, open_portal
from b24provision.tariff.fit import declaration_for, detect_tariff

__all__ = ["DoctorReport", "run_doctor"]

Confirm = Callable[[str], bool]


@dataclass
class DoctorReport:
    """Everything doctor found about one portal."""

    portal: str
    checks: list[Check] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    """The probe's answers, assumption by assumption (empty without --probe)."""
    facts_file: Path | None = None
    cleanup: list[str] = field(default_factory=list)
    """What the probe could not delete (empty when it left nothing behind)."""
    probe_declined: bool = False
    requests: int = 0

    @property
    def blocked(self) -> bool:
        """True when something would make an apply fail or refuse (exit code 1)."""
        return worst(self.checks) == "problem" or bool(self.cleanup)


def run_doctor(
    blueprint_loader: Callable[[], Blueprint | None],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    probe: bool = False,
    confirm: Confirm | None = None,
    say: Callable[[str], None] = lambda text: None,
    state_dir: Path = DEFAULT_STATE_DIR,
) -> DoctorReport:
    """Check ``portal`` for an apply of the blueprint ``blueprint_loader`` gives (None: no blueprint).

    Args:
        probe: also run the write probes (only after ``confirm`` says yes).
        confirm: asked, with the portal's host, before anything is written.
        say: progress lines (the probe announces what it created and deleted).
    """
    from b24provision.api import plan_against  # noqa: PLC0415 - api imports much; only doctor needs this

    report = DoctorReport(portal=portal)
    blueprint: Blueprint | None = None
    try:
        blueprint = blueprint_loader()
    except BlueprintError as exc:
        report.checks.append(
            Check("blueprint", "problem", exc.message.splitlines()[0], "fix it (b24provision validate)")
        )
    declaration = declaration_for(portal, portals_file)
    with open_portal(portal, portals_file=portals_file) as client:
        # The embedded portal's HTTP host is a new loopback port every run: name it as `Portal:` does.
        where = describe_portal(portal, portals_file=portals_file)
        report.portal = where if where.startswith("local emulator") else client.host
        start = client.request_count
        try:
            h = hello(client, blueprint)
        except PortalError as exc:
            report.checks.extend(_unreachable(report.portal, exc))
            report.requests = client.request_count - start
            return report
        report.checks.extend(hello_checks(h, report.portal, blueprint))
        plan = None
        plan_requests = None
        refused: PlanError | None = None
        if blueprint is not None:
            before = client.request_count
            try:
                result = plan_against(client, blueprint, declaration=declaration)
                live, tariff, plan = result.live, result.tariff, result.plan
                plan_requests = client.request_count - before
            except PlanError as exc:  # the plan itself is refused (e.g. a stage code too long here)
                refused = exc
        if blueprint is None or refused is not None:
            from b24provision.state.rest import read_portal  # noqa: PLC0415

            live = read_portal(client)
            tariff = None
        if refused is not None:
            report.checks.append(
                Check("plan", "problem", f"the plan is refused: {refused.message}", "fix the blueprint")
            )
        tariff = tariff or detect_tariff(live, declaration)
        report.checks.extend(
            portal_checks(
                live,
                tariff,
                blueprint=blueprint,
                plan=plan,
                plan_requests=plan_requests,
                rate=_rate(portal, portals_file),
            )
        )
        report.checks.extend(lock_check(live, portal))
        report.checks.extend(_facts_check(client.host, state_dir, blueprint))
        if blueprint is None and not any(c.name == "blueprint" for c in report.checks):
            report.checks.append(
                Check(
                    "budget",
                    "warning",
                    "no blueprint given: how many requests its plan and apply take is not known",
                    "name one: b24provision doctor PATH",
                )
            )
        if probe:
            if confirm is not None and not confirm(client.host):
                report.probe_declined = True
            else:
                # The embedded portal is the emulator itself, on a new port each run: nothing to keep.
                keep = not (portal.strip() == "local" or portal.strip().startswith("local:"))
                _probe(report, run_probe(client, say), state_dir if keep else None, blueprint)
        report.requests = client.request_count - start
    return report


def _probe(
    report: DoctorReport, result: ProbeResult, state_dir: Path | None, blueprint: Blueprint | None
) -> None:
    report.answers = result.answers
    if not any(c.name == "smart processes" for c in report.checks):
        report.checks.extend(smart_process_check(blueprint, result.facts))
    report.cleanup = result.not_removed
    if result.removed_leftovers and not result.not_removed:
        # The read-only checks saw them before the probe removed them first: say what is true now.
        report.checks = [c for c in report.checks if c.name != "leftovers"]
        removed = ", ".join(result.removed_leftovers)
        report.checks.append(Check("leftovers", "ok", f"removed what an interrupted probe left: {removed}"))
    learnt = any(a.verdict != "could not tell" for a in result.answers)
    report.facts_file = save_facts(result.facts, state_dir) if state_dir is not None and learnt else None
    if result.facts.languages:
        report.checks = [c for c in report.checks if c.name != "languages"]
        languages = ", ".join(result.facts.languages)
        report.checks.append(Check("languages", "ok", f"{languages} (the label map of the probe's field)"))
    if result.denied:
        report.checks = [c for c in report.checks if c.name != "rights"]
        report.checks.append(
            Check(
                "rights",
                "problem",
                f"the probe's write was refused: {result.denied}",
                "give the user CRM settings rights (or use an administrator's webhook)",
            )
        )
    elif any(a.verdict != "could not tell" for a in result.answers):
        report.checks = [c for c in report.checks if not (c.name == "rights" and c.status == "warning")]
        if not any(c.name == "rights" for c in report.checks):
            made = "a pipeline, fields" + (
                " and a smart process" if result.facts.smart_processes == "allowed" else ""
            )
            report.checks.append(Check("rights", "ok", f"the probe created and deleted {made}"))


def _facts_check(host: str, state_dir: Path, blueprint: Blueprint | None) -> list[Check]:
    """What an earlier ``--probe`` saved for this portal, which plan is using now (and whether it
    saw the portal's plan refuse smart processes the blueprint has)."""
    try:
        facts = load_facts(host, state_dir)
    except ValueError as exc:
        return [Check("facts", "warning", f"ignored: {exc}", "run `b24provision doctor --probe` again")]
    if facts is None:
        return []
    differs = [a.get("assumption", key) for key, a in facts.answers.items() if a.get("verdict") == "differs"]
    summary = f"differs: {'; '.join(differs)}" if differs else "every assumption the probe could tell holds"
    return [
        Check("facts", "ok", f"probe of {facts.probed_at} in use ({facts_path(host, state_dir)}): {summary}"),
        *smart_process_check(blueprint, facts),
    ]


def _unreachable(host: str, exc: PortalError) -> list[Check]:
    if isinstance(exc, PortalPlanNoRest):
        return [
            Check("portal", "ok", f"{host} answers as a Bitrix24 REST API"),
            Check(
                "plan", "problem", exc.message, "nothing else can be checked until the portal's REST answers"
            ),
        ]
    if isinstance(exc, PortalAuthError):
        return [
            Check("portal", "ok", f"{host} answers as a Bitrix24 REST API"),
            Check(
                "credentials", "problem", exc.message, "copy the webhook URL again, or re-authorize the app"
            ),
        ]
    if isinstance(exc, PortalNotFound) or "not a Bitrix24 REST reply" in exc.message:
        return [Check("portal", "problem", exc.message, "check the portal address in the webhook URL")]
    return [
        Check("portal", "problem", exc.message, "check the address and the network, then run doctor again")
    ]


def _rate(portal: str, portals_file: Path | None) -> str | None:
    spec = portal.strip()
    if spec == "local" or spec.startswith(("local:", "env:")):
        return None
    from b24provision.portal.profiles import find_profile  # noqa: PLC0415

    return find_profile(spec, portals_file).rate


def load_optional(
    paths: Sequence[Path] | None, load: Callable[[], Blueprint]
) -> Callable[[], Blueprint | None]:
    """The blueprint loader doctor uses: no paths and no ./blueprints means no blueprint."""

    def loader() -> Blueprint | None:
        # ./blueprints holding several blueprint directories is not one blueprint: the user names one.
        if not paths and not any(Path("blueprints").glob("*.yaml")):
            return None
        return load()

    return loader
