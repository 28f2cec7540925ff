"""Generated blueprints of a given size: P pipelines of S stages and F custom fields.

The first pipeline is the portal's default one (its stages replace the eight a fresh portal has);
the others are new. Fields cycle through the common types; every tenth is an enumeration of
``items`` entries. Written as JSON, which is YAML too, so ``validate`` reads it like any blueprint.

``SmartSize``: the smallest deal part (the default pipeline, no fields) and N smart processes, each
with its pipelines of S stages (the first its default one) and its own fields cycling through
``SMART_FIELD_TYPES``, the first enumeration of five items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIELD_TYPES = (
    "string",
    "integer",
    "double",
    "boolean",
    "enumeration",
    "date",
    "money",
    "url",
    "datetime",
    "employee",
)

SMART_FIELD_TYPES = ("string", "integer", "enumeration", "date", "boolean")


@dataclass(frozen=True)
class Size:
    pipelines: int
    stages: int
    fields: int
    items: int = 5

    @property
    def label(self) -> str:
        return f"{self.pipelines}×{self.stages} + {self.fields} fields" + (
            f" (enum {self.items})" if self.fields else ""
        )


@dataclass(frozen=True)
class SmartSize:
    types: int
    pipelines: int = 2
    stages: int = 5
    fields: int = 5

    @property
    def label(self) -> str:
        each = f"{self.pipelines}×{self.stages} + {self.fields} fields each"
        return f"{self.types} smart processes ({each})" if self.types else "no smart processes (1×8 deal)"


def _pipelines(count: int, stages_each: int, won: str = "WON", lost: str = "LOSE") -> list[dict[str, Any]]:
    pipelines = []
    for p in range(count):
        stages: list[dict[str, Any]] = [{"code": "NEW", "name": f"Новая {p}"}]
        stages += [
            {"code": f"STEP_{s:02d}", "name": f"Шаг {s} воронки {p}"} for s in range(2, stages_each - 1)
        ]
        stages += [
            {"code": won, "name": "Успех", "semantics": "success"},
            {"code": lost, "name": "Провал", "semantics": "failure"},
        ]
        pipeline: dict[str, Any] = {"key": f"p{p:02d}", "name": f"Воронка {p:02d}", "stages": stages}
        if p == 0:
            pipeline["default"] = True
        pipelines.append(pipeline)
    return pipelines


def blueprint_doc(size: Size) -> dict[str, Any]:
    pipelines = _pipelines(size.pipelines, size.stages)
    fields = []
    for f in range(size.fields):
        kind = FIELD_TYPES[f % len(FIELD_TYPES)]
        field: dict[str, Any] = {
            "code": f"F{f:03d}",
            "type": kind,
            "label": {"ru": f"Поле {f}", "en": f"Field {f}"},
        }
        if kind == "enumeration":
            field["items"] = [{"xml_id": f"i{i:02d}", "value": f"Вариант {i}"} for i in range(size.items)]
        fields.append(field)
    return {"version": 1, "description": f"generated: {size.label}", "pipelines": pipelines, "fields": fields}


def smart_blueprint_doc(size: SmartSize) -> dict[str, Any]:
    processes = []
    for t in range(size.types):
        fields: list[dict[str, Any]] = []
        for f in range(size.fields):
            kind = SMART_FIELD_TYPES[f % len(SMART_FIELD_TYPES)]
            field: dict[str, Any] = {
                "code": f"S{f:02d}",
                "type": kind,
                "label": {"ru": f"Поле {f} процесса {t}", "en": f"Field {f} of process {t}"},
            }
            if kind == "enumeration":
                field["items"] = [{"xml_id": f"i{i}", "value": f"Вариант {i}"} for i in range(5)]
            fields.append(field)
        processes.append(
            {
                "key": f"sp{t:02d}",
                "title": f"Процесс {t:02d}",
                "categories": True,
                "automation": True,
                # A smart process's final stages are SUCCESS and FAIL, a deal's WON and LOSE.
                "pipelines": _pipelines(size.pipelines, size.stages, "SUCCESS", "FAIL"),
                "fields": fields,
            }
        )
    return {
        "version": 1,
        "description": f"generated: {size.label}",
        "pipelines": _pipelines(1, 8),
        "fields": [],
        "smart_processes": processes,
    }


def write_blueprint(size: Size | SmartSize, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "blueprint.yaml"
    doc = smart_blueprint_doc(size) if isinstance(size, SmartSize) else blueprint_doc(size)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
