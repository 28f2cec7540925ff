"""`show` renders a saved plan again; `apply --expect` applies only the reviewed operations;
`apply` and `export` speak JSON for CI tools."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app

REPO = Path(__file__).resolve().parents[1]
BLUEPRINT = str(REPO / "blueprints" / "kitchen-subtasks")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@pytest.fixture
def portal(tmp_path: Path) -> str:
    return f"local:{tmp_path / 'portal.sqlite'}"


def _plan(portal: str, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["plan", BLUEPRINT, "--portal", portal, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_renders_a_saved_plan_again_in_every_format_without_a_portal(tmp_path, portal):
    saved = tmp_path / "plan.json"
    markdown = _plan(portal, saved, "--format", "markdown")
    runner = CliRunner()
    shown = runner.invoke(app, ["show", str(saved), "--format", "markdown"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == markdown
    assert "Saved plan: made " in shown.stderr and "Portal:" not in shown.stderr
    as_json = json.loads(runner.invoke(app, ["show", str(saved), "-f", "json"]).stdout)
    text = runner.invoke(app, ["show", str(saved)]).stdout
    assert as_json["format_version"] == 3 and as_json["summary"]["has_changes"]
    assert text.startswith("Plan: ") and f"Plan digest: {as_json['operations_digest']}" in text
    assert DIGEST.findall(markdown) == [as_json["operations_digest"]]


def test_show_of_a_damaged_file_is_one_error_line(tmp_path):
    bad = tmp_path / "plan.json"
    bad.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(app, ["show", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}:1:2: not a saved plan")


def test_the_embedded_portal_is_named_alike_in_every_output(tmp_path, portal):
    """Its HTTP host is a new loopback port every run: plan JSON, Markdown, a saved plan's `show`
    and apply JSON name its state file, as `Portal:` on stderr and export's JSON do."""
    runner = CliRunner()
    name = f"local emulator ({tmp_path / 'portal.sqlite'})"
    exported = json.loads(runner.invoke(app, ["export", "--portal", portal, "--format", "json"]).stdout)
    assert exported["portal"] == name
    planned = runner.invoke(app, ["plan", BLUEPRINT, "--portal", portal, "--format", "json"])
    assert f"Portal: {name}" in planned.stderr and json.loads(planned.stdout)["portal"] == name
    markdown = _plan(portal, tmp_path / "plan.json", "--format", "markdown")
    assert f"for `{name}`" in markdown and "127.0.0.1" not in markdown
    shown = runner.invoke(app, ["show", str(tmp_path / "plan.json")])
    assert f"for {name}." in shown.stderr, shown.stderr
    applied = runner.invoke(app, ["apply", BLUEPRINT, "--portal", portal, "--auto-approve", "-f", "json"])
    assert json.loads(applied.stdout)["portal"] == name


def test_the_plans_json_report_given_as_a_saved_plan_says_which_is_which(tmp_path, portal):
    """`plan --format json > plan.json` then `apply --plan plan.json`: one line saying it is the
    report, not a saved plan (not "made by an older b24provision"), and nothing applied."""
    runner = CliRunner()
    report = tmp_path / "plan.json"
    planned = runner.invoke(app, ["plan", BLUEPRINT, "--portal", portal, "--format", "json"])
    report.write_text(planned.stdout, encoding="utf-8")
    for args in (["apply", "--plan", str(report), "--auto-approve"], ["show", str(report)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "older" not in errors[0], result.stderr
        assert "plan --format json" in errors[0] and "plan --out FILE" in errors[0]
    again = runner.invoke(app, ["plan", BLUEPRINT, "--portal", portal, "--detailed-exitcode"])
    assert again.exit_code == 2  # nothing was applied


def test_apply_expect_applies_the_reviewed_operations_and_refuses_others(tmp_path, portal):
    runner = CliRunner()
    reviewed = DIGEST.findall(_plan(portal, tmp_path / "reviewed.json", "--format", "markdown"))[0]
    # Someone changes the portal after the review: a fresh plan has other operations.
    other = runner.invoke(
        app,
        [
            "apply",
            str(REPO / "blueprints" / "recurring-deals"),
            "--portal",
            portal,
            "--auto-approve",
            "--allow-delete",
        ],
    )
    assert other.exit_code == 0, other.output
    _plan(portal, tmp_path / "fresh.json")
    refused = runner.invoke(
        app,
        [
            "apply",
            "--plan",
            str(tmp_path / "fresh.json"),
            "--portal",
            portal,
            "--auto-approve",
            "--allow-delete",
            "--expect",
            reviewed,
        ],
    )
    assert refused.exit_code == 1
    assert "this plan is not the reviewed one" in refused.stderr and "nothing applied" in refused.stderr
    still = runner.invoke(app, ["plan", BLUEPRINT, "--portal", portal, "--format", "json"])
    assert json.loads(still.stdout)["summary"]["has_changes"]  # nothing was written

    # The fresh plan, once reviewed (its own digest), applies.
    fresh = json.loads(runner.invoke(app, ["show", str(tmp_path / "fresh.json"), "-f", "json"]).stdout)
    applied = runner.invoke(
        app,
        [
            "apply",
            "--plan",
            str(tmp_path / "fresh.json"),
            "--portal",
            portal,
            "--auto-approve",
            "--allow-delete",
            "--expect",
            fresh["operations_digest"],
        ],
    )
    assert applied.exit_code == 0, applied.output


def test_apply_expect_refuses_what_is_not_a_digest(tmp_path, portal):
    result = CliRunner().invoke(
        app, ["apply", BLUEPRINT, "--portal", portal, "--auto-approve", "--expect", "latest"]
    )
    assert result.exit_code == 1
    assert "--expect 'latest': not a plan digest" in result.stderr


def test_apply_json_says_what_was_done_and_that_it_was_verified(portal):
    runner = CliRunner()
    result = runner.invoke(
        app, ["apply", BLUEPRINT, "--portal", portal, "--auto-approve", "--allow-delete", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # stdout is the JSON document alone; the text plan is on stderr
    assert doc["format_version"] == 1 and doc["verified"] is True and doc["remaining"] is not None
    assert doc["plan"]["summary"]["has_changes"]
    summary = doc["plan"]["summary"]
    assert len(doc["applied"]["operations"]) == sum(
        summary[k] for k in ("add", "change", "delete", "replace")
    )
    assert doc["applied"]["requests"] > 0
    assert "Plan: " in result.stderr
    again = json.loads(runner.invoke(app, ["apply", BLUEPRINT, "--portal", portal, "-f", "json"]).stdout)
    assert (again["applied"]["operations"], again["verified"]) == ([], True)


def test_export_json_holds_the_blueprint_text_and_what_it_declares(start_portal, tmp_path):
    portal = start_portal("a", seed="handmade")
    out = tmp_path / "exported"
    result = CliRunner().invoke(app, ["export", "--portal", portal.spec, "--out", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["format_version"] == 1
    assert doc["file"] == str(out / "blueprint.yaml")
    assert doc["blueprint"] == (out / "blueprint.yaml").read_text(encoding="utf-8")
    assert sorted(doc["pipelines"]) == ["montazh", "obshchee", "servis"]
    assert doc["unsupported_fields"] == ["1712345680123"]
    assert portal.token not in result.output


def test_apply_without_a_terminal_asks_only_when_there_is_something_to_apply(portal):
    runner = CliRunner()
    refused = runner.invoke(app, ["apply", BLUEPRINT, "--portal", portal])
    assert refused.exit_code == 1
    assert "standard input is not a terminal — re-run with --auto-approve" in refused.stderr
    assert "Apply complete" not in refused.stdout
    assert runner.invoke(app, ["apply", BLUEPRINT, "--portal", portal, "--auto-approve"]).exit_code == 0
    converged = runner.invoke(app, ["apply", BLUEPRINT, "--portal", portal])
    assert converged.exit_code == 0, converged.output
