"""`diff` of two portals covers their smart processes: types, switches, stages and fields."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from b24provision import api
from b24provision.cli import app
from b24provision.emulator.testing import by_hand
from tests.smart.test_smart_apply import TWO_TYPES


def _diff(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["diff", *args])
    return result.exit_code, result.stdout + result.stderr


def _applied(start_portal, name: str, tmp_path: Path, text: str = TWO_TYPES):
    portal = start_portal(name)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    api.apply(api.make_plan([path], portal=portal.spec), portal=portal.spec)
    return portal, path


def test_two_portals_with_the_same_smart_processes_have_no_differences(start_portal, tmp_path):
    a, path = _applied(start_portal, "a", tmp_path)
    b, _ = _applied(start_portal, "b", tmp_path)
    code, out = _diff("--from", a.spec, "--to", b.spec, "--detailed-exitcode")
    assert code == 0, out
    code, out = _diff("--from", a.spec, "--to", str(path), "--detailed-exitcode")
    assert code == 0, out


def test_a_stage_a_switch_and_a_type_only_in_one_portal_are_differences(start_portal, tmp_path):
    a, _ = _applied(start_portal, "a", tmp_path)
    changed = TWO_TYPES.replace("name: On site", "name: At the client").replace(
        "client: true", "client: false"
    )
    b, _ = _applied(start_portal, "b", tmp_path, changed)
    by_hand(a.emulator, "crm.type.add", {"fields": {"title": "Assembly"}})
    code, out = _diff("--from", a.spec, "--to", b.spec, "--detailed-exitcode")
    assert code == 2, out
    # Keys are made from the portal's names, as in an export.
    assert '~ stage measurement:measurements/ON_SITE "At the client"' in out
    assert "isClientEnabled" in out
    assert "smart_process:assembly" in out and "only in A" in out
