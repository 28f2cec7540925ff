"""An object named twice under ``removed:`` (twice in one list, in two files, or once in each of the
lead's two spellings) is refused by validate, plan and apply at the second place it is written: it
would be two deletes of one object, and the second fails on the portal part-way through apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.emulator.testing import by_hand

HINT = "it can be deleted only once; remove one of the two"
# The deprecated spelling first and the new one below it: the model holds the new one's codes first.
BOTH_LEAD_FORMS = "removed:\n  lead_statuses: [PROCESSED]\n  lead:\n    statuses: [PROCESSED]\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "bp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors(out: str) -> list[str]:
    """The error lines of validate's output (warnings and the summary left out)."""
    return [line for line in out.splitlines() if ": removed: " in line]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (BOTH_LEAD_FORMS, ":4:16: removed: lead status 'PROCESSED' is named twice (first at line 2, in "
         "removed.lead_statuses)"),
        ("removed:\n  lead:\n    statuses: [PROCESSED]\n  lead_statuses: [PROCESSED]\n",
         ":4:19: removed: lead status 'PROCESSED' is named twice (first at line 3, in "
         "removed.lead.statuses)"),
        ("removed:\n  lead:\n    statuses: [PROCESSED, IN_PROCESS, PROCESSED]\n",
         ":3:39: removed: lead status 'PROCESSED' is named twice (first at line 3)"),
        ("removed:\n  lists:\n    source:\n      - CALL\n      - CALL\n",
         ":5:9: removed: source item 'CALL' is named twice (first at line 4)"),
        ("removed:\n  fields: [OLD, OLD]\n", ":2:17: removed: field 'OLD' is named twice (first at line 2)"),
        ("removed:\n  contact:\n    fields: [INN, INN]\n",
         ":3:19: removed: contact field 'INN' is named twice (first at line 3)"),
        ("removed:\n  lead:\n    fields: [A]\n    statuses: [JUNK]\n  company:\n    fields: [A, A]\n",
         ":6:17: removed: company field 'A' is named twice (first at line 6)"),
        ("removed:\n  pipelines: [Старая, Старая]\n",
         ":2:23: removed: pipeline 'Старая' is named twice (first at line 2)"),
        ("removed:\n  smart_processes:\n    - Замеры\n    - Замеры\n",
         ":4:7: removed: smart process 'Замеры' is named twice (first at line 3)"),
        ("removed:\n  app_robots: [r1, r1]\n  triggers: [t1, t1]\n",
         ":2:20: removed: application robot 'r1' is named twice (first at line 2)"),
    ],
    ids=["lead-old-then-new", "lead-new-then-old", "lead-one-list", "list-item", "deal-field",
         "contact-field", "company-field", "pipeline", "smart-process", "app-robot"],
)  # fmt: skip
def test_validate_refuses_a_name_given_twice_at_the_second_one(tmp_path: Path, text: str, error: str) -> None:
    code, out, err = run("validate", str(write(tmp_path, text)))
    assert code == 1, out + err
    assert any(line == f"{tmp_path / 'bp.yaml'}{error} — {HINT}" for line in out.splitlines()), out
    # One line for the one object named twice (the app-robot case names a trigger twice as well).
    assert len(errors(out)) == (2 if "triggers" in text else 1), out


def test_a_name_given_in_two_files_of_one_blueprint_is_found_in_the_second_naming_the_first(
    tmp_path: Path,
) -> None:
    (tmp_path / "bp").mkdir()
    write(tmp_path, "removed:\n  fields: [OLD]\n", "bp/a.yaml")
    write(tmp_path, "removed:\n  fields: [KEEP_GONE, OLD]\n", "bp/b.yaml")
    code, out, err = run("validate", str(tmp_path / "bp"))
    assert code == 1, out + err
    assert errors(out) == [
        f"{tmp_path / 'bp/b.yaml'}:2:23: removed: field 'OLD' is named twice (first at "
        f"{tmp_path / 'bp/a.yaml'}:2:12) — {HINT}"
    ]


def test_one_code_in_different_lists_is_not_named_twice(tmp_path: Path) -> None:
    text = (
        "removed:\n  fields: [INN]\n  contact: {fields: [INN]}\n  lead: {fields: [INN], statuses: [INN]}\n"
        "  lists: {source: [INN], industry: [INN]}\n  pipelines: [Замер, замер]\n"
    )
    code, out, err = run("validate", str(write(tmp_path, text)))
    assert code == 0, out + err
    assert "named twice" not in out + err


def test_plan_and_apply_refuse_it_and_send_nothing(start_portal: Any, tmp_path: Path) -> None:
    portal = start_portal("a")
    path = write(tmp_path, BOTH_LEAD_FORMS)
    where = f"{path}:4:16: removed: lead status 'PROCESSED' is named twice"
    for command in (["plan"], ["apply", "--auto-approve", "--allow-delete"]):
        portal.emulator.request_log.clear()
        code, out, err = run(command[0], str(path), "--portal", portal.spec, *command[1:])
        assert code == 1, out + err
        lines = [line for line in err.splitlines() if line.startswith("Error")]
        assert lines == [f"Error: {where} (first at line 2, in removed.lead_statuses) — {HINT}"]
        assert not [r.method for r in portal.emulator.request_log if r.write]
    statuses = by_hand(portal.emulator, "crm.status.list", {"filter": {"ENTITY_ID": "STATUS"}})
    assert "PROCESSED" in {s["STATUS_ID"] for s in statuses}

    # Named once, the same status is one delete.
    once = write(tmp_path, "removed:\n  lead: {statuses: [PROCESSED]}\n", "once.yaml")
    code, out, err = run("plan", str(once), "--portal", portal.spec)
    assert code == 0, err
    assert out.count("- status lead:PROCESSED") == 1
