"""crm.status.add as the core's ``CCrmStatus::validateStatusId`` and its readings (reference §13.5,
§13.7, §13.10): a code's length depends on the pipeline id, errors come with the empty code and the
core's texts, and the quirks where the core and the docs disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from .conftest import err, ok


def add_stage(hook: httpx.Client, entity: str, code: str, **fields: object) -> httpx.Response:
    body = {"ENTITY_ID": entity, "STATUS_ID": code, "NAME": code.title(), **fields}
    return hook.post("crm.status.add", json={"fields": body})


def pipelines_up_to(hook: httpx.Client, last: int) -> None:
    """Create pipelines until one has the id ``last`` (ids count up from 1)."""
    have = len(ok(hook.post("crm.category.list", json={"entityTypeId": 2}))["categories"]) - 1
    names = [f"p{n}" for n in range(have + 1, last + 1)]
    for start in range(0, len(names), 50):
        cmd = {n: f"crm.category.add?entityTypeId=2&fields[name]={n}" for n in names[start : start + 50]}
        ok(hook.post("batch", json={"cmd": cmd}))


@pytest.mark.parametrize(("pipeline", "longest"), [(0, 22), (1, 19), (9, 19), (10, 18), (99, 18), (100, 17)])
def test_stage_code_length_depends_on_the_pipeline_id(
    hook: httpx.Client, pipeline: int, longest: int
) -> None:
    pipelines_up_to(hook, pipeline)
    entity = "DEAL_STAGE" if pipeline == 0 else f"DEAL_STAGE_{pipeline}"
    assert ok(add_stage(hook, entity, "A" * longest, SORT=15))
    assert err(add_stage(hook, entity, "B" * (longest + 1), SORT=15)) == (
        "",
        f"Exceeded maximum length of status ID: {longest}.",
    )
    # A code sent with its prefix is measured without it.
    prefixed = ("" if pipeline == 0 else f"C{pipeline}:") + "C" * longest
    assert ok(add_stage(hook, entity, prefixed, SORT=15))


def test_validation_errors_have_the_empty_code_and_the_cores_texts(hook: httpx.Client) -> None:
    assert err(add_stage(hook, "DEAL_STAGE", "BAD CODE")) == (
        "",
        "Status ID may include Latin characters, numbers, minus and underscore characters only",
    )
    assert err(add_stage(hook, "DEAL_STAGE", "NEW")) == ("", "The specified status ID already exists.")
    assert err(add_stage(hook, "STATUS", "L" * 22)) == ("", "Exceeded maximum length of status ID: 21.")
    assert ok(add_stage(hook, "SOURCE", "S" * 50))


def test_a_stage_added_without_sort_gets_ten(hook: httpx.Client) -> None:
    new_id = ok(add_stage(hook, "DEAL_STAGE", "EARLY", SORT=0))
    assert ok(hook.post("crm.status.get", json={"id": new_id}))["SORT"] == "10"


def serve_with(start_portal: Callable[..., Any], quirks: str) -> Iterator[httpx.Client]:
    portal = start_portal(quirks, quirks=quirks, token="q-token")
    with httpx.Client(base_url=portal.server.webhook_url) as client:
        yield client


@pytest.fixture
def core_hook(start_portal: Callable[..., Any]) -> Iterator[httpx.Client]:
    """A portal that follows the core's reading everywhere (Quirks preset "core")."""
    yield from serve_with(start_portal, "core")


@pytest.fixture
def docs_hook(start_portal: Callable[..., Any]) -> Iterator[httpx.Client]:
    """A portal that follows the docs' reading everywhere (Quirks preset "docs")."""
    yield from serve_with(start_portal, "docs")


def test_in_progress_stages_show_semantics_p_on_a_core_portal(
    core_hook: httpx.Client, docs_hook: httpx.Client
) -> None:
    def semantics(client: httpx.Client) -> dict[str, object]:
        rows = ok(client.post("crm.status.list", json={"filter": {"ENTITY_ID": "DEAL_STAGE"}}))
        return {r["STATUS_ID"]: r["SEMANTICS"] for r in rows}

    assert semantics(core_hook)["NEW"] == "P" and semantics(core_hook)["WON"] == "S"
    assert semantics(docs_hook)["NEW"] is None


def test_strict_stage_order_refuses_a_failure_stage_before_the_success_stage(
    core_hook: httpx.Client, docs_hook: httpx.Client
) -> None:
    assert err(add_stage(core_hook, "DEAL_STAGE", "EARLY_LOSS", SORT=55, SEMANTICS="F")) == (
        "",
        "Cannot add semantics with the specified sort order",
    )
    assert ok(add_stage(core_hook, "DEAL_STAGE", "LATE_LOSS", SORT=75, SEMANTICS="F"))
    assert ok(add_stage(docs_hook, "DEAL_STAGE", "EARLY_LOSS", SORT=55, SEMANTICS="F"))


def test_a_success_stage_other_than_won_is_refused_where_only_won_succeeds(
    core_hook: httpx.Client, docs_hook: httpx.Client
) -> None:
    def add_done(client: httpx.Client) -> httpx.Response:
        ok(client.post("crm.category.add", json={"entityTypeId": 2, "fields": {"name": "P"}}))
        won = ok(client.post("crm.status.list", json={"filter": {"STATUS_ID": "C1:WON"}}))[0]
        ok(client.post("crm.status.delete", json={"id": won["ID"], "params": {"FORCED": "Y"}}))
        return add_stage(client, "DEAL_STAGE_1", "DONE", SORT=65, SEMANTICS="S")

    code, text = err(add_done(core_hook))
    assert code == "" and "WON" in text
    assert ok(add_done(docs_hook))
    types = ok(core_hook.post("crm.status.entity.types"))
    info = next(t for t in types if t["ID"] == "DEAL_STAGE_1")["SEMANTIC_INFO"]
    assert info["FINAL_SUCCESS_FIELD"] == "C1:WON"  # the legacy metadata, whatever the pipeline holds
