"""Robots are named on their stage, not numbered: a key survives inserting a robot before it.

A plan's manual step (and ``robots check``) keys a robot by its ``id:``, else by its type and title
(or, untitled, what it does). Two robots of one stage with one name cannot be told apart:
``validate`` refuses them in one line that points at the second and asks for an ``id:``.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter
from typer.testing import CliRunner

from b24provision.blueprint.model import Robot
from b24provision.cli import app
from b24provision.robots.keys import distinct_names, robot_name

BLUEPRINT = """\
pipelines:
  - key: sales
    name: Продажи
    default: true
    stages:
      - code: NEW
        name: Новая
      - code: WON
        name: Успех
        semantics: success
        robots:
ROBOTS      - code: LOSE
        name: Провал
        semantics: failure
"""

ROBOTS = """\
          - {type: wait, duration: 1 month}
          - {type: copy_deal, to_pipeline: sales, title: Repeat, after_previous: true}
          - {id: call_back, type: create_task, task_title: Call the client}
"""


def _write(tmp_path: Path, robots: str) -> Path:
    path = tmp_path / "blueprint.yaml"
    path.write_text(BLUEPRINT.replace("ROBOTS", robots), encoding="utf-8")
    return path


def _manual_keys(path: Path, portal: Path) -> list[str]:
    result = CliRunner().invoke(app, ["plan", str(path), "--portal", f"local:{portal}", "--format", "json"])
    assert result.exit_code == 0, result.output
    return [op["key"] for op in json.loads(result.stdout)["operations"] if op["action"] == "manual"]


def test_a_robot_keeps_its_key_when_another_is_put_before_it(tmp_path: Path) -> None:
    portal = tmp_path / "portal.sqlite"
    before = _manual_keys(_write(tmp_path, ROBOTS), portal)
    assert before == [
        "deal:sales/WON/robot[wait:1 month]",
        "deal:sales/WON/robot[copy_deal:Repeat]",
        "deal:sales/WON/robot[call_back]",
    ]
    inserted = "          - {type: notify, message: Won!}\n" + ROBOTS
    after = _manual_keys(_write(tmp_path, inserted), portal)
    assert after == ["deal:sales/WON/robot[notify:Won!]", *before]


def test_two_robots_of_one_name_on_a_stage_are_refused_with_their_place(tmp_path: Path) -> None:
    twice = ROBOTS + "          - {type: wait, duration: 1 month}\n"
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, twice))])
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "same name" in line)
    assert "blueprint.yaml:15:13: robot sales/WON#4 has the same name 'wait:1 month'" in line
    assert "give one an id:" in line
    with_id = ROBOTS + "          - {id: second_pause, type: wait, duration: 1 month}\n"
    assert CliRunner().invoke(app, ["validate", str(_write(tmp_path, with_id))]).exit_code == 0


def test_robots_read_from_a_portal_that_share_a_name_get_an_id_so_the_export_validates() -> None:
    # The portal may hold two robots a blueprint cannot tell apart (`export --robots-from` writes them).
    pause = {"type": "wait", "duration": "1 day"}
    robots = TypeAdapter(list[Robot]).validate_python([pause, {**pause, "title": "Wait"}, pause, pause])
    assert [robot_name(r) for r in distinct_names(robots)] == ["wait:1 day", "wait:Wait", "wait_2", "wait_3"]
