"""`diff --from A --to B`: two portals, a portal and a blueprint, or two blueprints, by natural keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.compare import compare_specs, render_comparison
from b24provision.emulator.testing import seed_rewritten
from b24provision.export import export_portal, write_export
from b24provision.portal import open_portal

REPO = Path(__file__).resolve().parents[2]
RECURRING = REPO / "blueprints" / "recurring-deals"

BLUEPRINT = """\
version: 1
pipelines:
  - key: sales
    name: Sales
    default: true
    stages:
      - {code: NEW, name: New, color: '#39A8EF'}
      - {code: WON, name: Won, semantics: success}
      - {code: LOSE, name: Lost, semantics: failure}
  - key: service
    name: Service
    stages:
      - {code: NEW, name: Request}
      - {code: WON, name: Done, semantics: success}
      - {code: LOSE, name: Cancelled, semantics: failure}
fields:
  - code: SOURCE
    type: enumeration
    label: Source
    items: [{xml_id: web, value: Website}, {xml_id: shop, value: Shop}]
  - {code: NOTE, type: string, label: Note}
"""


@pytest.fixture
def blueprint(tmp_path: Path) -> Path:
    path = tmp_path / "bp" / "deals.yaml"
    path.parent.mkdir()
    path.write_text(BLUEPRINT, encoding="utf-8")
    return path


def _diff(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["diff", *args])
    return result.exit_code, result.stdout + result.stderr


def _portal_with_shifted_ids(start_portal, name: str):
    """A portal whose pipeline deal:ids differ from a fresh one's: a pipeline was made and deleted first."""
    portal = start_portal(name)
    with open_portal(portal.spec) as client:
        made = client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Scratch"}}).result
        client.call("crm.category.delete", {"entityTypeId": 2, "id": made["category"]["id"]})
    return portal


def test_two_portals_given_one_blueprint_have_no_differences(start_portal, apply_blueprint, blueprint):
    a = start_portal("a")
    b = _portal_with_shifted_ids(start_portal, "b")
    apply_blueprint([blueprint], a)
    apply_blueprint([blueprint], b)
    code, out = _diff("--from", a.spec, "--to", b.spec, "--detailed-exitcode")
    assert code == 0, out
    assert f"No differences between A (portal {a.spec}) and B (portal {b.spec})." in out


def test_one_renamed_stage_is_exactly_one_difference_and_exit_code_2(
    start_portal, apply_blueprint, blueprint
):
    a, b = start_portal("a"), start_portal("b")
    apply_blueprint([blueprint], a)
    apply_blueprint([blueprint], b)
    with open_portal(b.spec) as client:
        stage = client.call(
            "crm.status.list", {"filter": {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "NEW"}}
        ).result[0]
        client.call("crm.status.update", {"id": stage["ID"], "fields": {"NAME": "Incoming"}})
    code, out = _diff("--from", a.spec, "--to", b.spec, "--detailed-exitcode")
    assert code == 2, out
    assert "1 difference between" in out and "0 only in B, 0 only in A, 1 different." in out
    assert '  ~ stage deal:sales/NEW "Incoming"\n      name: "New" -> "Incoming"' in out
    # Without --detailed-exitcode differences are not an error.
    assert _diff("--from", a.spec, "--to", b.spec)[0] == 0


def test_portal_and_its_own_export_have_no_differences(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    file = write_export(export_portal(portal.spec).text, tmp_path / "export.yaml")
    for args in (("--from", portal.spec, "--to", str(file)), ("--from", str(file), "--to", portal.spec)):
        code, out = _diff(*args, "--detailed-exitcode")
        assert code == 0, out
        # The application's field exists on the portal side only, but as its own, not as a difference.
        assert "No differences" in out


# The handmade portal again, as another portal's UI would have made it: other random codes.
OTHER_CODES = {"UC_LAFJPE": "UC_K7M2PQ", "UC_8XKQ2M": "UC_Z9Y8X7", '"site"': '"website"'}


def test_handmade_on_both_sides_matches_ui_stage_codes_by_name_and_says_so(start_portal):
    # The docs' reading: items come with their XML_IDs, so the fallback to the text is reported.
    a = start_portal("a", seed="handmade", quirks="docs")
    b = start_portal("b", quirks="docs")
    seed_rewritten(b.emulator, "handmade", OTHER_CODES)
    code, out = _diff("--from", a.spec, "--to", b.spec, "--detailed-exitcode")
    assert code == 0, out
    assert "stage obshchee: UC_LAFJPE (A) = UC_K7M2PQ (B), matched by name 'Замер'" in out
    assert "stage montazh: UC_8XKQ2M (A) = UC_Z9Y8X7 (B), matched by name 'Монтаж назначен'" in out
    assert "enumeration item of field 1712345678901: site (A) = website (B), matched by value 'Сайт'" in out


def test_ui_stage_renamed_on_one_side_is_a_stage_only_in_each(start_portal):
    a = start_portal("a", seed="handmade")
    b = start_portal("b")
    seed_rewritten(b.emulator, "handmade", OTHER_CODES)
    with open_portal(b.spec) as client:
        stage = client.call("crm.status.list", {"filter": {"STATUS_ID": "UC_K7M2PQ"}}).result[0]
        client.call("crm.status.update", {"id": stage["ID"], "fields": {"NAME": "Выезд на замер"}})
    comparison = compare_specs(a.spec, b.spec)
    assert sorted((op.action, op.key) for op in comparison.ops) == [
        ("create", "deal:obshchee/UC_K7M2PQ"),
        ("delete", "deal:obshchee/UC_LAFJPE"),
    ]


def test_json_output_is_versioned_and_counts_each_side(start_portal, apply_blueprint, blueprint):
    a, b = start_portal("a"), start_portal("b")
    apply_blueprint([blueprint], a)
    with open_portal(b.spec) as client:
        client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Only here"}})
    code, out = _diff("--from", a.spec, "--to", b.spec, "--format", "json", "--detailed-exitcode")
    assert code == 2
    doc = json.loads(out)
    assert doc["format_version"] == 2 and doc["kind"] == "diff"
    assert doc["from"] == {"label": a.spec, "kind": "portal"}
    changes = {(d["change"], d["kind"], d["key"]) for d in doc["differences"]}
    assert ("only_in_to", "pipeline", "deal:only_here") in changes
    assert ("only_in_from", "pipeline", "deal:service") in changes
    assert ("only_in_from", "field", "deal:field/SOURCE") in changes
    assert doc["summary"]["has_differences"] is True
    assert doc["summary"]["differences"] == len(doc["differences"])


def test_markdown_output_names_both_sides(start_portal, blueprint):
    a = start_portal("a")
    code, out = _diff("--from", str(blueprint), "--to", a.spec, "--format", "markdown")
    assert code == 0
    assert out.startswith(f"### Differences between `{blueprint}` and `{a.spec}`")
    assert '| `-` | pipeline `deal:service` | "Service"<br>with its 3 stages |' in out


def test_blueprint_robots_are_not_compared_against_a_portal(start_portal, apply_blueprint):
    portal = start_portal("a")
    apply_blueprint([RECURRING], portal)
    values = RECURRING / "values" / "staging.yaml"
    code, out = _diff(
        "--from", str(RECURRING), "--to", portal.spec, "--values", str(values), "--detailed-exitcode"
    )
    assert code == 0, out
    assert (
        f"Note: robots are not compared: {portal.spec} is a portal, and REST cannot read robots on stages"
        in out
    )


def test_two_blueprints_compare_robots_too(tmp_path, blueprint):
    other = tmp_path / "other.yaml"
    other.write_text(
        BLUEPRINT.replace(
            "      - {code: WON, name: Won, semantics: success}",
            "      - code: WON\n        name: Won\n        semantics: success\n"
            "        robots: [{type: notify, message: Won!}]",
        ),
        encoding="utf-8",
    )
    comparison = compare_specs(f"file:{blueprint}", f"file:{other}")
    assert [(d.marker, d.kind, d.key) for d in comparison.extra] == [("~", "robots", "deal:sales/WON")]
    assert comparison.ops == [] and comparison.notes == ()
    assert "the robots on stage 'Won' differ (0 in A, 1 in B)" in render_comparison(comparison)


def test_explicit_prefixes_and_paths_decide_what_a_side_is(start_portal, blueprint, tmp_path, monkeypatch):
    portal = start_portal("a")
    comparison = compare_specs(str(blueprint), f"portal:{portal.spec}")
    assert (comparison.a.kind, comparison.b.kind) == ("blueprint", "portal")
    monkeypatch.chdir(tmp_path)
    code, out = _diff("--from", "file:missing.yaml", "--to", portal.spec)
    assert code == 1 and "missing.yaml" in out
    code, out = _diff("--from", "no-such-profile", "--to", portal.spec)
    assert code == 1 and "unknown portal 'no-such-profile'" in out


def test_enumeration_items_fall_back_to_value_and_say_so(tmp_path, blueprint):
    other = tmp_path / "other.yaml"
    other.write_text(BLUEPRINT.replace("xml_id: web", "xml_id: site"), encoding="utf-8")
    comparison = compare_specs(str(blueprint), str(other))
    assert not comparison.has_differences
    assert [(p.kind, p.a, p.b, p.rule) for p in comparison.pairings] == [
        ("item", "web", "site", "by value 'Website'")
    ]


def test_secret_never_in_the_output(start_portal, apply_blueprint, blueprint):
    a, b = start_portal("a"), start_portal("b")
    apply_blueprint([blueprint], a)
    for fmt in ("text", "json", "markdown"):
        code, out = _diff("--from", a.spec, "--to", b.spec, "--format", fmt)
        assert code == 0
        assert a.token not in out and b.token not in out


def test_a_blueprint_without_the_default_pipeline_leaves_it_uncompared(
    start_portal, apply_blueprint, tmp_path
):
    no_default = tmp_path / "service.yaml"
    service_only = "pipelines:\n  - key: service" + BLUEPRINT.split("  - key: service", 1)[1]
    no_default.write_text(service_only, encoding="utf-8")
    portal = start_portal("a")
    apply_blueprint([no_default], portal)
    comparison = compare_specs(portal.spec, str(no_default))
    assert not comparison.has_differences, render_comparison(comparison)
    assert (
        f"the default pipeline ('Общее') is not compared: {no_default} does not declare it"
        in comparison.notes
    )


def test_two_blueprints_name_the_robot_setting_that_differs(tmp_path):
    def with_robot(name: str, delay: str) -> str:
        path = tmp_path / name
        path.write_text(
            BLUEPRINT.replace(
                "      - {code: WON, name: Won, semantics: success}",
                "      - code: WON\n        name: Won\n        semantics: success\n"
                f"        robots: [{{type: notify, message: Won!, delay: {delay}}}]",
            ),
            encoding="utf-8",
        )
        return f"file:{path}"

    comparison = compare_specs(with_robot("a.yaml", "1 month"), with_robot("b.yaml", "2 months"))
    [difference] = comparison.extra
    assert difference.text.endswith('(1 in A, 1 in B): robots[0].delay: "1 month" -> "2 months"')


def test_list_items_a_portal_keeps_no_xml_id_for_pair_by_value_and_the_note_says_why(start_portal) -> None:
    """One blueprint applied to a portal that keeps XML_IDs and to one that does not (the core's
    reading, reference §13.1): no difference; the pairing note names that reason, not the UI's."""
    from b24provision import api

    subtasks = REPO / "blueprints" / "kitchen-subtasks"
    values = [subtasks / "values" / "staging.yaml"]
    kept, dropped = start_portal("kept", quirks="docs"), start_portal("dropped", quirks="core")
    for portal in (kept, dropped):
        api.apply(api.make_plan([subtasks], portal=portal.spec, values_files=values), portal=portal.spec)
    result = CliRunner().invoke(
        app, ["diff", "--from", kept.spec, "--to", dropped.spec, "--detailed-exitcode"]
    )
    assert result.exit_code == 0, result.output
    assert "matched by value" in result.stdout
    assert "XML_ID" in result.stdout and "codes made by the portal's UI differ" not in result.stdout
