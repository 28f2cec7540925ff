"""Fault runs: every shipped blueprint applied through a misbehaving portal, then re-run to the end.

One emulator is served for the whole session over real HTTP (rate limit off); each test resets it,
puts deals on it, switches faults on, and drives the provisioner the way the CLI does: a fresh
client per run (a new process), plan, apply (without --allow-delete: what the blueprints delete
holds no data), repeated while the plan shows changes. The client waits milliseconds between
retries, so a storm of refusals costs no real time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from b24provision.api import plan_against
from b24provision.apply import apply_plan
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.emulator import Emulator, PortalSettings, serve_in_thread
from b24provision.emulator.registry import is_write
from b24provision.errors import B24ProvisionError
from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import WebhookCredentials

from .portal_checks import Deal, deals, raw_call

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = sorted(p.name for p in (ROOT / "blueprints").iterdir() if p.is_dir())
MAX_RUNS = 5
TOKEN = "faultTOKENx7c1"


def blueprint_named(name: str) -> Blueprint:
    return load_blueprint([ROOT / "blueprints" / name])


class ServerCrash(Exception):
    """The portal's PHP process died part-way through a batch."""


class CrashingEmulator(Emulator):
    """The emulator, plus one fault its switchboard lacks: a 500 in the middle of a batch.

    With ``crash_at = n`` the n-th write sub-call (counted from when it was set) finds the server
    dying: the sub-calls before it stay done (a real portal commits each command on its own), the
    rest of the batch never runs, and the client gets HTTP 500.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crash_at: int | None = None
        self.write_sub_calls = 0

    def arm(self, n: int | None) -> None:
        self.crash_at = n
        self.write_sub_calls = 0

    def _sub_call(self, name: str, params: dict[str, Any], auth: Any, base_url: str) -> Any:
        if is_write(name.strip().lower()):
            self.write_sub_calls += 1
            if self.write_sub_calls == self.crash_at:
                self.db.execute("COMMIT")  # what ran before the crash stays
                self.db.execute("BEGIN")
                raise ServerCrash(f"crash at write sub-call {self.crash_at} ({name})")
        return super()._sub_call(name, params, auth, base_url)


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

    def __init__(self, emulator: CrashingEmulator, webhook_url: str) -> None:
        self.emulator = emulator
        self.url = webhook_url

    @property
    def db(self) -> sqlite3.Connection:
        return self.emulator.db

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
        pipelines = [0] + [int(r[0]) for r in self.db.execute("SELECT id FROM category")]
        for category in pipelines:
            entity = "DEAL_STAGE" if category == 0 else f"DEAL_STAGE_{category}"
            codes = [
                str(r[0])
                for r in self.db.execute("SELECT status_id FROM status WHERE entity_id = ?", (entity,))
            ]
            for code in codes:
                for n in range(per_stage):
                    raw_call(
                        self.url,
                        "crm.deal.add",
                        {"fields": {"TITLE": f"{code} {n}", "CATEGORY_ID": category, "STAGE_ID": code}},
                    )
        return deals(self.db)

    def add_deals_in(self, stage_codes: list[str]) -> list[Deal]:
        """Deals in the default pipeline's stages ``stage_codes``."""
        for code in stage_codes:
            raw_call(
                self.url,
                "crm.deal.add",
                {"fields": {"TITLE": f"deal in {code}", "CATEGORY_ID": 0, "STAGE_ID": code}},
            )
        return deals(self.db)

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


@pytest.fixture(scope="session")
def _fault_server() -> Iterator[Any]:
    # A 429 blocks a method for the (short) operating window: the client waits it out for real.
    settings = PortalSettings(token=TOKEN, rate_limit=None, operating_window=0.05)
    with serve_in_thread(CrashingEmulator(":memory:", settings)) as server:
        yield server


@pytest.fixture
def portal(_fault_server: Any) -> FaultPortal:
    """A fresh portal, faults off."""
    _fault_server.app.reset()
    _fault_server.app.arm(None)
    return FaultPortal(_fault_server.app, _fault_server.webhook_url)


@pytest.fixture(scope="session")
def blueprints() -> dict[str, Blueprint]:
    return {name: blueprint_named(name) for name in BLUEPRINTS}
