"""Every shipped blueprint, applied through every kind of fault at every request of its apply.

A test here fails when a fault leaves a duplicate pipeline, stage, field or enumeration item, loses
or strands a deal, makes the tool crash with a traceback, or keeps it from converging in five runs;
after every scenario the plan against the portal must show no changes. Each scenario resets the
portal, so every position is a fresh, deterministic story.
"""

from __future__ import annotations

from typing import Any

import pytest

from b24provision.blueprint.model import Blueprint, EnumerationField, EnumItem, Stage
from b24provision.emulator.testing import default_deal_stages

from .conftest import BLUEPRINTS, FaultPortal
from .portal_checks import Deal, check_portal

SEMANTICS = {"S": "success", "F": "failure", None: "process"}


def kept_default_stages(blueprint: Blueprint) -> list[str]:
    """Stages of a fresh portal's default pipeline that the blueprint keeps (deals may sit there)."""
    default = blueprint.default_pipeline()
    assert default is not None
    wanted = {s.code: s.semantics for s in default.stages}
    return [code for code, semantics in default_deal_stages() if wanted.get(code) == SEMANTICS[semantics]]


def prepare(portal: FaultPortal, blueprint: Blueprint) -> list[Deal]:
    portal.emulator.reset()
    portal.emulator.crash_at_write(None)
    return portal.add_deals_in(kept_default_stages(blueprint) * 2)


def assert_converged(portal: FaultPortal, blueprint: Blueprint, before: list[Deal], story: str) -> None:
    portal.faults.clear()
    portal.emulator.crash_at_write(None)
    check_portal(portal.emulator, blueprint, before)
    assert not portal.plan_has_changes(blueprint), f"{story}: plan still shows changes"


def clean_apply_requests(portal: FaultPortal, blueprint: Blueprint) -> tuple[int, list[int]]:
    """The first run on a healthy portal: its HTTP requests, and the write sub-calls (numbered
    1.. over the run) that open, split and close each write batch."""
    prepare(portal, blueprint)
    start = len(portal.emulator.request_log)
    assert portal.run_once(blueprint) == "applied"
    log = portal.emulator.request_log[start:]
    positions: set[int] = set()
    writes = 0
    batch: list[int] = []
    for entry in log:  # a batch's sub-calls are logged before the batch itself
        if entry.sub_call and entry.write and entry.executed:
            writes += 1
            batch.append(writes)
        elif not entry.sub_call and batch:
            positions |= {batch[0], batch[min(1, len(batch) - 1)], batch[len(batch) // 2], batch[-1]}
            batch = []
    return sum(1 for r in log if not r.sub_call), sorted(positions)


# "truncated" .. "no_result": the portal did the work, then answered 200 with a body that is no REST
# reply; for a write that is an unknown outcome (re-read, go on), never "done" nor "not a REST reply".
@pytest.mark.parametrize(
    "kind", ["drop", "lost_response", "500", "503", "429", "truncated", "empty", "malformed", "no_result"]
)
@pytest.mark.parametrize("name", BLUEPRINTS)
def test_one_fault_at_every_request_of_the_first_apply(
    portal: FaultPortal, blueprints: dict[str, Blueprint], name: str, kind: str
) -> None:
    blueprint = blueprints[name]
    requests, _ = clean_apply_requests(portal, blueprint)
    assert requests >= 4
    for n in range(1, requests + 1):
        before = prepare(portal, blueprint)
        portal.faults.script = {n: kind}
        runs = portal.apply_until_done(blueprint)
        story = f"{name}: {kind} at request {n}: {runs.outcomes}"
        assert runs.outcomes[0] == "applied", story  # one fault: the run itself recovers and finishes
        assert runs.done, story
        assert_converged(portal, blueprint, before, story)


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_process_killed_at_every_request_then_run_again(
    portal: FaultPortal, blueprints: dict[str, Blueprint], name: str
) -> None:
    """`stop_after`: from request n on nothing gets through, as when the process dies; a new
    process on a healthy network finishes the job."""
    blueprint = blueprints[name]
    requests, _ = clean_apply_requests(portal, blueprint)
    for n in range(1, requests + 1):
        before = prepare(portal, blueprint)
        portal.faults.stop_after = n
        runs = portal.apply_until_done(blueprint, clear_after_first=True)
        story = f"{name}: killed at request {n}: {runs.outcomes}"
        assert runs.outcomes[0].startswith("error: "), story  # the killed run says so, in one line
        assert runs.done, story
        assert_converged(portal, blueprint, before, story)


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_server_dies_in_the_middle_of_a_write_batch(
    portal: FaultPortal, blueprints: dict[str, Blueprint], name: str
) -> None:
    """HTTP 500 after some commands of a batch ran and before the rest: at the first, second, middle
    and last write of every write batch of the apply."""
    blueprint = blueprints[name]
    _, positions = clean_apply_requests(portal, blueprint)
    assert len(positions) >= 6
    for n in positions:
        before = prepare(portal, blueprint)
        portal.emulator.crash_at_write(n)
        runs = portal.apply_until_done(blueprint)
        story = f"{name}: 500 at write {n}: {runs.outcomes}"
        assert portal.emulator.write_sub_calls >= n, story  # the crash did happen
        assert runs.done, story
        assert_converged(portal, blueprint, before, story)


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_503_storm_longer_than_the_retries(
    portal: FaultPortal, blueprints: dict[str, Blueprint], name: str
) -> None:
    """Twenty refusals in a row: the first run gives up with the portal's words, nothing half done."""
    blueprint = blueprints[name]
    before = prepare(portal, blueprint)
    portal.faults.script = {n: "503" for n in range(3, 23)}
    runs = portal.apply_until_done(blueprint)
    assert "QUERY_LIMIT_EXCEEDED" in runs.outcomes[0], runs.outcomes
    assert runs.done, runs.outcomes
    assert_converged(portal, blueprint, before, f"{name}: 503 storm")


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_429_with_operating_reset_at_is_waited_out(
    portal: FaultPortal, blueprints: dict[str, Blueprint], name: str
) -> None:
    """Every write batch meets 429 OPERATION_TIME_LIMIT twice: the client waits (capped) and the
    first run still finishes, without a second copy of anything."""
    blueprint = blueprints[name]
    requests, _ = clean_apply_requests(portal, blueprint)
    before = prepare(portal, blueprint)
    portal.faults.script = {n: "429" for n in range(1, 2 * requests + 1) if n % 3 != 0}
    runs = portal.apply_until_done(blueprint)
    assert runs.outcomes[0] == "applied", runs.outcomes
    refused = [r for r in portal.emulator.request_log if r.status == 429]
    assert refused, "no 429 was answered"
    assert_converged(portal, blueprint, before, f"{name}: 429s")


@pytest.mark.parametrize("seed", range(1, 9))
@pytest.mark.parametrize("name", BLUEPRINTS)
def test_random_faults_all_along(
    portal: FaultPortal, blueprints: dict[str, Blueprint], name: str, seed: int
) -> None:
    """Drops, lost answers, 500s, 503s and damaged answers at random on every run (seeded, so repeatable)."""
    blueprint = blueprints[name]
    before = prepare(portal, blueprint)
    faults = portal.faults
    faults.seed = seed
    faults.rate_drop = faults.rate_lost_response = faults.rate_500 = 0.07
    faults.rate_503 = 0.15
    faults.rate_damaged = 0.05  # 200s cut short, empty, or without a result, after the work was done
    runs = portal.apply_until_done(blueprint)
    story = f"{name} seed {seed}: {runs.outcomes}"
    assert runs.done, story
    assert_converged(portal, blueprint, before, story)


def next_version(blueprint: Blueprint) -> Blueprint:
    """The blueprint's next release: every pipeline renamed (the default one too) and given a new
    stage before its final ones, a stage renamed, enumeration fields given a new item, a new field."""
    pipelines = []
    for pipeline in blueprint.pipelines:
        stages = list(pipeline.stages)
        at = next(i for i, s in enumerate(stages) if s.semantics != "process")
        stages.insert(at, Stage(code="EXTRA_CHECK", name="Extra check"))
        stages[0] = stages[0].model_copy(update={"name": stages[0].name + " (v2)"})
        pipelines.append(
            pipeline.model_copy(
                update={"name": pipeline.name + " v2", "previous_names": [pipeline.name], "stages": stages}
            )
        )
    fields: list[Any] = []
    for f in blueprint.fields:
        if isinstance(f, EnumerationField):
            f = f.model_copy(update={"items": [*f.items, EnumItem(xml_id="added_v2", value="Added in v2")]})
        fields.append(f)
    fields.append(
        EnumerationField(
            type="enumeration",
            code="V2_SOURCE",
            label="Source (v2)",
            items=[EnumItem(xml_id=f"s{i}", value=f"Source {i}") for i in range(5)],
        )
    )
    return blueprint.model_copy(update={"pipelines": pipelines, "fields": fields})


def prepare_second_day(portal: FaultPortal, blueprint: Blueprint) -> list[Deal]:
    """The blueprint applied cleanly, then two deals in every stage of every pipeline."""
    prepare(portal, blueprint)
    runs = portal.apply_until_done(blueprint)
    assert runs.done, runs.outcomes
    return portal.add_deals(per_stage=2)


@pytest.mark.parametrize("kind", ["drop", "lost_response", "500"])
@pytest.mark.parametrize("name", BLUEPRINTS)
def test_second_apply_with_deals_everywhere(
    portal: FaultPortal, blueprints: dict[str, Blueprint], name: str, kind: str
) -> None:
    """A release on a portal in use: renames (of the default pipeline too), new stages and items,
    deals in every stage, and a fault at every request of the apply."""
    blueprint, v2 = blueprints[name], next_version(blueprints[name])
    prepare_second_day(portal, blueprint)
    start = len(portal.emulator.request_log)
    assert portal.run_once(v2) == "applied"
    requests = sum(1 for r in portal.emulator.request_log[start:] if not r.sub_call)
    for n in range(1, requests + 1):
        before = prepare_second_day(portal, blueprint)
        portal.faults.script = {n: kind}
        runs = portal.apply_until_done(v2)
        story = f"{name} v2: {kind} at request {n}: {runs.outcomes}"
        assert runs.done, story
        assert_converged(portal, v2, before, story)
