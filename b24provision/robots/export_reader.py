"""The robots of a portal, read from its own configuration export (the second source of live state).

REST cannot read robots on stages (reference §8.3), but the export an administrator makes in the UI
holds every stage's robots as bizproc templates (reference §8.8). ``read_export`` turns that archive
into ``ExportRobots``: the deal pipelines by name with their stages (``CRM_STATUS/<ENTITY_ID>.json``)
and, for every stage that has a robot template (``BIZPROC_MAIN/<n>.json`` with ``AUTO_EXECUTE`` 8
and a ``DOCUMENT_STATUS``), its robots in blueprint terms (``template.py``). Stage ids ``C5:NEW``
become natural keys here: the pipeline's key made from its name the way ``state/rest.py`` makes
it, and the stage code without the prefix. Nothing in the archive is trusted (``archive.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from b24provision.blueprint.model import Blueprint
from b24provision.entities.stages import DealStages
from b24provision.entities.types import DEAL
from b24provision.keys import make_key
from b24provision.robots.archive import ExportArchiveError, read_export_files
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


@dataclass(frozen=True)
class ExportRobots:
    """What an export says about deal robots."""

    path: Path
    written_at: datetime | None
    manifest_code: str
    pipelines: tuple[ExportPipeline, ...]
    stages: tuple[ExportStage, ...]
    """Stages with a robot template, in pipeline then stage order."""
    ignored: tuple[str, ...] = ()
    """Templates left aside, each with the reason (another document type, an unknown stage, ...)."""

    def label(self) -> str:
        """The export as messages name it: its file name and when the portal wrote it."""
        when = f", written {self.written_at:%Y-%m-%d %H:%M}" if self.written_at else ""
        return f"{self.path.name}{when}"

    def ids(self) -> Ids:
        return Ids({p.category_id: p.key for p in self.pipelines})

    def stage(self, pipeline_key: str, code: str) -> ExportStage | None:
        return next((s for s in self.stages if s.pipeline_key == pipeline_key and s.stage_code == code), None)


def read_export(path: Path, blueprint: Blueprint | None = None) -> ExportRobots:
    """Read the deal pipelines and robots of the export at ``path``.

    A pipeline takes the key of the ``blueprint``'s pipeline it matches (the default one by being
    the default, the others by name or a previous name, as plan matches them); any other pipeline
    gets a key made from its name, as ``export`` makes them.

    Raises:
        ExportArchiveError: the file is damaged, hostile or not a configuration export.
    """
    files = read_export_files(path)
    manifest = files.documents["manifest.json"]
    if not isinstance(manifest, Mapping):
        raise ExportArchiveError(f"{path}: manifest.json is not an object — is this a configuration export?")
    pipelines = _pipelines(path, files.documents, blueprint)
    ids = Ids({p.category_id: p.key for p in pipelines})
    by_status = {(p.key, code): (p, name) for p in pipelines for code, name in p.stages}
    stages: list[ExportStage] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for name in sorted((n for n in files.documents if n.startswith("BIZPROC_MAIN/")), key=_step_number):
        doc = files.documents[name]
        if not isinstance(doc, Mapping) or not _is_automation(doc):
            continue
        status = str(doc.get("DOCUMENT_STATUS") or "")
        if str(doc.get("DOCUMENT_TYPE")) != DEAL.document_type[2]:
            ignored.append(f"{name}: robots of {doc.get('DOCUMENT_TYPE')} (only deal robots are read)")
            continue
        pipeline_key, code = ids.stage(status)
        found = by_status.get((pipeline_key or "", code))
        if found is None:
            ignored.append(f"{name}: robots of stage {status!r}, which CRM_STATUS does not have")
            continue
        if status in seen:
            # The core loads the first template of a stage; a second one never runs (§8.8).
            ignored.append(
                f"{name}: a second robot template for stage {status!r} (the portal uses the first)"
            )
            continue
        seen.add(status)
        pipeline, stage_name = found
        data = doc.get("TEMPLATE_DATA")
        tree = data.get("TEMPLATE") if isinstance(data, Mapping) else None
        read = read_template(tree, ids)
        stages.append(
            ExportStage(
                pipeline_key=pipeline.key,
                pipeline_name=pipeline.name,
                stage_code=code,
                stage_name=stage_name,
                status_id=status,
                robots=read.robots,
                designer_edited=read.designer_edited,
            )
        )
    order = {(p.key, code): (i, j) for i, p in enumerate(pipelines) for j, (code, _) in enumerate(p.stages)}
    stages.sort(key=lambda s: order[(s.pipeline_key, s.stage_code)])
    return ExportRobots(
        path=path,
        written_at=files.written_at,
        manifest_code=str(manifest.get("CODE") or ""),
        pipelines=tuple(pipelines),
        stages=tuple(stages),
        ignored=tuple(ignored),
    )


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


def _pipelines(path: Path, documents: Mapping[str, Any], blueprint: Blueprint | None) -> list[ExportPipeline]:
    found: list[tuple[int, str, list[Mapping[str, Any]]]] = []
    for name, doc in documents.items():
        # Each stage directory is CRM_STATUS/<ENTITY_ID>.json (reference §8.8).
        directory = re.fullmatch(r"CRM_STATUS/([A-Z0-9_]+)\.json", name)
        category = _STAGES.category_of(directory.group(1)) if directory else None
        if category is None or not isinstance(doc, Mapping):
            continue
        raw_entity, raw_items = doc.get("ENTITY"), doc.get("ITEMS")
        entity: Mapping[str, Any] = raw_entity if isinstance(raw_entity, Mapping) else {}
        items: list[Any] = raw_items if isinstance(raw_items, list) else []
        found.append((category, str(entity.get("NAME") or ""), [i for i in items if isinstance(i, Mapping)]))
    if not found:
        raise ExportArchiveError(
            f"{path}: the export holds no deal stages (CRM_STATUS/{_STAGES.entity_id(0)}*.json) — export "
            "with the CRM settings included"
        )
    found.sort(key=lambda f: f[0])  # the default pipeline (0) first, as state/rest.py orders keys
    taken: dict[str, int] = {p.key: -1 for p in blueprint.pipelines} if blueprint is not None else {}
    out: list[ExportPipeline] = []
    for category, name, items in found:
        key = _blueprint_key(blueprint, category, name)
        if key is None or taken.get(key, -1) != -1:  # two pipelines of one name: only the first is matched
            key = make_key(name or "pipeline", taken=taken)
        taken[key] = category
        rows = sorted(items, key=lambda r: (_int(r.get("SORT")), _int(r.get("ID"))))
        prefix = _STAGES.status_prefix(category)
        stages = tuple(
            (str(r.get("STATUS_ID", "")).removeprefix(prefix), str(r.get("NAME") or "")) for r in rows
        )
        out.append(
            ExportPipeline(key=key, name=name, category_id=category, default=category == 0, stages=stages)
        )
    return out


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def robots_into(blueprint: Blueprint, export: ExportRobots) -> tuple[Blueprint, list[str]]:
    """``blueprint`` with every stage's robots from ``export`` (read with that blueprint's keys),
    and a line for each robot or stage left out because a blueprint cannot say it exactly."""
    left_out: list[str] = []
    pipelines = []
    for pipeline in blueprint.pipelines:
        stages = []
        for stage in pipeline.stages:
            found = export.stage(pipeline.key, stage.code)
            robots = []
            if found is not None and found.designer_edited:
                left_out.append(
                    f"{pipeline.key}/{stage.code}: edited in the designer ({found.designer_edited})"
                )
            for r in found.robots if found is not None else ():
                if r.robot is not None and not r.notes:
                    robots.append(r.robot)
                    continue
                why = "a type blueprints do not describe" if r.type is None else "; ".join(r.notes)
                left_out.append(f"{pipeline.key}/{stage.code}: {r.activity} «{r.title}» ({why})")
            robots = distinct_names(robots)  # two robots a blueprint cannot tell apart get an id
            stages.append(stage.model_copy(update={"robots": robots}) if robots else stage)
        pipelines.append(pipeline.model_copy(update={"stages": stages}))
    return blueprint.model_copy(update={"pipelines": pipelines}), left_out
