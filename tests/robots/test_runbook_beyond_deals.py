"""The runbook beyond deals: robots on smart-process stages get sections of their own, with their UI
path and a check with a test item of that smart process; robots on leads and smart-process items
are written up in their own words (the lead's responsible person, not the deal's)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from b24provision.blueprint import load_blueprint
from b24provision.blueprint.model import Blueprint
from b24provision.cli import app
from b24provision.robots.describe import describe_robot
from b24provision.robots.graph import to_mermaid
from b24provision.robots.runbook import render_runbook

SHIPPED = Path(__file__).resolve().parents[2] / "blueprints" / "kitchen-smart-processes"

LEADS = {
    "entities": {
        "lead": {
            "statuses": [
                {
                    "code": "NEW",
                    "name": "Fresh",
                    "robots": [
                        {"type": "create_task", "task_title": "Call back", "responsible": "responsible"},
                        {"type": "wait", "duration": "1 day"},
                        {"type": "notify", "to": "author", "message": "Still new", "after_previous": True},
                        {
                            "type": "change_stage",
                            "stage": "JUNK",
                            "condition": {"field": "OPPORTUNITY", "op": "empty"},
                        },
                    ],
                },
                {"code": "JUNK", "name": "Junk", "semantics": "failure"},
            ]
        }
    }
}


def _kitchen() -> Blueprint:
    return load_blueprint([SHIPPED], values_files=[SHIPPED / "values" / "staging.yaml"])


def _steps(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^- \[ \] \*\*(\d+)\.\*\*", text, flags=re.MULTILINE)]


def _smart_robots(bp: Blueprint) -> list[tuple[str, str, str, str]]:
    """(smart process title, pipeline name, stage name, robot name) of every robot, in order."""
    return [
        (sp.title, p.name, s.name, r.title or describe_robot(r, bp).title)
        for sp in bp.smart_processes
        for p in sp.pipelines
        for s in p.stages
        for r in s.robots
    ]


def test_every_smart_process_robot_is_set_up_and_checked_with_a_test_item_in_order() -> None:
    bp = _kitchen()
    robots = _smart_robots(bp)
    assert len(robots) == 5
    text = render_runbook(bp, "markdown", "en")
    assert _steps(text) == list(range(1, len(_steps(text)) + 1))  # numbered throughout
    expected: list[str] = []
    for title, pipeline, stage, name in robots:
        # In order: the smart process's heading, its pipeline, the stage, the set-up, then the check.
        for line in (
            f"## Smart process '{title}'",
            f"### Pipeline '{pipeline}'",
            f"#### Stage '{stage}' (",
        ):
            if line not in expected:
                expected.append(line)
        expected += [
            f"** Add automation rule '{name}'",
            f"  - CRM → '{title}' → pipeline '{pipeline}' → Automation rules → stage '{stage}' → Add",
            f"** Check '{name}'",
            f"  - Move a test item of '{title}' in '{pipeline}' to stage '{stage}'.",
        ]
    rest = text.split("## Finish")[0]
    for line in expected:
        assert line in rest, line
        rest = rest[rest.index(line) + len(line) :]
    assert "test deal" not in text.split("## Smart process")[1]
    assert "the item's responsible person receives the notification" in text.lower()
    assert "(a deal, an item of each smart process below)" in text
    assert "Delete the test items (deals, smart-process items) and the tasks they created" in text


def test_smart_process_runbook_in_russian_and_html() -> None:
    bp = _kitchen()
    ru = render_runbook(bp, "markdown", "ru")
    assert "## Смарт-процесс «Замеры»" in ru and "### Воронка «Замеры»" in ru
    assert "  - CRM → «Замеры» → воронка «Замеры» → Роботы → стадия «Замер назначен» → " in ru
    assert (
        "  - Переведите тестовый элемент смарт-процесса «Сборка» воронки «Сборка» на стадию «Собрано»." in ru
    )
    assert "  - Получатель: ответственный за элемент" in ru and "за сделку" not in ru.split("## Смарт")[1]
    measurement = bp.smart_processes[0].model_copy(update={"title": "<b>Замеры</b> & Co"})
    one = bp.model_copy(update={"smart_processes": [measurement]})
    page = render_runbook(one, "html", "en")
    assert "<b>" not in page
    assert "<h2>Smart process &#x27;&lt;b&gt;Замеры&lt;/b&gt; &amp; Co&#x27;</h2>" in page
    assert "Move a test item of &#x27;&lt;b&gt;Замеры&lt;/b&gt; &amp; Co&#x27; in " in page
    assert page.count('<input type="checkbox"') == len(_steps(render_runbook(one)))


def test_a_blueprint_with_only_smart_process_robots_gets_a_runbook() -> None:
    bp = _kitchen()
    only = bp.model_copy(update={"pipelines": [], "smart_processes": bp.smart_processes[2:3]})
    text = render_runbook(only)
    assert "nothing to set up by hand" not in text
    assert "(an item of each smart process below)" in text and "test deal" not in text
    assert _steps(text) == [1, 2, 3, 4, 5]  # plan, apply, set up, check, clean up
    assert "switched on in the settings" not in text  # it says automation: true


def test_a_smart_process_without_automation_true_gets_a_step_to_switch_it_on() -> None:
    bp = _kitchen()
    delivery = bp.smart_processes[2].model_copy(update={"automation": None})
    text = render_runbook(bp.model_copy(update={"pipelines": [], "smart_processes": [delivery]}))
    assert (
        "- [ ] **3.** Make sure automation rules are switched on in the settings of 'Доставка': the "
        "blueprint does not set `automation: true`" in text
    )
    assert _steps(text) == [1, 2, 3, 4, 5, 6]


def test_lead_robots_say_lead_in_settings_checks_and_graph() -> None:
    bp = Blueprint.model_validate(LEADS)
    en = render_runbook(bp, "markdown", "en")
    assert "deal" not in en.lower()
    assert "  - Responsible person: the lead's responsible person" in en
    assert "  - A task 'Call back' appears for the lead's responsible person." in en
    assert "  - The lead's creator receives the notification: 'Still new'." in en
    assert "  - The rule runs 1 day later: the lead's Automation tab must show it waiting." in en
    assert "  - The lead's Automation tab shows the pause running for 1 day" in en
    assert "  - The lead moves to status Junk (JUNK)." in en
    assert "  - Also move a lead for which 'Amount (OPPORTUNITY) is empty' is false" in en
    assert "Use test items for the checks (a lead) and delete them at the end." in en
    ru = render_runbook(bp, "markdown", "ru")
    assert "сделк" not in ru
    assert "  - Ответственный: ответственный за лид" in ru and "Автор лида получает уведомление" in ru
    assert "Лид переходит в статус Junk (JUNK)." in ru and "Также переведите лид, для которого" in ru
    assert "notify the lead's creator" in to_mermaid(bp)


def test_deal_robots_keep_their_words() -> None:
    bp = _kitchen()
    text = render_runbook(bp.model_copy(update={"smart_processes": []}), "markdown", "en")
    assert "Use a test deal for the checks and delete it at the end." in text
    assert "  - Responsible person: the deal's responsible person" in text
    assert "Delete the test deals and the tasks they created" in text


def test_fields_a_lead_or_item_robot_names_are_its_own_entitys() -> None:
    doc = {
        "fields": [{"code": "CAMPAIGN", "type": "string", "label": "Deal's campaign"}],
        "entities": {
            "lead": {
                "fields": [{"code": "CAMPAIGN", "type": "string", "label": "Lead campaign"}],
                "statuses": [
                    {"code": "NEW", "name": "New", "robots": [
                        {"type": "set_field", "field": "CAMPAIGN", "value": "fair",
                         "condition": {"field": "TITLE", "op": "not_empty"}},
                    ]},
                ],
            }
        },
        "smart_processes": [
            {"key": "measurement", "title": "Measurements", "automation": True,
             "fields": [{"code": "SIZES", "type": "string", "label": "Room sizes"}],
             "pipelines": [{"key": "main", "name": "Main", "default": True, "stages": [
                 {"code": "NEW", "name": "New",
                  "robots": [{"type": "set_field", "field": "SIZES", "value": "?"}]},
             ]}]},
        ],
    }  # fmt: skip
    bp = Blueprint.model_validate(doc)
    text = render_runbook(bp, "markdown", "en")
    lead = text.split("## Leads")[1].split("## Smart process")[0]
    assert "  - Field: 'Lead campaign' (UF_CRM_CAMPAIGN)" in lead
    assert "  - Condition: Lead name (TITLE) is filled" in lead
    assert "  - Field 'Lead campaign' (UF_CRM_CAMPAIGN) of the lead now holds: fair." in lead
    item = text.split("## Smart process 'Measurements'")[1]
    # The portal numbers a smart process's FIELD_NAME (its type's id): the code names the field.
    assert "  - Field: 'Room sizes' (SIZES)" in item
    assert "  - Field 'Room sizes' (SIZES) of the item now holds: ?." in item
    graph = to_mermaid(bp)
    assert "set 'Lead campaign' (UF_CRM_CAMPAIGN) = fair" in graph
    assert "set 'Room sizes' (SIZES) = ?" in graph


def test_cli_runbook_of_the_smart_process_blueprint_in_russian_html(tmp_path: Path) -> None:
    out = tmp_path / "runbook.html"
    values = SHIPPED / "values" / "staging.yaml"
    args = [
        "runbook",
        str(SHIPPED),
        "--values",
        str(values),
        "--format",
        "html",
        "--lang",
        "ru",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert (
        "<h2>Смарт-процесс «Производство»</h2>" in page and "<h4>Стадия «Контроль качества» (QA)</h4>" in page
    )
    assert "Переведите тестовый элемент смарт-процесса «Производство» воронки «Производство»" in page
