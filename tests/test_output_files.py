"""Output files (`--out`): an existing file is replaced only with --force, a write is all or nothing,
and a file that cannot be written is one line and exit 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.errors import OutputError
from b24provision.output import write_output

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINT = str(ROOT / "blueprints" / "kitchen-child-deals")
HAND_WRITTEN = "# my own blueprint, written by hand\nversion: 1\n"


def run(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def one_error(result: object) -> str:
    """The single stderr line starting with Error:, after checking it is the only one and no traceback."""
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 1, (result.stdout, stderr)  # type: ignore[attr-defined]
    assert (
        "Traceback" not in stderr
        and result.exception is None
        or isinstance(  # type: ignore[attr-defined]
            result.exception,  # type: ignore[attr-defined]
            SystemExit,
        )
    )
    errors = [line for line in stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, stderr
    return errors[0]


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize(
    "args",
    [
        ["graph", BLUEPRINT, "--out"],
        ["runbook", BLUEPRINT, "--out"],
        ["schema", "--out"],
        ["plan", BLUEPRINT, "--out"],
    ],
    ids=["graph", "runbook", "schema", "plan"],
)
def test_an_existing_file_is_kept_without_force(args: list[str], tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    with_portal = ["--portal", f"local:{tmp_path / 'state.sqlite'}"] if args[0] == "plan" else []
    line = one_error(run(*args, str(target), *with_portal))
    assert line == (
        f"Error: {target} exists and was not overwritten; pass --force to replace it, or choose another --out"
    )
    assert target.read_text(encoding="utf-8") == HAND_WRITTEN

    replaced = run(*args, str(target), "--force", *with_portal)
    assert replaced.exit_code == 0, replaced.stderr
    assert target.read_text(encoding="utf-8") != HAND_WRITTEN
    assert leftovers(tmp_path) == []


def test_export_keeps_a_hand_written_blueprint_yaml(tmp_path: Path) -> None:
    directory = tmp_path / "mine"
    directory.mkdir()
    (directory / "blueprint.yaml").write_text(HAND_WRITTEN, encoding="utf-8")
    line = one_error(run("export", "--portal", f"local:{tmp_path / 's.sqlite'}", "--out", str(directory)))
    assert "blueprint.yaml exists and was not overwritten; pass --force" in line
    assert (directory / "blueprint.yaml").read_text(encoding="utf-8") == HAND_WRITTEN


def test_export_adds_no_file_beside_another_blueprint(tmp_path: Path) -> None:
    """A directory is one blueprint: a blueprint.yaml beside deals.yaml would join it (and clash)."""
    directory = tmp_path / "crm"
    directory.mkdir()
    (directory / "deals.yaml").write_text(HAND_WRITTEN, encoding="utf-8")
    portal = f"local:{tmp_path / 's.sqlite'}"
    line = one_error(run("export", "--portal", portal, "--out", str(directory)))
    assert f"{directory} already holds a blueprint (deals.yaml)" in line and "pass --force" in line
    assert sorted(p.name for p in directory.iterdir()) == ["deals.yaml"]
    assert run("export", "--portal", portal, "--out", str(directory), "--force").exit_code == 0
    assert sorted(p.name for p in directory.iterdir()) == ["blueprint.yaml", "deals.yaml"]


def test_a_directory_given_as_the_file_is_one_line(tmp_path: Path) -> None:
    line = one_error(run("graph", BLUEPRINT, "--out", str(tmp_path)))
    assert (
        line
        == f"Error: cannot write {tmp_path}: it is a directory; give a file name in it, e.g. {tmp_path}/out"
    )


def test_a_path_through_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    line = one_error(run("runbook", BLUEPRINT, "--out", str(tmp_path / "file" / "runbook.md")))
    assert line.startswith(f"Error: cannot write {tmp_path / 'file' / 'runbook.md'}: Not a directory — ")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_one_line() -> None:
    """/dev/full answers every write with ENOSPC, as a full disk does."""
    line = one_error(run("graph", BLUEPRINT, "--out", "/dev/full"))
    assert line == (
        "Error: cannot write /dev/full: No space left on device — the disk is full; "
        "free some space or write elsewhere"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_no_permission_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    line = one_error(run("graph", BLUEPRINT, "--out", str(locked / "graph.mmd")))
    assert "Permission denied — no permission to write there" in line


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ as on Linux")
def test_a_write_that_fails_half_way_leaves_the_old_file(tmp_path: Path) -> None:
    """The file-size limit stops the write after 1 kB (EFBIG, as a full disk would mid-file): the old
    file is still whole, and no temporary file is left behind."""
    target = tmp_path / "graph.mmd"
    target.write_text(HAND_WRITTEN, encoding="utf-8")
    script = (
        "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024)); "
        "from b24provision.cli import main; sys.argv = ['b24provision'] + sys.argv[1:]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "graph", BLUEPRINT, "--out", str(target), "--force"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"Error: cannot write {target}: File too large — "), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert target.read_text(encoding="utf-8") == HAND_WRITTEN
    assert leftovers(tmp_path) == []


def test_write_output_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o640)
    write_output(target, '{"new": true}', force=True)
    assert target.read_text(encoding="utf-8") == '{"new": true}' and (target.stat().st_mode & 0o777) == 0o640
    with pytest.raises(OutputError, match="exists and was not overwritten"):
        write_output(target, "again")
