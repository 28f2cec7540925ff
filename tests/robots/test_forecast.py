"""The forecast of delayed robots (seed 2): expected dates, the month table, silent failures.

The pure part is checked without a server; the reading part against an emulator portal holding
the shipped recurring-deals blueprint and a year of won deals, their stage history backdated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.api import plan_against
from b24provision.apply import apply_plan
from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.cli import app
from b24provision.emulator import Emulator, PortalSettings, serve_in_thread
from b24provision.forecast import (
    Candidate,
    Forecast,
    Run,
    add_duration,
    delayed_robots,
    expected_date,
    month_table,
    read_forecast,
    render_text,
    silent_failures,
    to_json,
)
from b24provision.portal.client import Command, PortalClient
from b24provision.portal.credentials import WebhookCredentials
from b24provision.state.rest import read_portal, status_id

MSK = timezone(timedelta(hours=3))
BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
RECURRING = BLUEPRINTS / "recurring-deals"


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=MSK)


# ------------------------------------------------------------------------------------ pure part


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (at(2026, 1, 31), "1 month", at(2026, 2, 28)),  # calendar month, clamped to the month's end
        (at(2026, 3, 15), "1 month", at(2026, 4, 15)),
        (at(2026, 11, 30), "3 months", at(2027, 2, 28)),
        (at(2024, 2, 29), "1 year", at(2025, 2, 28)),
        (at(2026, 5, 15), "2 weeks", at(2026, 5, 29)),
        (at(2026, 5, 15), "10 minutes", at(2026, 5, 15) + timedelta(minutes=10)),
        (at(2026, 5, 15), "1 workday", at(2026, 5, 18)),  # a Friday: the next working day is Monday
        (at(2026, 5, 13), "4 workdays", at(2026, 5, 19)),
    ],
)
def test_durations_are_added_as_the_portal_counts_them(
    start: datetime, duration: str, expected: datetime
) -> None:
    assert add_duration(start, duration) == expected


def test_a_chain_of_waits_adds_up() -> None:
    assert expected_date(at(2026, 1, 31), ["1 month", "3 days"]) == at(2026, 3, 3)


def test_delayed_robots_are_the_deal_creators_after_a_pause_and_tasks_with_a_deadline(
    recurring: Blueprint, child_deals: Blueprint
) -> None:
    found: list[tuple[object, ...]] = [
        (r.stage.code, r.robot.type, r.creates, r.waits, r.target_pipeline) for r in delayed_robots(recurring)
    ]
    assert found == [
        # create_deal runs after the month-long pause robot before it ("after previous").
        ("WON", "create_deal", "deals", ("1 month",), "repeat"),
        # create_task starts at once, in parallel: only its deadline counts.
        ("WON", "create_task", "tasks", ("1 month",), None),
    ]
    found = [(r.stage.code, r.robot.type, r.waits) for r in delayed_robots(child_deals)]
    # The immediate copy to measurement is not forecast; the measurement task is (3 days).
    assert found == [("WON", "copy_deal", ("1 month",)), ("TODO", "create_task", ("3 days",))]


def test_a_wait_robot_delays_only_what_runs_after_it() -> None:
    blueprint = Blueprint.model_validate(
        {
            "pipelines": [
                {"key": "p", "name": "P", "stages": [
                    {"code": "WON", "name": "Won", "semantics": "success", "robots": [
                        {"type": "wait", "duration": "1 month"},
                        {"type": "copy_deal", "to_pipeline": "p"},  # parallel: runs at once
                    ]},
                ]},
            ]
        }
    )  # fmt: skip
    assert delayed_robots(blueprint) == []


def run(deal_id: int, expected: datetime, amount: str = "100", currency: str = "RUB", title: str = "") -> Run:
    return Run(
        deal_id,
        title or f"Deal {deal_id}",
        Decimal(amount),
        currency,
        expected - timedelta(days=30),
        expected,
    )


def test_month_table_counts_runs_to_come_by_month_and_currency() -> None:
    now = at(2026, 5, 15)
    runs = [
        run(1, at(2026, 5, 10)),  # already past: in no row
        run(2, at(2026, 5, 20), "1000"),
        run(3, datetime(2026, 5, 31, 23, 30, tzinfo=MSK), "500", "USD"),  # still May on the portal's clock
        run(4, datetime(2026, 5, 31, 21, 30, tzinfo=UTC), "7"),  # June 1st, 00:30 in Moscow
        run(5, at(2026, 7, 1), "2.50"),
        run(6, at(2026, 8, 1)),  # after the 3 months shown
    ]
    rows, later = month_table(runs, now, 3)
    assert [(r.month, r.count, r.sums) for r in rows] == [
        ("2026-05", 2, {"RUB": Decimal("1000"), "USD": Decimal("500")}),
        ("2026-06", 1, {"RUB": Decimal("7")}),
        ("2026-07", 1, {"RUB": Decimal("2.50")}),
    ]
    assert later == 1


def test_month_table_crosses_the_year() -> None:
    rows, _ = month_table([], at(2026, 11, 2), 3)
    assert [r.month for r in rows] == ["2026-11", "2026-12", "2027-01"]


def test_silent_failures_follow_the_matching_rule() -> None:
    now = at(2026, 5, 15)
    runs = [
        run(1, at(2026, 3, 1), title="Acme"),
        run(2, at(2026, 3, 1), title="Globex"),
        run(3, at(2026, 4, 1), title="Initech"),
        run(4, at(2026, 4, 1), title="Umbrella"),
        run(5, at(2026, 5, 15), title="Hooli"),  # expected today: still within the grace period
        run(6, at(2026, 4, 20), title="Acme"),  # a second Acme run: needs a second repeat deal
    ]
    candidates = [
        Candidate(101, "Repeat: ACME", at(2026, 3, 2)),  # case-insensitive "contains"
        Candidate(102, "Repeat: Globex", at(2026, 2, 27)),  # created before the expected date: no
        Candidate(103, "Initech", at(2026, 4, 1, hour=0)),  # same day counts
        Candidate(104, "Something else", at(2026, 4, 2)),
    ]
    due, missing = silent_failures(runs, candidates, now)
    assert due == 5
    assert [r.deal_id for r in missing] == [2, 4, 6]  # 101 already accounts for run 1


def test_a_fixed_title_template_matches_its_rendering() -> None:
    runs = [run(1, at(2026, 3, 1), title="Acme")]
    candidates = [
        Candidate(101, "Repeat order for Acme?", at(2026, 3, 2)),
        Candidate(102, "Repeat order", at(2026, 3, 3)),
    ]
    _, missing = silent_failures(runs[:1], candidates[1:], at(2026, 5, 1), template="Repeat order")
    assert missing == []
    _, missing = silent_failures(runs[:1], candidates[1:], at(2026, 5, 1), template="Other {{TITLE}}")
    assert [r.deal_id for r in missing] == [1]


# --------------------------------------------------------------------------------- reading part

NOW = at(2026, 5, 15)


def _add_deals(client: PortalClient, deals: list[dict[str, Any]]) -> list[int]:
    commands = [Command(f"a{n}", "crm.deal.add", {"fields": fields}) for n, fields in enumerate(deals)]
    reply = client.batch_all(commands)
    reply.raise_first_error()
    return [int(reply.results[c.key]) for c in commands]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The recurring-deals blueprint applied, and a year of won deals on its two robot stages."""
    state = tmp_path_factory.mktemp("forecast") / "portal.sqlite"
    emulator = Emulator(str(state), PortalSettings(rate_limit=None))
    blueprint = load_blueprint([RECURRING])
    with (
        serve_in_thread(emulator) as server,
        PortalClient(WebhookCredentials(server.webhook_url), rate=None) as client,
    ):
        apply_plan(plan_against(client, blueprint).plan, client, allow_delete=True)
        live = read_portal(client)
        key = {p.name: p.key for p in live.blueprint.pipelines}
        consumables, repeat = (
            live.pipeline_ids[key["Расходные материалы"]],
            live.pipeline_ids[key["Повторные продажи"]],
        )
        won = status_id(live, key["Расходные материалы"], "WON")
        sales_won = status_id(live, key["Продажи"], "WON")

        def deal(
            title: str, amount: str, currency: str = "RUB", stage: str = won, category: int = consumables
        ) -> dict[str, Any]:
            fields = {"TITLE": title, "OPPORTUNITY": amount, "CURRENCY_ID": currency, "STAGE_ID": stage}
            return {**fields, "CATEGORY_ID": category}

        # 110 deals won over a year, each with its repeat deal two days after the expected date.
        old = [(f"Клиент {i:03d}", at(2025, 5, 1) + timedelta(days=3 * i)) for i in range(110)]
        special = [
            ("ООО Пропавший", at(2026, 2, 10), "4000", "RUB"),  # no repeat deal at all
            ("ООО Рано", at(2026, 1, 15), "4000", "RUB"),  # a "repeat" deal made before it was due
            ("Будущий 1", at(2026, 4, 20), "1000", "RUB"),
            ("Будущий 2", at(2026, 5, 2), "2000", "RUB"),
            ("Будущий 3", at(2026, 5, 10), "500", "USD"),
            ("Будущий 4", at(2026, 5, 14), "3000", "RUB"),
            ("Ушедший", at(2026, 5, 5), "9999", "RUB"),  # left the stage again: not counted
        ]
        ids = _add_deals(
            client,
            [deal(title, "100") for title, _ in old]
            + [deal(t, amount, cur) for t, _, amount, cur in special],
        )
        for deal_id, (_, moved) in zip(ids, [*old, *[(s[0], s[1]) for s in special]], strict=True):
            assert emulator.set_stage_history_time(deal_id, moved, won) == 1
        by_title = dict(zip([t for t, _ in old] + [s[0] for s in special], ids, strict=True))
        client.call(
            "crm.deal.update", {"id": by_title["Ушедший"], "fields": {"STAGE_ID": f"C{consumables}:LOSE"}}
        )

        repeats = [
            (f"Повторный заказ: {title}", add_duration(moved, "1 month") + timedelta(days=2))
            for title, moved in old
        ]
        repeats.append(("Повтор: ООО Рано", at(2026, 2, 1)))
        repeat_ids = _add_deals(
            client, [deal(t, "0", stage=f"C{repeat}:NEW", category=repeat) for t, _ in repeats]
        )
        for deal_id, (_, created) in zip(repeat_ids, repeats, strict=True):
            emulator.set_deal_dates(deal_id, date_create=created)

        # The recommended pattern: a task due a month after the sale (the default pipeline).
        tasks = [
            ("Задача 0", at(2026, 4, 1), "50"),
            ("Задача 1", at(2026, 5, 1), "700"),
            ("Задача 2", at(2026, 5, 5), "300"),
        ]
        task_ids = _add_deals(
            client, [deal(t, amount, stage=sales_won, category=0) for t, _, amount in tasks]
        )
        for deal_id, (_, moved, _) in zip(task_ids, tasks, strict=True):
            emulator.set_stage_history_time(deal_id, moved, sales_won)

        yield {"emulator": emulator, "server": server, "ids": by_title, "state": state}
    emulator.close()


@pytest.fixture
def forecast_result(seeded: dict[str, Any]) -> Forecast:
    with PortalClient(WebhookCredentials(seeded["server"].webhook_url), rate=None) as client:
        return read_forecast(client, load_blueprint([RECURRING]), months=12, now=NOW)


def test_the_month_table_of_repeat_deals(forecast_result: Forecast) -> None:
    copy = next(r for r in forecast_result.robots if r.robot.creates == "deals")
    assert (copy.robot.pipeline.name, copy.robot.stage.code, copy.robot.target_name) == (
        "Расходные материалы",
        "WON",
        "Повторные продажи",
    )
    assert copy.runs == 116  # 110 old + 2 special + 4 to come; the deal that left the stage is not counted
    table = {row.month: (row.count, row.sums) for row in copy.rows}
    assert list(table)[0] == "2026-05" and list(table)[-1] == "2027-04"
    assert table["2026-05"] == (1, {"RUB": Decimal("1000.00")})
    assert table["2026-06"] == (3, {"RUB": Decimal("5000.00"), "USD": Decimal("500.00")})
    assert all(count == 0 for count, _ in list(table.values())[2:])
    assert copy.later == 0


def test_silent_failures_on_the_portal(forecast_result: Forecast, seeded: dict[str, Any]) -> None:
    copy = next(r for r in forecast_result.robots if r.robot.creates == "deals")
    assert copy.past_due == 112
    ids = seeded["ids"]
    # the shipped blueprint waits 30 days (the portal's delay has no months): entered + 30 days
    assert [(f.deal_id, f.expected.date().isoformat()) for f in copy.failures] == [
        (ids["ООО Рано"], "2026-02-14"),
        (ids["ООО Пропавший"], "2026-03-12"),
    ]


def test_tasks_due_from_the_recommended_pattern(forecast_result: Forecast) -> None:
    task = next(r for r in forecast_result.robots if r.robot.creates == "tasks")
    assert task.robot.pipeline.name == "Продажи" and task.runs == 3
    table = {row.month: (row.count, row.sums) for row in task.rows if row.count}
    assert table == {"2026-06": (2, {"RUB": Decimal("1000.00")})}
    assert task.failures == [] and task.past_due == 0  # tasks are not checked


def test_the_forecast_reads_in_a_handful_of_batched_requests(forecast_result: Forecast) -> None:
    # read_portal; first pages + clock; 2 more history pages; the deals' amounts; the repeat
    # pipeline's first page; its 2 more pages — 6 requests for 120 history rows and 111 repeat deals.
    assert forecast_result.requests == 6


def test_text_and_json_show_the_numbers(forecast_result: Forecast, seeded: dict[str, Any]) -> None:
    text = render_text(forecast_result, verbose=True)
    assert 'Расходные материалы -> Отгружено -> robot 1: Copy deal "Повторная сделка через месяц"' in text
    assert "  2026-06           3  5,000.00 RUB, 500.00 USD" in text
    assert 'SILENT FAILURES: 2 with no repeat deal in "Повторные продажи"' in text
    assert (
        f'deal {seeded["ids"]["ООО Пропавший"]} "ООО Пропавший": entered 2026-02-10, expected 2026-03-12'
        in text
    )
    assert "Requests: 6" in text
    doc = to_json(forecast_result)
    assert doc["format_version"] == 1 and doc["requests"] == 6
    copy = next(r for r in doc["robots"] if r["creates"] == "deals")
    # named as plans name it, so a robot added before it on the stage does not change its key
    assert copy["key"] == "consumables/WON/robot[copy_deal:Повторная сделка через месяц]"
    june = next(m for m in copy["months"] if m["month"] == "2026-06")
    assert june == {"month": "2026-06", "count": 3, "sums": {"RUB": "5000.00", "USD": "500.00"}}


def test_forecast_command(seeded: dict[str, Any]) -> None:
    # The CLI reads the portal's own clock (today), so only what does not depend on it is checked.
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            str(RECURRING),
            "--portal",
            f"local:{seeded['state']}",
            "--format",
            "json",
            "--months",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    copy = next(r for r in doc["robots"] if r["creates"] == "deals")
    assert copy["runs"] == 116 and len(copy["months"]) == 3
    failed = {f["deal_id"] for f in copy["silent_failures"]}
    assert {seeded["ids"]["ООО Рано"], seeded["ids"]["ООО Пропавший"]} <= failed
