"""The commands that read a portal (or two) and report: export, diff, tariff, doctor and forecast.

Part of the :mod:`b24provision.api` facade: each function opens what it needs and returns what the
CLI renders. Nothing here prints, and nothing writes to a portal (except ``doctor --probe``, which
asks ``confirm`` first). Each imports what it needs when called, so ``b24provision --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from b24provision.api.blueprints import load_one

if TYPE_CHECKING:
    from b24provision.blueprint.model import Blueprint
    from b24provision.compare import Comparison
    from b24provision.doctor.run import DoctorReport
    from b24provision.export import ExportResult
    from b24provision.forecast import Forecast
    from b24provision.tariff import TariffReport
    from b24provision.tariff.fit import PortalTariff


@dataclass(frozen=True)
class Exported:
    """``export``: the blueprint read from the portal, and the file it went to (None: stdout)."""

    result: ExportResult
    written: Path | None


def export(
    portal: str = "local",
    *,
    portals_file: Path | None = None,
    out: Path | None = None,
    force: bool = False,
    robots_from: Path | None = None,
) -> Exported:
    """Read ``portal`` as a blueprint (robots from the configuration export ``robots_from``), written
    to ``out`` when given."""
    from b24provision.export import export_portal, write_export  # noqa: PLC0415

    result = export_portal(portal, portals_file=portals_file, out=out, robots_from=robots_from)
    written = write_export(result.text, out, force=force) if out is not None else None
    return Exported(result=result, written=written)


def diff(
    a: str,
    b: str,
    *,
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
) -> Comparison:
    """The differences between A and B: each a portal spec or a blueprint path."""
    from b24provision.compare import compare_specs  # noqa: PLC0415

    return compare_specs(a, b, portals_file=portals_file, variables=variables, values_files=values_files)


@dataclass(frozen=True)
class TariffCheck:
    """``tariff``: the blueprint's needs against a plan, and the plan detected on a portal (if one)."""

    report: TariffReport
    detected: PortalTariff | None


def tariff(
    paths: Sequence[Path],
    *,
    plan_code: str | None = None,
    portal: str | None = None,
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
) -> TariffCheck:
    """What the blueprint needs against ``plan_code``, else the plan detected on ``portal``, else the
    blueprint's own ``tariff:``."""
    from b24provision import tariff as tariffs  # noqa: PLC0415

    blueprint = load_one(paths, variables=variables, values_files=values_files)
    if portal is not None:
        report, detected = portal_report(blueprint, portal, portals_file)
        return TariffCheck(report=report, detected=detected)
    code = plan_code or blueprint.tariff
    return TariffCheck(tariffs.tariff_report(blueprint, tariffs.plan_by_code(code) if code else None), None)


def portal_report(
    blueprint: Blueprint, portal: str, portals_file: Path | None = None
) -> tuple[TariffReport, PortalTariff]:
    """``b24provision tariff --portal``: the blueprint's needs against the plan detected on ``portal``.

    One read of the portal (the plan's own read batch, which carries LICENSE and the probes).
    """
    from b24provision.api.plans import plan_against  # noqa: PLC0415
    from b24provision.portal.connect import open_portal  # noqa: PLC0415
    from b24provision.tariff import tariff_report  # noqa: PLC0415
    from b24provision.tariff.fit import declaration_for, detect_tariff, needs_for  # noqa: PLC0415

    declaration = declaration_for(portal, portals_file)
    with open_portal(portal, portals_file=portals_file) as client:
        result = plan_against(client, blueprint, declaration=declaration)
    tariff = result.tariff or detect_tariff(result.live, declaration)
    n = needs_for(result.plan, result.live, blueprint)
    return tariff_report(n, tariff.plan), tariff


def doctor(
    paths: Sequence[Path] | None,
    load_paths: Sequence[Path],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    probe: bool = False,
    confirm: Callable[[str], bool] | None = None,
    say: Callable[[str], None] = lambda text: None,
) -> DoctorReport:
    """Check ``portal`` before an apply of the blueprint at ``load_paths`` (none when ``paths`` names
    nothing and there is no ./blueprints); read-only unless ``probe`` (``confirm`` is asked first)."""
    from b24provision.doctor import run_doctor  # noqa: PLC0415
    from b24provision.doctor.run import load_optional  # noqa: PLC0415

    return run_doctor(
        load_optional(paths, lambda: load_one(load_paths, variables=variables, values_files=values_files)),
        portal=portal,
        portals_file=portals_file,
        probe=probe,
        confirm=confirm,
        say=say,
    )


def forecast(
    paths: Sequence[Path],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    months: int = 12,
) -> Forecast:
    """When the blueprint's delayed robots will act on ``portal``, month by month. Never writes."""
    from b24provision import forecast as forecasting  # noqa: PLC0415

    return forecasting.forecast(
        paths,
        portal=portal,
        portals_file=portals_file,
        variables=variables,
        values_files=values_files,
        months=months,
    )
