"""Stage codes the target pipeline cannot hold (22 − len("C<id>:") characters, reference §13.5):
validate warns, plan and apply refuse before any write, over HTTP against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from b24provision.cli import app

CODE_18 = "MEASUREMENT_BOOKED"  # 18 characters: fits C1–C99, not C100 and up
CODE_20 = "WAITING_FOR_PAYMENT1"  # 20: only the default pipeline holds it


def blueprint(tmp_path: Path, code: str, *, default: bool = False, name: str = "Measurement") -> Path:
    path = tmp_path / "bp.yaml"
    path.write_text(
        f"""pipelines:
  - key: main
    name: {"General" if default else name}
    default: {"true" if default else "false"}
    stages:
      - {{code: NEW, name: New}}
      - {{code: {code}, name: Booked}}
      - {{code: WON, name: Won, semantics: success}}
      - {{code: LOSE, name: Lost, semantics: failure}}
""",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def pipelines_up_to(url: str, last: int) -> None:
    """Pipelines p1..p<last> straight over REST, so the next one gets id last+1."""
    with httpx.Client(base_url=url) as hook:
        for start in range(1, last + 1, 50):
            cmd = {
                f"p{n}": f"crm.category.add?entityTypeId=2&fields[name]=p{n}"
                for n in range(start, min(start + 50, last + 1))
            }
            assert hook.post("batch", json={"cmd": cmd}).status_code == 200


def portal_objects(url: str) -> tuple[Any, ...]:
    """Pipelines, stages and fields over REST (the tool's own B24P_ objects, such as a lock, aside)."""
    with httpx.Client(base_url=url) as hook:
        fields = hook.post("crm.deal.userfield.list").json()["result"]
        return (
            hook.post("crm.category.list", json={"entityTypeId": 2}).json()["result"],
            hook.post("crm.status.list").json()["result"],
            [f for f in fields if "B24P_" not in str(f.get("FIELD_NAME"))],
        )


def test_validate_warns_above_17_characters(tmp_path: Path) -> None:
    path = blueprint(tmp_path, CODE_18)
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "warning: pipeline 'main': stage code 'MEASUREMENT_BOOKED' has 18 characters" in result.stdout
    assert "17 characters fit in every pipeline below C1000" in result.stdout


def test_plan_refuses_a_code_the_existing_pipeline_cannot_hold(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal()
    pipelines_up_to(portal.server.webhook_url, 100)
    with httpx.Client(base_url=portal.server.webhook_url) as hook:
        renamed = {"entityTypeId": 2, "id": 100, "fields": {"name": "Measurement"}}
        assert hook.post("crm.category.update", json=renamed).status_code == 200
    before = portal_objects(portal.server.webhook_url)
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = run(*command, str(blueprint(tmp_path, CODE_18)), "--portal", portal.spec)
        assert result.exit_code == 1, result.output
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, result.stderr
        assert "code 'MEASUREMENT_BOOKED' has 18 characters, more than 17" in errors[0]
        assert "pipeline 'main' is C100 on this portal" in errors[0]
        assert "bp.yaml:" in errors[0]
    assert portal_objects(portal.server.webhook_url) == before


def test_a_new_pipeline_is_assumed_to_get_a_three_digit_id(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal()
    before = portal_objects(portal.server.webhook_url)
    result = run("apply", str(blueprint(tmp_path, CODE_18)), "--portal", portal.spec, "--auto-approve")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert (
        "pipeline 'main' is new, and its id is known only once the portal creates it; with an id below "
        "1000 (only the default pipeline exists) it holds at most 17 characters" in errors[0]
    )
    assert "17 in C100–C999 and 16 from C1000, and refuses a longer code; shorten the code" in errors[0]
    assert portal_objects(portal.server.webhook_url) == before


def test_the_default_pipeline_holds_22_and_the_portal_agrees(
    start_portal: Callable[..., Any], tmp_path: Path
) -> None:
    portal = start_portal(quirks="core")
    path = blueprint(tmp_path, CODE_20, default=True)
    result = run("apply", str(path), "--portal", portal.spec, "--auto-approve", "--allow-delete")
    assert result.exit_code == 0, result.output
    assert "verified: portal matches the blueprint" in result.stdout
