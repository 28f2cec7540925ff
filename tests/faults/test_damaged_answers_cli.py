"""A damaged 200 answer to a write, as a user running `apply` meets it: the run re-reads the portal,
finishes, and verifies — no "not a Bitrix24 REST reply", no duplicate, nothing lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.testing import pipeline_names

BLUEPRINT = str(Path(__file__).resolve().parents[2] / "blueprints" / "kitchen-child-deals")
APPLY = ["apply", BLUEPRINT, "--auto-approve", "--allow-delete"]


def first_write_request(log) -> int:
    """The number (1-based, HTTP requests only) of the first request that carried one of the plan's
    writes: the first request with a write takes the portal's lock (its own lost answers are the lock's
    tests, tests/apply/test_portal_lock.py), the next one is the plan's first batch."""
    number, writes, seen = 0, False, 0
    for entry in log:  # a batch's sub-calls are logged before the batch itself
        if entry.sub_call:
            writes = writes or (entry.write and entry.executed)
            continue
        number += 1
        if writes or entry.write:
            seen += 1
            if seen == 2:
                return number
        writes = False
    raise AssertionError("the apply wrote nothing")


@pytest.mark.parametrize("kind", ["truncated", "empty", "malformed", "no_result"])
def test_apply_meets_a_damaged_answer_to_its_first_write(start_portal, kind) -> None:
    clean = start_portal("clean")
    assert CliRunner().invoke(app, [*APPLY, "--portal", clean.spec]).exit_code == 0
    at = first_write_request(clean.emulator.request_log)

    portal = start_portal("faulty")
    portal.emulator.faults.script = {at: kind}
    result = CliRunner().invoke(app, [*APPLY, "--portal", portal.spec])
    assert result.exit_code == 0, result.stderr
    assert "verified: portal matches the blueprint" in result.stdout
    assert "batch: no usable answer (HTTP 200 with " in result.stderr
    assert "re-reading the portal to see what it did (nothing is sent twice)" in result.stderr
    assert "Error" not in result.stderr and portal.token not in result.stderr + result.stdout
    names = Counter(pipeline_names(portal.emulator))
    assert names and max(names.values()) == 1, names
