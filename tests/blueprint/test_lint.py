"""Lint: warnings drawn from the seeds, each at its line, never an error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from blueprint_snippets import BASE, with_robots

from b24provision.blueprint import ValidationReport

SECOND = (
    "  - key: repeat\n    name: Повторные\n    stages:\n"
    "      - {code: NEW, name: Новая}\n"
    "      - {code: WON, name: Успех, semantics: success}\n"
    "      - {code: LOSE, name: Провал, semantics: failure}\n"
)

# (id, YAML, rule, line, col, reason fragment)
CASES = [
    (
        "delay-on-success",
        with_robots("- type: copy_deal\n  to_pipeline: repeat\n  keep_amount: false\n  delay: 30 days\n")
        + SECOND,
        "long-delay-on-success",
        14,
        20,
        "create a task (create_task with deadline: 30 days)",
    ),
    (
        "wait-on-success",
        with_robots("- type: wait\n  duration: 5 days\n"),
        "long-delay-on-success",
        12,
        23,
        "the wait is invisible",
    ),
    (
        "long-wait",
        BASE.replace(
            "        name: Новая\n",
            "        name: Новая\n        robots:\n          - {type: wait, duration: 42 days}\n",
        ),
        "long-wait",
        8,
        36,
        "longer than a month",
    ),
    (
        "delay-unit",
        BASE.replace(
            "        name: Новая\n",
            "        name: Новая\n        robots:\n          - {type: notify, message: hi, delay: 2 weeks}\n",
        ),
        "delay-unit",
        8,
        48,
        "a robot's delay takes minutes, hours or days only; write delay: 14 days",
    ),
    (
        "duplicated-amount",
        with_robots("- type: copy_deal\n  to_pipeline: repeat\n") + SECOND,
        "duplicated-amount",
        11,
        13,
        "count the same money twice",
    ),
    (
        "duplicated-amount-explicit",
        with_robots("- type: copy_deal\n  to_pipeline: repeat\n  keep_amount: true\n") + SECOND,
        "duplicated-amount",
        13,
        26,
        "set keep_amount: false",
    ),
    (
        "create-deal-amount",
        with_robots("- type: create_deal\n  pipeline: repeat\n  deal_title: X\n  amount_from_deal: true\n")
        + SECOND,
        "duplicated-amount",
        14,
        31,
        "count the same money twice",
    ),
    (
        "copy-into-own-pipeline",
        with_robots("- type: copy_deal\n  to_pipeline: sales\n"),
        "copy-into-same-pipeline",
        12,
        26,
        "into its own pipeline 'sales'",
    ),
    (
        "duplicate-stage-name",
        BASE.replace("name: Провал", "name: Новая"),
        "duplicate-stage-name",
        11,
        15,
        "cannot tell them apart",
    ),
    (
        "enum-without-default",
        "fields:\n  - type: enumeration\n    code: S\n    items:\n      - {xml_id: a, value: A}\n",
        "enum-without-default",
        4,
        5,
        "mark the first state with default: true",
    ),
    (
        "mandatory-field",
        with_robots("- type: copy_deal\n  to_pipeline: repeat\n  keep_amount: false\n")
        + SECOND
        + "fields:\n  - type: string\n    code: CITY\n    mandatory: true\n",
        "mandatory-field",
        26,
        16,
        "robot-made deals get it empty",
    ),
]


@pytest.mark.parametrize(
    ("text", "rule", "line", "col", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_lint_warns_at_the_line_with_the_reason(
    check: Callable[..., ValidationReport], text: str, rule: str, line: int, col: int, reason: str
) -> None:
    report = check(text)
    assert report.ok, "\n".join(map(str, report.problems))  # warnings never make it fail
    assert [(p.code, p.line, p.col) for p in report.warnings] == [(f"lint/{rule}", line, col)]
    warning = report.warnings[0]
    assert warning.severity == "warning" and reason in warning.message
    assert str(warning).split(": ", 1)[1].startswith("warning: ")


def test_short_delays_and_copies_without_amount_are_fine(check: Callable[..., ValidationReport]) -> None:
    text = (
        with_robots(
            "- type: copy_deal\n  to_pipeline: repeat\n  keep_amount: false\n  delay: 2 days\n"
            "- type: create_task\n  task_title: Повторная продажа\n  deadline: 1 month\n"
        )
        + SECOND
    )
    report = check(text)
    assert report.problems == []
