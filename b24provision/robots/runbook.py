"""A runbook: the numbered checklist an administrator follows to set up by hand what REST cannot.

Robots on stages can be neither read nor written over REST (reference §0), so ``apply`` cannot put
them on the portal and ``plan`` cannot check them. The runbook closes that gap honestly: every
robot becomes one set-up step with the exact path through the UI and every setting (from
``describe_robot``), followed by a verification step that says what to do with a test deal (a
test lead, a test item of the smart process) and what must be seen. Steps come in the portal's
order (the deal's pipelines as the portal lists them, the lead's statuses, then each smart
process's pipelines; stages by sort, robots in chain order), numbered throughout and ticked off as
"- [ ]" boxes. Triggers an
application registers must be bound to stages by hand as well, and get steps of their own.

``build_runbook`` makes the structure; ``to_markdown`` and ``to_html`` (a self-contained page with
everything escaped) print it, in Russian or English (the words: ``runbook_text.py``).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from b24provision.blueprint.model import Blueprint, Pipeline, Robot, Stage
from b24provision.blueprint.smart_section import section_blueprint
from b24provision.robots.describe import describe_robot, effective_delays
from b24provision.robots.kinds import kind_of, robot_kind_name
from b24provision.robots.lead_board import lead_board, lead_robot_count
from b24provision.robots.runbook_text import item_t, t
from b24provision.robots.words import Entity, condition_text, describe_duration, field_text, label_text


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


@dataclass(frozen=True)
class _Board:
    """Where robots sit, for their UI path and their test: what they work on, the pipeline (the
    lead's statuses as one, robots/lead_board.py), the smart process's title, and the blueprint
    their references resolve in (a smart process's own view, blueprint/smart_section.py)."""

    entity: Entity
    pipeline: Pipeline
    blueprint: Blueprint
    title: str = ""

    def path(self, stage: Stage, robot: str, lang: str) -> str:
        key = {"deal": "path", "lead": "lead_path", "smart": "smart_path"}[self.entity]
        return t(key, lang).format(
            pipeline=self.pipeline.name, stage=stage.name, robot=robot, title=self.title
        )

    def move_test(self, stage: Stage, lang: str) -> str:
        key = {"deal": "move_test", "lead": "lead_move_test", "smart": "smart_move_test"}[self.entity]
        return t(key, lang).format(pipeline=self.pipeline.name, stage=stage.name, title=self.title)


def smart_robot_count(blueprint: Blueprint) -> int:
    """Robots on the stages of the blueprint's smart processes."""
    return sum(len(s.robots) for sp in blueprint.smart_processes for p in sp.pipelines for s in p.stages)


def build_runbook(blueprint: Blueprint, lang: str = "en") -> Runbook:
    """Every manual step for ``blueprint``, numbered, in the portal's order: the deal's pipelines,
    the lead's statuses, then each smart process's pipelines."""
    from b24provision.tariff import minimal_plan, needs  # tariffs imports the model only; no cycle

    book = Runbook(t("title", lang), t("intro", lang))
    counter = itertools.count(1)
    board = lead_board(blueprint, lang)  # robots on lead statuses: a section after the pipelines'
    on = {
        "deal": blueprint.robot_count() > 0 or bool(blueprint.triggers),
        "lead": lead_robot_count(blueprint) > 0,
        "smart": smart_robot_count(blueprint) > 0,
    }
    has_robots = blueprint.robot_count() + lead_robot_count(blueprint) + smart_robot_count(blueprint) > 0
    if not (has_robots or blueprint.triggers or blueprint.app_robots):
        book.intro += " " + t("nothing", lang)
        return book
    tested: list[Entity] = [e for e in ("deal", "lead", "smart") if on[e]]
    book.intro += " " + _use_tests(tested, lang)
    before = Section(t("before", lang))
    if has_robots:
        need = needs(blueprint)
        plans = f"{minimal_plan(need).name(lang)} / {minimal_plan(need, 'legacy').name(lang)}"
        before.steps.append(Step(next(counter), t("check_plan", lang).format(plan=plans)))
    before.steps.append(Step(next(counter), t("check_apply", lang)))
    book.sections.append(before)
    for pipeline in portal_order(blueprint):
        if any(s.robots for s in pipeline.stages):
            book.sections.append(Section(t("pipeline", lang).format(pipeline.name)))
            book.sections += _stage_sections(_Board("deal", pipeline, blueprint), "stage", 3, lang, counter)
    if board is not None and on["lead"]:
        book.sections.append(Section(t("leads", lang)))
        book.sections += _stage_sections(_Board("lead", board, blueprint), "lead_status", 3, lang, counter)
    for index, sp in enumerate(blueprint.smart_processes):
        view = section_blueprint(blueprint, index)
        if not view.robot_count():
            continue
        heading = Section(t("smart_process", lang).format(sp.title))
        if sp.automation is not True:  # robots run only with it on (README, Limits)
            heading.steps.append(Step(next(counter), t("smart_automation", lang).format(sp.title)))
        book.sections.append(heading)
        for pipeline in portal_order(view):
            if any(s.robots for s in pipeline.stages):
                book.sections.append(Section(t("pipeline", lang).format(pipeline.name), level=3))
                where = _Board("smart", pipeline, view, sp.title)
                book.sections += _stage_sections(where, "stage", 4, lang, counter)
    if blueprint.app_robots:
        section = Section(t("app_robots", lang))
        for app_robot in blueprint.app_robots:
            name = label_text(app_robot.name, lang, app_robot.code)
            section.steps.append(
                Step(next(counter), t("app_robot", lang).format(name=name, code=app_robot.code))
            )
        book.sections.append(section)
    if blueprint.triggers:
        section = Section(t("triggers", lang))
        for trigger in blueprint.triggers:
            path = t("trigger_path", lang).format(trigger.name)
            bind = t("bind_trigger", lang).format(name=trigger.name, code=trigger.code)
            section.steps.append(Step(next(counter), bind, [path]))
            section.steps.append(Step(next(counter), t("verify_trigger", lang).format(trigger.name)))
        book.sections.append(section)
    book.sections.append(Section(t("finish", lang), steps=[Step(next(counter), _cleanup(tested, lang))]))
    return book


def _use_tests(tested: list[Entity], lang: str) -> str:
    """The intro's test items: a test deal as before, or the list of what robots work on."""
    if tested in ([], ["deal"]):
        return t("use_test_deal", lang)
    return t("use_tests", lang).format(", ".join(item_t("test_item", e, lang) for e in tested))


def _cleanup(tested: list[Entity], lang: str) -> str:
    if tested in ([], ["deal"]):
        return t("cleanup", lang)
    return t("cleanup_items", lang).format(", ".join(item_t("test_items", e, lang) for e in tested))


def _stage_sections(
    board: _Board, heading: str, level: int, lang: str, counter: Iterator[int]
) -> list[Section]:
    """A section per stage of ``board`` that holds robots, in the portal's order, with their steps."""
    sections: list[Section] = []
    for stage in _stages_in_order(board.pipeline):
        if stage.robots:
            section = Section(t(heading, lang).format(stage.name, stage.code), level=level)
            for robot, delays in zip(stage.robots, effective_delays(stage), strict=True):
                section.steps += _robot_steps(robot, delays, stage, board, lang, counter)
            sections.append(section)
    return sections


def _robot_steps(
    robot: Robot, delays: list[str], stage: Stage, board: _Board, lang: str, counter: Iterator[int]
) -> list[Step]:
    """Set-up, the helper robot that stores a new ID (if any), then the check."""
    blueprint, entity = board.blueprint, board.entity
    description = describe_robot(robot, blueprint, lang, entity)
    details = [board.path(stage, description.title, lang)]
    details += [f"{label}: {value}" for label, value in description.settings] + [t("save", lang)]
    name = robot.title or description.title
    steps = [Step(next(counter), t("setup", lang).format(name), details)]
    store = getattr(robot, "store_id_in", None)
    if store:
        # The robot returns the new ID; writing it into a field takes a "Modify item" right after.
        modify = robot_kind_name("set_field", lang)
        result = t("result_task" if kind_of(robot).result == "task" else "result_deal", lang)
        helper = [
            board.path(stage, modify, lang),
            f"{t('field', lang)}: {field_text(store, blueprint, lang, entity)}",
            f"{t('value', lang)}: " + t("result_of", lang).format(result=result, robot=name),
            t("after_previous", lang),
            t("save", lang),
        ]
        steps.append(Step(next(counter), t("setup_store", lang).format(modify), helper))
    checks = [board.move_test(stage, lang)]
    if delays:
        waited = " + ".join(describe_duration(d, lang) for d in delays)
        checks.append(item_t("delay", entity, lang).format(delay=waited))
    checks += kind_of(robot).checks(robot, board.pipeline, blueprint, lang, entity)
    if robot.condition is not None:
        cond = condition_text(robot.condition, blueprint, lang, entity)
        checks.append(item_t("condition_false", entity, lang).format(cond=cond))
    steps.append(Step(next(counter), t("verify", lang).format(name), checks))
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
