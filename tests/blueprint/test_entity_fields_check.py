"""The deal's field rules hold for lead, contact and company fields, at the offending line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from b24provision.cli import app

TWICE = """\
version: 1
entities:
  contact:
    fields:
      - {code: INN, type: string, label: Tax number}
      - {code: INN, type: string, label: Tax number again}
"""

DECLARED_AND_REMOVED = """\
version: 1
entities:
  company:
    fields:
      - {code: STAFF, type: integer, label: Staff}
removed:
  company:
    fields: [STAFF]
"""


def _validate(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "bp.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    return result.exit_code, result.stdout + result.stderr


def test_a_contact_field_code_used_twice_is_an_error_at_its_line(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, TWICE)
    assert code == 1
    assert "bp.yaml:6:" in out and "field code 'INN' is used twice" in out


def test_a_company_field_both_declared_and_removed_is_an_error(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, DECLARED_AND_REMOVED)
    assert code == 1
    assert "bp.yaml:8:" in out and "company field 'STAFF' is also declared" in out


def test_removed_names_the_entity_types_it_knows(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, "version: 1\nremoved:\n  contacts:\n    fields: [INN]\n")
    assert code == 1 and "contacts" in out
