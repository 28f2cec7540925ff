"""--allow-delete only where data is lost: what each delete destroys is counted on the portal.

A delete that destroys nothing is an ordinary change; one that loses deals' values needs
--allow-delete and the plan says how much; a stage or pipeline holding deals stays refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision import api
from b24provision.apply import apply_plan
from b24provision.blueprint import load_blueprint
from b24provision.cli import app
from b24provision.emulator.settings import default_quirks
from b24provision.portal.connect import open_portal

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p for p in (REPO / "blueprints").iterdir() if p.is_dir())

SIZES = """
fields:
  - code: SIZE
    type: enumeration
    label: Size
    items:
%s
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("blueprint", SHIPPED, ids=[p.name for p in SHIPPED])
def test_a_shipped_blueprint_applies_to_a_fresh_portal_without_allow_delete(
    blueprint: Path, tmp_path: Path
) -> None:
    portal = f"local:{tmp_path / 'portal.sqlite'}"
    values = ["--values", str(blueprint / "values" / "staging.yaml")]
    code, out, err = run("plan", str(blueprint), "--portal", portal, *values)
    assert code == 0, err
    assert "DATA LOSS" not in out and "BLOCKED BY DATA" not in out and "--allow-delete" not in out
    code, out, err = run("apply", str(blueprint), "--portal", portal, *values, "--auto-approve")
    assert code == 0, err
    assert "verified: portal matches the blueprint" in out


def test_deletes_are_counted_in_one_more_request_only_when_the_plan_has_deletes(tmp_path: Path) -> None:
    blueprint = load_blueprint([REPO / "blueprints" / "recurring-deals"])  # drops some default stages
    with open_portal(f"local:{tmp_path / 'portal.sqlite'}") as client:
        first = api.plan_against(client, blueprint)
        assert any(op.action == "delete" for op in first.plan.ops) and first.requests == 2
        apply_plan(first.plan, client)  # the deleted default stages were empty: no --allow-delete
        again = api.plan_against(client, blueprint)
        assert not again.plan.has_changes and again.requests == 1


def test_removing_an_item_deals_use_needs_allow_delete_and_says_how_many(tmp_path: Path) -> None:
    portal = f"local:{tmp_path / 'portal.sqlite'}"
    path = tmp_path / "bp.yaml"
    items = [
        "      - {xml_id: s, value: Small}",
        "      - {xml_id: m, value: Medium}",
        "      - {xml_id: l, value: Large}",
    ]
    path.write_text(SIZES % "\n".join(items), encoding="utf-8")
    assert run("apply", str(path), "--portal", portal, "--auto-approve")[0] == 0
    with open_portal(portal) as client:
        [field] = client.call("crm.deal.userfield.list", {"filter": {"FIELD_NAME": "UF_CRM_SIZE"}}).result
        ids = {item["VALUE"]: item["ID"] for item in field["LIST"]}  # the core may omit XML_ID (§13.1)
        for n in range(2):
            client.call("crm.deal.add", {"fields": {"TITLE": f"d{n}", "UF_CRM_SIZE": ids["Large"]}})

    path.write_text(SIZES % items[0], encoding="utf-8")  # m (unused) and l (2 deals) go
    code, out, err = run("plan", str(path), "--portal", portal, "--format", "json")
    [op] = json.loads(out)["operations"]
    # The item as the portal names it: by its XML_ID, or by its text where the core dropped it (§13.1).
    kept = default_quirks().enum_xml_id == "kept"  # the embedded portal runs the suite's reading
    lost = "2 deals use item l" if kept else "2 deals use item large"
    assert (op["needs_allow_delete"], op["deals"], op["data_lost"]) == (True, 2, lost)
    code, out, err = run("apply", str(path), "--portal", portal, "--auto-approve")
    assert code == 1 and lost in err and "--allow-delete" in err

    path.write_text(SIZES % "\n".join([items[0], items[2]]), encoding="utf-8")  # only m, which no deal uses
    code, out, err = run("apply", str(path), "--portal", portal, "--auto-approve")
    assert code == 0, err
    assert "verified: portal matches the blueprint" in out
