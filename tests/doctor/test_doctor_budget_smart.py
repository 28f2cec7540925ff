"""doctor's apply estimate for smart processes is what apply then sends: the types read under the
lock and again after the type writes, each type's batches, and the verifying read of the types."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from b24provision import api
from b24provision.cli import app

BLUEPRINT = """\
version: 1
smart_processes:
  - key: measurement
    title: Measurement
    pipelines:
      - key: main
        name: Measurements
        default: true
        stages:
          - {code: NEW, name: Booked}
          - {code: ON_SITE, name: On site}
          - {code: SUCCESS, name: Measured, semantics: success}
          - {code: FAIL, name: Cancelled, semantics: failure}
    fields:
      - {code: SIZE, type: double, label: Size}
"""


def _estimate(path: Path, portal: str) -> str:
    result = CliRunner().invoke(app, ["doctor", str(path), "--portal", portal, "--format", "json"])
    assert result.stdout.startswith("{"), result.output
    return next(c["message"] for c in json.loads(result.stdout)["checks"] if c["check"] == "budget")


def test_the_estimate_for_a_delete_inside_a_smart_process_is_what_apply_sends(start_portal, tmp_path):
    portal = start_portal("a")
    path = tmp_path / "blueprint.yaml"
    path.write_text(BLUEPRINT, encoding="utf-8")
    api.apply(api.make_plan([path], portal=portal.spec), portal=portal.spec)
    path.write_text(BLUEPRINT.replace("          - {code: ON_SITE, name: On site}\n", ""), encoding="utf-8")

    message = _estimate(path, portal.spec)
    result = api.make_plan([path], portal=portal.spec)
    assert [op.action for op in result.plan.ops] == ["delete"]
    outcome = api.apply(result, portal=portal.spec)
    expected = f"plan: {result.requests} requests; apply: about {outcome.requests} (1 operations)"
    assert message == expected
