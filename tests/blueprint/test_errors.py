"""Bad blueprints: every problem is one line at the right file:line:col, saying what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from blueprint_snippets import BASE, with_robots

from b24provision.blueprint import ValidationReport


def second_pipeline(key: str, name: str, extra: str = "") -> str:
    return (
        f"  - key: {key}\n    name: {name}\n{extra}    stages:\n"
        "      - {code: NEW, name: Новая}\n"
        "      - {code: WON, name: Успех, semantics: success}\n"
        "      - {code: LOSE, name: Провал, semantics: failure}\n"
    )


ENUM = (
    "fields:\n  - type: enumeration\n    code: S\n    items:\n      - {xml_id: a, value: A, default: true}\n"
)

# (id, YAML, message fragment, line, col)
CASES: list[tuple[str, str, str, int, int]] = [
    # YAML itself
    ("syntax", "pipelines: [\n", "YAML syntax error", 2, 1),
    ("duplicate-key", "tariff: a\ntariff: b\n", "duplicate key 'tariff' (first at line 1)", 2, 1),
    ("top-level-list", "- pipelines\n", "top level must be a mapping", 1, 1),
    ("empty-file", "# nothing yet\n", "the file is empty", 0, 0),
    # unknown keys, with "did you mean" from the model of THAT object
    ("unknown-top-key", "pipelinez: []\n", "did you mean 'pipelines'", 1, 1),
    (
        "unknown-stage-key",
        BASE.replace("        name: Новая\n", "        nmae: Новая\n"),
        "did you mean 'name'",
        6,
        9,
    ),
    (
        "missing-stage-name",
        BASE.replace("        name: Новая\n", "        nmae: Новая\n"),
        "needs 'name'",
        5,
        9,
    ),
    (
        "unknown-enum-key",
        "fields:\n  - type: enumeration\n    code: S\n    itemz: []\n",
        "did you mean 'items'",
        4,
        5,
    ),
    (
        "missing-enum-items",
        "fields:\n  - type: enumeration\n    code: S\n",
        "enumeration field needs 'items'",
        2,
        5,
    ),
    (
        "unknown-robot-key",
        with_robots("- type: copy_deal\n  to_pipelin: sales\n"),
        "did you mean 'to_pipeline'",
        12,
        13,
    ),
    ("unknown-field-type", "fields:\n  - type: strin\n    code: X\n", "unknown field type 'strin'", 2, 11),
    (
        "unknown-robot-type",
        with_robots("- type: copy_dael\n"),
        "did you mean 'copy_deal'? valid types",
        11,
        19,
    ),
    ("robot-without-type", with_robots("- to_pipeline: sales\n"), "a robot needs a type", 11, 13),
    ("missing-stages", "pipelines:\n  - key: sales\n    name: S\n", "a pipeline needs 'stages'", 2, 5),
    # wrong types and values, with the rule in plain words
    (
        "not-a-bool",
        "fields:\n  - type: string\n    code: X\n    multiple: maybe\n",
        "expected true or false",
        4,
        15,
    ),
    ("not-a-list", "pipelines: sales\n", "expected a list", 1, 12),
    ("empty-stages", "pipelines:\n  - key: sales\n    name: S\n    stages: []\n", "at least 1", 4, 5),
    ("stage-code-case", BASE.replace("code: NEW", "code: new"), "stage code uses A-Z, 0-9 or _", 5, 15),
    (
        "stage-code-long",
        BASE.replace("code: NEW", "code: " + "A" * 25),
        "stage code uses A-Z, 0-9 or _",
        5,
        15,
    ),
    ("pipeline-key", BASE.replace("key: sales", "key: Sales"), "pipeline key starts with a-z", 2, 10),
    ("field-code", "fields:\n  - type: string\n    code: x-y\n", "field code uses A-Z", 3, 11),
    (
        "duration",
        with_robots("- type: wait\n  duration: soon\n"),
        "a duration is a number and a unit",
        12,
        23,
    ),
    (
        "person",
        with_robots("- type: notify\n  to: boss\n  message: hi\n"),
        "a person is 'responsible'",
        12,
        17,
    ),
    (
        "color",
        BASE.replace("        name: Новая\n", "        name: Новая\n        color: red\n"),
        "#RRGGBB",
        7,
        16,
    ),
    ("version", "version: 2\n", "the only blueprint format version is 1", 1, 10),
    ("variable-name", "variables:\n  Manager: x\n", "a variable name starts with a-z", 2, 3),
    ("label-value", "fields:\n  - type: string\n    code: X\n    label: {ru: 1}\n", "expected text", 4, 17),
    # variables
    (
        "undeclared-variable",
        with_robots("- type: notify\n  to: ${mgr}\n  message: hi\n"),
        "'${mgr}' refers to an undeclared variable",
        12,
        17,
    ),
    ("required-variable", "variables:\n  manager: null\n", "variable 'manager' is required", 2, 3),
    (
        "malformed-reference",
        with_robots("- type: notify\n  message: 'hi ${manager'\n"),
        "without a closing",
        12,
        22,
    ),
    (
        "bad-reference-name",
        with_robots("- type: notify\n  message: 'x ${Bad}'\n"),
        "not a variable reference",
        12,
        22,
    ),
    # cross-object checks
    ("duplicate-stage-code", BASE.replace("code: WON", "code: NEW"), "stage code 'NEW' is used twice", 7, 15),
    ("no-success-stage", BASE.replace("        semantics: success\n", ""), "has no success stage", 4, 5),
    ("no-failure-stage", BASE.replace("        semantics: failure\n", ""), "has no failure stage", 4, 5),
    (
        "two-success-stages",
        BASE.replace("semantics: failure", "semantics: success"),
        "is a second success stage",
        12,
        20,
    ),
    (
        "stage-order",
        BASE + "      - code: LATE\n        name: Поздно\n",
        "comes after a failure stage",
        13,
        9,
    ),
    (
        "stage-sort",
        BASE.replace("        name: Успех\n", "        name: Успех\n        sort: 5\n"),
        "sorts at 5",
        9,
        15,
    ),
    (
        "duplicate-pipeline-key",
        BASE + second_pipeline("sales", "Другая"),
        "pipeline key 'sales' is used twice",
        13,
        10,
    ),
    (
        "two-default-pipelines",
        BASE.replace("    name: Продажи\n", "    name: Продажи\n    default: true\n")
        + second_pipeline("other", "Другая", "    default: true\n"),
        "is marked default, but so is 'sales'",
        16,
        14,
    ),
    (
        "previous-name-collides",
        BASE + second_pipeline("other", "Другая", "    previous_names: [Продажи]\n"),
        "is also name of pipeline 'sales'",
        15,
        22,
    ),
    (
        "duplicate-field-code",
        "fields:\n  - type: string\n    code: X\n  - type: integer\n    code: X\n",
        "field code 'X' is used twice",
        5,
        11,
    ),
    ("duplicate-xml-id", ENUM + "      - {xml_id: a, value: B}\n", "xml_id 'a' is used twice", 6, 18),
    (
        "two-enum-defaults",
        ENUM + "      - {xml_id: b, value: B, default: true}\n",
        "a second default item",
        6,
        40,
    ),
    (
        "boolean-multiple",
        "fields:\n  - type: boolean\n    code: B\n    multiple: true\n",
        "a boolean field cannot be multiple",
        4,
        15,
    ),
    (
        "unknown-pipeline",
        with_robots("- type: copy_deal\n  to_pipeline: nowhere\n"),
        "no pipeline with key 'nowhere'",
        12,
        26,
    ),
    (
        "unknown-target-stage",
        with_robots("- type: copy_deal\n  to_pipeline: sales\n  to_stage: NOPE\n"),
        "pipeline 'sales' has no stage 'NOPE'",
        13,
        23,
    ),
    (
        "store-id-in-wrong-type",
        with_robots("- type: copy_deal\n  to_pipeline: sales\n  store_id_in: S\n")
        + "fields:\n  - {type: boolean, code: S}\n",
        "is a boolean field and cannot hold the new deal's id",
        13,
        26,
    ),
    (
        "set-field-unknown",
        with_robots("- type: set_field\n  field: STATUZ\n  value: x\n"),
        "unknown deal field 'STATUZ'",
        12,
        20,
    ),
    (
        "condition-unknown-field",
        with_robots("- type: notify\n  message: hi\n  condition: {field: AMOUNT, op: '>', value: 0}\n"),
        "unknown deal field 'AMOUNT'",
        13,
        32,
    ),
    (
        "change-stage-unknown",
        with_robots("- type: change_stage\n  stage: DONE\n"),
        "pipeline 'sales' has no stage 'DONE'",
        12,
        20,
    ),
    (
        "set-field-enum-item",
        with_robots("- type: set_field\n  field: S\n  value: nope\n") + ENUM,
        "'nope' is not an item of enumeration 'S'",
        13,
        20,
    ),
    (
        "removed-but-declared",
        "fields:\n  - type: string\n    code: X\nremoved:\n  fields: [X]\n",
        "field 'X' is also declared",
        5,
        12,
    ),
    (
        "duplicate-trigger",
        "triggers:\n  - {code: t1, name: A}\n  - {code: t1, name: B}\n",
        "trigger code 't1' is used twice",
        3,
        12,
    ),
]


@pytest.mark.parametrize(
    ("text", "fragment", "line", "col"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_blueprint_is_reported_at_its_position(
    check: Callable[..., ValidationReport], text: str, fragment: str, line: int, col: int
) -> None:
    report = check(text)
    assert not report.ok
    assert report.blueprint is None
    found = [p for p in report.errors if fragment in p.message]
    assert found, "\n".join(map(str, report.problems))
    assert (found[0].line, found[0].col) == (line, col), str(found[0])
    assert found[0].path.endswith("bp.yaml")
    # one line each, with a next step after the dash
    assert "\n" not in str(found[0]) and " — " in found[0].message


def test_union_errors_name_only_the_branch_that_fits(check: Callable[..., ValidationReport]) -> None:
    report = check("fields:\n  - type: string\n    code: X\n    label: {ru: 1}\n")
    assert [(p.line, p.col) for p in report.errors] == [(4, 17)]


def test_all_problems_of_a_run_are_reported_together_and_sorted(
    check: Callable[..., ValidationReport],
) -> None:
    text = BASE.replace("code: NEW", "code: new").replace("key: sales", "key: Sales") + "tarif: x\n"
    report = check(text)
    assert [(p.line, p.col) for p in report.problems] == [(2, 10), (5, 15), (13, 1)]
    assert "did you mean 'tariff'" in report.problems[2].message


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    from b24provision.blueprint import validate

    report = validate([tmp_path / "nope.yaml"])
    assert "no such file or directory" in report.problems[0].message
    (tmp_path / "empty").mkdir()
    report = validate([tmp_path / "empty"])
    assert "no blueprints here" in report.problems[0].message
    assert not report.ok
