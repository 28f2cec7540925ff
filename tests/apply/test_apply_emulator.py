"""plan/apply against the emulator: removed:, renames, and the deletes apply must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.portal.connect import open_portal

BASE = """
pipelines:
  - key: sales
    name: Sales
    default: true
    stages:
      - {code: NEW, name: New}
      - {code: WON, name: Won, semantics: success}
      - {code: LOSE, name: Lost, semantics: failure}
%(temp_block)s
fields:
  - {code: KEEP, type: string, label: Keep}
  %(field)s
%(removed)s
"""


TEMP = """
  - key: temp
    name: %s
    %s
    stages:
      - {code: NEW, name: Open}
      - {code: WON, name: Done, semantics: success}
      - {code: LOSE, name: Dropped, semantics: failure}
"""


def write(tmp_path: Path, *, temp: str | None = "Temp", previous: str = "", **parts: str) -> str:
    values = {"field": "- {code: OLD, type: integer, label: Old}", "removed": ""}
    values.update(parts)
    values["temp_block"] = TEMP % (temp, previous) if temp else ""
    path = tmp_path / "bp.yaml"
    path.write_text(BASE % values, encoding="utf-8")
    return str(path)


@pytest.fixture
def portal(tmp_path: Path) -> str:
    return f"local:{tmp_path / 'portal.sqlite'}"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def categories(portal: str) -> list[str]:
    with open_portal(portal) as client:
        return [c["name"] for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]]


def test_removed_that_destroys_nothing_needs_no_allow_delete(tmp_path: Path, portal: str) -> None:
    # A fresh portal: its default pipeline's empty default stages go without --allow-delete too.
    code, out, err = run("apply", write(tmp_path), "--portal", portal, "--auto-approve")
    assert code == 0, err
    assert "delete stage deal:sales/PREPARATION" in err  # the progress lines

    removing = write(tmp_path, temp=None, field="", removed="removed: {pipelines: [Temp], fields: [OLD]}")
    code, out, err = run("plan", removing, "--portal", portal)
    assert "  - pipeline deal:temp" in out and "  - field deal:field/OLD" in out and "DATA LOSS" not in out
    code, out, err = run("apply", removing, "--portal", portal, "--auto-approve")
    assert code == 0, err
    assert "Temp" not in categories(portal)


def test_removed_field_holding_values_needs_allow_delete_and_says_how_many(
    tmp_path: Path, portal: str
) -> None:
    assert run("apply", write(tmp_path), "--portal", portal, "--auto-approve")[0] == 0
    with open_portal(portal) as client:
        for n, value in enumerate([5, 7, None]):
            client.call("crm.deal.add", {"fields": {"TITLE": f"d{n}", "UF_CRM_OLD": value}})

    removing = write(tmp_path, temp=None, field="", removed="removed: {pipelines: [Temp], fields: [OLD]}")
    code, out, err = run("plan", removing, "--portal", portal)
    assert '  - field deal:field/OLD "Old"  DATA LOSS: 2 deals hold a value' in out
    assert "1 loses data (needs --allow-delete)" in out.splitlines()[0]
    code, out, err = run("apply", removing, "--portal", portal, "--auto-approve")
    assert code == 1
    assert "delete field deal:field/OLD (2 deals hold a value)" in err and "--allow-delete" in err
    assert "Temp" in categories(portal)  # nothing was written, not even the delete that loses nothing

    code, out, err = run("apply", removing, "--portal", portal, "--auto-approve", "--allow-delete")
    assert code == 0, err
    assert "verified: portal matches the blueprint" in out
    assert "Temp" not in categories(portal)
    with open_portal(portal) as client:
        names = {f["FIELD_NAME"] for f in client.call("crm.deal.userfield.list").result}
    assert names == {"UF_CRM_KEEP"}


def test_a_pipeline_that_holds_deals_is_not_deleted_even_when_allowed(tmp_path: Path, portal: str) -> None:
    assert run("apply", write(tmp_path), "--portal", portal, "--auto-approve")[0] == 0
    with open_portal(portal) as client:
        temp = next(
            c["id"]
            for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]
            if c["name"] == "Temp"
        )
        for n in range(3):
            client.call("crm.deal.add", {"fields": {"TITLE": f"d{n}", "CATEGORY_ID": temp}})

    code, out, err = run(
        "apply", write(tmp_path, temp=None, removed="removed: {pipelines: [Temp]}"), "--portal", portal,
        "--auto-approve", "--allow-delete",
    )  # fmt: skip
    assert code == 1
    assert "pipeline deal:temp holds 3 deals" in err and "move those deals" in err
    assert "Temp" in categories(portal)


def test_rename_through_previous_names_keeps_the_pipeline(tmp_path: Path, portal: str) -> None:
    assert run("apply", write(tmp_path), "--portal", portal, "--auto-approve")[0] == 0
    with open_portal(portal) as client:
        before = {
            c["name"]: c["id"]
            for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]
        }

    renamed = write(tmp_path, temp="Measurement", previous="previous_names: [Temp]")
    code, out, err = run("plan", renamed, "--portal", portal)
    assert code == 0
    assert 'name: "Temp" -> "Measurement"' in out
    assert "0 to add, 1 to change, 0 to delete" in out

    assert run("apply", renamed, "--portal", portal, "--auto-approve")[0] == 0
    with open_portal(portal) as client:
        after = {
            c["name"]: c["id"]
            for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]
        }
    assert after["Measurement"] == before["Temp"] and "Temp" not in after


def test_a_stage_code_the_tool_cannot_manage_is_one_clear_error(tmp_path: Path, portal: str) -> None:
    with open_portal(portal) as client:  # another tool made it: the portal allows - and lower case
        fields = {"ENTITY_ID": "DEAL_STAGE", "STATUS_ID": "my-stage", "NAME": "Odd", "SORT": 15}
        client.call("crm.status.add", {"fields": fields})
    code, out, err = run("plan", write(tmp_path), "--portal", portal)
    assert code == 1
    assert "stage 'my-stage' ('Odd') has a code b24provision cannot manage" in err
    assert "internal error" not in err
