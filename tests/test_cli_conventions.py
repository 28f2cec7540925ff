"""The command-line conventions people expect from Terraform, kubectl and the like."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision import __version__
from b24provision.cli import app

REPO = Path(__file__).resolve().parents[1]
BLUEPRINT = str(REPO / "blueprints" / "recurring-deals")


def _all_commands() -> list[list[str]]:
    """Every command and subcommand, so that one added later is checked too."""
    import typer.main

    found: list[list[str]] = []

    def walk(group: object, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if getattr(command, "commands", None):
                walk(command, [*prefix, name])
            else:
                found.append([*prefix, name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _all_commands()


def test_a_mistyped_option_exits_1_not_2_which_means_changes_present() -> None:
    result = CliRunner().invoke(app, ["plan", BLUEPRINT, "--detailed-exitcode", "--detailed-exitcod"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: No such option: --detailed-exitcod"), line


@pytest.mark.parametrize(
    "args",
    [["plna"], ["--bogus"], ["emulator", "serve", "--port", "many"], ["graph", "--lang"]],
    ids=["command", "global-option", "bad-value", "missing-value"],
)
def test_every_usage_error_is_one_line_and_exit_1(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"b24provision {__version__}\n")


def test_shell_completion_is_on_and_completes_format_choices() -> None:
    assert "--install-completion" in CliRunner().invoke(app, ["--help"]).stdout
    env = {
        "_B24PROVISION_COMPLETE": "complete_bash",
        "COMP_WORDS": "b24provision plan --format ",
        "COMP_CWORD": "3",
    }
    result = CliRunner().invoke(app, [], env=env, prog_name="b24provision")
    assert result.stdout.split() == ["text", "json", "markdown"], result.output


def test_a_mistyped_format_fails_before_the_portal_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The portal spec names a variable that is not set: reading the portal would fail on that first.
    monkeypatch.delenv("B24_UNSET_PORTAL", raising=False)
    result = CliRunner().invoke(
        app, ["plan", BLUEPRINT, "--portal", "env:B24_UNSET_PORTAL", "-f", "markdwon"]
    )
    assert result.exit_code == 1
    assert "'markdwon' is not one of: text, json, markdown" in result.stderr
    assert "B24_UNSET_PORTAL" not in result.stderr and "Portal:" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_metavars_not_python_types(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    types = re.findall(r"<[a-zA-Z_\[\]|, ]+>", result.stdout)
    assert not types, types


def test_tariff_takes_the_plan_code_as_tariff_and_the_old_plan_still_works() -> None:
    runner = CliRunner()
    new = runner.invoke(app, ["tariff", BLUEPRINT, "--tariff", "free", "--format", "json"])
    old = runner.invoke(app, ["tariff", BLUEPRINT, "--plan", "free", "--format", "json"])
    assert new.stdout == old.stdout and '"free"' in new.stdout
    assert "deprecated; use `tariff --tariff CODE`" in old.stderr
    assert "deprecated" not in new.stderr
    assert "--plan" not in runner.invoke(app, ["tariff", "--help"]).stdout
