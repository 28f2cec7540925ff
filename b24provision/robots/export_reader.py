"""The robots of a portal, read from its own configuration export (the second source of live state).

REST cannot read robots on stages (reference §8.3), but the export an administrator makes in the UI
holds every stage's robots as bizproc templates (reference §8.8). ``read_export`` turns that archive
into ``ExportRobots``: the deal pipelines by name with their stages (``CRM_STATUS/<ENTITY_ID>.json``),
the lead's statuses and the smart processes' pipelines (``export_boards.py``: matched to the
blueprint's by title and name) and, for every stage that has a robot template
(``BIZPROC_MAIN/<n>.json`` with ``AUTO_EXECUTE`` 8 and a ``DOCUMENT_STATUS``), its robots in
blueprint terms (``template.py``). Stage ids ``C5:NEW`` / ``DT128_7:NEW`` become natural keys here:
the pipeline's key made from its name the way ``state/rest.py`` makes it, and the stage code without
the prefix. What is left aside is in ``ignored`` with the reason. Nothing in the archive is trusted
(``archive.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from b24provision.blueprint.model import Blueprint, Stage
from b24provision.entities.stages import DealStages
from b24provision.entities.types import DEAL, LEAD, EntityType, smart_process
from b24provision.keys import make_key
from b24provision.robots.archive import ExportArchiveError, read_export_files
from b24provision.robots.boards import DEAL as DEAL_ENTITY
from b24provision.robots.boards import LEAD as LEAD_ENTITY
from b24provision.robots.boards import stage_where
from b24provision.robots.export_boards import (
    BoardRead,
    Directory,
    directories,
    lead_board,
    smart_boards,
    stages_of,
)
from b24provision.robots.keys import distinct_names
from b24provision.robots.kinds import Ids
from b24provision.robots.template import PortalRobot, read_template

__all__ = ["ExportPipeline", "ExportRobots", "ExportStage", "read_export"]

AUTOMATION = 8  # CBPDocumentEventType::Automation
_STAGES = DealStages()


@dataclass(frozen=True)
class ExportPipeline:
    key: str
    name: str
    category_id: int
    default: bool
    stages: tuple[tuple[str, str], ...]
    """(code, name) of each stage, in the portal's order."""
    entity: str = DEAL_ENTITY
    """"deal", "lead" (key "": the lead's statuses) or the blueprint's smart-process key."""


@dataclass(frozen=True)
class ExportStage:
    """One stage's robot template."""

    pipeline_key: str
    pipeline_name: str
    stage_code: str
    stage_name: str
    status_id: str
    robots: tuple[PortalRobot, ...]
    designer_edited: str = ""
    """Why the template is not the robots' shape ("" when it is): then ``robots`` is empty."""
    entity: str = DEAL_ENTITY
    """The board's entity: "deal", "lead" or a smart process's key."""

    @property
    def where(self) -> str:
        """``sales/NEW``, ``lead:NEW``, ``measurement:main/NEW`` (robots/boards.py)."""
        return stage_where(self.entity, self.pipeline_key, self.stage_code)


@dataclass(frozen=True)
class ExportRobots:
    """What an export says about robots on deal pipelines, lead statuses and smart-process stages."""

    path: Path
    written_at: datetime | None
    manifest_code: str
    pipelines: tuple[ExportPipeline, ...]
    stages: tuple[ExportStage, ...]
    """Stages with a robot template, in pipeline then stage order."""
    ignored: tuple[str, ...] = ()
    """Templates left aside, each with the reason (another document type, an unknown stage, ...)."""
    boards: tuple[ExportPipeline, ...] = ()
    """The lead's statuses and smart-process pipelines the blueprint has (the deal's: ``pipelines``)."""

    def label(self) -> str:
        """The export as messages name it: its file name and when the portal wrote it."""
        when = f", written {self.written_at:%Y-%m-%d %H:%M}" if self.written_at else ""
        return f"{self.path.name}{when}"

    def ids(self) -> Ids:
        return Ids({p.category_id: p.key for p in self.pipelines})

    def stage(self, pipeline_key: str, code: str, entity: str = DEAL_ENTITY) -> ExportStage | None:
        return next(
            (
                s
                for s in self.stages
                if s.entity == entity and s.pipeline_key == pipeline_key and s.stage_code == code
            ),
            None,
        )


def read_export(path: Path, blueprint: Blueprint | None = None) -> ExportRobots:
    """Read the pipelines, lead statuses, smart-process pipelines and robots of the export at ``path``.

    A deal pipeline takes the key of the ``blueprint``'s pipeline it matches (the default one by
    being the default, the others by name or a previous name, as plan matches them); any other
    pipeline gets a key made from its name, as ``export`` makes them. Lead statuses are read when
    the blueprint has some, smart processes when it names them (``export_boards.py``).

    Raises:
        ExportArchiveError: the file is damaged, hostile or not a configuration export.
    """
    files = read_export_files(path)
    manifest = files.documents["manifest.json"]
    if not isinstance(manifest, Mapping):
        raise ExportArchiveError(f"{path}: manifest.json is not an object — is this a configuration export?")
    dirs = directories(files.documents)
    pipelines = _pipelines(path, dirs, blueprint)
    ids = Ids({p.category_id: p.key for p in pipelines})
    lead, lead_aside = lead_board(dirs, blueprint)
    smart, smart_aside = smart_boards(dirs, blueprint)
    deal = DEAL.document_type[2]
    boards = [
        BoardRead(
            DEAL_ENTITY,
            p.key,
            p.name,
            p.category_id,
            p.default,
            deal,
            _STAGES.status_prefix(p.category_id),
            p.stages,
        )
        for p in pipelines
    ]
    boards += [*([lead] if lead is not None else []), *smart]
    # (DOCUMENT_TYPE, DOCUMENT_STATUS) -> the board and the stage: how a template names its stage.
    by_status = {
        (b.document_type, b.prefix + code): (b, code, name) for b in boards for code, name in b.stages
    }
    read_types = {b.document_type for b in boards}
    aside = {**smart_aside, **({LEAD.document_type[2]: lead_aside} if lead_aside else {})}
    stages: list[ExportStage] = []
    ignored: list[str] = []
    seen: set[tuple[str, str]] = set()
    for name in sorted((n for n in files.documents if n.startswith("BIZPROC_MAIN/")), key=_step_number):
        doc = files.documents[name]
        if not isinstance(doc, Mapping) or not _is_automation(doc):
            continue
        status, document_type = str(doc.get("DOCUMENT_STATUS") or ""), str(doc.get("DOCUMENT_TYPE"))
        if document_type in aside:
            ignored.append(f"{name}: robots of {document_type} stage {status!r} ({aside[document_type]})")
            continue
        if document_type not in read_types:
            ignored.append(
                f"{name}: robots of {document_type} (only deal, lead and smart-process robots are read)"
            )
            continue
        found = by_status.get((document_type, status))
        if found is None:
            ignored.append(f"{name}: robots of stage {status!r}, which CRM_STATUS does not have")
            continue
        if (document_type, status) in seen:
            # The core loads the first template of a stage; a second one never runs (§8.8).
            ignored.append(
                f"{name}: a second robot template for stage {status!r} (the portal uses the first)"
            )
            continue
        seen.add((document_type, status))
        board, code, stage_name = found
        data = doc.get("TEMPLATE_DATA")
        tree = data.get("TEMPLATE") if isinstance(data, Mapping) else None
        read = read_template(tree, replace(ids, entity=_document_entity(document_type)))
        stages.append(
            ExportStage(
                pipeline_key=board.key,
                pipeline_name=board.name,
                stage_code=code,
                stage_name=stage_name,
                status_id=status,
                robots=read.robots,
                designer_edited=read.designer_edited,
                entity=board.entity,
            )
        )
    order = {
        (b.entity, b.key, code): (i, j) for i, b in enumerate(boards) for j, (code, _) in enumerate(b.stages)
    }
    stages.sort(key=lambda s: order[(s.entity, s.pipeline_key, s.stage_code)])
    return ExportRobots(
        path=path,
        written_at=files.written_at,
        manifest_code=str(manifest.get("CODE") or ""),
        pipelines=tuple(pipelines),
        stages=tuple(stages),
        ignored=tuple(ignored),
        boards=tuple(
            ExportPipeline(b.key, b.name, b.category_id, b.default, b.stages, entity=b.entity)
            for b in boards
            if b.entity != DEAL_ENTITY
        ),
    )


def _document_entity(document_type: str) -> EntityType:
    """The entity whose document a template's robots run on, by its DOCUMENT_TYPE (a read board's:
    DEAL, LEAD or a smart process's DYNAMIC_<n>, export_boards.py checked the id): how they name
    its fields."""
    if document_type.startswith("DYNAMIC_"):
        return smart_process(int(document_type.removeprefix("DYNAMIC_")))
    return LEAD if document_type == LEAD.document_type[2] else DEAL


def _step_number(name: str) -> tuple[int, str]:
    stem = name.rsplit("/", 1)[-1].removesuffix(".json")
    return (int(stem), name) if stem.isdigit() else (1 << 30, name)


def _is_automation(doc: Mapping[str, Any]) -> bool:
    try:
        auto = int(str(doc.get("AUTO_EXECUTE") or 0))
    except ValueError:
        return False
    return auto == AUTOMATION and bool(doc.get("DOCUMENT_STATUS"))


def _blueprint_key(blueprint: Blueprint | None, category: int, name: str) -> str | None:
    if blueprint is None:
        return None
    for p in blueprint.pipelines:
        if (category == 0 and p.default) or (
            category != 0 and not p.default and name in (p.name, *p.previous_names)
        ):
            return p.key
    return None


def _pipelines(
    path: Path, dirs: Mapping[str, Directory], blueprint: Blueprint | None
) -> list[ExportPipeline]:
    # Each deal pipeline is one stage directory, CRM_STATUS/<ENTITY_ID>.json (reference §8.8).
    found = [(c, d) for d in dirs.values() if (c := _STAGES.category_of(d.entity_id)) is not None]
    if not found:
        raise ExportArchiveError(
            f"{path}: the export holds no deal stages (CRM_STATUS/{_STAGES.entity_id(0)}*.json) — export "
            "with the CRM settings included"
        )
    found.sort(key=lambda f: f[0])  # the default pipeline (0) first, as state/rest.py orders keys
    taken: dict[str, int] = {p.key: -1 for p in blueprint.pipelines} if blueprint is not None else {}
    out: list[ExportPipeline] = []
    for category, directory in found:
        name = directory.name
        key = _blueprint_key(blueprint, category, name)
        if key is None or taken.get(key, -1) != -1:  # two pipelines of one name: only the first is matched
            key = make_key(name or "pipeline", taken=taken)
        taken[key] = category
        stages = stages_of(directory, _STAGES.status_prefix(category))
        out.append(
            ExportPipeline(key=key, name=name, category_id=category, default=category == 0, stages=stages)
        )
    return out


def robots_into(blueprint: Blueprint, export: ExportRobots) -> tuple[Blueprint, list[str]]:
    """``blueprint`` with every stage's robots from ``export`` (read with that blueprint's keys) — deal
    pipelines, lead statuses and smart-process pipelines — and a line for each robot or stage left
    out because a blueprint cannot say it exactly."""
    left_out: list[str] = []

    def stages(entity: str, pipeline_key: str, have: list[Stage]) -> list[Stage]:
        return [_with_robots(entity, pipeline_key, stage, export, left_out) for stage in have]

    pipelines = [
        p.model_copy(update={"stages": stages(DEAL_ENTITY, p.key, p.stages)}) for p in blueprint.pipelines
    ]
    lead = blueprint.entities.lead
    if lead.statuses:
        lead = lead.model_copy(update={"statuses": stages(LEAD_ENTITY, "", lead.statuses)})
    smart = [
        sp.model_copy(
            update={
                "pipelines": [
                    p.model_copy(update={"stages": stages(sp.key, p.key, p.stages)}) for p in sp.pipelines
                ]
            }
        )
        for sp in blueprint.smart_processes
    ]
    update: dict[str, Any] = {"pipelines": pipelines, "smart_processes": smart}
    if lead is not blueprint.entities.lead:
        update["entities"] = blueprint.entities.model_copy(update={"lead": lead})
    return blueprint.model_copy(update=update), left_out


def _with_robots(
    entity: str, pipeline_key: str, stage: Stage, export: ExportRobots, left_out: list[str]
) -> Stage:
    found = export.stage(pipeline_key, stage.code, entity)
    where = stage_where(entity, pipeline_key, stage.code)
    robots = []
    if found is not None and found.designer_edited:
        left_out.append(f"{where}: edited in the designer ({found.designer_edited})")
    for r in found.robots if found is not None else ():
        if r.robot is not None and not r.notes:
            robots.append(r.robot)
            continue
        why = "a type blueprints do not describe" if r.type is None else "; ".join(r.notes)
        left_out.append(f"{where}: {r.activity} «{r.title}» ({why})")
    robots = distinct_names(robots)  # two robots a blueprint cannot tell apart get an id
    return stage.model_copy(update={"robots": robots}) if robots else stage
