"""Replaying traces: the emulator's own traces replay with no difference, an altered one with exactly
the alteration, and answers real portals gave (captured by other projects) match the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator import PortalSettings, Quirks
from b24provision.emulator.replay import load_trace, replay_trace

REPO = Path(__file__).resolve().parents[2]
REAL_TRACES = sorted((Path(__file__).parent / "real_traces").glob("*.jsonl"))


def record_apply(start_portal, tmp_path: Path, quirks: str | None = None) -> Path:
    portal = start_portal("rec", quirks=quirks)
    # recurring-deals: every success stage is WON, so it applies under every quirk (success_stage_code)
    return apply_traced(portal, "recurring-deals", tmp_path / "apply.jsonl")


def apply_traced(portal: Any, name: str, trace: Path) -> Path:
    """Apply the shipped blueprint ``name`` to ``portal`` with ``--trace trace``."""
    blueprint = str(REPO / "blueprints" / name)
    result = CliRunner().invoke(
        app,
        [
            "apply",
            blueprint,
            "--portal",
            portal.spec,
            "--auto-approve",
            "--allow-delete",
            "--trace",
            str(trace),
        ],
    )
    assert result.exit_code == 0, result.output
    return trace


def rewrite(trace: Path, change) -> Path:
    lines = trace.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    change(entries)
    altered = trace.with_name("altered.jsonl")
    altered.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entries) + "\n", encoding="utf-8")
    return altered


@pytest.mark.parametrize("quirks", ["docs", "core"])
def test_the_emulators_own_trace_replays_without_a_difference(start_portal, tmp_path, quirks) -> None:
    trace = record_apply(start_portal, tmp_path, quirks)
    report = replay_trace(trace, PortalSettings(quirks=Quirks.parse(quirks)))
    assert report.compared >= 5  # reads, writes in three phases, the verifying read
    assert report.differences == [] and report.expected == []


def first_stage_name(entries) -> tuple[int, str]:
    """The first batch answer that lists stages, and where in it the first stage's NAME is."""
    for n, entry in enumerate(entries):
        stages = (entry.get("response") or {}).get("result", {}).get("result", {})
        stages = stages.get("stages") if isinstance(stages, dict) else None
        if stages:
            return n, stages[0]["NAME"]
    raise AssertionError("no stage list in the trace")


def test_an_altered_answer_is_reported_where_it_was_altered(start_portal, tmp_path) -> None:
    trace = record_apply(start_portal, tmp_path)

    def change(entries) -> None:
        n, _ = first_stage_name(entries)
        entries[n]["response"]["result"]["result"]["stages"][0]["NAME"] = "Renamed by hand"
        entries[n + 1]["status"] = 400

    altered = rewrite(trace, change)
    report = replay_trace(altered)
    _, entries = load_trace(trace)
    n, name = first_stage_name([{}, *entries])  # the header line is not an entry
    found = {(d.entry, d.path, d.recorded, d.replayed) for d in report.differences}
    assert found == {
        (n, "result.result.stages[0].NAME", '"Renamed by hand"', json.dumps(name, ensure_ascii=False)),
        (n + 1, "status", "400", "200"),
    }


def test_a_difference_the_trace_explains_is_expected_not_a_failure(start_portal, tmp_path) -> None:
    trace = record_apply(start_portal, tmp_path)

    def change(entries) -> None:
        n, _ = first_stage_name(entries)
        entries[n]["response"]["result"]["result"]["stages"][0]["NAME"] = "Renamed by hand"
        entries[0]["expected"] = [
            {"entry": n, "path": "result.result.stages[0]", "why": "renamed on purpose"}
        ]

    report = replay_trace(rewrite(trace, change))
    assert report.ok
    assert [d.why for d in report.expected] == ["renamed on purpose"]


@pytest.mark.parametrize("trace", REAL_TRACES, ids=[p.stem for p in REAL_TRACES])
def test_real_portal_answers_match_the_emulator(trace: Path) -> None:
    header, entries = load_trace(trace)
    assert "github.com/leshchenko1979/fast_bitrix24" in header["source"] and header["note"]
    report = replay_trace(trace)
    assert report.compared >= 1
    assert report.differences == [], report.render_text()


def test_replay_command_exits_1_on_a_difference(start_portal, tmp_path) -> None:
    trace = record_apply(start_portal, tmp_path)
    ok = CliRunner().invoke(app, ["emulator", "replay", str(trace)])
    assert ok.exit_code == 0, ok.output
    assert "No difference" in ok.output

    def change(entries) -> None:
        entries[1]["status"] = 503

    bad = CliRunner().invoke(app, ["emulator", "replay", str(rewrite(trace, change)), "--format", "json"])
    assert bad.exit_code == 1, bad.output
    doc = json.loads(bad.stdout)
    assert doc["ok"] is False and doc["differences"][0]["path"] == "status"


def test_ids_of_a_busier_portal_are_mapped_to_the_fresh_emulators(start_portal, tmp_path) -> None:
    """Recorded where 12 pipelines and a field came and went (ids 13.., C13:, field 2), replayed where
    the ids start at 1: later requests are rewritten with the emulator's ids, and nothing differs."""
    from b24provision.portal import Command, PortalClient, WebhookCredentials

    portal = start_portal("busy")
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        made = client.batch(
            [
                Command(f"a{n}", "crm.category.add", {"entityTypeId": 2, "fields": {"name": f"t{n}"}})
                for n in range(12)
            ]
        )
        ids = [v["category"]["id"] for v in made.results.values()]
        client.batch([Command(f"d{i}", "crm.category.delete", {"entityTypeId": 2, "id": i}) for i in ids])
        field = client.call(
            "crm.deal.userfield.add", {"fields": {"FIELD_NAME": "GONE", "USER_TYPE_ID": "string"}}
        )
        client.call("crm.deal.userfield.delete", {"id": field.result})
    trace = apply_traced(portal, "kitchen-child-deals", tmp_path / "busy.jsonl")
    assert "C13:" in trace.read_text(encoding="utf-8")
    report = replay_trace(trace)
    assert report.compared >= 5 and report.differences == []


def test_an_applications_trace_replays_as_an_application(start_portal, tmp_path) -> None:
    """bizproc.robot.* answer only in an application's context: replayed with a token, not a webhook."""
    from b24provision.portal import OAuthCredentials, PortalClient
    from b24provision.portal.trace import recording

    portal = start_portal("app", oauth_clients={"local.app9": "appSecret9x"})
    emulator, server = portal.emulator, portal.server
    refresh = emulator.issue_refresh_token("local.app9")
    trace = tmp_path / "app.jsonl"
    robot = {"CODE": "b24p_check", "HANDLER": "https://example.com/robot", "NAME": "Check", "PROPERTIES": {}}
    credentials = OAuthCredentials(
        f"{server.url}/rest/",
        "local.app9",
        "appSecret9x",
        refresh,
        token_url=f"{server.url}/oauth/token/",
    )
    with recording(trace), PortalClient(credentials, rate=None) as client:
        client.call("bizproc.robot.add", robot)
        client.call("bizproc.robot.list")
    _, entries = load_trace(trace)
    assert [(e["method"], e["status"]) for e in entries[1:]] == [
        ("bizproc.robot.add", 200),
        ("bizproc.robot.list", 200),
    ]
    report = replay_trace(trace)
    assert (report.compared, report.skipped) == (2, 1)  # the token request is not the portal's REST
    assert report.differences == [], report.render_text()


def test_replay_of_a_file_that_is_not_a_trace_is_one_clear_error(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"b24provision_trace": 1}\n{"not": "a request"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["emulator", "replay", str(bad)])
    assert result.exit_code == 1
    what = "neither a trace header nor a request (no 'method') — give a file written by --trace"
    assert result.stderr.strip().splitlines() == [f"Error: {bad}:2:1: {what}"]


def test_a_mistyped_quirk_is_the_options_error_not_the_trace_files(start_portal, tmp_path) -> None:
    trace = record_apply(start_portal, tmp_path)
    result = CliRunner().invoke(app, ["emulator", "replay", str(trace), "--quirks", "bogus"])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: --quirks: unknown quirk 'bogus'") and "--trace" not in line, line


def test_a_trace_of_a_seeded_emulator_replays_against_the_same_seed(start_portal, tmp_path) -> None:
    """`emulator serve --seed handmade`, a traced plan, then `emulator replay`: the emulator names its
    seed in its answers, the trace's header keeps it, and replay starts from the same portal."""
    portal = start_portal("seeded", seed="handmade")
    trace = tmp_path / "seeded.jsonl"
    blueprint = str(REPO / "blueprints" / "kitchen-child-deals")
    planned = CliRunner().invoke(app, ["plan", blueprint, "--portal", portal.spec, "--trace", str(trace)])
    assert planned.exit_code == 0, planned.output
    header, entries = load_trace(trace)
    assert header["replay"]["seed"] == "handmade" and entries
    report = replay_trace(trace)
    assert report.compared >= 1 and report.differences == [], report.render_text()
    header.pop("replay")  # as a trace written before the emulator said its seed
    unseeded = tmp_path / "unseeded.jsonl"
    unseeded.write_text("\n".join(json.dumps(line) for line in [header, *entries]) + "\n", encoding="utf-8")
    assert replay_trace(unseeded).differences  # the hand-made pipelines are missing
