"""Robots in a plan: every robot of every shipped blueprint is a manual step, in Russian and English.

REST can neither read nor write robots on stages, so `plan` never calls them unchanged: it lists
each one — pipeline, stage, robot type, every setting — in the portal UI's words, and after apply
still lists them while `--detailed-exitcode` says 0 (nothing left that apply could do).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.blueprint import load_blueprint
from b24provision.blueprint.smart_section import section_blueprint
from b24provision.cli import app
from b24provision.robots.describe import describe_robot
from b24provision.robots.keys import robot_key, robot_name

BLUEPRINTS = Path(__file__).resolve().parents[2] / "blueprints"
SHIPPED = sorted(p for p in BLUEPRINTS.iterdir() if p.is_dir())


def _args(directory: Path, portal: Path, *more: str) -> list[str]:
    values = directory / "values" / "staging.yaml"
    extra = ["--values", str(values)] if values.exists() else []
    return [str(directory), "--portal", f"local:{portal}", *extra, *more]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_blueprints_are_shipped() -> None:
    assert {p.name for p in SHIPPED} >= {"kitchen-child-deals", "kitchen-subtasks", "recurring-deals"}


@pytest.mark.parametrize("directory", SHIPPED, ids=lambda p: p.name)
def test_every_robot_is_a_manual_step_in_both_languages_before_and_after_apply(
    directory: Path, tmp_path: Path
) -> None:
    portal = tmp_path / "portal.sqlite"
    values = directory / "values" / "staging.yaml"
    blueprint = load_blueprint([directory], values_files=[values] if values.exists() else [])
    # The deal's pipelines, then each smart process's (described in its own section, as the plan does).
    views = [("deal", blueprint)] + [
        (sp.key, section_blueprint(blueprint, i)) for i, sp in enumerate(blueprint.smart_processes)
    ]
    robots = [
        (entity, view, pipeline, stage, k, robot)
        for entity, view in views
        for pipeline in view.pipelines
        for stage in pipeline.stages
        for k, robot in enumerate(stage.robots)
    ]
    assert robots, "a shipped blueprint without robots tells nothing here"

    # JSON: one `manual` operation per robot, keyed by its name on the stage, with the UI's settings.
    code, out = _run("plan", *_args(directory, portal, "--format", "json", "--lang", "en"))
    assert code == 0, out
    manual = [op for op in json.loads(out)["operations"] if op["action"] == "manual"]
    assert sorted(op["key"] for op in manual) == sorted(
        f"{e}:" + robot_key(p.key, s.code, robot_name(r)) for e, _, p, s, _, r in robots
    )
    by_key = {op["key"]: op for op in manual}
    for entity, view, pipeline, stage, _, robot in robots:
        op = by_key[f"{entity}:" + robot_key(pipeline.key, stage.code, robot_name(robot))]
        described = describe_robot(robot, view, "en", "deal" if entity == "deal" else "smart")
        assert op["after"]["title"] == described.title
        assert op["after"]["settings"] == [list(pair) for pair in described.settings]

    # Text, in each language: pipeline -> stage -> robot type, then every setting on its own line.
    for lang in ("ru", "en"):
        code, out = _run("plan", *_args(directory, portal, "--lang", lang))
        assert code == 0, out
        for entity, view, pipeline, stage, k, robot in robots:
            described = describe_robot(robot, view, lang, "deal" if entity == "deal" else "smart")
            assert f"  {pipeline.name} -> {stage.name} -> robot {k + 1}: {described.title}\n" in out
            for label, value in described.settings:
                assert f"      {label}: {value}\n" in out

    code, out = _run("apply", *_args(directory, portal, "--auto-approve", "--allow-delete"))
    assert code == 0, out
    assert "verified: portal matches the blueprint" in out

    code, out = _run("plan", *_args(directory, portal, "--detailed-exitcode", "--lang", "ru"))
    assert code == 0, out  # robots alone are no changes apply could make...
    n = len(robots)
    assert out.startswith(f"No changes. {n} robot{'s' if n > 1 else ''} to check by hand.\n")
    _, view, pipeline, stage, _, robot = robots[0]
    assert f"{pipeline.name} -> {stage.name} -> robot 1: {describe_robot(robot, view, 'ru').title}" in out
    assert "Unchanged" not in out  # ...but never reported as unchanged either

    code, out = _run("plan", *_args(directory, portal, "--format", "json", "--detailed-exitcode"))
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["has_changes"] is False and doc["summary"]["manual"] == n


def test_the_seed_pattern_reads_as_the_portal_says_it(tmp_path: Path) -> None:
    """The seed's robot, word for word as the Russian UI shows it (seeds/002)."""
    directory = BLUEPRINTS / "recurring-deals"
    code, out = _run("plan", *_args(directory, tmp_path / "portal.sqlite", "--lang", "ru"))
    assert code == 0, out
    step = out[out.index("Расходные материалы -> Отгружено -> robot 1: Копировать сделку") :]
    assert step.splitlines()[1:9] == [
        "      Название робота: Повторная сделка через месяц",
        "      Название сделки: Повторный заказ расходных материалов",
        "      Перенести в воронку: Повторные продажи",
        "      Начальная стадия: Новая повторная сделка (NEW)",
        "      Ответственный: сотрудник с ID 1 (проверьте ID на этом портале)",
        "      Сумма: обнуляется в копии: на стадии Новая повторная сделка (NEW) воронки «Повторные продажи» "
        "добавьте «Изменить элемент» с полем Сумма = 0",
        "      Выполнить: через 30 дней",  # the UI sets days, not months
        "      Выполнение: параллельно",
    ]


def test_an_unknown_language_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["plan", str(BLUEPRINTS / "recurring-deals"), "--lang", "de"])
    assert result.exit_code == 1
    assert "Invalid value for '--lang': 'de' is not one of: en, ru" in result.output
