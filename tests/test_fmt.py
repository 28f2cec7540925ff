"""`b24provision fmt`: one layout for every blueprint file, comments kept, `--check` for pull requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.fmt import format_text

REPO = Path(__file__).resolve().parents[1]

MESSY = """\
# The service pipeline.
version: 1
pipelines:
- key: service   # matched by name
  name: 'Service'
  stages:
      - {code: NEW, name: Request, color: '#39A8EF'}
      - code: DONE
        name:   Done
        semantics: success
fields:
  -   code: CONTRACT_NO
      type: string
      label: {ru: Номер договора, en: Contract number}
"""

FORMATTED = """\
# The service pipeline.
version: 1
pipelines:
  - key: service # matched by name
    name: "Service"
    stages:
      - {code: NEW, name: Request, color: "#39A8EF"}
      - code: DONE
        name: Done
        semantics: success
fields:
  - code: CONTRACT_NO
    type: string
    label: {ru: Номер договора, en: Contract number}
"""


def test_the_canonical_layout_keeps_comments_flow_style_and_meaning() -> None:
    assert format_text(MESSY) == FORMATTED
    assert format_text(FORMATTED) == FORMATTED  # formatting is idempotent


def test_every_shipped_blueprint_is_formatted() -> None:
    result = CliRunner().invoke(app, ["fmt", "--check", str(REPO / "blueprints")])
    assert result.exit_code == 0, result.output
    assert re.search(r"\b\d+ files formatted already", result.stderr), result.stderr
    one = CliRunner().invoke(
        app, ["fmt", "--check", str(REPO / "blueprints" / "kitchen-subtasks" / "blueprint.yaml")]
    )
    assert "1 file formatted already" in one.stderr, one.stderr


def test_check_exits_1_and_names_the_file_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "deals.yaml").write_text(MESSY, encoding="utf-8")
    (tmp_path / "ok.yaml").write_text(FORMATTED, encoding="utf-8")
    result = CliRunner().invoke(app, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"not formatted: {tmp_path / 'deals.yaml'}" in result.stderr
    assert "ok.yaml" not in result.stderr
    assert (tmp_path / "deals.yaml").read_text(encoding="utf-8") == MESSY


def test_diff_prints_a_unified_diff_and_changes_nothing(tmp_path: Path) -> None:
    file = tmp_path / "deals.yaml"
    file.write_text(MESSY, encoding="utf-8")
    result = CliRunner().invoke(app, ["fmt", "--diff", str(file)])
    assert result.exit_code == 0
    assert f"--- {file}\n+++ {file}\n" in result.stdout
    assert "\n-- key: service   # matched by name\n" in result.stdout
    assert "\n+  - key: service # matched by name\n" in result.stdout
    assert file.read_text(encoding="utf-8") == MESSY


def test_fmt_rewrites_the_file_which_then_plans_the_same(tmp_path: Path) -> None:
    file = tmp_path / "deals.yaml"
    file.write_text(MESSY, encoding="utf-8")
    result = CliRunner().invoke(app, ["fmt", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert file.read_text(encoding="utf-8") == FORMATTED
    assert f"formatted {file}" in result.stderr
    assert CliRunner().invoke(app, ["fmt", "--check", str(file)]).exit_code == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [("pipelines: [\n", ":2:1: "), ("a: 1\na: 2\n", "duplicate")],
    ids=["syntax", "duplicate-key"],
)
def test_a_file_that_is_not_yaml_is_one_error_line_and_left_alone(
    tmp_path: Path, text: str, message: str
) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["fmt", str(file)])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {file}") and message in line, line
    assert file.read_text(encoding="utf-8") == text


def test_a_symbolic_link_in_a_directory_is_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(MESSY, encoding="utf-8")
    tree = tmp_path / "blueprints"
    tree.mkdir()
    (tree / "deals.yaml").symlink_to(outside)
    (tree / "linked").symlink_to(tmp_path, target_is_directory=True)
    result = CliRunner().invoke(app, ["fmt", str(tree)])
    assert result.exit_code == 0, result.output
    assert outside.read_text(encoding="utf-8") == MESSY
