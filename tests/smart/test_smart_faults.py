"""A write whose outcome is unknown while smart processes are applied is never blindly sent again:
the server dies part-way through a write batch, the next runs finish the job, and every type,
pipeline, stage and field exists once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from b24provision import api
from b24provision.emulator.testing import by_hand
from b24provision.errors import B24ProvisionError
from tests.smart.test_smart_apply import TWO_TYPES


def _converge(portal, path: Path) -> list[str]:
    outcomes = []
    for _ in range(4):
        try:
            result = api.make_plan([path], portal=portal.spec)
            if not result.plan.has_changes:
                return outcomes
            api.apply(result, portal=portal.spec)
            outcomes.append("applied")
        except B24ProvisionError as exc:
            outcomes.append(f"error: {exc}")
    raise AssertionError(f"no convergence: {outcomes}")


# Write sub-calls of a clean apply: 1 is the lock's field, 2-3 the two crm.type.add, then the
# types' fields, pipelines and stages; the last ones are the lock's delete.
@pytest.mark.parametrize("n", [2, 3, 4, 5, 8, 12])
def test_the_server_dies_in_a_smart_process_write_batch(start_portal, tmp_path, n):
    portal = start_portal("a")
    path = tmp_path / "bp.yaml"
    path.write_text(TWO_TYPES, encoding="utf-8")
    portal.emulator.crash_at_write(n)
    outcomes = _converge(portal, path)
    assert portal.emulator.write_sub_calls >= n, outcomes  # the crash did happen
    titles = Counter(t["title"] for t in by_hand(portal.emulator, "crm.type.list")["types"])
    assert titles == {"Measurement": 1, "Delivery": 1}, outcomes
    statuses = Counter((r["ENTITY_ID"], r["STATUS_ID"]) for r in by_hand(portal.emulator, "crm.status.list"))
    assert all(count == 1 for count in statuses.values()), outcomes
    names = Counter(
        f["fieldName"]
        for f in by_hand(portal.emulator, "userfieldconfig.list", {"moduleId": "crm"})["fields"]
    )
    assert all(count == 1 for count in names.values()), outcomes
