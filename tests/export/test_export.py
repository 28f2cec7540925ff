"""Export: a live portal -> a blueprint that loads back and plans as "no changes" on the same portal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision import __version__, api
from b24provision.blueprint import load_blueprint, validate
from b24provision.cli import app
from b24provision.export import export_portal, write_export

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (REPO / "blueprints").glob("*") if p.is_dir() and any(p.glob("*.yaml")))


def _plan_export(text: str, spec: str, tmp_path: Path) -> api.PlanResult:
    file = write_export(text, tmp_path / "exported")
    return api.make_plan([file], portal=spec)


def test_handmade_portal_round_trips_to_no_changes(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    exported = export_portal(portal.spec)
    result = _plan_export(exported.text, portal.spec, tmp_path)
    assert not result.plan.has_changes, result.plan.ops
    # The field of an application's type is left alone, not planned away.
    assert [r.key for r in result.plan.unmanaged] == ["1712345680123"]
    assert exported.requests == 1


def test_export_validates_without_errors(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    file = write_export(export_portal(portal.spec).text, tmp_path / "bp.yaml")
    report = validate([file])
    assert report.ok, [str(p) for p in report.problems]


def test_header_names_host_date_version_and_robots_but_no_secret(start_portal):
    portal = start_portal("a", seed="handmade")
    text = export_portal(portal.spec, today=date(2025, 3, 1)).text
    header = text.split("\n\n", 1)[0]
    host = portal.server.url.removeprefix("http://")
    assert f"Exported from {host} on 2025-03-01 by b24provision {__version__}." in header
    assert "Robots cannot be read over REST: add them by hand" in header
    assert portal.token not in text


def test_ui_codes_renamed_stages_sorts_colors_and_labels_are_kept(start_portal):
    text = export_portal(start_portal("a", seed="handmade").spec).text
    lines = text.splitlines()
    # The UI's stage sits between system stages: its sort (25) is written, the ones at 10 x position are not.
    assert "      - {code: NEW, name: Входящие заявки, color: '#39A8EF'}" in lines
    assert "      - {code: UC_LAFJPE, name: Замер, color: '#FFD600', sort: 25}" in lines
    assert "      - {code: PREPAYMENT_INVOICE, name: Счёт на предоплату, color: '#55D0E0', sort: 30}" in lines
    # Labels in both portal languages; a numeric UI code stays a string.
    assert "  - code: '1712345678901'" in lines
    assert "    label: {en: Order source, ru: Источник заказа}" in lines
    assert "    targets: [contact, company]" in lines


def test_stable_order_default_pipeline_first_then_by_sort(start_portal):
    text = export_portal(start_portal("a", seed="handmade").spec, today=date(2025, 1, 1)).text
    keys = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("  - key:")]
    assert keys == ["obshchee", "montazh", "servis"]
    again = export_portal(start_portal("b", seed="handmade").spec, today=date(2025, 1, 1)).text
    assert again.split("\n", 1)[1] == text.split("\n", 1)[1]  # equal but for the host in line 1


def test_no_portal_ids_anywhere(start_portal):
    portal = start_portal("a", seed="handmade")
    text = export_portal(portal.spec).text
    assert "id:" not in text.replace("xml_id:", "")
    assert ":C1:" not in text and "C1:" not in text.replace("# ", "")


def test_unsupported_field_is_kept_as_a_commented_entry_with_a_note(start_portal):
    text = export_portal(start_portal("a", seed="handmade").spec).text
    tail = text.split("# Fields of types a blueprint cannot express", 1)[1]
    assert "#  - code: '1712345680123'\n#    type: rest_1_mytype\n#    label: Расчёт кухни" in tail
    # ... and it is a comment: the blueprint does not declare it.
    assert "1712345680123" not in text.split("# Fields of types", 1)[0]


@pytest.mark.parametrize("blueprint", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_blueprint_applied_then_exported_round_trips(
    blueprint, start_portal, apply_blueprint, tmp_path
):
    portal = start_portal("a")
    apply_blueprint([blueprint], portal)
    result = _plan_export(export_portal(portal.spec).text, portal.spec, tmp_path)
    assert not result.plan.has_changes, result.plan.ops
    assert not result.plan.unmanaged


def test_exported_blueprint_loads_with_the_blueprint_loader(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    file = write_export(export_portal(portal.spec).text, tmp_path / "out" / "deals.yml")
    bp = load_blueprint([file])
    assert file.name == "deals.yml"
    assert [p.name for p in bp.pipelines] == ["Общее", "Монтаж", "Сервис"]
    assert bp.default_pipeline() is not None and bp.default_pipeline().key == "obshchee"  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------- CLI


def test_cli_export_to_a_directory_writes_blueprint_yaml(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(app, ["export", "--portal", portal.spec, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = tmp_path / "out" / "blueprint.yaml"
    assert written.read_text(encoding="utf-8").startswith("# Exported from ")
    assert "Wrote the blueprint to" in result.output
    assert portal.token not in result.output


def test_cli_export_prints_to_stdout_and_says_the_portal(start_portal):
    portal = start_portal("a")
    result = CliRunner().invoke(app, ["export", "--portal", portal.spec])
    assert result.exit_code == 0, result.output
    assert "version: 1" in result.stdout
    assert f"Portal: {portal.server.url.removeprefix('http://')}" in result.stderr


def test_cli_export_from_an_unknown_portal_fails_with_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["export", "--portal", "env:B24_NOT_SET"])
    assert result.exit_code == 1
    assert "environment variable B24_NOT_SET is not set" in result.stderr
