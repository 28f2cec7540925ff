"""`make demo` shows the main job as a user would see it: no refusal it does not need, the plans'
exit codes, and the robots' manual steps once."""

from __future__ import annotations

from pathlib import Path

import pytest

from b24provision import demo

REPO = Path(__file__).resolve().parents[1]


def test_the_demo_needs_no_allow_delete_and_shows_the_robot_steps_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blueprints").symlink_to(REPO / "blueprints")
    monkeypatch.setenv("NO_COLOR", "1")
    demo.main()
    out, err = capfd.readouterr()
    assert "--allow-delete" not in out + err and "Error" not in err
    assert "# exit code 2: changes to apply" in out and "# exit code 0: no changes" in out
    step = "Message text: Замер выполнен — приложите размеры к основной сделке."
    assert out.count(step) == 1
    assert out.count("Замер -> Замер выполнен -> robot 1: Add notification") == 2  # steps, then a title
    assert "verified: portal matches the blueprint" in out
