"""Loading: directories and collections, merging files, variables per environment, the shipped blueprints."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from blueprint_snippets import BASE, with_robots

from b24provision.blueprint import load_blueprint, validate, validate_each
from b24provision.blueprint.model import CopyDealRobot, CreateTaskRobot
from b24provision.errors import BlueprintError

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = ROOT / "blueprints"
SHIPPED = sorted(d for d in BLUEPRINTS.iterdir() if d.is_dir())


# ------------------------------------------------------------------------------- shipped blueprints


def test_there_are_four_shipped_alternatives() -> None:
    assert [d.name for d in SHIPPED] == [
        "kitchen-child-deals",
        "kitchen-smart-processes",
        "kitchen-subtasks",
        "recurring-deals",
    ]


def test_the_blueprints_readme_lists_every_shipped_blueprint() -> None:
    table = set(
        re.findall(r"^\| `([a-z-]+)/` \|", (BLUEPRINTS / "README.md").read_text(encoding="utf-8"), re.M)
    )
    assert table == {d.name for d in SHIPPED}


@pytest.mark.parametrize("directory", SHIPPED, ids=[d.name for d in SHIPPED])
@pytest.mark.parametrize("env", [None, "staging", "production"])
def test_shipped_blueprint_validates_without_errors(directory: Path, env: str | None) -> None:
    values = [directory / "values" / f"{env}.yaml"] if env else []
    report = validate([directory], values_files=values)
    assert report.ok, "\n".join(map(str, report.problems))
    assert report.blueprint is not None and report.blueprint.pipelines


def test_shipped_blueprints_start_with_the_schema_modeline() -> None:
    for path in BLUEPRINTS.glob("*/*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/blueprint.schema.json", path
        assert (path.parent / "../../schema/blueprint.schema.json").resolve().is_file()


def test_the_collection_is_validated_one_blueprint_at_a_time() -> None:
    reports = validate_each([BLUEPRINTS])
    assert [Path(r.name).name for r in reports] == [d.name for d in SHIPPED]
    assert all(r.ok for r in reports)


def test_the_recurring_seed_pattern_stays_visible_as_a_warning() -> None:
    report = validate([BLUEPRINTS / "recurring-deals"])
    assert [p.code for p in report.warnings] == ["lint/long-delay-on-success"]
    assert report.warnings[0].path.endswith("seed-pattern.yaml")


def test_child_deals_store_their_ids_and_do_not_duplicate_amounts() -> None:
    bp = load_blueprint([BLUEPRINTS / "kitchen-child-deals"])
    copies = [r for p in bp.pipelines for s in p.stages for r in s.robots if isinstance(r, CopyDealRobot)]
    assert {c.to_pipeline for c in copies} == {"measurement", "production", "delivery", "assembly"}
    assert all(c.store_id_in == "CHILD_DEALS" and not c.keep_amount for c in copies)


def test_load_blueprint_refuses_a_collection_with_a_clear_next_step() -> None:
    with pytest.raises(BlueprintError, match="names 4 blueprints .* pass one of them"):
        load_blueprint([BLUEPRINTS])


# ------------------------------------------------------------------------------------ variables


def _responsibles(bp_dir: Path, env: str) -> set[str]:
    bp = load_blueprint([bp_dir], values_files=[bp_dir / "values" / f"{env}.yaml"])
    return {
        r.responsible
        for p in bp.pipelines
        for s in p.stages
        for r in s.robots
        if isinstance(r, CreateTaskRobot)
    }


def test_staging_and_production_values_give_different_responsible_users() -> None:
    directory = BLUEPRINTS / "kitchen-subtasks"
    staging, production = _responsibles(directory, "staging"), _responsibles(directory, "production")
    assert staging == {"user:1"}
    assert production == {"user:12", "user:9", "user:7", "user:15", "user:21"}


def test_var_option_beats_values_file_and_whole_value_keeps_its_type(write: Callable[..., Path]) -> None:
    path = write(
        "variables:\n  who: responsible\n  sort: 10\n"
        + with_robots("- type: notify\n  to: ${who}\n  message: 'for ${who}, sort ${sort}'\n").replace(
            "    name: Продажи\n", "    name: Продажи\n    sort: ${sort}\n"
        )
    )
    values = write("who: user:5\nsort: 7\n", name="values/env.yaml")
    bp = load_blueprint([path], values_files=[values], variables={"who": "user:8"})
    robot = bp.pipelines[0].stages[1].robots[0]
    assert robot.to == "user:8"  # type: ignore[union-attr]
    assert robot.message == "for user:8, sort 7"  # type: ignore[union-attr]
    assert bp.pipelines[0].sort == 7


def test_escaped_dollar_brace_is_literal(write: Callable[..., Path]) -> None:
    bp = load_blueprint([write(with_robots("- type: notify\n  message: 'cost $${price}'\n"))])
    assert bp.pipelines[0].stages[1].robots[0].message == "cost ${price}"  # type: ignore[union-attr]


def test_value_for_an_undeclared_variable_points_at_the_values_file(write: Callable[..., Path]) -> None:
    path = write("variables:\n  manager: responsible\n")
    values = write("manager: user:1\nmanagr: user:2\n", name="values/prod.yaml")
    report = validate([path], values_files=[values])
    (problem,) = report.errors
    assert (Path(problem.path).name, problem.line, problem.col) == ("prod.yaml", 2, 1)
    assert "did you mean 'manager'" in problem.message


def test_unknown_var_option_is_named(write: Callable[..., Path]) -> None:
    report = validate([write("variables:\n  manager: responsible\n")], variables={"boss": "user:1"})
    assert str(report.errors[0]).startswith("--var boss: a value is given for 'boss'")


def test_required_variable_given_on_the_command_line(write: Callable[..., Path]) -> None:
    path = write(
        "variables:\n  manager: null\n" + with_robots("- type: notify\n  to: ${manager}\n  message: hi\n")
    )
    assert not validate([path]).ok
    bp = load_blueprint([path], variables={"manager": "user:3"})
    assert bp.pipelines[0].stages[1].robots[0].to == "user:3"  # type: ignore[union-attr]


def test_a_substituted_value_that_is_invalid_points_at_the_reference(write: Callable[..., Path]) -> None:
    path = write(
        "variables:\n  manager: responsible\n"
        + with_robots("- type: notify\n  to: ${manager}\n  message: x\n")
    )
    report = validate([path], variables={"manager": "Иван"})
    (problem,) = report.errors
    assert (problem.line, problem.col) == (14, 17)
    assert "'Иван' (from ${manager}) is not valid — a person is 'responsible'" in problem.message


# ------------------------------------------------------------------------------ files and merging


def test_files_of_a_directory_merge_with_locations_in_their_own_file(write: Callable[..., Path]) -> None:
    a = write("tariff: crm_plus\n" + BASE, name="bp/a.yaml")
    write(BASE.replace("key: sales", "key: repeat").replace("Продажи", "Повторные"), name="bp/b.yaml")
    write("not: a blueprint\n", name="bp/values/staging.yaml")  # values/ is not read as a blueprint
    bp = load_blueprint([a.parent])
    assert [p.key for p in bp.pipelines] == ["sales", "repeat"]
    where = bp.locate("pipelines", 1, "stages", 2, "code")
    assert where is not None and (Path(where.path).name, where.line, where.col) == ("b.yaml", 10, 15)
    first = bp.locate("pipelines", 0, "key")
    assert first is not None and (Path(first.path).name, first.line) == ("a.yaml", 3)


def test_an_error_in_the_second_file_points_into_it(write: Callable[..., Path]) -> None:
    a = write(BASE, name="bp/a.yaml")
    write(
        BASE.replace("key: sales", "key: repeat")
        .replace("Продажи", "Повторные")
        .replace("code: WON", "code: won"),
        name="bp/b.yaml",
    )
    (problem,) = validate([a.parent]).errors
    assert (Path(problem.path).name, problem.line, problem.col) == ("b.yaml", 7, 15)
    assert problem.message.startswith("pipelines[1].stages[1].code:")


def test_scalars_must_agree_and_variables_must_not_repeat(write: Callable[..., Path]) -> None:
    a = write("tariff: crm_plus\nvariables:\n  who: responsible\n", name="bp/a.yaml")
    write("tariff: team\nvariables:\n  who: author\n", name="bp/b.yaml")
    problems = validate([a.parent]).errors
    assert [(Path(p.path).name, p.line, p.col) for p in problems] == [("b.yaml", 1, 9), ("b.yaml", 3, 3)]
    assert "'tariff' is 'team' here but 'crm_plus' at" in problems[0].message
    assert "variable 'who' is declared twice" in problems[1].message


def test_files_given_together_are_one_blueprint(write: Callable[..., Path]) -> None:
    a = write(BASE, name="a.yaml")
    b = write("fields:\n  - {type: string, code: NOTE}\n", name="b.yaml")
    bp = load_blueprint([a, b])
    assert [f.code for f in bp.fields] == ["NOTE"] and len(bp.pipelines) == 1


def test_load_blueprint_raises_with_every_problem(write: Callable[..., Path]) -> None:
    path = write(BASE.replace("code: NEW", "code: new").replace("key: sales", "key: Sales"))
    with pytest.raises(BlueprintError) as caught:
        load_blueprint([path])
    assert len(caught.value.problems) == 2
    assert str(caught.value).count("\n") == 1  # one line per problem


# ------------------------------------------------------------------ variables that use variables


def test_a_variable_may_use_other_variables(write: Callable[..., Path]) -> None:
    path = write(
        "variables:\n  city: Москва\n  office: '${city}: офис'\n  literal: '$${city}'\n"
        "description: '${office} / ${literal}'\n" + BASE.replace("name: Продажи", "name: ${office}")
    )
    bp = load_blueprint([path], variables={"city": "Казань"})
    assert bp.pipelines[0].name == "Казань: офис"
    assert bp.description == "Казань: офис / ${city}"


def test_variables_in_a_cycle_are_named_not_written_into_a_name(write: Callable[..., Path]) -> None:
    path = write(
        "variables:\n  a: '${b}'\n  b: 'x ${c}'\n  c: '${a}'\n" + BASE.replace("name: Продажи", "name: ${a}")
    )
    (problem,) = validate([path]).errors
    assert (problem.line, problem.col) == (2, 3)
    assert "variables a -> b -> c -> a refer to each other in a cycle" in problem.message
