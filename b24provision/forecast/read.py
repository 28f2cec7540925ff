"""Reading a forecast from the portal: stage histories, deal amounts and the repeat deals of past-due runs.

The pure model (which robots, dates, month tables, silent failures) is in ``forecast/model.py``;
this module only gathers its inputs in batched requests (the request budget is in model.py's
docstring). ``live_pipeline_key`` is the one place forecast matches a blueprint pipeline to the
portal's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from b24provision.blueprint.model import (
    Blueprint,
    Pipeline,
)
from b24provision.entities.types import DEAL
from b24provision.forecast.model import (
    GRACE,
    IDS_PER_CALL,
    Candidate,
    Forecast,
    RobotForecast,
    Run,
    delayed_robots,
    expected_date,
    month_table,
    silent_failures,
)
from b24provision.portal.client import PAGE_SIZE, Command, PortalClient
from b24provision.state.live import LiveState
from b24provision.state.match import portal_pipeline
from b24provision.state.rest import read_portal, status_id


def live_pipeline_key(want: Pipeline, live: LiveState) -> str | None:
    """The portal's pipeline for a blueprint pipeline: the default one, or by name / previous names."""
    have = portal_pipeline(want, live.blueprint.pipelines)
    return None if have is None else have.key


def _items(result: Any, key: str | None) -> list[Any]:
    value = result.get(key) if key and isinstance(result, Mapping) else result
    if isinstance(value, Mapping):  # PHP arrays with integer keys may arrive as objects
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def read_pages(
    client: PortalClient,
    commands: Sequence[Command],
    *,
    key: str | None = None,
    extra: Sequence[Command] = (),
) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """Every page of several list calls in few requests: all first pages in one batch (with
    ``extra`` commands alongside), then every further page by ``start`` offset, 50 pages a batch.

    Returns:
        (items by command key, results of the ``extra`` commands by key).
    """
    first = client.batch_all([*extra, *commands])
    first.raise_first_error()
    items = {c.key: _items(first.results.get(c.key), key) for c in commands}
    more: list[tuple[str, Command]] = []
    for command in commands:
        next_start, total = first.nexts.get(command.key), first.totals.get(command.key)
        if next_start is None:
            continue
        if total is None:  # no count from the portal: follow `next` one page at a time
            params = {**command.params, "start": next_start}
            items[command.key] += client.call_all(command.method, params, key=key)
            continue
        for offset in range(next_start, total, PAGE_SIZE):
            page = Command(f"{command.key}_{offset}", command.method, {**command.params, "start": offset})
            more.append((command.key, page))
    if more:
        rest = client.batch_all([c for _, c in more])
        rest.raise_first_error()
        for owner, command in more:
            items[owner] += _items(rest.results.get(command.key), key)
    return items, {c.key: first.results.get(c.key) for c in extra}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)


def read_forecast(
    client: PortalClient, blueprint: Blueprint, *, months: int = 12, now: datetime | None = None
) -> Forecast:
    """Forecast every delayed robot of ``blueprint`` from the portal's stage history.

    Args:
        client: the portal (reads only).
        blueprint: where the robots are declared.
        months: how many months the table covers, from the current one.
        now: the moment to forecast from (tests); default: the portal's clock (``server.time``).
    """
    start = client.request_count
    robots = delayed_robots(blueprint)
    if not robots:
        return Forecast(client.host, now or datetime.now(UTC), months, requests=0)
    live = read_portal(client)
    by_key = blueprint.pipelines_by_key()

    # The STATUS_ID of every robot's stage on this portal.
    stage_of: dict[int, str] = {}
    notes: dict[int, str] = {}
    for n, item in enumerate(robots):
        live_key = live_pipeline_key(item.pipeline, live)
        if live_key is None:
            notes[n] = f"pipeline {item.pipeline.name!r} is not on the portal; run `b24provision apply` first"
        elif (live_key, item.stage.code) not in live.stage_ids:
            notes[n] = f"stage {item.stage.code} of {item.pipeline.name!r} is not on the portal; apply first"
        else:
            stage_of[n] = status_id(live, live_key, item.stage.code)
    stages = sorted(set(stage_of.values()))
    history_cmds = [
        Command(
            f"h{i}",
            "crm.stagehistory.list",
            {
                **DEAL.type_param,
                "filter": {"STAGE_ID": sid},
                "order": {"ID": "ASC"},
                "select": ["ID", "OWNER_ID", "STAGE_ID", "CREATED_TIME"],
            },
        )
        for i, sid in enumerate(stages)
    ]
    history, extra = read_pages(client, history_cmds, key="items", extra=[Command("now", "server.time", {})])
    clock = now or _parse_time(extra.get("now")) or datetime.now(UTC)

    # Latest entry of each deal into each stage.
    entered: dict[str, dict[int, datetime]] = {}
    for i, sid in enumerate(stages):
        latest = entered.setdefault(sid, {})
        for row in history[f"h{i}"]:
            moment = _parse_time(row.get("CREATED_TIME"))
            owner = int(row.get("OWNER_ID") or 0)
            if moment is not None and owner and (owner not in latest or moment > latest[owner]):
                latest[owner] = moment

    deals = _read_deals(client, sorted({d for found in entered.values() for d in found}))
    forecast = Forecast(client.host, clock, months)
    runs_of: dict[int, list[Run]] = {}
    for n, item in enumerate(robots):
        sid = stage_of.get(n, "")
        runs: list[Run] = []
        for deal_id, moved_at in sorted(entered.get(sid, {}).items()):
            deal = deals.get(deal_id)
            if deal is None or str(deal.get("STAGE_ID")) != sid:
                continue  # gone, or left the stage: the portal stopped its waiting robots
            runs.append(
                Run(
                    deal_id=deal_id,
                    title=str(deal.get("TITLE") or ""),
                    amount=_amount(deal.get("OPPORTUNITY")),
                    currency=str(deal.get("CURRENCY_ID") or ""),
                    moved_at=moved_at,
                    expected=expected_date(moved_at, item.waits),
                )
            )
        runs_of[n] = runs
        rows, later = month_table(runs, clock, months)
        forecast.robots.append(RobotForecast(item, rows, later, len(runs), note=notes.get(n, "")))

    _check_failures(client, forecast, runs_of, live, by_key)
    forecast.requests = client.request_count - start
    return forecast


def _read_deals(client: PortalClient, ids: Sequence[int]) -> dict[int, Mapping[str, Any]]:
    """TITLE, OPPORTUNITY, CURRENCY_ID and STAGE_ID of the deals ``ids``, 50 ids per call."""
    commands = [
        # A list value in a crm.deal.list filter means "one of" (reference §12).
        Command(
            f"d{n}",
            "crm.deal.list",
            {
                "filter": {"ID": list(ids[i : i + IDS_PER_CALL])},
                "select": ["ID", "TITLE", "OPPORTUNITY", "CURRENCY_ID", "STAGE_ID"],
            },
        )
        for n, i in enumerate(range(0, len(ids), IDS_PER_CALL))
    ]
    pages, _ = read_pages(client, commands)
    return {int(row["ID"]): row for rows in pages.values() for row in rows if isinstance(row, Mapping)}


def _check_failures(
    client: PortalClient,
    forecast: Forecast,
    runs_of: Mapping[int, list[Run]],
    live: LiveState,
    by_key: Mapping[str, Pipeline],
) -> None:
    """Fill ``past_due`` and ``failures`` of every deal robot; one paged read per target pipeline."""
    now = forecast.now
    earliest: dict[str, datetime] = {}  # target live key -> earliest expected date past due
    target_of: dict[int, str | None] = {}
    for n, result in enumerate(forecast.robots):
        item = result.robot
        if item.creates != "deals" or item.target_pipeline is None:
            continue
        due = [r.expected for r in runs_of[n] if r.expected + GRACE <= now]
        target = by_key.get(item.target_pipeline)
        live_key = live_pipeline_key(target, live) if target is not None else None
        target_of[n] = live_key
        if due and live_key is not None:
            earliest[live_key] = min([*due, earliest.get(live_key, due[0])])
    targets = sorted(earliest)
    commands = [
        Command(
            f"t{i}",
            "crm.deal.list",
            {
                "filter": {
                    "CATEGORY_ID": live.pipeline_ids[key],
                    ">=DATE_CREATE": earliest[key].date().isoformat(),
                },
                "order": {"ID": "ASC"},
                "select": ["ID", "TITLE", "DATE_CREATE"],
            },
        )
        for i, key in enumerate(targets)
    ]
    pages, _ = read_pages(client, commands) if commands else ({}, {})
    candidates: dict[str, list[Candidate]] = {}
    for i, key in enumerate(targets):
        found = candidates.setdefault(key, [])
        for row in pages.get(f"t{i}", []):
            created = _parse_time(row.get("DATE_CREATE"))
            if created is not None:
                found.append(Candidate(int(row["ID"]), str(row.get("TITLE") or ""), created))
    for n, live_key in target_of.items():
        result = forecast.robots[n]
        pool = candidates.get(live_key, []) if live_key is not None else []
        result.past_due, result.failures = silent_failures(
            runs_of[n], pool, now, template=result.robot.deal_title
        )


def forecast(
    paths: Sequence[Path],
    *,
    portal: str = "local",
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
    months: int = 12,
    now: datetime | None = None,
) -> Forecast:
    """Load the blueprint at ``paths`` and forecast its delayed robots on ``portal``. Never writes."""
    from b24provision.blueprint import load_blueprint
    from b24provision.portal.connect import open_portal

    blueprint = load_blueprint(paths, variables=dict(variables or {}), values_files=values_files)
    with open_portal(portal, portals_file=portals_file) as client:
        return read_forecast(client, blueprint, months=months, now=now)


# ------------------------------------------------------------------------------------ rendering
