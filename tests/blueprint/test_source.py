"""Reading YAML: YAML 1.2 values, positions, anchors within bounds, standard input, the size limit.

The hostile cases (billion laughs, deep nesting, NUL bytes, unknown tags, ...) are in
tests/badinput/cases.py; these are the ordinary uses that the limits must leave working.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from blueprint_snippets import BASE
from typer.testing import CliRunner

from b24provision.blueprint import load_blueprint, loader, source, validate
from b24provision.blueprint.model import Location
from b24provision.blueprint.source import parse_yaml, read_yaml
from b24provision.cli import app

ROOT = Path(__file__).resolve().parents[2]


def data_of(text: str) -> Any:
    doc, problems = parse_yaml(text, "bp.yaml")
    assert doc is not None, problems
    return doc.data


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),  # YAML 1.2: the Norway problem does not exist
        ("NO", "NO"),
        ("on", "on"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("", None),
        ("null", None),
        ("010", 10),
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", 1000),
        ("-5", -5),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("1:30", "1:30"),  # no sexagesimal numbers
        ("2024-01-01", "2024-01-01"),  # dates stay the text they are written as
        ("2024-01-01 10:00:00", "2024-01-01 10:00:00"),
        ("'true'", "true"),
        ('"010"', "010"),
        ("!!str 12", "12"),
        ("!!int '12'", 12),
        ("!!float 1", 1.0),
        ("! 12", "12"),
        ("+", "+"),
        ("0x", "0x"),
    ],
)
def test_scalars_are_read_as_yaml_1_2(text: str, value: Any) -> None:
    assert data_of(f"k: {text}\n") == {"k": value}


YES_NO_TEXT = """\
pipelines:
  - key: general
    name: General
    default: yes
    stages:
      - {code: NEW, name: New}
      - {code: WON, name: Won, semantics: success}
      - {code: LOSE, name: Lost, semantics: failure}
fields:
  - {code: VIP, label: VIP, type: boolean, default: "on", multiple: no, mandatory: 1}
"""


def test_a_yes_no_key_takes_true_or_false_not_the_text_yes(tmp_path: Path) -> None:
    """`default: yes` is the text "yes" under YAML 1.2, so it is an error, not a quiet true."""
    path = tmp_path / "bp.yaml"
    path.write_text(YES_NO_TEXT)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    text = "expected true or false, got {} — write true or false (YAML 1.2 reads it as text)"
    assert f"{path}:4:14: pipelines[0].default: {text.format(repr('yes'))}" in result.stdout
    assert f"fields[0].default: {text.format(repr('on'))}" in result.stdout
    assert f"fields[0].multiple: {text.format(repr('no'))}" in result.stdout
    assert "fields[0].mandatory: expected true or false, got 1" in result.stdout
    assert "not valid; 4 errors" in result.stdout


def test_infinity_is_a_float() -> None:
    assert data_of("k: -.inf\n") == {"k": -math.inf}


def test_every_value_and_key_has_its_position() -> None:
    doc, _ = parse_yaml("pipelines:\n  - key: sales\n    stages: [{code: NEW}]\n", "bp.yaml")
    assert doc is not None
    where = {path: (loc.line, loc.col) for path, loc in doc.values.items()}
    assert where[("pipelines",)] == (1, 1)  # a list is located at its key
    assert where[("pipelines", 0)] == (2, 5)  # a list item at the item
    assert where[("pipelines", 0, "key")] == (2, 10)  # a scalar at the value
    assert where[("pipelines", 0, "stages", 0, "code")] == (3, 21)
    assert (doc.keys[("pipelines", 0, "stages")].line, doc.keys[("pipelines", 0, "stages")].col) == (3, 5)
    # Made without validation for speed: still the same value as a validated Location.
    made = doc.values[("pipelines", 0, "key")]
    real = Location(path="bp.yaml", line=2, col=10)
    assert made == real and hash(made) == hash(real) and {made: 1}[real] == 1
    assert made.model_dump_json() == '{"path":"bp.yaml","line":2,"col":10}'


def test_anchors_aliases_and_merge_keys_within_the_limit_still_work() -> None:
    data = data_of(
        "base: &base {semantics: process, color: '#39A8EF'}\n"
        "stages:\n"
        + "".join(f"  - {{<<: *base, code: S{i}}}\n" for i in range(30))
        + "  - {<<: *base, code: LAST, color: '#000000'}\n"
    )
    assert data["stages"][0] == {"code": "S0", "semantics": "process", "color": "#39A8EF"}
    assert data["stages"][-1]["color"] == "#000000"  # a key written out wins over a merged one


def test_an_error_in_a_merged_value_points_at_the_merge(check: Callable[..., Any]) -> None:
    report = check(
        "pipelines:\n  - key: sales\n    name: Продажи\n    stages:\n"
        "      - &stage {code: NEW, name: Новая, colour: red}\n"
        "      - {<<: *stage, code: WON}\n"
    )
    assert [(p.line, p.col) for p in report.errors] == [(5, 41), (6, 14)]  # the anchor, the merge
    assert all("unknown key 'colour'" in p.message for p in report.errors)


def test_the_size_limit_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 100)
    at_limit, over = tmp_path / "a.yaml", tmp_path / "b.yaml"
    at_limit.write_text("k: " + "x" * 96 + "\n")
    over.write_text("k: " + "x" * 97 + "\n")
    assert read_yaml(at_limit)[0] is not None
    doc, problems = read_yaml(over)
    assert doc is None and [p.code for p in problems] == ["too-large"]


def test_the_readme_states_the_limits() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert source.MAX_FILE_BYTES == 5_000_000 and "5 MB" in readme
    assert f"deeper than {source.MAX_DEPTH} levels" in readme
    assert f"{source.MAX_VALUES:,} values" in readme and f"{source.MAX_ALIAS_VALUES:,} values" in readme
    assert "-` reads the blueprint from standard input" in readme


def test_a_blueprint_on_standard_input() -> None:
    result = CliRunner().invoke(app, ["validate", "-"], input=BASE)
    assert result.exit_code == 0, result.output
    assert "<stdin>: 1 pipeline" in result.stdout


def test_dev_stdin_in_a_real_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "b24provision", "validate", "/dev/stdin"],
        input=BASE.replace("code: NEW", "code: new"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "<stdin>:5:" in done.stdout + done.stderr


def test_a_symlinked_part_of_a_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "shared.yaml").write_text("fields:\n  - {code: SIZE, type: string}\n", encoding="utf-8")
    (tmp_path / "bp").mkdir()
    (tmp_path / "bp" / "main.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "bp" / "fields.yaml").symlink_to(tmp_path / "shared.yaml")
    assert [f.code for f in load_blueprint([tmp_path / "bp"]).fields] == ["SIZE"]


def test_a_broken_symlink_given_as_the_path_is_named(tmp_path: Path) -> None:
    (tmp_path / "bp.yaml").symlink_to(tmp_path / "gone.yaml")
    (problem,) = validate([tmp_path / "bp.yaml"]).errors
    assert "broken symbolic link" in problem.message


def test_the_value_budget_is_for_the_whole_blueprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_VALUES", 40)
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")  # 22 values: fits alone
    (tmp_path / "b.yaml").write_text(
        "fields:\n" + "".join(f"  - {{code: X{i}, type: string}}\n" for i in range(6)), encoding="utf-8"
    )
    assert validate([tmp_path / "a.yaml"]).ok and validate([tmp_path / "b.yaml"]).ok
    (problem,) = validate([tmp_path]).errors
    assert problem.path.endswith("b.yaml") and problem.code == "yaml/too-many-values"
