"""The runbook: numbered checkboxes, every robot with every setting, in the portal's order."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from b24provision.blueprint.model import Blueprint
from b24provision.cli import app
from b24provision.robots.describe import describe_robot
from b24provision.robots.runbook import render_runbook

from .conftest import child_deals_doc, recurring_doc, write_blueprint


def _steps(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^- \[ \] \*\*(\d+)\.\*\*", text, flags=re.MULTILINE)]


def test_steps_are_numbered_checkboxes_in_sequence(child_deals: Blueprint) -> None:
    text = render_runbook(child_deals, "markdown", "en")
    numbers = _steps(text)
    # 2 before-you-start, 6 robots x (set up + check), 1 helper that stores the child deal's ID, 1 clean-up.
    assert numbers == list(range(1, 2 + 12 + 1 + 1 + 1))


def test_every_robot_has_its_ui_path_and_every_setting(child_deals: Blueprint, recurring: Blueprint) -> None:
    for bp in (child_deals, recurring):
        for lang in ("en", "ru"):
            text = render_runbook(bp, "markdown", lang)
            for pipeline in bp.pipelines:
                for stage in pipeline.stages:
                    for robot in stage.robots:
                        description = describe_robot(robot, bp, lang)
                        for label, value in description.settings:
                            assert f"  - {label}: {value}" in text


def test_exact_ui_path_and_verification_of_the_child_deal(child_deals: Blueprint) -> None:
    text = render_runbook(child_deals, "markdown", "en")
    assert (
        "  - CRM → Deals → pipeline 'Sales' → Automation rules → stage 'Measurement ordered' → "
        "Add (Create) → 'Copy deal'" in text
    )
    assert "- [ ] **4.** Right after it, add automation rule 'Modify item' that stores the new ID" in text
    assert "  - Value: Automation rule results → 'Copy deal' → 'New deal ID'" in text
    assert "  - A new deal appears in 'Measurement \"Zamer\" [dept]' at stage 'To do (TODO)'." in text
    assert (
        "  - Field 'Child deals' (UF_CRM_CHILD_DEALS) of the test deal holds the new deal's ID "
        "(a link that opens it)." in text
    )
    assert "  - The rule runs 1 month later" in text


def test_grouped_by_pipeline_then_stage_in_portal_order() -> None:
    doc = child_deals_doc()
    sales, measurement = doc["pipelines"]
    sales["stages"][1]["sort"] = 500  # MEASURE now sorts after WON (30) on the portal
    doc["pipelines"] = [measurement, sales]  # the default pipeline is still listed first by the portal
    text = render_runbook(Blueprint.model_validate(doc), "markdown", "en")
    headings = [line for line in text.splitlines() if line.startswith(("## Pipeline", "### Stage"))]
    assert headings == [
        "## Pipeline 'Sales'",
        "### Stage 'Deal won' (WON)",
        "### Stage 'Measurement ordered' (MEASURE)",
        "## Pipeline 'Measurement \"Zamer\" [dept]'",
        "### Stage 'To do' (TODO)",
        "### Stage 'Measured' (DONE)",
    ]


def test_russian_runbook_with_pause_chain_and_trigger(recurring: Blueprint) -> None:
    text = render_runbook(recurring, "markdown", "ru")
    assert "# Инструкция: роботы, которые настраиваются вручную" in text
    assert (
        "  - CRM → Сделки → воронка «Основная» → Роботы → стадия «Успешна» → "
        "Добавить (Создать) → «Пауза робота»" in text
    )
    # The repeat deal runs after the pause, so its check says to wait the month.
    create = text.split("Проверьте «Создать элемент CRM»")[1]
    assert "Робот сработает через 1 месяц" in create.split("- [ ]")[0]
    assert "Привяжите триггер приложения «Invoice paid» (paid)" in text


def test_html_is_self_contained_and_escaped() -> None:
    doc = recurring_doc()
    doc["pipelines"][0]["name"] = "<script>alert('x')</script> & Co"
    text = render_runbook(Blueprint.model_validate(doc), "html", "en")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in text
    assert text.count('<input type="checkbox"') == len(_steps(render_runbook(Blueprint.model_validate(doc))))
    assert "src=" not in text and "href=" not in text  # nothing external


def test_blueprint_without_robots_says_nothing_to_do() -> None:
    bp = Blueprint.model_validate(
        {"pipelines": [{"key": "p", "name": "P", "stages": [{"code": "A", "name": "A"}]}]}
    )
    text = render_runbook(bp)
    assert "nothing to set up by hand" in text
    assert _steps(text) == []


def test_cli_runbook(tmp_path: Path) -> None:
    path = write_blueprint(tmp_path, child_deals_doc())
    result = CliRunner().invoke(app, ["runbook", str(path), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    assert "- [ ] **3.** Добавьте робота «Копировать сделку»" in result.stdout
    out = tmp_path / "runbook.html"
    result = CliRunner().invoke(app, ["runbook", str(path), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "<h2>Pipeline &#x27;Sales&#x27;</h2>" in out.read_text(encoding="utf-8")
