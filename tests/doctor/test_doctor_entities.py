"""`b24provision doctor` for a blueprint beyond deals: the methods and scopes its leads, contacts,
reference lists and smart processes need, and whether the portal's plan can have smart processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.doctor import load_facts

REPO = Path(__file__).resolve().parents[2]
DEALS_ONLY = str(REPO / "blueprints" / "recurring-deals")

BEYOND_DEALS = """\
version: 1
entities:
  lead:
    fields:
      - {code: CAMPAIGN, type: string, label: Campaign}
  contact:
    fields:
      - {code: INN, type: string, label: Tax number}
lists:
  source:
    - {code: SHOWROOM, name: Showroom}
smart_processes:
  - key: measurement
    title: Measurement
    pipelines:
      - key: main
        name: Measurements
        default: true
        stages:
          - {code: NEW, name: Booked}
          - {code: SUCCESS, name: Measured, semantics: success}
          - {code: FAIL, name: Cancelled, semantics: failure}
    fields:
      - {code: SIZE, type: double, label: Size}
"""


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def beyond_deals(tmp_path) -> str:
    path = tmp_path / "bp" / "blueprint.yaml"
    path.parent.mkdir()
    path.write_text(BEYOND_DEALS, encoding="utf-8")
    return str(path.parent)


def doctor(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["doctor", *args, "--format", "json"])
    assert result.stdout.startswith("{"), result.output
    return result.exit_code, json.loads(result.stdout)


def found(doc: dict, name: str) -> list[dict]:
    return [c for c in doc["checks"] if c["check"] == name]


def test_the_methods_asked_follow_the_entities_the_blueprint_names(start_portal, beyond_deals):
    portal = start_portal("all")
    code, doc = doctor(beyond_deals, "--portal", portal.spec)
    assert code == 0, doc
    (methods,) = found(doc, "methods")
    assert methods["status"] == "ok"
    for name in (
        "crm.lead.userfield.add",
        "crm.contact.userfield.add",
        "crm.status.add",
        "crm.type.add",
        "crm.category.add",
        "userfieldconfig.add",
    ):
        assert name in methods["message"]
    assert "crm.company.userfield.add" not in methods["message"]  # the blueprint has no company fields
    assert doc["requests"] <= 3  # still the one who-are-you batch, then the plan's read
    assert portal.emulator.write_count() == 0


def test_a_deal_only_blueprint_asks_only_the_deals_methods(start_portal):
    portal = start_portal("deal")
    code, doc = doctor(DEALS_ONLY, "--portal", portal.spec)
    assert code == 0
    (methods,) = found(doc, "methods")
    deals = "crm.category.add, crm.status.add, crm.deal.userfield.add"
    assert methods["message"] == f"method.get: {deals} can be called"


def test_smart_process_fields_need_the_userfieldconfig_scope(start_portal, beyond_deals):
    portal = start_portal("scope", scopes=("crm", "user"))
    code, doc = doctor(beyond_deals, "--portal", portal.spec)
    assert code == 1
    (scopes,) = found(doc, "scopes")
    assert scopes["status"] == "problem"
    assert "userfieldconfig (smart-process fields)" in scopes["message"]
    assert scopes["next_step"].endswith("tick userfieldconfig")
    (methods,) = found(doc, "methods")
    assert methods["status"] == "problem"
    assert "userfieldconfig.add (smart-process fields)" in methods["message"]
    assert methods["next_step"] == "give the webhook the userfieldconfig scope"
    # The same webhook is enough for deals alone.
    code, doc = doctor(DEALS_ONLY, "--portal", portal.spec)
    assert code == 0 and found(doc, "scopes")[0]["status"] == "ok"


def test_a_plan_the_third_party_says_lacks_smart_processes_is_a_warning(start_portal, beyond_deals):
    portal = start_portal("basic", license="ru_basic")
    code, doc = doctor(beyond_deals, "--portal", portal.spec)
    (tariff,) = found(doc, "tariff")
    assert tariff["status"] == "warning", tariff
    assert "probably lacks smart processes" in tariff["message"] and "unverified" in tariff["message"]
    assert code == 0  # only a third party says so: not a problem


def test_a_declared_smart_process_limit_the_blueprint_exceeds_is_a_problem(start_portal, tmp_path):
    portal = start_portal("small", limits={"crm_smart_processes_limit": 1})
    variable = portal.spec.removeprefix("env:")
    portals = tmp_path / "portals.yaml"
    profile = f"small:\n  webhook_env: {variable}\n  limits: {{smart_processes: 1}}\n"
    portals.write_text(profile, encoding="utf-8")
    blueprint = REPO / "blueprints" / "kitchen-smart-processes"  # four smart processes
    code, doc = doctor(str(blueprint), "--portal", "small", "--portals", str(portals))
    assert code == 1
    (tariff,) = found(doc, "tariff")
    assert tariff["status"] == "problem"
    assert "allows at most 1 smart processes (the profile's declaration" in tariff["message"]
    assert "not 4" in tariff["message"]
    assert tariff["next_step"]


# ------------------------------------------------------------------------------ the probe


def smart_process_titles(portal) -> list[str]:
    from b24provision.emulator.testing import by_hand

    return [t["title"] for t in by_hand(portal.emulator, "crm.type.list")["types"]]


def test_the_probe_makes_and_deletes_a_smart_process_where_the_plan_allows_it(start_portal, beyond_deals):
    portal = start_portal("sp")
    code, doc = doctor(beyond_deals, "--portal", portal.spec, "--probe", "--auto-approve")
    assert code == 0, doc
    assert doc["probe"]["answers"]["smart_processes"]["verdict"] == "holds"
    assert smart_process_titles(portal) == []  # deleted again
    facts = load_facts(portal.server.url.removeprefix("http://"))
    assert facts is not None and facts.smart_processes == "allowed"
    assert "smart processes" not in {c["check"] for c in doc["checks"]}


def test_a_plan_that_refuses_smart_processes_is_a_problem_the_probe_finds(start_portal, beyond_deals):
    portal = start_portal("nosp", limits={"crm_smart_processes_limit": 0})  # a plan without them
    code, doc = doctor(beyond_deals, "--portal", portal.spec)
    assert code == 0  # read-only, nothing says so: no REST method reports the plan's feature
    code, doc = doctor(beyond_deals, "--portal", portal.spec, "--probe", "--auto-approve")
    assert code == 1
    answer = doc["probe"]["answers"]["smart_processes"]
    assert answer["verdict"] == "differs" and "CREATE_DYNAMIC_TYPE_RESTRICTED" in answer["detail"]
    (problem,) = found(doc, "smart processes")
    assert problem["status"] == "problem" and "crm.type.add refused" in problem["message"]
    assert "take smart_processes: out of the blueprint" in problem["next_step"]
    assert smart_process_titles(portal) == []
    # The saved answer holds for later read-only runs, for blueprints with smart processes only.
    code, doc = doctor(beyond_deals, "--portal", portal.spec)
    assert code == 1 and found(doc, "smart processes")[0]["status"] == "problem"
    code, doc = doctor(DEALS_ONLY, "--portal", portal.spec)
    assert code == 0 and not found(doc, "smart processes")


def test_the_probe_leaves_a_portal_with_smart_processes_alone(start_portal, beyond_deals):
    portal = start_portal("has", seed="handmade")  # the handmade portal has a smart process
    before = smart_process_titles(portal)
    assert before
    code, doc = doctor(beyond_deals, "--portal", portal.spec, "--probe", "--auto-approve")
    answer = doc["probe"]["answers"]["smart_processes"]
    assert answer["verdict"] == "could not tell" and "holds 1 smart process" in answer["detail"]
    assert smart_process_titles(portal) == before


def test_a_smart_process_an_interrupted_probe_left_is_reported_then_removed(start_portal, beyond_deals):
    from b24provision.portal import PortalClient, WebhookCredentials

    portal = start_portal("left")
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        client.call("crm.type.add", {"fields": {"title": "B24P_PROBE_ABC_TYPE"}})
    result = CliRunner().invoke(app, ["plan", beyond_deals, "--portal", portal.spec, "--format", "json"])
    assert result.exit_code == 0, result.output
    # The tool's own object, not the consultant's: never reported as unmanaged.
    assert "B24P_PROBE" not in json.dumps(json.loads(result.stdout)["unmanaged"])
    code, doc = doctor("--portal", portal.spec)
    (leftovers,) = found(doc, "leftovers")
    assert leftovers["status"] == "warning" and "B24P_PROBE_ABC_TYPE" in leftovers["message"]
    code, doc = doctor(beyond_deals, "--portal", portal.spec, "--probe", "--auto-approve")
    assert code == 0, doc
    assert found(doc, "leftovers")[0]["status"] == "ok"
    assert smart_process_titles(portal) == []


def test_after_the_probe_saw_smart_processes_refused_the_plan_warns(start_portal, beyond_deals):
    portal = start_portal("planwarn", limits={"crm_smart_processes_limit": 0})
    doctor(beyond_deals, "--portal", portal.spec, "--probe", "--auto-approve")
    result = CliRunner().invoke(app, ["plan", beyond_deals, "--portal", portal.spec, "--format", "json"])
    warnings = json.loads(result.stdout)["warnings"]
    refused = [w for w in warnings if "crm.type.add refused" in w]
    assert refused and "1 smart process of this plan will fail" in refused[0], warnings
