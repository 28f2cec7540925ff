"""The CI examples in docs/ci run as written: every `b24provision ...` command they hold is run here.

Each file is parsed as YAML, the shell of its steps / scripts is searched for b24provision command
lines, and those run in order, in a scratch repository with a blueprint in blueprints/, against an
emulated portal whose webhook URL stands in the CI secret B24_WEBHOOK_URL. Pull request: validate
(0), plan (2: changes, and plan.json saved); merge: apply of that saved plan (0).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from b24provision.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs" / "ci"
# A command at the start of a line or after ; && || | $( — never "pip install b24provision".
COMMAND = re.compile(r"(?:^|;|&&|\|\||\||\$\()\s*(b24provision\s[^;&|>\n]*)", re.MULTILINE)

BLUEPRINT = """\
version: 1
pipelines:
  - key: service
    name: Service
    stages:
      - {code: NEW, name: Request}
      - {code: WON, name: Done, semantics: success}
      - {code: LOSE, name: Cancelled, semantics: failure}
fields:
  - {code: CONTRACT_NO, type: string, label: Contract number}
"""


def _load(name: str) -> Any:
    return YAML(typ="safe").load((DOCS / name).read_text(encoding="utf-8"))


def _shell_of_github(doc: Any) -> Iterator[str]:
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            if "run" in step:
                yield step["run"]


def _shell_of_gitlab(doc: Any) -> Iterator[str]:
    for job in doc.values():
        if isinstance(job, dict):
            for key in ("before_script", "script"):
                yield from job.get(key, [])


def commands(name: str) -> list[str]:
    doc = _load(name)
    shells = _shell_of_github(doc) if "jobs" in doc else _shell_of_gitlab(doc)
    found: list[str] = []
    for shell in shells:
        joined = shell.replace("\\\n", " ")  # line continuations
        found += [m.group(1).strip() for m in COMMAND.finditer(joined)]
    return found


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """A fresh emulated portal behind B24_WEBHOOK_URL, and a scratch repository as the working directory."""
    from b24provision.emulator import Emulator, PortalSettings, serve_in_thread

    (tmp_path / "blueprints").mkdir()
    (tmp_path / "blueprints" / "deals.yaml").write_text(BLUEPRINT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with serve_in_thread(
        Emulator(":memory:", PortalSettings(token="ciSECRETcode42", rate_limit=None))
    ) as server:
        monkeypatch.setenv("B24_WEBHOOK_URL", server.webhook_url)
        yield server


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_every_b24provision_command_runs_as_written(name, portal, tmp_path):
    found = commands(name)
    assert [shlex.split(c)[1] for c in found] == ["validate", "plan", "apply"], found
    expected = {"validate": 0, "plan": 2, "apply": 0}
    runner = CliRunner()
    for command in found:
        args = shlex.split(command)[1:]
        result = runner.invoke(app, args)
        assert result.exit_code == expected[args[0]], f"{command}\n{result.output}"
        assert "ciSECRETcode42" not in result.output
        if args[0] == "plan":
            assert result.stdout.startswith("### b24provision plan")  # the comment's Markdown
            assert (tmp_path / "plan.json").exists()
    # The reviewed plan was applied: planning again finds nothing to do.
    again = runner.invoke(app, ["plan", "--portal", "env:B24_WEBHOOK_URL", "--detailed-exitcode"])
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_secret_comes_from_the_ci_secret_store_only(name):
    text = (DOCS / name).read_text(encoding="utf-8")
    assert "--portal env:B24_WEBHOOK_URL" in text
    assert not re.search(r"/rest/\d+/", text), "no webhook URL may be written into a CI file"
    for command in commands(name):
        if shlex.split(command)[1] != "validate":
            assert "--portal env:B24_WEBHOOK_URL" in command
