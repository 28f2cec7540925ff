"""Export: a live portal -> a blueprint that loads back and plans as "no changes" on the same portal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision import __version__, api
from b24provision.blueprint import load_blueprint, validate
from b24provision.cli import app
from b24provision.errors import BlueprintError, PlanError
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
    assert [r.key for r in result.plan.unmanaged] == ["deal:field/1712345680123"]
    # The read (with the smart processes' list), then one batch for its smart process's pipelines
    # and fields (a portal without smart processes: one request, tests/smart/test_smart_export.py).
    assert exported.requests == 2
    assert [sp.title for sp in result.blueprint.smart_processes] == ["Замеры"]


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


def test_ui_codes_renamed_stages_colors_and_labels_are_kept_sorts_and_default_colours_left_out(start_portal):
    text = export_portal(start_portal("a", seed="handmade").spec).text
    lines = text.splitlines()
    # The UI's stage sits between system stages (sort 25): the order says it, no sort: is written.
    # A colour is written only where it is not the portal's default for that stage code.
    assert "      - {code: NEW, name: Входящие заявки}" in lines
    assert '      - {code: UC_LAFJPE, name: Замер, color: "#FFD600"}' in lines
    assert "      - {code: PREPAYMENT_INVOICE, name: Счёт на предоплату}" in lines
    assert not [line for line in lines if line.startswith("      - {") and "sort:" in line]
    # Labels in both portal languages; a numeric UI code stays a string.
    assert '  - code: "1712345678901"' in lines
    assert "    label: {en: Order source, ru: Источник заказа}" in lines
    assert "    targets: [contact, company]" in lines


def test_stable_order_default_pipeline_first_then_by_sort(start_portal):
    text = export_portal(start_portal("a", seed="handmade").spec, today=date(2025, 1, 1)).text
    keys = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("  - key:")]
    assert keys == ["obshchee", "montazh", "servis", "zamery"]  # the pipelines, then the smart process
    again = export_portal(start_portal("b", seed="handmade").spec, today=date(2025, 1, 1)).text
    host_line = 2  # the modeline, "#", then the line naming the host
    assert again.splitlines()[host_line + 1 :] == text.splitlines()[host_line + 1 :]  # equal but for the host


def test_no_portal_ids_anywhere(start_portal):
    portal = start_portal("a", seed="handmade")
    text = export_portal(portal.spec).text
    assert "id:" not in text.replace("xml_id:", "")
    assert ":C1:" not in text and "C1:" not in text.replace("# ", "")


def test_unsupported_field_is_kept_as_a_commented_entry_with_a_note(start_portal):
    text = export_portal(start_portal("a", seed="handmade").spec).text
    tail = text.split("# Fields of types a blueprint cannot express", 1)[1]
    assert '#  - code: "1712345680123"\n#    type: rest_1_mytype\n#    label: Расчёт кухни' in tail
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
    assert "\n# Exported from " in written.read_text(encoding="utf-8")
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


# ----------------------------------------------------------------------- a blueprint a person keeps


def test_export_starts_with_the_schema_modeline_relative_to_the_repositorys_schema(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "blueprint.schema.json").write_text("{}", encoding="utf-8")
    out = tmp_path / "blueprints" / "client"
    text = export_portal(portal.spec, out=out).text
    assert text.startswith("# yaml-language-server: $schema=../../schema/blueprint.schema.json\n")
    elsewhere = export_portal(portal.spec, out=tmp_path.parent / "nowhere" / "bp.yaml").text
    assert elsewhere.startswith("# yaml-language-server: $schema=blueprint.schema.json\n")
    assert "# The schema: b24provision schema --out blueprint.schema.json" in elsewhere


def test_export_is_formatted_and_adds_no_lint_finding_of_its_own(start_portal, tmp_path):
    from b24provision.fmt import format_text

    text = export_portal(start_portal("a", seed="handmade").spec).text
    assert format_text(text) == text
    # The portal's own state draws one warning (an enumeration without a default): the export says
    # so in its header, and validate finds nothing else.
    file = write_export(text, tmp_path / "bp.yaml")
    report = validate([file])
    assert [p.code for p in report.problems] == ["lint/enum-without-default"]
    assert "# Advice (b24provision validate): field '1712345678901': no item is the default" in text


@pytest.mark.parametrize("blueprint", SHIPPED, ids=[p.name for p in SHIPPED])
def test_export_of_a_shipped_blueprint_has_no_sort_lines_no_default_colours_and_no_warnings(
    blueprint, start_portal, apply_blueprint, tmp_path
):
    portal = start_portal("a")
    apply_blueprint([blueprint], portal)
    file = write_export(export_portal(portal.spec).text, tmp_path / "bp.yaml")
    text = file.read_text(encoding="utf-8")
    stage_lines = [line for line in text.splitlines() if line.startswith("      - {code: ")]
    assert stage_lines and not [line for line in stage_lines if "sort:" in line]
    assert '"#39A8EF"' not in text and '"#7BD500"' not in text
    assert validate([file]).problems == []


def test_moving_a_stage_in_an_export_is_one_update(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    text = export_portal(portal.spec).text
    moved = text.replace(
        "      - {code: PREPARATION, name: Подготовка документов}\n      - {code: UC_LAFJPE, name: Замер, "
        'color: "#FFD600"}\n',
        '      - {code: UC_LAFJPE, name: Замер, color: "#FFD600"}\n'
        "      - {code: PREPARATION, name: Подготовка документов}\n",
        1,
    )
    assert moved != text
    plan = _plan_export(moved, portal.spec, tmp_path).plan
    assert [(op.action, op.key) for op in plan.ops if op.action != "manual"] == [
        ("update", "deal:obshchee/PREPARATION")
    ]


def _two_pipelines_named(spec: str, name: str) -> None:
    from b24provision.portal.connect import open_portal  # noqa: PLC0415 - only this test writes over REST

    with open_portal(spec) as client:
        for _ in range(2):
            client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": name}})


def test_a_portal_with_two_pipelines_of_one_name_exports_with_distinct_keys(start_portal, tmp_path):
    portal = start_portal("a")
    _two_pipelines_named(portal.spec, "Twins")
    exported = export_portal(portal.spec)
    keys = [line.strip() for line in exported.text.splitlines() if line.strip().startswith("- key: twins")]
    assert keys == ["- key: twins", "- key: twins_2"]
    assert "# The portal has 2 pipelines named 'Twins': plan cannot tell them apart;" in exported.text
    # The export names that name twice: loading it says so in one located line.
    file = write_export(exported.text, tmp_path / "exported")
    with pytest.raises(
        BlueprintError, match=r"blueprint.yaml:\d+:\d+: .*'Twins' is also name of pipeline 'twins'"
    ):
        api.make_plan([file], portal=portal.spec)


def test_a_blueprint_naming_a_name_two_portal_pipelines_share_is_refused_in_one_located_line(
    start_portal, tmp_path
):
    portal = start_portal("a")
    _two_pipelines_named(portal.spec, "Twins")
    file = tmp_path / "bp.yaml"
    file.write_text(
        "pipelines:\n  - key: twins\n    name: Twins\n    stages:\n"
        "      - {code: WON, name: Won, semantics: success}\n"
        "      - {code: LOSE, name: Lost, semantics: failure}\n"
    )
    with pytest.raises(
        PlanError,
        match=r"bp.yaml:3:11: the portal has 2 pipelines named 'Twins' \(twins and twins_2\).*rename one",
    ) as info:
        api.make_plan([file], portal=portal.spec)
    assert "\n" not in str(info.value)


def test_a_plan_that_does_not_name_the_shared_name_leaves_both_pipelines_unmanaged(start_portal, tmp_path):
    portal = start_portal("a")
    _two_pipelines_named(portal.spec, "Twins")
    file = tmp_path / "bp.yaml"
    file.write_text("fields:\n  - {code: SIZE, type: string}\n")
    result = api.make_plan([file], portal=portal.spec)
    assert [(r.key, r.note) for r in result.plan.unmanaged if r.kind == "pipeline"][-2:] == [
        ("deal:twins", "Twins"),
        ("deal:twins_2", "Twins"),
    ]
