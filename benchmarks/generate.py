"""Generated blueprints of a given size: P pipelines of S stages and F custom fields.

The first pipeline is the portal's default one (its stages replace the eight a fresh portal has);
the others are new. Fields cycle through the common types; every tenth is an enumeration of
``items`` entries. Written as JSON, which is YAML too, so ``validate`` reads it like any blueprint.
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


def blueprint_doc(size: Size) -> dict[str, Any]:
    pipelines = []
    for p in range(size.pipelines):
        stages: list[dict[str, Any]] = [{"code": "NEW", "name": f"Новая {p}"}]
        stages += [
            {"code": f"STEP_{s:02d}", "name": f"Шаг {s} воронки {p}"} for s in range(2, size.stages - 1)
        ]
        stages += [
            {"code": "WON", "name": "Успех", "semantics": "success"},
            {"code": "LOSE", "name": "Провал", "semantics": "failure"},
        ]
        pipeline: dict[str, Any] = {"key": f"p{p:02d}", "name": f"Воронка {p:02d}", "stages": stages}
        if p == 0:
            pipeline["default"] = True
        pipelines.append(pipeline)
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


def write_blueprint(size: Size, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "blueprint.yaml"
    path.write_text(json.dumps(blueprint_doc(size), ensure_ascii=False, indent=1), encoding="utf-8")
    return path
