"""A runbook: the numbered checklist an administrator follows to set up by hand what REST cannot.

Robots on stages can be neither read nor written over REST (reference §0), so ``apply`` cannot put
them on the portal and ``plan`` cannot check them. The runbook closes that gap honestly: every
robot becomes one set-up step with the exact path through the UI and every setting (from
``describe_robot``), followed by a verification step that says what to do with a test deal and
what must be seen. Steps come in the portal's order (pipelines as the portal lists them, stages by
sort, robots in chain order), numbered throughout and ticked off as "- [ ]" boxes. Triggers an
application registers must be bound to stages by hand as well, and get steps of their own.

``build_runbook`` makes the structure; ``to_markdown`` and ``to_html`` (a self-contained page with
everything escaped) print it, in Russian or English.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from b24provision.blueprint.model import Blueprint, Pipeline, Robot, Stage
from b24provision.robots.describe import describe_robot, effective_delays
from b24provision.robots.kinds import kind_of, robot_kind_name
from b24provision.robots.lead_board import lead_board, lead_robot_count
from b24provision.robots.words import condition_text, describe_duration, field_text, label_text

# (en, ru)
_TEXT: dict[str, tuple[str, str]] = {
    "title": (
        "Runbook: automation rules to set up by hand",
        "Инструкция: роботы, которые настраиваются вручную",
    ),
    "intro": (
        "Bitrix24 has no REST method for automation rules (robots) on stages, so b24provision cannot "
        "create or check them. Follow the steps in order and tick each box. Use a test deal for the "
        "checks and delete it at the end.",
        "В REST API Битрикс24 нет методов для роботов на стадиях, поэтому b24provision не может ни "
        "создать, ни проверить их. Выполняйте шаги по порядку и отмечайте каждый. Для проверок "
        "используйте тестовую сделку и удалите её в конце.",
    ),
    "before": ("Before you start", "Перед началом"),
    "check_plan": (
        "Check that the portal's plan has automation rules (robots): {plan} or higher "
        "(b24provision tariff shows what is certain and what is not)",
        "Проверьте, что на тарифе портала есть роботы: {plan} или выше "
        "(команда b24provision tariff покажет, что известно точно, а что нет)",
    ),
    "check_apply": (
        "Run `b24provision apply` first: the pipelines, stages and fields the robots refer to must exist",
        "Сначала выполните `b24provision apply`: воронки, стадии и поля, на которые ссылаются роботы, "
        "должны существовать",
    ),
    "pipeline": ("Pipeline '{}'", "Воронка «{}»"),
    "leads": ("Leads", "Лиды"),
    "lead_status": ("Lead status '{}' ({})", "Статус лида «{}» ({})"),
    "lead_path": (
        "CRM → Leads → Automation rules → status '{stage}' → Add (Create) → '{robot}'",
        "CRM → Лиды → Роботы → статус «{stage}» → Добавить (Создать) → «{robot}»",
    ),
    "lead_move_test": (
        "Move a test lead to status '{stage}'.",
        "Переведите тестовый лид в статус «{stage}».",
    ),
    "stage": ("Stage '{}' ({})", "Стадия «{}» ({})"),
    "setup": ("Add automation rule '{}'", "Добавьте робота «{}»"),
    "path": (
        "CRM → Deals → pipeline '{pipeline}' → Automation rules → stage '{stage}' → Add (Create) → '{robot}'",
        "CRM → Сделки → воронка «{pipeline}» → Роботы → стадия «{stage}» → Добавить (Создать) → «{robot}»",
    ),
    "save": (
        "Save the rule, then save the Automation rules page",
        "Сохраните робота, затем сохраните страницу роботов",
    ),
    "setup_store": (
        "Right after it, add automation rule '{}' that stores the new ID",
        "Сразу после него добавьте робота «{}», который сохраняет новый ID",
    ),
    "field": ("Field", "Поле"),
    "value": ("Value", "Значение"),
    "result_of": (
        "Automation rule results → '{robot}' → '{result}'",
        "Результаты роботов → «{robot}» → «{result}»",
    ),
    "result_deal": ("New deal ID", "ID новой сделки"),
    "result_task": ("Task ID", "ID задачи"),
    "after_previous": (
        "Execution: after the previous automation rule",
        "Выполнение: после предыдущего робота",
    ),
    "verify": ("Check '{}'", "Проверьте «{}»"),
    "move_test": (
        "Move a test deal in '{pipeline}' to stage '{stage}'.",
        "Переведите тестовую сделку воронки «{pipeline}» на стадию «{stage}».",
    ),
    "delay": (
        "The rule runs {delay} later: the deal's Automation tab must show it waiting. Come back after "
        "{delay}, or test with a temporary delay of 10 minutes (the minimum) and set it back.",
        "Робот сработает через {delay}: на вкладке «Роботы» сделки он должен быть в ожидании. "
        "Вернитесь через {delay} или проверьте с временной задержкой 10 минут (минимум) и верните её.",
    ),
    "condition_false": (
        "Also move a deal for which '{cond}' is false: the rule must not run.",
        "Также переведите сделку, для которой «{cond}» не выполняется: робот не должен сработать.",
    ),
    "triggers": ("Triggers to bind by hand", "Триггеры, которые привязываются вручную"),
    "bind_trigger": (
        "Bind the application trigger '{name}' ({code}) to the stage it should move deals to",
        "Привяжите триггер приложения «{name}» ({code}) к стадии, на которую он должен переводить сделки",
    ),
    "trigger_path": (
        "CRM → Deals → pipeline → Automation rules → stage → Triggers: Add → Applications → '{}'",
        "CRM → Сделки → воронка → Роботы → стадия → Триггеры: Добавить → Приложения → «{}»",
    ),
    "verify_trigger": (
        "Let the application fire '{}' for a test deal: the deal moves to the bound stage",
        "Пусть приложение вызовет «{}» для тестовой сделки: сделка переходит на привязанную стадию",
    ),
    "app_robots": ("Application robot types", "Роботы приложения"),
    "app_robot": (
        "Check that the application's robot type '{name}' ({code}) is in the robot catalogue "
        "(Add → Applications); place it on stages by hand where it is needed",
        "Проверьте, что робот приложения «{name}» ({code}) есть в каталоге роботов (Добавить → "
        "Приложения); расставьте его на стадии вручную, где он нужен",
    ),
    "finish": ("Finish", "Завершение"),
    "cleanup": (
        "Delete the test deals and the tasks they created",
        "Удалите тестовые сделки и созданные ими задачи",
    ),
    "nothing": (
        "This blueprint has no robots or triggers: nothing to set up by hand.",
        "В этом описании нет роботов и триггеров: вручную настраивать нечего.",
    ),
}


def _t(key: str, lang: str) -> str:
    en, ru = _TEXT[key]
    return ru if lang == "ru" else en


@dataclass
class Step:
    """One numbered checkbox, with lines under it (the path, settings, what to look for)."""

    number: int
    text: str
    details: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    level: int = 2
    steps: list[Step] = field(default_factory=list)


@dataclass
class Runbook:
    title: str
    intro: str
    sections: list[Section] = field(default_factory=list)


def portal_order(blueprint: Blueprint) -> list[Pipeline]:
    """Pipelines as the portal lists them: the default one first, then by sort (or position)."""
    indexed = list(enumerate(blueprint.pipelines))
    return [
        p
        for _, p in sorted(
            indexed, key=lambda ip: (not ip[1].default, ip[1].sort if ip[1].sort is not None else 0, ip[0])
        )
    ]


def _stages_in_order(pipeline: Pipeline) -> list[Stage]:
    sorts = pipeline.stage_sorts()
    return sorted(pipeline.stages, key=lambda s: sorts[s.code])


def build_runbook(blueprint: Blueprint, lang: str = "en") -> Runbook:
    """Every manual step for ``blueprint``, numbered, in the portal's order."""
    from b24provision.tariff import minimal_plan, needs  # tariffs imports the model only; no cycle

    book = Runbook(_t("title", lang), _t("intro", lang))
    counter = itertools.count(1)
    board = lead_board(blueprint, lang)  # robots on lead statuses: a section after the pipelines'
    has_robots = blueprint.robot_count() + lead_robot_count(blueprint) > 0
    if not (has_robots or blueprint.triggers or blueprint.app_robots):
        book.intro += " " + _t("nothing", lang)
        return book
    before = Section(_t("before", lang))
    if has_robots:
        need = needs(blueprint)
        plans = f"{minimal_plan(need).name(lang)} / {minimal_plan(need, 'legacy').name(lang)}"
        before.steps.append(Step(next(counter), _t("check_plan", lang).format(plan=plans)))
    before.steps.append(Step(next(counter), _t("check_apply", lang)))
    book.sections.append(before)
    for pipeline in portal_order(blueprint):
        if not any(s.robots for s in pipeline.stages):
            continue
        book.sections.append(Section(_t("pipeline", lang).format(pipeline.name)))
        for stage in _stages_in_order(pipeline):
            if not stage.robots:
                continue
            section = Section(_t("stage", lang).format(stage.name, stage.code), level=3)
            for robot, delays in zip(stage.robots, effective_delays(stage), strict=True):
                section.steps += _robot_steps(robot, delays, pipeline, stage, blueprint, lang, counter)
            book.sections.append(section)
    if board is not None and lead_robot_count(blueprint):
        book.sections.append(Section(_t("leads", lang)))
        for stage in _stages_in_order(board):
            if stage.robots:
                section = Section(_t("lead_status", lang).format(stage.name, stage.code), level=3)
                for robot, delays in zip(stage.robots, effective_delays(stage), strict=True):
                    section.steps += _robot_steps(
                        robot, delays, board, stage, blueprint, lang, counter, lead=True
                    )
                book.sections.append(section)
    if blueprint.app_robots:
        section = Section(_t("app_robots", lang))
        for app_robot in blueprint.app_robots:
            name = label_text(app_robot.name, lang, app_robot.code)
            section.steps.append(
                Step(next(counter), _t("app_robot", lang).format(name=name, code=app_robot.code))
            )
        book.sections.append(section)
    if blueprint.triggers:
        section = Section(_t("triggers", lang))
        for trigger in blueprint.triggers:
            path = _t("trigger_path", lang).format(trigger.name)
            bind = _t("bind_trigger", lang).format(name=trigger.name, code=trigger.code)
            section.steps.append(Step(next(counter), bind, [path]))
            section.steps.append(Step(next(counter), _t("verify_trigger", lang).format(trigger.name)))
        book.sections.append(section)
    book.sections.append(Section(_t("finish", lang), steps=[Step(next(counter), _t("cleanup", lang))]))
    return book


def _robot_steps(
    robot: Robot,
    delays: list[str],
    pipeline: Pipeline,
    stage: Stage,
    blueprint: Blueprint,
    lang: str,
    counter: Iterator[int],
    *,
    lead: bool = False,
) -> list[Step]:
    """Set-up, the helper robot that stores a new ID (if any), then the check. ``lead``: a robot on
    a lead status (``pipeline`` is the lead's board, robots/lead_board.py)."""
    description = describe_robot(robot, blueprint, lang)
    where = "lead_path" if lead else "path"
    path = _t(where, lang).format(pipeline=pipeline.name, stage=stage.name, robot=description.title)
    details = [path] + [f"{label}: {value}" for label, value in description.settings] + [_t("save", lang)]
    name = robot.title or description.title
    steps = [Step(next(counter), _t("setup", lang).format(name), details)]
    store = getattr(robot, "store_id_in", None)
    if store:
        # The robot returns the new ID; writing it into a field takes a "Modify item" right after.
        modify = robot_kind_name("set_field", lang)
        result = _t("result_task" if kind_of(robot).result == "task" else "result_deal", lang)
        helper = [
            _t(where, lang).format(pipeline=pipeline.name, stage=stage.name, robot=modify),
            f"{_t('field', lang)}: {field_text(store, blueprint, lang)}",
            f"{_t('value', lang)}: " + _t("result_of", lang).format(result=result, robot=name),
            _t("after_previous", lang),
            _t("save", lang),
        ]
        steps.append(Step(next(counter), _t("setup_store", lang).format(modify), helper))
    checks = [
        _t("lead_move_test" if lead else "move_test", lang).format(pipeline=pipeline.name, stage=stage.name)
    ]
    if delays:
        waited = " + ".join(describe_duration(d, lang) for d in delays)
        checks.append(_t("delay", lang).format(delay=waited))
    checks += kind_of(robot).checks(robot, pipeline, blueprint, lang)
    if robot.condition is not None:
        checks.append(
            _t("condition_false", lang).format(cond=condition_text(robot.condition, blueprint, lang))
        )
    steps.append(Step(next(counter), _t("verify", lang).format(name), checks))
    return steps


# ------------------------------------------------------------------------------------ render


def _md(text: str) -> str:
    """Keep names from turning into Markdown or HTML."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")


def to_markdown(book: Runbook) -> str:
    """The runbook as GitHub Markdown: "- [ ] **N.** step" boxes, details as nested bullets."""
    lines = [f"# {_md(book.title)}", "", _md(book.intro), ""]
    for section in book.sections:
        lines += [f"{'#' * section.level} {_md(section.title)}", ""]
        for step in section.steps:
            lines.append(f"- [ ] **{step.number}.** {_md(step.text)}")
            lines += [f"  - {_md(detail)}" for detail in step.details]
        if section.steps:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
    "li.step{list-style:none;margin:.6rem 0}li.step>label{font-weight:600}"
    "ul.details{margin:.2rem 0 0 1.8rem;font-weight:normal}h3{margin-top:1.2rem}"
)


def to_html(book: Runbook, lang: str = "en") -> str:
    """The runbook as one self-contained HTML page (no scripts, no external files), all text escaped."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}"><head><meta charset="utf-8">',
        f"<title>{e(book.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(book.title)}</h1>",
        f"<p>{e(book.intro)}</p>",
    ]
    for section in book.sections:
        out.append(f"<h{section.level}>{e(section.title)}</h{section.level}>")
        if not section.steps:
            continue
        out.append("<ul>")
        for step in section.steps:
            box = f'<input type="checkbox" id="step-{step.number}">'
            label = f'<label for="step-{step.number}">{step.number}. {e(step.text)}</label>'
            out.append(f'<li class="step">{box} {label}')
            if step.details:
                out.append(
                    '<ul class="details">' + "".join(f"<li>{e(d)}</li>" for d in step.details) + "</ul>"
                )
            out.append("</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_runbook(blueprint: Blueprint, fmt: str = "markdown", lang: str = "en") -> str:
    """The runbook of ``blueprint`` as "markdown" or "html", in "en" or "ru"."""
    book = build_runbook(blueprint, lang)
    if fmt == "html":
        return to_html(book, lang)
    if fmt == "markdown":
        return to_markdown(book)
    raise ValueError(f"unknown runbook format {fmt!r}: use markdown or html")
