"""``--trace FILE``: every request and answer, and never a secret — by value as well as by pattern."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.replay import load_trace as read_trace  # the trace's one reader
from b24provision.portal import OAuthCredentials, PortalClient
from b24provision.portal.connect import open_portal
from b24provision.portal.trace import recording

REPO = Path(__file__).resolve().parents[2]


def test_plan_trace_has_every_request_and_no_webhook_code(start_portal, tmp_path: Path) -> None:
    portal = start_portal("tr")
    trace = tmp_path / "plan.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "plan",
            str(REPO / "blueprints" / "recurring-deals"),
            "--portal",
            portal.spec,
            "--trace",
            str(trace),
        ],
    )
    assert result.exit_code == 0, result.output
    text = trace.read_text(encoding="utf-8")
    assert portal.token not in text
    header, entries = read_trace(trace)
    assert header["b24provision_trace"] == 1
    assert {e["method"] for e in entries} == {"batch"}  # a plan reads in batches only
    entry = entries[0]
    assert entry["status"] == 200 and "crm.category.list" in json.dumps(entry["params"])
    assert "categories" in json.dumps(entry["response"]["result"]["result"]["pipelines"])
    assert entry["elapsed_ms"] >= 0 and entry["at"]


def test_a_secret_is_removed_wherever_it_appears(start_portal, tmp_path: Path) -> None:
    """The pattern alone would miss the code inside a deal title; the value is removed there too."""
    portal = start_portal("val")
    trace = tmp_path / "t.jsonl"
    with recording(trace), open_portal(portal.spec) as client:
        deal = client.call("crm.deal.add", {"fields": {"TITLE": f"note {portal.token} end"}}).result
        client.call("crm.deal.get", {"id": deal})
    text = trace.read_text(encoding="utf-8")
    assert portal.token not in text
    assert text.count("note *** end") == 2  # the request and the answer


def test_oauth_tokens_and_client_secret_are_removed(start_portal, tmp_path: Path) -> None:
    secret = "appSECRETvalue42"
    portal = start_portal("app", oauth_clients={"local.app1": secret})
    emulator, server = portal.emulator, portal.server
    refresh = emulator.issue_refresh_token("local.app1")
    trace = tmp_path / "oauth.jsonl"
    credentials = OAuthCredentials(
        f"{server.url}/rest/", "local.app1", secret, refresh, token_url=f"{server.url}/oauth/token/"
    )
    with recording(trace), PortalClient(credentials, rate=None) as client:
        client.call("app.info")
    text = trace.read_text(encoding="utf-8")
    _, entries = read_trace(trace)
    assert [e["method"] for e in entries] == ["oauth/token", "app.info"]
    for value in (secret, refresh, credentials.access_token, credentials.refresh_token):
        assert value and value not in text
    assert entries[1]["params"]["auth"] == "***"


def test_a_trace_ends_with_its_command(start_portal, tmp_path: Path, monkeypatch) -> None:
    portal = start_portal("none")
    monkeypatch.chdir(tmp_path)
    traced = CliRunner().invoke(app, ["export", "--portal", portal.spec, "--trace", "t.jsonl"])
    assert traced.exit_code == 0, traced.output
    lines = (tmp_path / "t.jsonl").read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "--portal", portal.spec])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t.jsonl").read_text(encoding="utf-8") == lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jsonl"]


TRACED = [
    ["plan", str(REPO / "blueprints" / "recurring-deals")],
    ["apply", str(REPO / "blueprints" / "recurring-deals"), "--auto-approve", "--allow-delete"],
    ["export"],
    ["diff", "--from", "{portal}", "--to", str(REPO / "blueprints" / "recurring-deals")],
    ["tariff", str(REPO / "blueprints" / "recurring-deals")],
    ["forecast", str(REPO / "blueprints" / "recurring-deals")],
    ["doctor", str(REPO / "blueprints" / "recurring-deals")],
]


@pytest.mark.parametrize("args", TRACED, ids=[a[0] for a in TRACED])
def test_every_portal_command_takes_trace(start_portal, tmp_path: Path, monkeypatch, args) -> None:
    portal = start_portal("every")
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{portal}", portal.spec) for a in args]
    if "--from" not in args:
        args += ["--portal", portal.spec]
    result = CliRunner().invoke(app, [*args, "--trace", "t.jsonl"])
    assert result.exit_code in (0, 2), result.output
    text = (tmp_path / "t.jsonl").read_text(encoding="utf-8")
    header, entries = read_trace(tmp_path / "t.jsonl")
    assert entries and all(e["status"] == 200 for e in entries)
    assert header["command"].startswith("b24provision") and portal.token not in text
