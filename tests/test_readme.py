"""The README stays honest: its diagram is what `graph` draws, and every command it lists exists."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from b24provision.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_diagram_is_what_graph_draws(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["graph", "blueprints/recurring-deals"])
    assert result.exit_code == 0, result.output
    block = re.search(r"```mermaid\n(.*?)```", README, re.S)
    assert block is not None
    assert block.group(1).strip() == result.stdout.strip()


def test_every_command_in_the_reference_exists() -> None:
    listed = set(re.findall(r"^\| `([a-z][a-z-]*)", README, re.M))
    assert {"validate", "plan", "apply", "export", "diff", "graph", "runbook", "forecast"} <= listed
    for command in sorted(listed):
        args = ["emulator", "serve", "--help"] if command == "emulator" else [command, "--help"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, f"{command}: {result.output}"


def test_readme_gives_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README


def test_plan_help_says_what_explain_shows_as_the_readme_does() -> None:
    """`--explain` shows every request apply sends after its read (the reads between batches too),
    not only batch requests: its help and README's plan row say the same."""
    result = CliRunner().invoke(app, ["plan", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    help_text = " ".join(result.output.replace("│", " ").split())
    row = next(line for line in README.splitlines() if line.startswith("| `plan "))
    for words in ("every request apply would send after its read", "the reads between batches"):
        assert words in help_text and words in row, words
    assert "batch requests" not in help_text
