"""Fault runs: every shipped blueprint applied through a misbehaving portal, then re-run to the end.

Each test gets a fresh portal (tests/conftest.py's ``server``, over real HTTP, rate limit off), puts
deals on it, switches faults on (the switchboard's, or a crash in the middle of a batch:
emulator.testing.EmulatorUnderTest), and drives the provisioner the way the CLI does: a fresh
client per run (a new process), plan, apply (without --allow-delete: what the blueprints delete
holds no data), repeated while the plan shows changes. The client waits milliseconds between
retries, so a storm of refusals costs no real time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from b24provision.api import plan_against
from b24provision.apply import apply_plan
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.emulator import PortalSettings, RunningServer
from b24provision.emulator.testing import EmulatorUnderTest, deals, pipeline_ids, stage_ids
from b24provision.errors import B24ProvisionError
from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import WebhookCredentials

from .portal_checks import Deal, raw_call

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = sorted(p.name for p in (ROOT / "blueprints").iterdir() if p.is_dir())
MAX_RUNS = 5
TOKEN = "faultTOKENx7c1"


def blueprint_named(name: str) -> Blueprint:
    return load_blueprint([ROOT / "blueprints" / name])


@dataclass
class Runs:
    """What the repeated runs did: one entry per run, "done" or the error a user would have seen."""

    outcomes: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def done(self) -> bool:
        return bool(self.outcomes) and self.outcomes[-1] == "done"


class FaultPortal:
    """The emulated portal under test, with the direct (not-through-our-reader) views of it."""

    def __init__(self, emulator: EmulatorUnderTest, webhook_url: str) -> None:
        self.emulator = emulator
        self.url = webhook_url

    @property
    def faults(self) -> Any:
        return self.emulator.faults

    def client(self) -> PortalClient:
        """As a new process would open it, with retries that wait milliseconds, not seconds."""
        return PortalClient(
            WebhookCredentials(self.url), rate=None, retries=4, backoff=0.001, max_wait=0.01, timeout=5.0
        )

    def add_deals(self, per_stage: int = 1) -> list[Deal]:
        """Deals in every stage of every pipeline, over plain REST."""
        pipelines = [0, *pipeline_ids(self.emulator).values()]
        for category in pipelines:
            for _, code in stage_ids(self.emulator, category):
                for n in range(per_stage):
                    raw_call(
                        self.url,
                        "crm.deal.add",
                        {"fields": {"TITLE": f"{code} {n}", "CATEGORY_ID": category, "STAGE_ID": code}},
                    )
        return deals(self.emulator)

    def add_deals_in(self, stage_codes: list[str]) -> list[Deal]:
        """Deals in the default pipeline's stages ``stage_codes``."""
        for code in stage_codes:
            raw_call(
                self.url,
                "crm.deal.add",
                {"fields": {"TITLE": f"deal in {code}", "CATEGORY_ID": 0, "STAGE_ID": code}},
            )
        return deals(self.emulator)

    def run_once(self, blueprint: Blueprint) -> str:
        """One run of `apply --auto-approve`: "done" when nothing was left to change.

        Only the tool's own errors are caught: anything else (a traceback) fails the test.
        """
        with self.client() as client:
            try:
                result = plan_against(client, blueprint)
                if not result.plan.has_changes:
                    return "done"
                apply_plan(result.plan, client)
                return "applied"
            except B24ProvisionError as exc:
                assert "\n" not in exc.message.strip(), exc.message
                return f"error: {exc.message}"

    def apply_until_done(self, blueprint: Blueprint, *, clear_after_first: bool = False) -> Runs:
        """Run until a run finds nothing to change; at most MAX_RUNS runs that change something."""
        runs = Runs()
        start = len(self.emulator.request_log)
        for n in range(MAX_RUNS + 1):
            outcome = self.run_once(blueprint)
            runs.outcomes.append(outcome)
            if outcome == "done":
                break
            if n == 0 and clear_after_first:
                self.faults.clear()  # the process was killed; the next one starts on a healthy network
        runs.requests = len(self.emulator.request_log) - start
        return runs

    def plan_has_changes(self, blueprint: Blueprint) -> bool:
        with self.client() as client:
            return plan_against(client, blueprint).plan.has_changes


@pytest.fixture
def settings() -> PortalSettings:
    """The portal of tests/conftest.py's ``server`` fixture, rate limit off. A 429 blocks a method for
    the (short) operating window: the client waits it out for real."""
    return PortalSettings(token=TOKEN, rate_limit=None, operating_window=0.05)


@pytest.fixture
def portal(server: RunningServer) -> FaultPortal:
    """A fresh portal, faults off."""
    emulator: EmulatorUnderTest = server.app  # type: ignore[assignment]
    return FaultPortal(emulator, server.webhook_url)


class _LoadedOnUse(dict[str, Blueprint]):
    """Each shipped blueprint loaded when a test first asks for it: one that does not load fails
    its own tests only."""

    def __missing__(self, name: str) -> Blueprint:
        self[name] = blueprint_named(name)
        return self[name]


@pytest.fixture(scope="session")
def blueprints() -> dict[str, Blueprint]:
    return _LoadedOnUse()
