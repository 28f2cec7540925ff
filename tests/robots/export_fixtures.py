"""Hand-written configuration exports (tests/robots/fixtures/), packed the way the portal packs them.

The JSON under ``fixtures/kitchen/`` is written by hand from the core's format (reference §8.8,
``BIZPROC_MAIN`` from bizproc's AppConfiguration::exportBizproc, ``CRM_STATUS`` from crm's
Configuration\\Entity\\Status::export, trees as Template::unConvertTemplate builds them, values as
the demo robot sets hold them) — never by the emulator's writer, so that a misreading shared by
our writer and our reader still shows.
"""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
KITCHEN = FIXTURES / "kitchen"
KITCHEN_BLUEPRINT = FIXTURES / "kitchen.yaml"


def pack_zip(source: Path, out: Path, *, replace: dict[str, Any] | None = None) -> Path:
    """Zip the fixture directory ``source`` into ``out``; ``replace`` swaps members (name -> JSON)."""
    replace = dict(replace or {})
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            name = path.relative_to(source).as_posix()
            if name in replace:
                archive.writestr(name, json.dumps(replace.pop(name), ensure_ascii=False))
            else:
                archive.write(path, name)
        for name, doc in replace.items():
            archive.writestr(name, json.dumps(doc, ensure_ascii=False))
    return out


def pack_tar(source: Path, out: Path) -> Path:
    with tarfile.open(out, "w:gz") as archive:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            archive.add(path, path.relative_to(source).as_posix())
    return out


def kitchen_doc(name: str) -> Any:
    return json.loads((KITCHEN / name).read_text(encoding="utf-8"))
